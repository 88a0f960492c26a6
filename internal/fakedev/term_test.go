package fakedev

import (
	"context"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/internal/testscale"
)

// The test side of the wire: a plain x/crypto/ssh client with a pty and a
// shell, reading the device's output the way a screen-scraping driver does.

// waitFor bounds each wait for the device's output: generous, and scaled
// for the machine (internal/testscale).
var waitFor = testscale.Timeout(30 * time.Second)

var testUsers = map[string]string{"admin": "admin"}

// start starts a server with the given personality and options and closes it
// when the test ends.
func start(t testing.TB, platform, host string, opts Options) *Server {
	t.Helper()
	if opts.Personality == nil {
		p, err := Platform(platform, host)
		if err != nil {
			t.Fatal(err)
		}
		opts.Personality = p
	}
	if opts.Users == nil && opts.AuthorizedKeys == nil {
		opts.Users = testUsers
	}
	srv, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func dial(srv *Server, user string, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	return ssh.Dial("tcp", srv.Addr(), &ssh.ClientConfig{
		User:            user,
		Auth:            auth,
		HostKeyCallback: ssh.FixedHostKey(srv.HostKey()),
		Timeout:         waitFor,
	})
}

// term is one interactive shell on a device.
type term struct {
	t     testing.TB
	sess  *ssh.Session
	in    io.Writer
	mu    sync.Mutex
	buf   []byte
	eof   bool
	wake  chan struct{}
	ready *regexp.Regexp // any prompt of the platform
}

// login dials srv as admin and opens a shell, waiting for the first prompt.
func login(t testing.TB, srv *Server, platform string) (*term, string) {
	t.Helper()
	tm, err := tryLogin(t, srv, platform)
	if err != nil {
		t.Fatal(err)
	}
	return tm, tm.expect(tm.ready)
}

// tryLogin is login without the wait, for goroutines other than the test's.
func tryLogin(t testing.TB, srv *Server, platform string) (*term, error) {
	c, err := dial(srv, "admin", ssh.Password("admin"))
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = c.Close() })
	return openShell(t, c, promptRe(platform))
}

func openShell(t testing.TB, c *ssh.Client, ready *regexp.Regexp) (*term, error) {
	sess, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	tm := &term{t: t, sess: sess, wake: make(chan struct{}, 1), ready: ready}
	if tm.in, err = sess.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := sess.RequestPty("xterm", 24, 80, ssh.TerminalModes{ssh.ECHO: 1}); err != nil {
		return nil, err
	}
	if err := sess.Shell(); err != nil {
		return nil, err
	}
	go tm.read(out)
	return tm, nil
}

func (tm *term) read(r io.Reader) {
	b := make([]byte, 4096)
	for {
		n, err := r.Read(b)
		tm.mu.Lock()
		tm.buf = append(tm.buf, b[:n]...)
		tm.eof = err != nil
		tm.mu.Unlock()
		select {
		case tm.wake <- struct{}{}:
		default:
		}
		if err != nil {
			return
		}
	}
}

// wait waits until done holds for the unread output (with "\r" removed, as
// scrapligo sees it), then returns and consumes the raw output.
func (tm *term) wait(what string, done func(s string, eof bool) bool) (string, bool) {
	tm.t.Helper()
	deadline := time.After(waitFor)
	for {
		tm.mu.Lock()
		raw, eof := string(tm.buf), tm.eof
		ok := done(strings.ReplaceAll(raw, "\r", ""), eof)
		if ok {
			tm.buf = tm.buf[:0]
		}
		tm.mu.Unlock()
		if ok {
			return raw, true
		}
		if eof {
			tm.t.Errorf("waiting for %s: connection closed; got %q", what, raw)
			return raw, false
		}
		select {
		case <-tm.wake:
		case <-deadline:
			tm.t.Errorf("waiting for %s: timed out; got %q", what, raw)
			return raw, false
		}
	}
}

// expect waits for output that ends with a match of re.
func (tm *term) expect(re *regexp.Regexp) string {
	tm.t.Helper()
	out, _ := tm.wait(re.String(), func(s string, _ bool) bool {
		m := re.FindAllStringIndex(s, -1)
		return len(m) > 0 && m[len(m)-1][1] == len(s)
	})
	return out
}

// expectSuffix waits for raw output ending in suffix.
func (tm *term) expectSuffix(suffix string) string {
	tm.t.Helper()
	out, _ := tm.wait(suffix, func(s string, _ bool) bool {
		return strings.HasSuffix(s, strings.ReplaceAll(suffix, "\r", ""))
	})
	return out
}

// expectEOF waits for the device to close the connection.
func (tm *term) expectEOF() string {
	tm.t.Helper()
	out, _ := tm.wait("EOF", func(_ string, eof bool) bool { return eof })
	return out
}

// pending returns the unread output without waiting.
func (tm *term) pending() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return string(tm.buf)
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.in, s); err != nil {
		tm.t.Errorf("send %q: %v", s, err)
	}
}

// cmd sends line and returns the raw answer up to and including the next
// prompt.
func (tm *term) cmd(line string) string {
	tm.t.Helper()
	tm.send(line + "\n")
	return tm.expect(tm.ready)
}

// promptRe matches any prompt of a platform: the union of scrapligo's
// privilege-level patterns, as scrapligo's channel uses it.
func promptRe(platform string) *regexp.Regexp {
	var ps []string
	for _, lv := range scrapliLevels[platform] {
		ps = append(ps, lv.pattern)
	}
	return regexp.MustCompile(strings.Join(ps, "|"))
}
