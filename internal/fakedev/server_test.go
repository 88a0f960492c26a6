package fakedev

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func newKey(t testing.TB) ssh.Signer {
	t.Helper()
	k, err := NewHostKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keyboard(answer string) ssh.AuthMethod {
	return ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
		a := make([]string, len(qs))
		for i := range a {
			a[i] = answer
		}
		return a, nil
	})
}

func TestAuth(t *testing.T) {
	good, bad := newKey(t), newKey(t)
	tests := []struct {
		name   string
		users  map[string]string
		keys   []ssh.PublicKey
		user   string
		auth   ssh.AuthMethod
		wantOK bool
	}{
		{"password", testUsers, nil, "admin", ssh.Password("admin"), true},
		{"wrong password", testUsers, nil, "admin", ssh.Password("nope"), false},
		{"unknown user", testUsers, nil, "root", ssh.Password("admin"), false},
		{"keyboard-interactive", testUsers, nil, "admin", keyboard("admin"), true},
		{"wrong keyboard-interactive", testUsers, nil, "admin", keyboard("nope"), false},
		{"key, any user", nil, []ssh.PublicKey{good.PublicKey()}, "anyone", ssh.PublicKeys(good), true},
		{"key, listed user", testUsers, []ssh.PublicKey{good.PublicKey()}, "admin", ssh.PublicKeys(good), true},
		{"key, unlisted user", testUsers, []ssh.PublicKey{good.PublicKey()}, "root", ssh.PublicKeys(good), false},
		{"wrong key", nil, []ssh.PublicKey{good.PublicKey()}, "admin", ssh.PublicKeys(bad), false},
		{"key when only passwords", testUsers, nil, "admin", ssh.PublicKeys(good), false},
		{"password when only keys", nil, []ssh.PublicKey{good.PublicKey()}, "admin", ssh.Password("admin"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, "cisco_iosxe", "r1", Options{Users: tt.users, AuthorizedKeys: tt.keys})
			c, err := dial(srv, tt.user, tt.auth)
			if tt.wantOK {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				_ = c.Close()
			} else if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
				t.Fatalf("dial: err = %v, want unable to authenticate", err)
			}
			want := 0
			if tt.wantOK {
				want = 1
			}
			if got := srv.Connections(); got != want {
				t.Errorf("Connections() = %d, want %d", got, want)
			}
		})
	}
}

func TestKnownHosts(t *testing.T) {
	srv := start(t, "cisco_iosxe", "r1", Options{})
	if !strings.HasPrefix(srv.Addr(), "127.0.0.1:") || srv.Addr() != "127.0.0.1:"+strconv.Itoa(srv.Port()) {
		t.Errorf("Addr() = %q, Port() = %d", srv.Addr(), srv.Port())
	}
	if want := fmt.Sprintf("[127.0.0.1]:%d ssh-ed25519 ", srv.Port()); !strings.HasPrefix(srv.KnownHostsLine(), want) {
		t.Errorf("KnownHostsLine() = %q, want prefix %q", srv.KnownHostsLine(), want)
	}
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := srv.WriteKnownHosts(path); err != nil {
		t.Fatal(err)
	}

	// A second server whose host key is not the one known for its address.
	other := start(t, "cisco_iosxe", "r2", Options{HostKey: newKey(t)})
	line := knownhosts.Line([]string{knownhosts.Normalize(other.Addr())}, srv.HostKey())
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	cb, err := knownhosts.New(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ClientConfig{User: "admin", Auth: []ssh.AuthMethod{ssh.Password("admin")}, HostKeyCallback: cb}
	c, err := ssh.Dial("tcp", srv.Addr(), cfg)
	if err != nil {
		t.Fatalf("known host: %v", err)
	}
	_ = c.Close()

	_, err = ssh.Dial("tcp", other.Addr(), cfg)
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) == 0 {
		t.Fatalf("mismatched host key: err = %v, want a knownhosts.KeyError with Want", err)
	}
}

func TestSessionRequests(t *testing.T) {
	srv := start(t, "cisco_iosxe", "r1", Options{})
	c, err := dial(srv, "admin", ssh.Password("admin"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, req := range []string{"exec", "subsystem"} {
		t.Run(req, func(t *testing.T) {
			s, err := c.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if req == "exec" {
				err = s.Run("show version")
			} else {
				err = s.RequestSubsystem("netconf")
			}
			if err == nil {
				t.Errorf("%s accepted, want refused", req)
			}
		})
	}
	if _, _, err := c.OpenChannel("direct-tcpip", nil); err == nil {
		t.Error("direct-tcpip channel accepted")
	}
	// The connection still serves shells.
	tm, err := openShell(t, c, promptRe("cisco_iosxe"))
	if err != nil {
		t.Fatal(err)
	}
	tm.expect(tm.ready)
}

func TestClose(t *testing.T) {
	srv := start(t, "cisco_iosxe", "r1", Options{})
	tm, _ := login(t, srv, "cisco_iosxe")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	tm.expectEOF()
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := dial(srv, "admin", ssh.Password("admin")); err == nil {
		t.Error("dial after Close succeeded")
	}
}

func TestContextCancelCloses(t *testing.T) {
	p, err := Platform("frr_vtysh", "r1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, Options{Personality: p, Users: testUsers})
	if err != nil {
		t.Fatal(err)
	}
	tm, _ := login(t, srv, "frr_vtysh")
	cancel()
	tm.expectEOF()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(ctx, Options{Personality: p, Users: testUsers}); err == nil {
		t.Error("Start with a cancelled context succeeded")
	}
}

func TestStartOptions(t *testing.T) {
	p, err := Platform("frr_vtysh", "r1")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no personality", Options{Users: testUsers}, "no personality"},
		{"nobody can log in", Options{Personality: p}, "no users"},
		{"bad personality", Options{Personality: &Personality{Start: "x"}, Users: testUsers}, "start mode"},
		{"negative latency", Options{Personality: p, Users: testUsers, Latency: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := Start(context.Background(), tt.opts)
			if err == nil {
				_ = srv.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestManyServers starts 200 servers at once and runs a command on each,
// as the adapter's benchmark does.
func TestManyServers(t *testing.T) {
	if testing.Short() {
		t.Skip("200 servers")
	}
	const n = 200
	names := PlatformNames()
	srvs := make([]*Server, n)
	for i := range srvs {
		srvs[i] = start(t, names[i%len(names)], fmt.Sprintf("r%d", i), Options{})
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i, srv := range srvs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			tm, err := tryLogin(t, srv, names[i%len(names)])
			if err != nil {
				t.Errorf("server %d: %v", i, err)
				return
			}
			tm.expect(tm.ready)
			tm.cmd("bogus")
		})
	}
	wg.Wait()
	for i, srv := range srvs {
		if got := srv.Inputs(); len(got) != 1 || got[0] != "bogus" {
			t.Errorf("server %d: inputs %q", i, got)
		}
	}
}

func BenchmarkStartClose(b *testing.B) {
	p, err := Platform("cisco_iosxe", "r1")
	if err != nil {
		b.Fatal(err)
	}
	key := newKey(b)
	for b.Loop() {
		srv, err := Start(context.Background(), Options{Personality: p, Users: testUsers, HostKey: key})
		if err != nil {
			b.Fatal(err)
		}
		_ = srv.Close()
	}
}

func BenchmarkCommand(b *testing.B) {
	srv := start(b, "cisco_iosxe", "r1", Options{})
	tm, _ := login(b, srv, "cisco_iosxe")
	for b.Loop() {
		tm.cmd("show version")
	}
}
