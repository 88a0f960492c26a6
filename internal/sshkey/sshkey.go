// Package sshkey loads SSH private keys and reaches ssh-agent, the one way
// changegate does both: for the devices' SSH sessions (package devices/session)
// and for signing approvals (changegate approve). It reads no files and
// asks no one: callers hand it a key's bytes and a function that gets its
// passphrase, so each keeps its own sources (an inventory's credential
// references, a terminal) and its own messages.
package sshkey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// ErrNoAgent is returned by Agent when SSH_AUTH_SOCK is not set.
var ErrNoAgent = errors.New("SSH_AUTH_SOCK is not set")

// ErrNotPrivate is returned by Parse for bytes that are no private key SSH
// reads (OpenSSH or PEM).
var ErrNotPrivate = errors.New("not a private key in a format SSH reads (OpenSSH or PEM)")

// Parse parses a private key. A key with a passphrase is decrypted with
// the passphrase that passphrase returns (called only then); Parse
// returns it too, so that the caller can keep it out of logs. A wrong
// passphrase is an error.
func Parse(key []byte, passphrase func() (string, error)) (ssh.Signer, string, error) {
	s, err := ssh.ParsePrivateKey(key)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		pass, perr := passphrase()
		if perr != nil {
			return nil, "", perr
		}
		s, err = ssh.ParsePrivateKeyWithPassphrase(key, []byte(pass))
		if err != nil {
			return nil, "", fmt.Errorf("wrong passphrase or bad key: %w", err)
		}
		return s, pass, nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNotPrivate, err)
	}
	return s, "", nil
}

// Agent connects to ssh-agent at SSH_AUTH_SOCK; close ends the
// connection.
func Agent(ctx context.Context) (a agent.ExtendedAgent, close func(), err error) {
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return nil, func() {}, ErrNoAgent
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return nil, func() {}, fmt.Errorf("connect to ssh-agent at SSH_AUTH_SOCK: %w", err)
	}
	return agent.NewClient(conn), func() { conn.Close() }, nil
}

// ErrNotInAgent is returned by AgentSigner when ssh-agent does not hold
// the key.
var ErrNotInAgent = errors.New("ssh-agent does not hold the key")

// AgentSigner returns ssh-agent's signer for the public key pub. The
// signer works while the agent connection is open; close ends it.
func AgentSigner(ctx context.Context, pub ssh.PublicKey) (s ssh.Signer, close func(), err error) {
	a, closeAgent, err := Agent(ctx)
	if err != nil {
		return nil, closeAgent, err
	}
	signers, err := a.Signers()
	if err != nil {
		closeAgent()
		return nil, func() {}, fmt.Errorf("ssh-agent: %w", err)
	}
	for _, s := range signers {
		if bytes.Equal(s.PublicKey().Marshal(), pub.Marshal()) {
			return s, closeAgent, nil
		}
	}
	closeAgent()
	return nil, func() {}, ErrNotInAgent
}
