package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/scrapli/scrapligo/driver/opoptions"
	"github.com/scrapli/scrapligo/response"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/platform"
)

// Guarantees says what a platform promises when changegate configures it,
// so that reviewers and policies can see when a guarantee is weaker.
type Guarantees struct {
	Platform string `json:"platform"`
	// Atomic: the lines take effect together at commit or not at all; a
	// refused line leaves the running configuration as it was. Without
	// it every line takes effect as it is sent, and a refused line leaves
	// the lines before it applied.
	Atomic bool `json:"atomic"`
	// ConfirmedCommit: the device reverts a commit by itself unless it is
	// confirmed in time, so a change that cuts changegate off undoes
	// itself.
	ConfirmedCommit bool `json:"confirmed_commit"`
	// Rollback: the device keeps previous configurations and can return
	// to one itself. Without it, rollback is the plan's own rollback
	// commands.
	Rollback bool `json:"rollback"`
	// Method is how changegate sends configuration.
	Method string `json:"method"`
	// Tested says what the definition is tested against.
	Tested string `json:"tested"`
}

// ConfigOptions tune Configure.
type ConfigOptions struct {
	// ConfirmWithin asks for a confirmed commit: the device reverts the
	// change unless Confirm is called within this time. Ignored (the
	// commit is plain, and ConfigResult.PendingConfirm false) on platforms
	// without confirmed commits.
	ConfirmWithin time.Duration
}

// ConfigResult is what Configure did.
type ConfigResult struct {
	// Outputs are every command sent, in order: entering configuration
	// mode, each line, the commit. On failure the last is the one that
	// failed.
	Outputs []*Output `json:"outputs"`
	// Applied is how many of the lines took effect: all or none on an
	// atomic platform, the lines before a refused one otherwise.
	Applied int `json:"applied"`
	// Committed is true once the lines are in the running configuration.
	Committed bool `json:"committed"`
	// PendingConfirm is true when the device will revert the commit
	// unless Confirm is called by ConfirmBy.
	PendingConfirm bool       `json:"pending_confirm"`
	ConfirmBy      time.Time  `json:"confirm_by,omitzero"`
	Guarantees     Guarantees `json:"guarantees"`
}

// pendingCommit is a confirmed commit awaiting confirmation.
type pendingCommit struct {
	id string
	by time.Time
}

// configMethod is how changegate configures a platform: the commands
// around the configuration lines, from the Config of its record in the
// platform registry, and what they guarantee.
type configMethod struct {
	guarantees Guarantees
	// enter enters configuration mode (id names a configuration session
	// where the platform has them). Nil when changegate has no tested way
	// to configure the platform: Configure refuses it; Run works.
	enter func(id string) []string
	// commit commits; with confirm > 0, as a confirmed commit. Nil
	// when lines take effect as they are sent.
	commit func(id string, confirm time.Duration) []string
	// confirm confirms a pending confirmed commit, from exec mode.
	confirm func(id string) []string
	// abort discards uncommitted lines, from configuration mode.
	abort func(id string) []string
}

// methodOf is the configuration method of p.
func methodOf(p platform.Platform) configMethod {
	c := p.Config
	m := configMethod{guarantees: Guarantees{Platform: p.Name, Atomic: c.Atomic, ConfirmedCommit: c.ConfirmedCommit, Rollback: c.Rollback, Method: c.Method, Tested: c.Tested}}
	if len(c.Enter) > 0 {
		m.enter = c.EnterCommands
	}
	if len(c.Commit) > 0 {
		m.commit = c.CommitCommands
	}
	if len(c.Confirm) > 0 {
		m.confirm = c.ConfirmCommands
	}
	if len(c.Abort) > 0 {
		m.abort = c.AbortCommands
	}
	return m
}

// PlatformGuarantees returns what changegate's configuration of the named
// platform guarantees, or false for an unknown platform.
func PlatformGuarantees(name string) (Guarantees, bool) {
	p, ok := platform.Builtin().Lookup(name)
	if !ok {
		return Guarantees{}, false
	}
	return methodOf(p).guarantees, true
}

// AllGuarantees returns the guarantees of every known platform, sorted by
// platform name.
func AllGuarantees() []Guarantees {
	var out []Guarantees
	for _, p := range devices.Platforms() {
		g, _ := PlatformGuarantees(p.Name)
		out = append(out, g)
	}
	return out
}

// Guarantees returns what configuring this session's device guarantees.
func (s *Session) Guarantees() Guarantees { return s.def.config.guarantees }

// PendingConfirm reports whether a confirmed commit made by this session
// awaits Confirm, and its deadline.
func (s *Session) PendingConfirm() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		return time.Time{}, false
	}
	return s.pending.by, true
}

// Configure sends configuration lines, one per call so that a refused
// line is known with its answer, and commits them the platform's way:
// into a candidate or configuration session committed at the end where
// the platform has one (with a confirmed commit when opts asks and the
// platform can), else line by line. A refused line stops it: on atomic
// platforms the uncommitted lines are discarded. It ends back at the
// default privilege level. The result is returned with every error.
func (s *Session) Configure(ctx context.Context, lines []string, opts ConfigOptions) (*ConfigResult, error) {
	m := s.def.config
	res := &ConfigResult{Guarantees: m.guarantees}
	if by, ok := s.PendingConfirm(); ok {
		return res, fmt.Errorf("device %s: a confirmed commit awaits confirmation (by %s): confirm it before configuring again", s.dev.Name, by.Format(time.RFC3339))
	}
	id := sessionID()
	s.log.note(fmt.Sprintf("configure %d lines (%s)", len(lines), m.guarantees.Method))

	if m.enter == nil {
		return res, fmt.Errorf("device %s: changegate cannot configure platform %s: it has no tested configuration method for it (see changegate device platforms)", s.dev.Name, s.dev.Platform)
	}
	for _, c := range m.enter(id) {
		if _, err := s.configSend(ctx, res, c); err != nil {
			return res, s.leave(ctx, err)
		}
	}
	for _, l := range lines {
		if _, err := s.configSend(ctx, res, l); err != nil {
			if m.commit == nil {
				return res, s.leave(ctx, err)
			}
			return res, s.discard(ctx, res, id, err)
		}
		if m.commit == nil {
			res.Applied++
		}
	}
	if m.commit == nil {
		res.Committed = true
		return res, s.leave(ctx, nil)
	}
	confirm := opts.ConfirmWithin
	if !m.guarantees.ConfirmedCommit {
		confirm = 0
	}
	for _, c := range m.commit(id, confirm) {
		if _, err := s.configSend(ctx, res, c); err != nil {
			return res, s.discard(ctx, res, id, err)
		}
	}
	res.Committed, res.Applied = true, len(lines)
	if confirm > 0 {
		res.PendingConfirm, res.ConfirmBy = true, time.Now().Add(confirm)
		s.mu.Lock()
		s.pending = &pendingCommit{id: id, by: res.ConfirmBy}
		s.mu.Unlock()
	}
	return res, s.leave(ctx, nil)
}

// Confirm confirms this session's pending confirmed commit, making the
// change permanent. It returns the outputs of the commands it sent.
func (s *Session) Confirm(ctx context.Context) ([]*Output, error) {
	s.mu.Lock()
	p := s.pending
	s.mu.Unlock()
	if p == nil {
		return nil, fmt.Errorf("device %s: no confirmed commit awaits confirmation", s.dev.Name)
	}
	res := &ConfigResult{}
	for _, c := range s.def.config.confirm(p.id) {
		if _, err := s.configSend(ctx, res, c); err != nil {
			return res.Outputs, s.leave(ctx, err)
		}
	}
	s.mu.Lock()
	s.pending = nil
	s.mu.Unlock()
	return res.Outputs, s.leave(ctx, nil)
}

// configSend sends one configuration command as typed, at whatever mode
// the device is in, and records its output in res.
func (s *Session) configSend(ctx context.Context, res *ConfigResult, command string) (*Output, error) {
	out := &Output{Device: s.dev.Name, Command: command, Started: time.Now()}
	res.Outputs = append(res.Outputs, out)
	var r *response.Response
	mark := s.log.len()
	err := s.do(ctx, fmt.Sprintf("send %q", command), command, func(timeout time.Duration) error {
		var err error
		// The generic driver's SendCommand sends as is: no privilege
		// change. The prompt pattern matches every mode's prompt.
		r, err = s.drv.Driver.SendCommand(command, opoptions.WithTimeoutOps(timeout), opoptions.WithFailedWhenContains(s.cfgFailWhen))
		return err
	})
	out.Took = time.Since(out.Started)
	return out, s.finish(out, r, mark, err)
}

// discard throws away uncommitted lines after err (the commands it sends
// are added to res) and leaves configuration mode.
func (s *Session) discard(ctx context.Context, res *ConfigResult, id string, err error) error {
	if s.def.config.abort != nil && s.alive() {
		for _, c := range s.def.config.abort(id) {
			if _, aerr := s.configSend(ctx, res, c); aerr != nil {
				return errors.Join(err, fmt.Errorf("discarding the uncommitted lines also failed: %w", aerr))
			}
		}
	}
	return s.leave(ctx, err)
}

// leave returns to the default privilege level, whatever mode the device
// is in, and returns err (joined with any failure to get back).
func (s *Session) leave(ctx context.Context, err error) error {
	if !s.alive() {
		return err
	}
	lerr := s.do(ctx, "return to "+s.drv.DefaultDesiredPriv, "", func(timeout time.Duration) error {
		s.drv.Channel.TimeoutOps = timeout
		// Forget the level scrapligo believes it is at: AcquirePriv then
		// reads it from the prompt.
		s.drv.CurrentPriv = ""
		return s.drv.AcquirePriv(s.drv.DefaultDesiredPriv)
	})
	if lerr != nil {
		return errors.Join(err, fmt.Errorf("device %s: %w", s.dev.Name, lerr))
	}
	return err
}

// sessionID names a configuration session: "cg-" and 8 hex digits.
func sessionID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return "cg-" + hex.EncodeToString(b)
}
