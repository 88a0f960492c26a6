package fakedev

import (
	"errors"
	"regexp"
	"time"

	"golang.org/x/crypto/ssh"
)

// Options configure a Server. Only Personality and one way to log in
// (Users or AuthorizedKeys) are required.
type Options struct {
	// Personality is the CLI the device speaks, usually from Platform. The
	// server keeps its own copy: changing p after Start has no effect.
	Personality *Personality

	// Users maps a username to its password, checked for password and
	// keyboard-interactive authentication.
	Users map[string]string
	// AuthorizedKeys are accepted for public-key authentication, for any
	// username in Users, or for any username when Users is empty.
	AuthorizedKeys []ssh.PublicKey
	// HostKey is the server's host key; nil generates a new ed25519 key.
	HostKey ssh.Signer

	// Banner is written when a shell starts, before the first prompt.
	Banner string
	// Reject makes configuration lines that match it fail with the
	// platform's error text instead of being accepted.
	Reject *regexp.Regexp
	// Faults are keyed by command line: the line as received with leading
	// and trailing white space removed, compared exactly (no patterns).
	Faults map[string]Fault
	// Latency is added before every answer to a line, to model the device's
	// own response time. The echo of input is never delayed.
	Latency time.Duration
	// ConfirmTimeout, when positive, rolls back a confirmed commit that is
	// not confirmed within this time (whatever time the command asked for),
	// removing its lines from Committed. Zero never rolls back.
	ConfirmTimeout time.Duration
}

// A Fault changes how the device answers one command line.
//
// The command still runs (a commit lands, a mode changes) unless Output is
// set or the fault is Hang or Drop; Run makes it run in those cases too,
// for example a commit that reaches the device while its answer is lost.
type Fault struct {
	// Delay is waited before answering, on top of Options.Latency.
	Delay time.Duration
	// Hang writes Output and then never answers again on this session:
	// no prompt, no echo, input is read and thrown away.
	Hang bool
	// Drop writes Output and then closes the TCP connection without
	// closing the SSH channel or connection first.
	Drop bool
	// Prompt replaces the mode's prompt after this answer, once.
	Prompt string
	// Output replaces the command's answer; for Hang and Drop it is the
	// partial output written before the fault.
	Output string
	// Run runs the command even though Output, Hang or Drop replace its
	// answer.
	Run bool
	// Times limits the fault to the first Times matching lines on this
	// server; zero means every matching line.
	Times int
}

// replaces reports whether the fault takes the place of the command.
func (f Fault) replaces() bool {
	return !f.Run && (f.Output != "" || f.Hang || f.Drop)
}

func (o Options) check() error {
	var errs []error
	if o.Personality == nil {
		errs = append(errs, errors.New("no personality (use Platform)"))
	} else if err := o.Personality.check(); err != nil {
		errs = append(errs, err)
	}
	if len(o.Users) == 0 && len(o.AuthorizedKeys) == 0 {
		errs = append(errs, errors.New("no users and no authorized keys: nobody could log in"))
	}
	if o.Latency < 0 || o.ConfirmTimeout < 0 {
		errs = append(errs, errors.New("negative latency or confirm timeout"))
	}
	return errors.Join(errs...)
}
