package session_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"testing"

	"golang.org/x/crypto/ssh"
)

// newSigner returns a fresh ed25519 SSH key.
func newSigner(t testing.TB) ssh.Signer {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeKey writes a fresh ed25519 private key in OpenSSH format to path,
// encrypted with passphrase when it is not empty, and returns its
// public key.
func writeKey(t testing.TB, path string, passphrase ...string) ssh.PublicKey {
	t.Helper()
	pub, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var blk *pem.Block
	if len(passphrase) > 0 && passphrase[0] != "" {
		blk, err = ssh.MarshalPrivateKeyWithPassphrase(k, "", []byte(passphrase[0]))
	} else {
		blk, err = ssh.MarshalPrivateKey(k, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(blk), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return sp
}
