package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/scrapli/scrapligo/transport"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/sshkey"
)

// Errors a connection can fail with, for errors.Is. Each is wrapped in an
// error that names the device and says what to do.
var (
	// ErrHostKeyMismatch: the device's host key is not the one in
	// known_hosts. The connection is refused; nothing is sent.
	ErrHostKeyMismatch = errors.New("host key mismatch")
	// ErrHostKeyUnknown: known_hosts has no key for the device.
	ErrHostKeyUnknown = errors.New("host key unknown")
	// ErrAuth: the device refused every credential offered.
	ErrAuth = errors.New("authentication failed")
	// ErrConnect: the device could not be reached.
	ErrConnect = errors.New("cannot connect")
)

// sshTransport is a scrapligo transport (transport.Implementation) over
// golang.org/x/crypto/ssh that changegate dials itself, because
// scrapligo's own transports cannot do what a change gate needs: dial and
// handshake bounded by a context, ssh-agent, keys with passphrases, and
// host key errors that tell a changed key from a missing one. Once dialled,
// scrapligo's Open asks it for a pty and a shell and reads and writes it.
type sshTransport struct {
	client  *ssh.Client
	session *ssh.Session
	stdin   io.WriteCloser
	stdout  io.Reader

	closeOnce sync.Once
	closed    chan struct{}
	// eof is set once the device has closed the connection.
	eof atomic.Bool
}

// credentials are a device's resolved credentials.
type credentials struct {
	user     string
	password string
	signers  []ssh.Signer
	agent    agent.ExtendedAgent
	// secrets are the values a transcript must never show.
	secrets []string
}

// dialSSH connects to d and authenticates, everything bounded by ctx and
// d.Timeouts.Connect. The host key is checked against d's known_hosts
// file unless d's policy turns that off.
func dialSSH(ctx context.Context, d *devices.Device, cr *credentials) (*sshTransport, error) {
	ctx, cancel := context.WithTimeout(ctx, d.Timeouts.Connect)
	defer cancel()
	addr := net.JoinHostPort(d.Host, strconv.Itoa(d.Port))

	hostKey, khPath, err := hostKeyCallback(d)
	if err != nil {
		return nil, err
	}
	var keyErr error // what the host key callback found, kept whole
	var presented string
	cfg := &ssh.ClientConfig{
		User: cr.user,
		HostKeyCallback: func(host string, remote net.Addr, key ssh.PublicKey) error {
			presented = key.Type() + " " + ssh.FingerprintSHA256(key)
			keyErr = hostKey(host, remote, key)
			return keyErr
		},
		Auth: authMethods(cr),
	}
	if khPath != "" {
		// Offer first the key types known_hosts holds for this address, so a
		// server with several host keys presents the one we can check.
		cfg.HostKeyAlgorithms = knownAlgorithms(hostKey, addr)
	}

	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w to %s: %w", ErrConnect, addr, unwrapCtx(ctx, err))
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if !stop() {
		if err == nil {
			c.Close()
		}
		conn.Close()
		return nil, fmt.Errorf("%w to %s: SSH handshake not done within %s: %w", ErrConnect, addr, d.Timeouts.Connect, context.Cause(ctx))
	}
	if err != nil {
		conn.Close()
		return nil, classifyHandshake(d, addr, khPath, presented, cr, keyErr, err)
	}
	t := &sshTransport{client: ssh.NewClient(c, chans, reqs), closed: make(chan struct{})}
	return t, nil
}

func unwrapCtx(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%v (%w)", err, context.Cause(ctx))
	}
	return err
}

// hostKeyCallback returns the check of d's host key and the known_hosts
// file it reads ("" when verification is off).
func hostKeyCallback(d *devices.Device) (ssh.HostKeyCallback, string, error) {
	if d.HostKey.InsecureIgnore {
		return ssh.InsecureIgnoreHostKey(), "", nil //nolint:gosec // explicit, visible inventory setting with a reason
	}
	path, err := d.HostKey.KnownHostsPath()
	if err != nil {
		return nil, "", err
	}
	cb, err := knownhosts.New(path)
	if err != nil {
		return nil, "", fmt.Errorf("device %s: read known_hosts %s: %w (host keys are verified by default; create the file with the device's key, or set host_key: {insecure_ignore: true, reason: ...} in the inventory)", d.Name, path, err)
	}
	return cb, path, nil
}

// knownAlgorithms lists the host key algorithms the known_hosts check cb
// has for addr.
func knownAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	// Asking with a throwaway key makes knownhosts list what it wants.
	err := cb(addr, strAddr(addr), probeKey{})
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) {
		return nil
	}
	var algs []string
	for _, k := range ke.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !slices.Contains(algs, a) {
				algs = append(algs, a)
			}
		}
	}
	return algs
}

func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// strAddr is a net.Addr for an address known only as host:port.
type strAddr string

func (a strAddr) Network() string { return "tcp" }
func (a strAddr) String() string  { return string(a) }

// probeKey is a public key that matches no known_hosts entry.
type probeKey struct{}

func (probeKey) Type() string                                 { return "changegate-probe" }
func (probeKey) Marshal() []byte                              { return []byte("changegate-probe") }
func (probeKey) Verify(data []byte, sig *ssh.Signature) error { return errors.New("probe key") }

// classifyHandshake turns a handshake error into one that says what went
// wrong and what to do.
func classifyHandshake(d *devices.Device, addr, khPath, presented string, cr *credentials, keyErr, err error) error {
	var ke *knownhosts.KeyError
	if errors.As(keyErr, &ke) {
		if len(ke.Want) == 0 {
			return fmt.Errorf("device %s: %w: %s (key %s) is not in %s; check the key's fingerprint out of band, then add it (for example with ssh-keyscan -p %d %s >> %s)",
				d.Name, ErrHostKeyUnknown, addr, presented, khPath, d.Port, d.Host, khPath)
		}
		var lines []string
		for _, w := range ke.Want {
			lines = append(lines, fmt.Sprintf("%s:%d", w.Filename, w.Line))
		}
		return fmt.Errorf("device %s: %w: %s presented %s, which does not match %s; the device was replaced or reinstalled, or the connection is intercepted. Nothing was sent. Verify the new key out of band before replacing the entry",
			d.Name, ErrHostKeyMismatch, addr, presented, strings.Join(lines, ", "))
	}
	var re *knownhosts.RevokedError
	if errors.As(keyErr, &re) {
		return fmt.Errorf("device %s: %w: %s presented a key revoked in %s:%d", d.Name, ErrHostKeyMismatch, addr, re.Revoked.Filename, re.Revoked.Line)
	}
	if keyErr != nil {
		return fmt.Errorf("device %s: host key check: %w", d.Name, keyErr)
	}
	if strings.Contains(err.Error(), "unable to authenticate") {
		return fmt.Errorf("device %s: %w as %q at %s (offered: %s); check the credentials in the inventory", d.Name, ErrAuth, cr.user, addr, strings.Join(cr.offered(), ", "))
	}
	return fmt.Errorf("device %s: %w to %s: %w", d.Name, ErrConnect, addr, err)
}

func authMethods(cr *credentials) []ssh.AuthMethod {
	var m []ssh.AuthMethod
	if len(cr.signers) > 0 {
		m = append(m, ssh.PublicKeys(cr.signers...))
	}
	if cr.agent != nil {
		m = append(m, ssh.PublicKeysCallback(cr.agent.Signers))
	}
	if cr.password != "" {
		pw := cr.password
		m = append(m, ssh.Password(pw), ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
			answers := make([]string, len(questions))
			for i := range answers {
				answers[i] = pw
			}
			return answers, nil
		}))
	}
	return m
}

func (cr *credentials) offered() []string {
	var o []string
	if len(cr.signers) > 0 {
		o = append(o, "private key")
	}
	if cr.agent != nil {
		o = append(o, "ssh-agent keys")
	}
	if cr.password != "" {
		o = append(o, "password")
	}
	if len(o) == 0 {
		o = append(o, "nothing")
	}
	return o
}

// Open starts the interactive shell scrapligo talks to: a pty with echo,
// as a person's terminal would have.
func (t *sshTransport) Open(a *transport.Args) error {
	s, err := t.client.NewSession()
	if err != nil {
		return fmt.Errorf("open SSH session: %w", err)
	}
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 115200, ssh.TTY_OP_OSPEED: 115200}
	if err := s.RequestPty("xterm", a.TermHeight, a.TermWidth, modes); err != nil {
		s.Close()
		return fmt.Errorf("request pty: %w", err)
	}
	if t.stdin, err = s.StdinPipe(); err != nil {
		s.Close()
		return err
	}
	if t.stdout, err = s.StdoutPipe(); err != nil {
		s.Close()
		return err
	}
	if err := s.Shell(); err != nil {
		s.Close()
		return fmt.Errorf("start shell: %w", err)
	}
	t.session = s
	return nil
}

// Close closes the session and the connection; it may be called more
// than once and from any goroutine.
func (t *sshTransport) Close() error {
	t.closeOnce.Do(func() {
		close(t.closed)
		if t.session != nil {
			t.session.Close()
		}
		t.client.Close()
	})
	return nil
}

// IsAlive reports whether the connection is open: neither closed by
// Close nor by the device.
func (t *sshTransport) IsAlive() bool {
	if t.eof.Load() {
		return false
	}
	select {
	case <-t.closed:
		return false
	default:
		return true
	}
}

// Read reads what the device sent, up to n bytes; io.EOF once the
// connection is gone.
func (t *sshTransport) Read(n int) ([]byte, error) {
	b := make([]byte, n)
	n, err := t.stdout.Read(b)
	if n > 0 {
		return b[:n], nil
	}
	if err != nil {
		t.eof.Store(true)
	}
	return nil, err
}

// Write sends b to the device.
func (t *sshTransport) Write(b []byte) error {
	_, err := t.stdin.Write(b)
	return err
}

// resolveCredentials resolves d's credentials: the username (required),
// the password, the private key (a file, with its passphrase if it has
// one, or ssh-agent). With neither password nor key, ssh-agent is used
// when SSH_AUTH_SOCK is set, as OpenSSH does.
func resolveCredentials(ctx context.Context, d *devices.Device, p devices.Prompter) (*credentials, func(), error) {
	cr := &credentials{}
	closeAgent := func() {}
	if d.Username.IsZero() {
		return nil, closeAgent, fmt.Errorf("device %s has no username; set username in the inventory", d.Name)
	}
	var err error
	if cr.user, err = d.Username.ResolveWith(ctx, p); err != nil {
		return nil, closeAgent, fmt.Errorf("device %s: %w", d.Name, err)
	}
	if !d.Password.IsZero() {
		if cr.password, err = d.Password.ResolveWith(ctx, p); err != nil {
			return nil, closeAgent, fmt.Errorf("device %s: %w", d.Name, err)
		}
		cr.secrets = append(cr.secrets, cr.password)
	}
	useAgent := d.Key.Kind == devices.AgentCredential
	switch d.Key.Kind {
	case devices.NoCredential, devices.AgentCredential:
	default:
		signer, pass, err := readKey(ctx, d, p)
		if err != nil {
			return nil, closeAgent, err
		}
		cr.signers = append(cr.signers, signer)
		if pass != "" {
			cr.secrets = append(cr.secrets, pass)
		}
	}
	if d.Key.IsZero() && d.Password.IsZero() && os.Getenv("SSH_AUTH_SOCK") != "" {
		useAgent = true
	}
	if useAgent {
		a, closeConn, err := sshkey.Agent(ctx)
		if errors.Is(err, sshkey.ErrNoAgent) {
			return nil, closeAgent, fmt.Errorf("device %s: key is ssh-agent but SSH_AUTH_SOCK is not set; start ssh-agent and add the key (ssh-add)", d.Name)
		}
		if err != nil {
			return nil, closeAgent, fmt.Errorf("device %s: %w", d.Name, err)
		}
		cr.agent, closeAgent = a, closeConn
	}
	if len(cr.signers) == 0 && cr.agent == nil && cr.password == "" {
		return nil, closeAgent, fmt.Errorf("device %s has no password or key; set password or key in the inventory (or run ssh-agent)", d.Name)
	}
	return cr, closeAgent, nil
}

// readKey reads d's private key, decrypting it with the passphrase when
// it has one.
func readKey(ctx context.Context, d *devices.Device, p devices.Prompter) (ssh.Signer, string, error) {
	var pem []byte
	if d.Key.Kind == devices.FileCredential {
		path, err := d.Key.Path()
		if err != nil {
			return nil, "", fmt.Errorf("device %s: %w", d.Name, err)
		}
		if pem, err = devices.ReadSecretFile(path); err != nil {
			return nil, "", fmt.Errorf("device %s: key: %w", d.Name, err)
		}
	} else { // a key's contents from the environment, a prompt or Nornir
		v, err := d.Key.ResolveWith(ctx, p)
		if err != nil {
			return nil, "", fmt.Errorf("device %s: %w", d.Name, err)
		}
		pem = []byte(v)
	}
	var passErr error
	signer, pass, err := sshkey.Parse(pem, func() (string, error) {
		if d.Passphrase.IsZero() {
			passErr = fmt.Errorf("device %s: key %s has a passphrase; set passphrase in the inventory or use ssh-agent", d.Name, d.Key)
			return "", passErr
		}
		pass, err := d.Passphrase.ResolveWith(ctx, p)
		if err != nil {
			passErr = fmt.Errorf("device %s: %w", d.Name, err)
		}
		return pass, passErr
	})
	switch {
	case passErr != nil:
		return nil, "", passErr
	case errors.Is(err, sshkey.ErrNotPrivate):
		return nil, "", fmt.Errorf("device %s: key %s is %w", d.Name, d.Key, err)
	case err != nil:
		return nil, "", fmt.Errorf("device %s: key %s: %w", d.Name, d.Key, err)
	}
	return signer, pass, nil
}
