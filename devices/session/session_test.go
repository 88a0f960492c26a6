package session_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/fakedev"
	"github.com/changegate/changegate/internal/testscale"
)

const fakePassword = "fake-pw-7f3a"

// fakeDevice starts a fake device of platform and returns it with the
// inventory device that reaches it: password from a file, host key
// checked against a known_hosts file holding the fake's key, and the
// timeouts of fakeTimeouts unless extra (inventory YAML lines for the
// device) says otherwise.
func fakeDevice(t testing.TB, platform string, opts fakedev.Options, extra ...string) (*fakedev.Server, *devices.Device) {
	t.Helper()
	srv, inv := fakeInventory(t, platform, 1, opts, extra...)
	d, _ := inv.Device("r0")
	return srv[0], d
}

// fakeTimeouts are the inventory's connect and command timeouts for fake
// devices: generous, and scaled for the machine (internal/testscale), as
// they only guard against a hang; a test whose subject is a timeout sets
// its own.
func fakeTimeouts() string {
	return fmt.Sprintf("{connect: %s, command: %s}", testscale.Timeout(30*time.Second), testscale.Timeout(10*time.Second))
}

// fakeInventory starts n fake devices (r0, r1, ...) and returns them with
// their inventory.
func fakeInventory(t testing.TB, platform string, n int, opts fakedev.Options, extra ...string) ([]*fakedev.Server, *devices.Inventory) {
	t.Helper()
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	os.WriteFile(pw, []byte(fakePassword+"\n"), 0o600)
	kh := filepath.Join(dir, "known_hosts")
	var srvs []*fakedev.Server
	var b strings.Builder
	fmt.Fprintf(&b, "defaults:\n  platform: %s\n  host: 127.0.0.1\n  username: admin\n  password: {file: %s}\n  host_key: {known_hosts: %s}\n  timeouts: %s\ndevices:\n", platform, pw, kh, fakeTimeouts())
	for i := 0; i < n; i++ {
		o := opts
		p, err := fakedev.Platform(platform, fmt.Sprintf("r%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if o.Personality == nil {
			o.Personality = p
			p.Respond("show version", platform+" fake device r"+fmt.Sprint(i))
			p.Respond("show clock", "00:48:20.123 UTC Tue Nov 24 2026")
		}
		if o.Users == nil && o.AuthorizedKeys == nil {
			o.Users = map[string]string{"admin": fakePassword}
		}
		srv, err := fakedev.Start(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		if err := srv.WriteKnownHosts(kh); err != nil {
			t.Fatal(err)
		}
		srvs = append(srvs, srv)
		fmt.Fprintf(&b, "  r%d:\n    port: %d\n", i, srv.Port())
		for _, l := range extra {
			fmt.Fprintf(&b, "    %s\n", l)
		}
	}
	inv, ds := devices.Parse(filepath.Join(dir, "inventory.yaml"), []byte(b.String()))
	if ds.HasErrors() {
		t.Fatalf("inventory: %v\n%s", ds, b.String())
	}
	return srvs, inv
}

func dial(t testing.TB, d *devices.Device) *session.Session {
	t.Helper()
	s, err := session.Dial(context.Background(), d, session.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestRunFailures drives the adapter into each way a command can fail
// and checks the error kind, which timeout bounded the call, that the
// output received so far is kept, and what happens to the session after.
// A device that waits answers after an hour: a call that returns at all
// returned because a timeout fired.
func TestRunFailures(t *testing.T) {
	// The command timeout of the cases that expect a timeout; the others
	// keep fakeTimeouts', so that a slow machine does not turn their
	// failure into a timeout.
	short := testscale.Timeout(500 * time.Millisecond)
	for _, tc := range []struct {
		name    string
		fault   fakedev.Fault
		ctx     time.Duration // a deadline on the call; 0: none
		want    error
		partial string // output that must be kept
		inErr   string
		broken  bool // the session is unusable after
	}{
		{name: "hang after partial output", fault: fakedev.Fault{Hang: true, Output: "Neighbor ID   State\n198.18.0.1    Full"},
			want: session.ErrTimeout, partial: "198.18.0.1    Full", inErr: fmt.Sprintf("within %s", short.Round(time.Millisecond)), broken: true},
		{name: "caller's deadline", fault: fakedev.Fault{Delay: time.Hour}, ctx: short * 3 / 5,
			want: session.ErrTimeout, inErr: "within ", broken: true},
		{name: "silent device", fault: fakedev.Fault{Delay: time.Hour},
			want: session.ErrTimeout, inErr: "the device echoed the command and sent nothing more", broken: true},
		{name: "connection dropped mid-command", fault: fakedev.Fault{Drop: true, Output: "line one\nline two"},
			want: session.ErrConnectionLost, partial: "line one\nline two", broken: true},
		{name: "prompt the platform does not know", fault: fakedev.Fault{Prompt: "maintenance-mode$ "},
			want: session.ErrTimeout, inErr: `the last line received was "maintenance-mode$"`, broken: true},
		{name: "refused command", fault: fakedev.Fault{Output: "% Invalid input detected at '^' marker."},
			want: session.ErrCommandFailed, partial: "% Invalid input detected", inErr: `"% Invalid input detected"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const cmd = "show ip ospf neighbor"
			var extra []string
			if tc.want == session.ErrTimeout {
				extra = append(extra, fmt.Sprintf("timeouts: {command: %s}", short))
			}
			_, d := fakeDevice(t, "cisco_iosxe", fakedev.Options{Faults: map[string]fakedev.Fault{cmd: tc.fault}}, extra...)
			s := dial(t, d)
			ctx := context.Background()
			if tc.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctx)
				defer cancel()
			}
			out, err := s.Run(ctx, cmd)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.inErr) {
				t.Errorf("error %q does not say %q", err, tc.inErr)
			}
			if tc.ctx > 0 {
				// The caller's deadline, shorter than the command timeout,
				// is the bound the error reports.
				m := regexp.MustCompile(`within (\S+) \(`).FindStringSubmatch(err.Error())
				if m == nil {
					t.Fatalf("error %q does not say within what time", err)
				}
				if bound, perr := time.ParseDuration(m[1]); perr != nil || bound > tc.ctx.Round(time.Millisecond) || bound <= 0 {
					t.Errorf("error %q reports a bound of %s, want the caller's deadline (at most %s) rather than the command timeout (%s)", err, m[1], tc.ctx, short)
				}
			}
			if !strings.Contains(out.Text, tc.partial) {
				t.Errorf("output %q lost %q", out.Text, tc.partial)
			}
			if strings.Contains(out.Text, cmd) {
				t.Errorf("output %q holds the echoed command", out.Text)
			}
			_, err = s.Run(context.Background(), "show version")
			if tc.broken != errors.Is(err, session.ErrClosed) {
				t.Errorf("next command: %v (want broken %v)", err, tc.broken)
			}
		})
	}
}

// TestDialFailures checks that every refusal at connection time says
// what went wrong, and that nothing is retried that should not be.
func TestDialFailures(t *testing.T) {
	other, err := fakedev.NewHostKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		opts  fakedev.Options
		edit  func(t *testing.T, d *devices.Device)
		want  error
		inErr string
	}{
		{name: "wrong password", opts: fakedev.Options{Users: map[string]string{"admin": "another"}},
			want: session.ErrAuth, inErr: `"admin"`},
		{name: "changed host key", edit: func(t *testing.T, d *devices.Device) {
			kh := filepath.Join(t.TempDir(), "kh")
			os.WriteFile(kh, []byte(fmt.Sprintf("[127.0.0.1]:%d %s", d.Port, strings.TrimSpace(string(marshalKey(other.PublicKey()))))+"\n"), 0o600)
			d.HostKey.KnownHosts = kh
		}, want: session.ErrHostKeyMismatch, inErr: "SHA256:"},
		{name: "host not in known_hosts", edit: func(t *testing.T, d *devices.Device) {
			kh := filepath.Join(t.TempDir(), "kh")
			os.WriteFile(kh, nil, 0o600)
			d.HostKey.KnownHosts = kh
		}, want: session.ErrHostKeyUnknown, inErr: "ssh-keyscan"},
		{name: "known_hosts missing", edit: func(t *testing.T, d *devices.Device) {
			d.HostKey.KnownHosts = filepath.Join(t.TempDir(), "nope")
		}, inErr: "insecure_ignore"},
		{name: "nothing listening", edit: func(t *testing.T, d *devices.Device) { d.Port = freePort(t) },
			want: session.ErrConnect, inErr: "refused"},
		{name: "wrong platform", edit: func(t *testing.T, d *devices.Device) { d.Platform = "juniper_junos" },
			inErr: `the last line received was "r0#"`},
		{name: "prompt credential without a terminal", edit: func(t *testing.T, d *devices.Device) {
			d.Password = devices.Credential{Kind: devices.PromptCredential, Label: "password of r0"}
		}, want: devices.ErrInteractive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, d := fakeDevice(t, "cisco_iosxe", tc.opts)
			if tc.edit != nil {
				tc.edit(t, d)
			}
			d.Timeouts.Command = 500 * time.Millisecond
			s, err := session.Dial(context.Background(), d, session.DialOptions{})
			if err == nil {
				s.Close()
				t.Fatal("dial succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.inErr) {
				t.Errorf("error %q does not say %q", err, tc.inErr)
			}
			if strings.Contains(err.Error(), fakePassword) {
				t.Errorf("error shows the password: %v", err)
			}
			if errors.Is(err, session.ErrHostKeyMismatch) || errors.Is(err, session.ErrHostKeyUnknown) {
				if n := len(srv.Inputs()); n != 0 {
					t.Errorf("%d lines reached a device whose host key was refused", n)
				}
			}
		})
	}
}

// TestConfigure configures each platform the runbooks claim, through its
// own method: a confirmed commit confirmed where the platform has them,
// lines applied as sent where it does not; a refused line discards
// everything on atomic platforms and stops on the others.
func TestConfigure(t *testing.T) {
	ifLines := []string{"interface lo", "description changegate", "exit"}
	for _, tc := range []struct {
		platform string
		lines    []string
		commit   string // the commit command sent with ConfirmWithin 2m
		confirm  string // a regexp matching the command that confirms it
	}{
		{"frr_vtysh", ifLines, "", ""},
		{"cisco_iosxe", ifLines, "", ""},
		{"cisco_iosxr", ifLines, "commit confirmed 120", "^commit$"},
		{"juniper_junos", []string{"set interfaces lo0 description changegate"}, "commit confirmed 2", "^commit$"},
		{"arista_eos", ifLines, "commit timer 00:02:00", "^configure session cg-[0-9a-f]{8} commit$"},
		{"nokia_srl", []string{"set / interface lo0 description changegate"}, "commit confirmed timeout 120", "^tools system configuration confirmed-accept$"},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			ctx := context.Background()
			reject := regexp.MustCompile(`bad-line`)
			srv, d := fakeDevice(t, tc.platform, fakedev.Options{Reject: reject})
			s := dial(t, d)
			g := s.Guarantees()
			lines := tc.lines
			res, err := s.Configure(ctx, lines, session.ConfigOptions{ConfirmWithin: 2 * time.Minute})
			if err != nil {
				t.Fatalf("configure: %v\n%s", err, s.Transcript())
			}
			if !res.Committed || res.Applied != len(lines) || res.PendingConfirm != g.ConfirmedCommit {
				t.Errorf("result: committed %v applied %d pending %v", res.Committed, res.Applied, res.PendingConfirm)
			}
			if got := srv.Committed(); !containsAll(got, lines[len(lines)/2:len(lines)/2+1]) {
				t.Errorf("committed %q, want the lines", got)
			}
			if srv.Pending() != g.ConfirmedCommit {
				t.Errorf("device pending %v, want %v", srv.Pending(), g.ConfirmedCommit)
			}
			if tc.commit != "" && !slices.Contains(srv.Inputs(), tc.commit) {
				t.Errorf("no %q sent: %q", tc.commit, srv.Inputs())
			}
			if g.ConfirmedCommit {
				if _, err := s.Configure(ctx, lines, session.ConfigOptions{}); err == nil {
					t.Error("configured again while a confirmed commit was pending")
				}
				if _, err := s.Confirm(ctx); err != nil {
					t.Fatalf("confirm: %v\n%s", err, s.Transcript())
				}
				if srv.Pending() {
					t.Error("still pending after Confirm")
				}
				if !matchesAny(srv.Inputs(), tc.confirm) {
					t.Errorf("no %q sent to confirm: %q", tc.confirm, srv.Inputs())
				}
			}
			// Back at the default level: a show command works.
			if _, err := s.Run(ctx, "show version"); err != nil {
				t.Fatalf("after configure: %v\n%s", err, s.Transcript())
			}

			// A refused line.
			before := len(srv.Committed())
			res, err = s.Configure(ctx, []string{lines[0], "bad-line 1", "description never"}, session.ConfigOptions{})
			if !errors.Is(err, session.ErrCommandFailed) {
				t.Fatalf("refused line: %v", err)
			}
			last := res.Outputs[len(res.Outputs)-1]
			if g.Atomic {
				if last.Command == "bad-line 1" {
					t.Errorf("atomic platform: nothing sent to discard after the refusal")
				}
				if res.Applied != 0 || len(srv.Committed()) != before {
					t.Errorf("atomic platform: applied %d, committed %q", res.Applied, srv.Committed())
				}
			} else if res.Applied != 1 || last.Command != "bad-line 1" || last.FailedWhen == "" {
				t.Errorf("line by line: applied %d, last %q (failed when %q)", res.Applied, last.Command, last.FailedWhen)
			}
			if slices.Contains(srv.Inputs(), "description never") {
				t.Error("a line after the refused one was sent")
			}
			if _, err := s.Run(ctx, "show version"); err != nil {
				t.Errorf("after a refused line: %v\n%s", err, s.Transcript())
			}
		})
	}
}

// TestConfigureCommandsOnly checks that a platform changegate has no
// tested configuration method for is refused before anything is sent.
func TestConfigureCommandsOnly(t *testing.T) {
	srv, d := fakeDevice(t, "cisco_iosxe", fakedev.Options{})
	d.Platform = "cisco_nxos" // same prompts as IOS-XE, no configuration method
	s := dial(t, d)
	n := len(srv.Inputs())
	if _, err := s.Configure(context.Background(), []string{"interface lo"}, session.ConfigOptions{}); err == nil || !strings.Contains(err.Error(), "cannot configure platform cisco_nxos") {
		t.Fatalf("configure on a commands-only platform: %v", err)
	}
	if len(srv.Inputs()) != n {
		t.Errorf("lines sent: %q", srv.Inputs()[n:])
	}
}

// TestTranscriptRedacted checks that neither the password nor secrets in
// configuration reach the transcript, while the rest does.
func TestTranscriptRedacted(t *testing.T) {
	p, _ := fakedev.Platform("cisco_iosxe", "r0")
	p.Respond("show echo-password", "the password is "+fakePassword)
	srv, d := fakeDevice(t, "cisco_iosxe", fakedev.Options{Personality: p})
	_ = srv
	s := dial(t, d)
	ctx := context.Background()
	out, err := s.Run(ctx, "show echo-password")
	if err != nil || out.Text != "the password is "+session.Redacted {
		t.Errorf("output %q, %v", out.Text, err)
	}
	if _, err := s.Configure(ctx, []string{"username ops secret 5 $1$abc$def", "snmp-server community n0tpublic RO"}, session.ConfigOptions{}); err != nil {
		t.Fatal(err)
	}
	tr := string(s.Transcript())
	for _, secret := range []string{fakePassword, "$1$abc$def", "n0tpublic"} {
		if strings.Contains(tr, secret) {
			t.Errorf("transcript shows %q:\n%s", secret, tr)
		}
	}
	for _, kept := range []string{"username ops secret 5 " + session.Redacted, "show echo-password", "r0(config)#"} {
		if !strings.Contains(tr, kept) {
			t.Errorf("transcript lacks %q:\n%s", kept, tr)
		}
	}
}

// TestPoolReuse checks that a pool connects once per device, serves
// concurrent callers, and replaces a session that broke.
func TestPoolReuse(t *testing.T) {
	const cmd = "show clock"
	srvs, inv := fakeInventory(t, "frr_vtysh", 3, fakedev.Options{Faults: map[string]fakedev.Fault{"show hang": {Hang: true}}})
	pool := session.NewPool(inv, session.DialOptions{})
	defer pool.Close()
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		res := pool.RunAll(ctx, inv.Names(), cmd, 2)
		for n, r := range res {
			if r.Err != nil {
				t.Fatalf("%s: %v", n, r.Err)
			}
		}
	}
	for i, srv := range srvs {
		if got := srv.Connections(); got != 1 {
			t.Errorf("r%d: %d connections for 3 commands, want 1", i, got)
		}
	}
	hctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := pool.Run(hctx, "r0", "show hang"); !errors.Is(err, session.ErrTimeout) {
		t.Fatalf("hang: %v", err)
	}
	if _, err := pool.Run(ctx, "r0", cmd); err != nil {
		t.Fatalf("after a broken session: %v", err)
	}
	if got := pool.Dials("r0"); got != 2 {
		t.Errorf("%d dials, want 2 (the broken session replaced)", got)
	}
	// Reset drops a working session: the next command dials again.
	pool.Reset("r1")
	pool.Reset("r9") // never connected: nothing to do
	if _, err := pool.Run(ctx, "r1", cmd); err != nil || pool.Dials("r1") != 2 {
		t.Errorf("after Reset: %v, %d dials, want 2", err, pool.Dials("r1"))
	}
	if tr := string(pool.Transcript("r1")); strings.Count(tr, "show clock") != 4 {
		t.Errorf("transcript of both of r1's sessions:\n%s", tr)
	}
	if tr := string(pool.Transcript("r0")); strings.Count(tr, "show clock") != 4 || !strings.Contains(tr, "show hang") {
		t.Errorf("transcript of both sessions:\n%s", tr)
	}
	if _, err := pool.Run(ctx, "r9", cmd); !errors.Is(err, devices.ErrUnknownDevice) || !strings.Contains(err.Error(), `"r9": did you mean one of: "r0", "r1", "r2"?`) {
		t.Errorf("unknown device: %v", err)
	}
}

// TestKeyAuth logs in with a passphrase-protected key, the passphrase
// read from a file, and checks that a missing passphrase and a key the
// device does not know are explained.
func TestKeyAuth(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	pub := writeKey(t, key, "correct horse")
	pass := filepath.Join(dir, "passphrase")
	os.WriteFile(pass, []byte("correct horse\n"), 0o600)
	for _, tc := range []struct {
		name       string
		authorized []ssh.PublicKey
		passphrase bool
		inErr      string
	}{
		{"no passphrase", []ssh.PublicKey{pub}, false, "has a passphrase"},
		{"key not authorized", nil, true, "authentication failed"},
		{"key and passphrase", []ssh.PublicKey{pub}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, d := fakeDevice(t, "arista_eos", fakedev.Options{Users: map[string]string{"admin": "not-this"}, AuthorizedKeys: tc.authorized})
			d.Password = devices.Credential{}
			d.Key = devices.Credential{Kind: devices.FileCredential, Ref: key}
			if tc.passphrase {
				d.Passphrase = devices.Credential{Kind: devices.FileCredential, Ref: pass}
			}
			s, err := session.Dial(context.Background(), d, session.DialOptions{})
			if tc.inErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if _, err := s.Run(context.Background(), "show version"); err != nil {
					t.Error(err)
				}
				if strings.Contains(string(s.Transcript()), "correct horse") {
					t.Error("transcript shows the passphrase")
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.inErr) {
				t.Fatalf("error %v, want it to say %q", err, tc.inErr)
			}
		})
	}
}

// marshalKey writes a public key in authorized_keys form.
func marshalKey(k ssh.PublicKey) []byte { return ssh.MarshalAuthorizedKey(k) }

// freePort returns a port on 127.0.0.1 that nothing listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func matchesAny(xs []string, re string) bool {
	r := regexp.MustCompile(re)
	for _, y := range xs {
		if r.MatchString(y) {
			return true
		}
	}
	return false
}

func containsAll(xs, want []string) bool {
	for _, w := range want {
		if !slices.Contains(xs, w) {
			return false
		}
	}
	return true
}
