package session_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/fakedev"
)

// A device that refuses exec requests (the fake device, as a router whose
// SSH gives only its CLI): Exec says there is no shell, and the CLI
// session it ran beside is still usable. A command with a control
// character is refused before anything is sent.
func TestExecRefused(t *testing.T) {
	_, d := fakeDevice(t, "frr_vtysh", fakedev.Options{})
	s := dial(t, d)
	ctx := context.Background()
	out, err := s.Exec(ctx, "ip -j route show")
	if !errors.Is(err, session.ErrNoShell) || out.Text != "" {
		t.Fatalf("exec on a device without a shell: %q, %v; want ErrNoShell", out.Text, err)
	}
	if got, err := s.Run(ctx, "show version"); err != nil || !strings.Contains(got.Text, "fake device") {
		t.Errorf("the CLI after a refused exec: %q, %v", got.Text, err)
	}
	if _, err := s.Exec(ctx, "ip -j route show\nreboot"); err == nil || !strings.Contains(err.Error(), "control character") {
		t.Errorf("a command with a newline: %v, want refused", err)
	}
	if tr := string(s.Transcript()); !strings.Contains(tr, `exec "ip -j route show": 0 bytes,`) {
		t.Errorf("the transcript does not note the exec:\n%s", tr)
	}
}
