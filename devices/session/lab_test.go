package session_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/testscale"
)

// TestLabSSH drives real FRR routers over real SSH through the adapter:
// host keys verified against the lab's known_hosts, show commands, a
// refused command, configuration read back, the built-in OSPF health
// check, connection reuse, and the refusals: a changed host key, an
// unknown host, a wrong key.
func TestLabSSH(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	l, _ := lab.UpForTest(t, "devices", `
igp: ospf
nodes: [{name: a}, {name: b}, {name: c}]
links:
  - {a: a, b: b, capacity: 10G, metric: 10}
  - {a: b, b: c, capacity: 10G, metric: 10}
  - {a: a, b: c, capacity: 10G, metric: 10}
`)
	inv, ds, err := devices.Load(context.Background(), l.InventoryFile())
	if err != nil || ds.HasErrors() {
		t.Fatalf("lab inventory: %v %v", err, ds)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testscale.Timeout(3*time.Minute))
	defer cancel()

	pool := session.NewPool(inv, session.DialOptions{})
	defer pool.Close()

	// Every router has two Full neighbours, seen through the built-in
	// check, run twice over one connection per router.
	for _, r := range []string{"a", "b", "c"} {
		chk, err := health.OSPFNeighborsFull(health.PlatformFRR, r)
		if err != nil {
			t.Fatal(err)
		}
		chk.Retries, chk.Interval = 20, 250*time.Millisecond
		c, err := health.Compile(chk)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if res := c.Run(ctx, pool, r); !res.Passed {
				t.Errorf("%s: OSPF check failed: %s", r, res.Reason)
			}
		}
		if got := pool.Dials(r); got != 1 {
			t.Errorf("%s: %d connections for two checks, want 1 (reuse)", r, got)
		}
	}

	// A refused command is an error, with the device's answer kept.
	out, err := pool.RunOutput(ctx, "a", "show no-such-thing")
	if !errors.Is(err, session.ErrCommandFailed) || !strings.Contains(out.Text, "% Unknown command") || out.FailedWhen != "% Unknown command" {
		t.Errorf("refused command: err %v, output %q, failed-when %q", err, out.Text, out.FailedWhen)
	}
	// The session survives a refused command.
	if _, err := pool.Run(ctx, "a", "show version"); err != nil || pool.Dials("a") != 1 {
		t.Errorf("after a refused command: %v, %d dials", err, pool.Dials("a"))
	}

	// Configuration goes in line by line and reads back.
	err = pool.With(ctx, "b", func(s *session.Session) error {
		res, err := s.Configure(ctx, []string{"interface lo", "description changegate-lab-test", "exit"}, session.ConfigOptions{ConfirmWithin: time.Minute})
		if err != nil {
			return err
		}
		if !res.Committed || res.Applied != 3 || res.PendingConfirm || res.Guarantees.Atomic {
			t.Errorf("configure result: %+v", res)
		}
		out, err := s.Run(ctx, "show interface lo")
		if err != nil {
			return err
		}
		if !strings.Contains(out.Text, "changegate-lab-test") {
			t.Errorf("description not configured:\n%s", out.Text)
		}
		// A refused line stops the configuration; the lines before it
		// are applied (FRR has no candidate), and the session is back
		// at the exec prompt.
		res, err = s.Configure(ctx, []string{"interface lo", "ip ospf cost not-a-number", "description never"}, session.ConfigOptions{})
		if !errors.Is(err, session.ErrCommandFailed) || res.Applied != 1 || res.Committed {
			t.Errorf("refused line: err %v, result %+v", err, res)
		}
		if _, err := s.Run(ctx, "show version"); err != nil {
			t.Errorf("after a refused line: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tr := string(pool.Transcript("b")); !strings.Contains(tr, "description changegate-lab-test") || !strings.Contains(tr, "### ") {
		t.Errorf("transcript lacks the configuration or changegate's notes:\n%s", tr)
	}

	// The refusals, against the lab's real sshd.
	a, _ := inv.Device("a")
	dir := t.TempDir()
	other := filepath.Join(dir, "other_known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(a.Host + ":" + strconv.Itoa(a.Port))}, newSigner(t).PublicKey())
	os.WriteFile(other, []byte(line+"\n"), 0o600)
	empty := filepath.Join(dir, "empty_known_hosts")
	os.WriteFile(empty, nil, 0o600)
	wrongKey := filepath.Join(dir, "wrong_key")
	writeKey(t, wrongKey)

	for _, tc := range []struct {
		name  string
		edit  func(d *devices.Device)
		want  error
		inMsg string
	}{
		{"changed host key", func(d *devices.Device) { d.HostKey.KnownHosts = other }, session.ErrHostKeyMismatch, "Nothing was sent"},
		{"unknown host", func(d *devices.Device) { d.HostKey.KnownHosts = empty }, session.ErrHostKeyUnknown, "ssh-keyscan"},
		{"wrong key", func(d *devices.Device) { d.Key = devices.Credential{Kind: devices.FileCredential, Ref: wrongKey} }, session.ErrAuth, "cg-devices"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := *a
			tc.edit(&d)
			s, err := session.Dial(ctx, &d, session.DialOptions{})
			if err == nil {
				s.Close()
				t.Fatal("dial succeeded")
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.inMsg) {
				t.Errorf("error %v, want %v mentioning %q", err, tc.want, tc.inMsg)
			}
		})
	}
}
