package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/ssh"
)

// ErrNoShell: the device runs no command outside its CLI: it refused
// the SSH exec request, or its login shell is the CLI, which rejected the
// command. A platform feature that needs the device's operating-system
// shell (such as reading a Linux router's kernel table) is then not
// available on it.
var ErrNoShell = errors.New("the device offers no shell for the command")

// maxExecOutput bounds what Exec reads from one command.
const maxExecOutput = 16 << 20

// Exec runs command as an SSH exec request on the session's connection:
// a channel of its own, without a pty, beside the CLI (which it does not
// touch, and which it leaves usable whatever happens). It is for commands
// of the device's operating system rather than its CLI, such as `ip -j
// route show` on a Linux router, where the SSH login runs a shell. The
// Output's Text is what the command wrote to its standard output. The
// error wraps ErrNoShell when the device refuses exec requests or the
// command exits non-zero without output (a login shell that is the CLI
// rejecting it), ErrCommandFailed when it exits non-zero otherwise,
// ErrTimeout when it does not finish within the device's command timeout
// (or ctx). It is bounded like Run, and by 16 MiB of output.
func (s *Session) Exec(ctx context.Context, command string) (*Output, error) {
	out := &Output{Device: s.dev.Name, Command: command, Started: time.Now()}
	if i := strings.IndexFunc(command, unicode.IsControl); i >= 0 {
		return out, fmt.Errorf("device %s: exec %q: control character %q in the command: refused", s.dev.Name, command, command[i])
	}
	s.mu.Lock()
	broken := s.broken
	s.mu.Unlock()
	if broken != nil {
		return out, fmt.Errorf("device %s: exec %q: %w: %w", s.dev.Name, command, ErrClosed, broken)
	}
	timeout := s.dev.Timeouts.Command
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := s.exec(ctx, command, out)
	out.Took = time.Since(out.Started)
	status := "ok"
	if err != nil {
		status = err.Error()
	}
	s.log.note(fmt.Sprintf("exec %q: %d bytes, %s", command, len(out.Text), status))
	if err != nil {
		return out, fmt.Errorf("device %s: exec %q: %w", s.dev.Name, command, err)
	}
	return out, nil
}

func (s *Session) exec(ctx context.Context, command string, out *Output) error {
	ch, err := s.tr.client.NewSession()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConnectionLost, err)
	}
	defer ch.Close()
	stdout := &capped{max: maxExecOutput}
	stderr := &capped{max: 4096}
	ch.Stdout, ch.Stderr = stdout, stderr
	if err := ch.Start(command); err != nil {
		return fmt.Errorf("%w (%v)", ErrNoShell, err)
	}
	done := make(chan error, 1)
	go func() { done <- ch.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		ch.Close()
		<-done
		out.Text, out.Partial = s.log.redactor.redactSecrets(stdout.String()), true
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("%w (%v)", ErrTimeout, context.Cause(ctx))
		}
		return context.Cause(ctx)
	}
	out.Text = s.log.redactor.redactSecrets(stdout.String())
	if stdout.over {
		return fmt.Errorf("the output is longer than %d bytes", maxExecOutput)
	}
	var ee *ssh.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		msg := firstLine(strings.TrimSpace(stderr.String()))
		if msg == "" {
			msg = firstLine(strings.TrimSpace(out.Text))
		}
		out.FailedWhen = msg
		if strings.TrimSpace(out.Text) == "" || strings.HasPrefix(out.Text, "%") {
			return fmt.Errorf("%w: exit status %d: %q", ErrNoShell, ee.ExitStatus(), msg)
		}
		return fmt.Errorf("%w: exit status %d: %q", ErrCommandFailed, ee.ExitStatus(), msg)
	default:
		return fmt.Errorf("%w: %w", ErrConnectionLost, err)
	}
}

// capped is a buffer that keeps the first max bytes written to it and
// notes that more came.
type capped struct {
	bytes.Buffer
	max  int
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); len(p) > room {
		c.over = true
		c.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return c.Buffer.Write(p)
}
