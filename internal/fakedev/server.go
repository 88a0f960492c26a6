package fakedev

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/changegate/changegate/internal/testscale"
)

// handshakeTimeout bounds the SSH handshake and authentication of one
// connection, so a client that stalls cannot hold a goroutine for ever.
// It is generous and scaled for the machine (internal/testscale): on a
// loaded machine, hundreds of handshakes at once take their time.
var handshakeTimeout = testscale.Timeout(60 * time.Second)

// errAuth is what a failed login returns; the client sees only
// "unable to authenticate".
var errAuth = errors.New("fakedev: wrong username or credentials")

// A Server is one fake device: an SSH server on 127.0.0.1 with one
// goroutine per connection and per shell. It is safe for concurrent use.
type Server struct {
	opts    Options
	p       *Personality
	hostKey ssh.Signer
	sshCfg  *ssh.ServerConfig
	ln      net.Listener
	done    chan struct{} // closed by Close: wakes sleeping answers
	stopCtx func() bool
	once    sync.Once
	wg      sync.WaitGroup

	mu          sync.Mutex
	closed      bool
	conns       map[net.Conn]struct{}
	connections int
	inputs      []string
	hits        map[string]int // fault matches so far, for Fault.Times
	cfg         configStore
}

// Start starts a device listening on 127.0.0.1 on a free port. It serves
// until Close is called or ctx is cancelled.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if err := opts.check(); err != nil {
		return nil, fmt.Errorf("fakedev: options: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fakedev: %w", err)
	}
	hostKey := opts.HostKey
	if hostKey == nil {
		var err error
		if hostKey, err = NewHostKey(); err != nil {
			return nil, fmt.Errorf("fakedev: %w", err)
		}
	}
	opts.Users = maps.Clone(opts.Users)
	opts.Faults = maps.Clone(opts.Faults)
	opts.AuthorizedKeys = slices.Clone(opts.AuthorizedKeys)
	s := &Server{
		opts:    opts,
		p:       opts.Personality.clone(),
		hostKey: hostKey,
		done:    make(chan struct{}),
		conns:   make(map[net.Conn]struct{}),
		hits:    make(map[string]int),
	}
	s.sshCfg = s.serverConfig()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fakedev: listen: %w", err)
	}
	s.ln = ln
	s.stopCtx = context.AfterFunc(ctx, func() { _ = s.Close() })
	s.wg.Go(s.accept)
	return s, nil
}

// NewHostKey generates an ed25519 host key, for Options.HostKey.
func NewHostKey() (ssh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate host key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("host key signer: %w", err)
	}
	return signer, nil
}

func (s *Server) serverConfig() *ssh.ServerConfig {
	cfg := &ssh.ServerConfig{ServerVersion: "SSH-2.0-fakedev"}
	// The log callback sees each attempt's final result (after a public
	// key's signature is checked) before the client hears of it, so a
	// client that is in can rely on Connections counting it.
	cfg.AuthLogCallback = func(_ ssh.ConnMetadata, _ string, err error) {
		if err == nil {
			s.mu.Lock()
			s.connections++
			s.mu.Unlock()
		}
	}
	cfg.AddHostKey(s.hostKey)
	if len(s.opts.Users) > 0 {
		cfg.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			return nil, s.checkPassword(c.User(), string(pw))
		}
		cfg.KeyboardInteractiveCallback = func(c ssh.ConnMetadata, ask ssh.KeyboardInteractiveChallenge) (*ssh.Permissions, error) {
			answers, err := ask(c.User(), "", []string{"Password: "}, []bool{false})
			if err != nil {
				return nil, err
			}
			if len(answers) != 1 {
				return nil, errAuth
			}
			return nil, s.checkPassword(c.User(), answers[0])
		}
	}
	if len(s.opts.AuthorizedKeys) > 0 {
		cfg.PublicKeyCallback = func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if _, ok := s.opts.Users[c.User()]; len(s.opts.Users) > 0 && !ok {
				return nil, errAuth
			}
			for _, k := range s.opts.AuthorizedKeys {
				if bytes.Equal(k.Marshal(), key.Marshal()) {
					return nil, nil
				}
			}
			return nil, errAuth
		}
	}
	return cfg
}

func (s *Server) checkPassword(user, pw string) error {
	want, ok := s.opts.Users[user]
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(pw)) != 1 {
		return errAuth
	}
	return nil
}

// Close stops the listener, closes every live connection and waits for the
// server's goroutines. It may be called more than once.
func (s *Server) Close() error {
	s.once.Do(func() {
		s.stopCtx()
		s.mu.Lock()
		s.closed = true
		conns := slices.Collect(maps.Keys(s.conns))
		s.stopTimerLocked()
		s.mu.Unlock()
		close(s.done)
		_ = s.ln.Close()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	s.wg.Wait()
	return nil
}

// Addr is the listening address, "127.0.0.1:PORT".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Port is the listening TCP port.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// HostKey is the server's public host key.
func (s *Server) HostKey() ssh.PublicKey { return s.hostKey.PublicKey() }

// KnownHostsLine is the known_hosts line for this server's address and host
// key, e.g. "[127.0.0.1]:40123 ssh-ed25519 AAAA...".
func (s *Server) KnownHostsLine() string {
	return knownhosts.Line([]string{knownhosts.Normalize(s.Addr())}, s.HostKey())
}

// WriteKnownHosts appends KnownHostsLine to the known_hosts file at path,
// creating it if needed.
func (s *Server) WriteKnownHosts(path string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("write known hosts: %w", err)
	}
	if _, err := f.WriteString(s.KnownHostsLine() + "\n"); err != nil {
		_ = f.Close()
		return fmt.Errorf("write known hosts: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write known hosts: %w", err)
	}
	return nil
}

// Connections is the number of SSH connections that logged in so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// Inputs returns every non-blank line the device received, in order, across
// all sessions, as received (without the line ending). Blank lines, which
// drivers send to find the prompt, are left out.
func (s *Server) Inputs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.inputs)
}

func (s *Server) accept() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return // the listener is closed; nothing else fails on loopback
		}
		if !s.track(nc) {
			_ = nc.Close()
			return
		}
		s.wg.Go(func() { s.serveConn(nc) })
	}
}

func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[nc] = struct{}{}
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
	_ = nc.Close()
}

// serveConn runs the SSH handshake and then accepts session channels until
// the connection ends.
func (s *Server) serveConn(nc net.Conn) {
	defer s.untrack(nc)
	_ = nc.SetDeadline(time.Now().Add(handshakeTimeout))
	conn, chans, reqs, err := ssh.NewServerConn(nc, s.sshCfg)
	if err != nil {
		return // failed handshake or login: the client has its error
	}
	defer conn.Close()
	_ = nc.SetDeadline(time.Time{})
	s.wg.Go(func() { ssh.DiscardRequests(reqs) })
	for nch := range chans {
		if nch.ChannelType() != "session" {
			_ = nch.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			continue
		}
		s.wg.Go(func() { s.serveSession(conn.User(), nc, ch, creqs) })
	}
}

func (s *Server) record(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inputs = append(s.inputs, line)
}

// fault returns the fault for line, counting the match.
func (s *Server) fault(line string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.opts.Faults[line]
	if !ok || (f.Times > 0 && s.hits[line] >= f.Times) {
		return Fault{}, false
	}
	s.hits[line]++
	return f, true
}

// sleep waits d and reports false if the server closed meanwhile.
func (s *Server) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.done:
		return false
	}
}
