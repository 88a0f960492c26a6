package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/changegate/changegate/internal/cli"
)

// Interrupted is the cause of the context interruptible cancels: the
// signal that asked the command to stop.
type Interrupted struct{ Signal os.Signal }

func (e *Interrupted) Error() string {
	if s, ok := e.Signal.(syscall.Signal); ok {
		return fmt.Sprintf("interrupted (%s)", unix.SignalName(s))
	}
	return fmt.Sprintf("interrupted (%v)", e.Signal)
}

// interruptible returns a context that the first SIGINT or SIGTERM
// cancels, with an *Interrupted cause, so that the command in progress
// stops cleanly (apply rolls back the step in flight and closes its
// journal). A second signal ends the process at once with exit(128 + the
// signal's number), whatever the command is doing: an interrupt always
// works. stop releases the signals.
func interruptible(parent context.Context, stderr io.Writer, exit func(int)) (context.Context, func()) {
	ctx, cancelCause := context.WithCancelCause(parent)
	cancel := func() { cancelCause(nil) }
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			cancelCause(&Interrupted{Signal: s})
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "\nchangegate: %v again: exiting now, without cleaning up; if a run was changing devices, `changegate runs` shows it and `changegate recover RUN` finishes it\n", s)
			exit(128 + signalNumber(s))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

func signalNumber(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return int(n)
	}
	return int(syscall.SIGINT)
}

// exitCode is the process's exit status for a command that ended with
// code: 128 + the signal's number when a signal interrupted it and it did
// not succeed (the shell's convention: 130 for Ctrl-C), except a failed
// rollback, whose own status (4) says more than the interrupt.
func exitCode(ctx context.Context, code int) int {
	var in *Interrupted
	if code == cli.ExitOK || code == cli.ExitRollbackFailed || !errors.As(context.Cause(ctx), &in) {
		return code
	}
	return 128 + signalNumber(in.Signal)
}
