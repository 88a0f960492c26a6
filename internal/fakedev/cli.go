package fakedev

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// A Personality describes one platform's CLI: its modes and prompts, the
// commands it knows, what it does with configuration lines and the errors
// it prints. Platform returns the built-in ones; Respond adds canned
// outputs.
type Personality struct {
	// Name is the platform name, e.g. "cisco_iosxr".
	Name string
	// Hostname is the device's name as its prompts show it.
	Hostname string
	// Start is the mode a new shell starts in.
	Start string
	// Modes are the CLI's modes by name. The built-in platforms use
	// ModeExec, ModePrivExec, ModeConfig and ModeSession, named after
	// scrapligo's privilege levels.
	Modes map[string]Mode
	// Commands are tried in order; the first that applies to the current
	// mode and matches the line answers it.
	Commands []Command
	// ConfigLine, when set, limits what a configuration mode accepts as
	// configuration (Junos: set, delete, ...); other lines are unknown
	// commands. Nil accepts every line.
	ConfigLine *regexp.Regexp
	// Unknown is the answer to a line no command matches outside a
	// configuration mode.
	Unknown func(st *State, line string) string
	// Rejected is the answer to a configuration line that matches
	// Options.Reject.
	Rejected func(st *State, line string) string
}

// A Mode is one mode of a CLI.
type Mode struct {
	// Prompt is the prompt written after every answer in this mode, without
	// a trailing newline.
	Prompt func(st *State) string
	// Config says what the mode does with lines no command matches.
	Config ConfigStyle
}

// ConfigStyle says what a mode does with lines that are not commands.
type ConfigStyle int

const (
	// NotConfig answers them with Personality.Unknown.
	NotConfig ConfigStyle = iota
	// Immediate commits each line as it is received (IOS, EOS, FRR).
	Immediate
	// Candidate keeps lines in a candidate until a commit (XR, Junos, SR Linux,
	// EOS configuration sessions).
	Candidate
)

// A Command is a line the CLI recognises.
type Command struct {
	// Modes the command is valid in; empty means every mode.
	Modes []string
	// Line is the exact command (after trimming white space), or
	Line string
	// Match is a pattern for it, used as written (anchor it with ^ and $).
	// Its submatches are passed to Do.
	Match *regexp.Regexp
	// Output is the command's answer. Lines may end in "\n" or "\r\n".
	Output string
	// Do runs the command; its result is written after Output. args are
	// the line followed by Match's submatches.
	Do func(st *State, args []string) string
}

// Respond makes line answer output in the given modes (every mode when none
// are given). It takes precedence over the platform's own commands, so it
// can also override them.
func (p *Personality) Respond(line, output string, modes ...string) {
	c := Command{Modes: modes, Line: line, Output: output}
	p.Commands = append([]Command{c}, p.Commands...)
}

func (c *Command) match(mode, line string) ([]string, bool) {
	if len(c.Modes) > 0 && !slices.Contains(c.Modes, mode) {
		return nil, false
	}
	if c.Match != nil {
		m := c.Match.FindStringSubmatch(line)
		return m, m != nil
	}
	return []string{line}, c.Line == line
}

func (p *Personality) clone() *Personality {
	c := *p
	c.Modes = maps.Clone(p.Modes)
	c.Commands = slices.Clone(p.Commands)
	return &c
}

func (p *Personality) check() error {
	var errs []error
	if p.Hostname == "" {
		errs = append(errs, errors.New("personality: no hostname"))
	}
	if _, ok := p.Modes[p.Start]; !ok {
		errs = append(errs, fmt.Errorf("personality: start mode %q is not a mode", p.Start))
	}
	for name, m := range p.Modes {
		if m.Prompt == nil {
			errs = append(errs, fmt.Errorf("personality: mode %q has no prompt", name))
		}
	}
	if p.Unknown == nil || p.Rejected == nil {
		errs = append(errs, errors.New("personality: no error text for unknown or rejected lines"))
	}
	return errors.Join(errs...)
}

// State is one shell session's view of the device: what a prompt or a
// Command's Do can look at. The device's configuration is shared by all
// sessions of a Server; the candidate and the mode belong to the session.
type State struct {
	srv     *Server
	p       *Personality
	user    string
	mode    string
	sub     string    // sub-mode label, e.g. "router" in "(config-router)#"
	session string    // EOS configuration session name
	private bool      // the candidate is discarded when leaving configuration
	cand    []string  // candidate lines (not used for named sessions)
	ask     *question // a question waiting for its answer
	exit    bool      // the shell ends after this answer
}

// question is a prompt that takes the next line as its answer, like XR's
// "Uncommitted changes found, commit them before exiting(yes/no/cancel)?".
type question struct {
	prompt string
	answer func(st *State, line string) string
}

func newState(srv *Server, user string) *State {
	return &State{srv: srv, p: srv.p, user: user, mode: srv.p.Start}
}

// Hostname is the device's hostname.
func (st *State) Hostname() string { return st.p.Hostname }

// User is the name the session logged in with.
func (st *State) User() string { return st.user }

// Mode is the current mode's name.
func (st *State) Mode() string { return st.mode }

// Sub is the current sub-mode's label ("" at a mode's top level), e.g.
// "router" after "router ospf" on FRR.
func (st *State) Sub() string { return st.sub }

// Session is the name of the configuration session the shell is in (EOS
// "configure session NAME"), or "".
func (st *State) Session() string { return st.session }

// Dirty reports whether the candidate holds uncommitted lines.
func (st *State) Dirty() bool { return len(st.candidate()) > 0 }

// Prompt is the prompt the device writes now: the question it is asking,
// or the current mode's prompt.
func (st *State) Prompt() string {
	if st.ask != nil {
		return st.ask.prompt
	}
	return st.p.Modes[st.mode].Prompt(st)
}

// run answers one line (already trimmed) and returns its output.
func (st *State) run(line string) string {
	if q := st.ask; q != nil {
		st.ask = nil
		return q.answer(st, line)
	}
	if line == "" {
		return ""
	}
	for i := range st.p.Commands {
		c := &st.p.Commands[i]
		args, ok := c.match(st.mode, line)
		if !ok {
			continue
		}
		out := c.Output
		if c.Do != nil {
			out = joinLines(out, c.Do(st, args))
		}
		return out
	}
	if st.p.Modes[st.mode].Config == NotConfig ||
		(st.p.ConfigLine != nil && !st.p.ConfigLine.MatchString(line)) {
		return st.p.Unknown(st, line)
	}
	return st.configLine(line)
}

// configLine takes line as configuration, or returns the platform's error
// when Options.Reject matches it.
func (st *State) configLine(line string) string {
	if re := st.srv.opts.Reject; re != nil && re.MatchString(line) {
		return st.p.Rejected(st, line)
	}
	st.configure(line)
	return ""
}

func joinLines(a, b string) string {
	if a == "" || b == "" {
		return a + b
	}
	return a + "\n" + b
}

// enter moves to mode's top level.
func (st *State) enter(mode string) {
	st.mode, st.sub = mode, ""
}

// configure takes a configuration line as the current mode does.
func (st *State) configure(line string) {
	switch {
	case st.p.Modes[st.mode].Config == Immediate:
		st.srv.apply(line)
	case st.session != "":
		st.srv.addToSession(st.session, line)
	default:
		st.cand = append(st.cand, line)
	}
}

func (st *State) candidate() []string {
	if st.session != "" {
		return st.srv.sessionLines(st.session)
	}
	return st.cand
}

// takeCandidate empties the candidate and returns what it held.
func (st *State) takeCandidate() []string {
	if st.session != "" {
		return st.srv.dropSession(st.session)
	}
	c := st.cand
	st.cand = nil
	return c
}

// commit commits the candidate; it also confirms a pending confirmed commit.
func (st *State) commit() { st.srv.commit(st.takeCandidate(), false) }

// commitConfirmed commits the candidate pending confirmation.
func (st *State) commitConfirmed() { st.srv.commit(st.takeCandidate(), true) }

// discard throws the candidate away.
func (st *State) discard() { st.takeCandidate() }

func (st *State) askFor(prompt string, answer func(st *State, line string) string) {
	st.ask = &question{prompt: prompt, answer: answer}
}

// caret is the line under an echoed command that points at its start, as
// Cisco and Junos print before an error.
func caret(st *State) string {
	p := st.Prompt()
	if i := strings.LastIndex(p, "\n"); i >= 0 {
		p = p[i+1:]
	}
	return strings.Repeat(" ", len(p)) + "^"
}
