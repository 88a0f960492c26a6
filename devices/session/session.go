package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scrapli/scrapligo/driver/network"
	"github.com/scrapli/scrapligo/driver/opoptions"
	"github.com/scrapli/scrapligo/response"
	"github.com/scrapli/scrapligo/util"

	"github.com/changegate/changegate/devices"
)

// Errors of operations on an open session, for errors.Is.
var (
	// ErrTimeout: the device did not finish answering in time (no prompt
	// came back). The output received so far is returned with it.
	ErrTimeout = errors.New("no answer in time")
	// ErrConnectionLost: the connection ended while a command ran.
	ErrConnectionLost = errors.New("connection lost")
	// ErrCommandFailed: the device answered with one of its platform's
	// failure strings ("% Invalid input", "syntax error").
	ErrCommandFailed = errors.New("command failed on the device")
	// ErrClosed: the session was closed, or broken by an earlier timeout
	// or lost connection; open a new one.
	ErrClosed = errors.New("session closed")
)

// Output is what one command returned. It is returned with every error
// of Run, holding whatever the device had sent.
type Output struct {
	Device  string `json:"device"`
	Command string `json:"command"`
	// Text is the device's answer without the echoed command and the
	// prompt (scrapligo's cleaning: \r and ANSI codes removed, trailing
	// spaces trimmed); on a timeout or lost connection, everything
	// received after the command was sent.
	Text string `json:"output"`
	// Partial is true when the answer is incomplete: no prompt came back.
	Partial bool `json:"partial,omitempty"`
	// FailedWhen is the platform failure string found in Text.
	FailedWhen string        `json:"failed_when,omitempty"`
	Started    time.Time     `json:"started"`
	Took       time.Duration `json:"-"`
}

// DialOptions tune Dial.
type DialOptions struct {
	// Prompter asks the user for credentials the inventory says to
	// prompt for; nil makes such credentials an error.
	Prompter devices.Prompter
}

// Session is an open CLI session to one device, through scrapligo. One
// operation runs at a time (calls are serialised); every operation is
// bounded by its context and by the device's command timeout. A timeout
// or a lost connection breaks the session, since what the device will
// still print is unknown: later calls fail with ErrClosed.
type Session struct {
	dev      *devices.Device
	def      *platformDef
	drv      *network.Driver
	tr       *sshTransport
	log      *transcript
	failWhen []string
	// cfgFailWhen adds the platform's commit errors to failWhen.
	cfgFailWhen []string

	mu     sync.Mutex
	broken error

	// pending is the confirmed commit awaiting confirmation, if any.
	pending *pendingCommit
}

// Dial connects to d over SSH, checks its host key, authenticates and
// opens its CLI with d's platform definition (scrapligo's, or
// changegate's own for frr_vtysh), running the platform's on-open
// commands (terminal length 0 and the like). It is bounded by ctx and by
// d.Timeouts.Connect for the connection, d.Timeouts.Command for the rest.
func Dial(ctx context.Context, d *devices.Device, opts DialOptions) (*Session, error) {
	def, err := lookupPlatform(d.Platform)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", d.Name, err)
	}
	cr, closeAgent, err := resolveCredentials(ctx, d, opts.Prompter)
	defer closeAgent()
	if err != nil {
		return nil, err
	}
	tr, err := dialRetrying(ctx, d, cr)
	if err != nil {
		return nil, err
	}
	log := newTranscript(cr.secrets)
	if d.HostKey.InsecureIgnore {
		log.note(fmt.Sprintf("host key of %s NOT verified: %s", d.Name, d.HostKey.Reason))
	}
	drv, err := def.driver(d, tr, log)
	if err != nil {
		tr.Close()
		return nil, fmt.Errorf("device %s: platform %s: %w", d.Name, d.Platform, err)
	}
	s := &Session{dev: d, def: def, drv: drv, tr: tr, log: log, failWhen: drv.FailedWhenContains, cfgFailWhen: def.configFailWhen(drv)}
	err = s.do(ctx, "open the CLI", "", func(timeout time.Duration) error {
		// The open runs the platform's on-open commands with the driver's
		// default timeout; bound it by ours.
		drv.Channel.TimeoutOps = timeout
		return drv.Open()
	})
	if err != nil {
		tr.Close()
		return nil, fmt.Errorf("device %s: open CLI (%s): %w", d.Name, d.Platform, err)
	}
	return s, nil
}

// dialRetries is how many times a connection that the device reset or
// closed before authentication is tried again: devices (and sshd's
// MaxStartups) drop handshakes beyond their limit of concurrent ones.
const dialRetries = 2

// dialRetrying is dialSSH, tried again after a short pause when the
// connection was reset or closed during the handshake. Host key and
// authentication failures are never retried.
func dialRetrying(ctx context.Context, d *devices.Device, cr *credentials) (*sshTransport, error) {
	pause := 100 * time.Millisecond
	for i := 0; ; i++ {
		tr, err := dialSSH(ctx, d, cr)
		if err == nil || i == dialRetries || !transient(err) {
			return tr, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(pause):
		}
		pause *= 3
	}
}

// transient reports whether a dial error is a reset or early close, which
// may not happen again.
func transient(err error) bool {
	if !errors.Is(err, ErrConnect) {
		return false
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNREFUSED)
}

// Run runs one command at the platform's default privilege level and
// returns its output. The error wraps ErrCommandFailed when the output
// holds a failure string, ErrTimeout or ErrConnectionLost when no prompt
// came back (the Output then holds what had arrived), ErrClosed when the
// session is no longer usable.
func (s *Session) Run(ctx context.Context, command string) (*Output, error) {
	out := &Output{Device: s.dev.Name, Command: command, Started: time.Now()}
	var r *response.Response
	mark := s.log.len()
	err := s.do(ctx, fmt.Sprintf("run %q", command), command, func(timeout time.Duration) error {
		var err error
		r, err = s.drv.SendCommand(command, opoptions.WithTimeoutOps(timeout), opoptions.WithFailedWhenContains(s.failWhen))
		return err
	})
	out.Took = time.Since(out.Started)
	return out, s.finish(out, r, mark, err)
}

// finish fills out from the response, or from the transcript when there
// is none, and returns the error to give the caller.
func (s *Session) finish(out *Output, r *response.Response, mark int, err error) error {
	if r != nil {
		out.Text = s.log.redactor.redactSecrets(r.Result)
	}
	if err != nil {
		if r == nil || r.Result == "" {
			out.Text = s.log.since(mark, out.Command)
			out.Partial = true
		}
		return fmt.Errorf("device %s: %w", s.dev.Name, err)
	}
	if r.Failed != nil {
		var oe *response.OperationError
		if errors.As(r.Failed, &oe) {
			out.FailedWhen = oe.ErrorString
		} else {
			out.FailedWhen = r.Failed.Error()
		}
		return fmt.Errorf("device %s: %q: %w: the answer contains %q", s.dev.Name, out.Command, ErrCommandFailed, out.FailedWhen)
	}
	return nil
}

// do runs op (a scrapligo call, which takes no context) so that it ends
// when ctx does. what names the operation in errors; echo is the command
// it sends, if any: op gets the time left as its own timeout, and if ctx is
// done first the connection is closed, which makes scrapligo return. A
// timeout or lost connection breaks the session.
func (s *Session) do(ctx context.Context, what, echo string, op func(timeout time.Duration) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken != nil {
		return fmt.Errorf("%s: %w: %w", what, ErrClosed, s.broken)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	timeout := s.dev.Timeouts.Command
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	done := make(chan error, 1)
	go func() { done <- op(timeout) }()
	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		s.tr.Close() // unblocks scrapligo: its reads end, it returns an error
		<-done
		s.breakWith(fmt.Errorf("%s: %w", what, context.Cause(ctx)))
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%s: %w within %s (%v%s)", what, ErrTimeout, timeout.Round(time.Millisecond), context.Cause(ctx), s.lastLineHint(echo))
		}
		return fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, util.ErrTimeoutError), errors.Is(err, context.DeadlineExceeded):
		err = fmt.Errorf("%s: %w within %s (no prompt came back%s)", what, ErrTimeout, timeout.Round(time.Millisecond), s.lastLineHint(echo))
	case errors.Is(err, util.ErrPrivilegeError):
		// Before the connection check: scrapligo closes the connection
		// itself after this error.
		err = fmt.Errorf("%s: %w%s", what, err, s.lastLineHint(echo))
	case errors.Is(err, util.ErrConnectionError), s.tr.eof.Load():
		err = fmt.Errorf("%s: %w: %w", what, ErrConnectionLost, err)
	default:
		err = fmt.Errorf("%s: %w", what, err)
	}
	s.breakWith(err)
	s.tr.Close()
	return err
}

// alive reports whether the session can still be used.
func (s *Session) alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.broken == nil && s.tr.IsAlive()
}

func (s *Session) breakWith(err error) {
	if s.broken == nil {
		s.broken = err
	}
}

// lastLineHint names the last line the device sent, which tells a wrong
// prompt from a silent device. echo is the command that was sent.
func (s *Session) lastLineHint(echo string) string {
	l := s.log.lastLine()
	switch {
	case l == "":
		return "; nothing was received"
	case echo != "" && strings.HasSuffix(l, echo):
		return "; the device echoed the command and sent nothing more"
	}
	return fmt.Sprintf("; the last line received was %q: if that is the device's prompt, the platform's prompt patterns do not match it (check the device's platform in the inventory)", l)
}

// Close leaves the CLI politely (the platform's on-close commands,
// bounded by a short timeout) and closes the connection. It may be called
// more than once.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.broken == nil && s.tr.IsAlive() {
		s.broken = ErrClosed
		done := make(chan struct{})
		go func() {
			s.drv.Channel.TimeoutOps = 2 * time.Second
			s.drv.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
		}
	}
	s.broken = ErrClosed
	s.tr.Close()
	return nil
}

// Transcript returns the session's raw transcript so far: every byte the
// device sent (which echoes what was typed), with the credentials and
// secret-looking configuration values redacted, and changegate's notes
// on lines starting "### ".
func (s *Session) Transcript() []byte { return s.log.bytes() }

// firstLine returns text up to its first newline.
func firstLine(text string) string {
	if i := strings.IndexByte(text, '\n'); i >= 0 {
		return text[:i]
	}
	return text
}
