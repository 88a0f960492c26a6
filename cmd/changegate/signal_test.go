package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/cli"
	"github.com/changegate/changegate/internal/testscale"
)

// syncBuffer is a bytes.Buffer safe for the signal goroutine to write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The first signal cancels the context; the second exits at once with
// 128 + its number, whatever the command is doing.
func TestSecondSignalExits(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			var stderr syncBuffer
			exited := make(chan int, 1)
			ctx, stop := interruptible(context.Background(), &stderr, func(code int) { exited <- code })
			defer stop()
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(testscale.Timeout(time.Minute)):
				t.Fatal("the first signal did not cancel the context")
			}
			select {
			case code := <-exited:
				t.Fatalf("exited with %d after one signal", code)
			default:
			}
			// The command ends with the signal's status, and says why.
			if got := exitCode(ctx, cli.ExitError); got != 128+int(sig) {
				t.Errorf("a command interrupted by %v exits %d, want %d", sig, got, 128+int(sig))
			}
			if msg := context.Cause(ctx).Error(); !strings.HasPrefix(msg, "interrupted (SIG") {
				t.Errorf("cause %q", msg)
			}
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case code := <-exited:
				if code != 128+int(sig) {
					t.Errorf("exit code %d, want %d", code, 128+int(sig))
				}
			case <-time.After(testscale.Timeout(time.Minute)):
				t.Fatal("the second signal did not exit")
			}
			if !strings.Contains(stderr.String(), "changegate recover RUN") {
				t.Errorf("stderr %q does not say how to finish a run", stderr.String())
			}
		})
	}
}

// After stop, signals are no longer taken: nothing is cancelled or exited
// (the test process keeps the default handling off by catching them).
func TestStopReleases(t *testing.T) {
	exited := make(chan int, 1)
	ctx, stop := interruptible(context.Background(), &syncBuffer{}, func(code int) { exited <- code })
	stop()
	if ctx.Err() == nil {
		t.Fatal("stop did not cancel the context")
	}
	select {
	case code := <-exited:
		t.Fatalf("exited with %d", code)
	default:
	}
}

// exitCode keeps a command's own status unless a signal interrupted a
// command that did not succeed; a failed rollback keeps its status.
func TestExitCode(t *testing.T) {
	interrupted, cancel := context.WithCancelCause(context.Background())
	cancel(&Interrupted{Signal: syscall.SIGINT})
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		code int
		want int
	}{
		{"not interrupted", context.Background(), cli.ExitError, cli.ExitError},
		{"cancelled without a signal", cancelled, cli.ExitError, cli.ExitError},
		{"interrupted error", interrupted, cli.ExitError, 130},
		{"interrupted run rolled back", interrupted, cli.ExitRolledBack, 130},
		{"interrupted, yet done", interrupted, cli.ExitOK, cli.ExitOK},
		{"interrupted, rollback failed", interrupted, cli.ExitRollbackFailed, cli.ExitRollbackFailed},
	} {
		if got := exitCode(tt.ctx, tt.code); got != tt.want {
			t.Errorf("%s: exitCode = %d, want %d", tt.name, got, tt.want)
		}
	}
}
