package sshkey

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func keyPEM(t *testing.T, passphrase string) ([]byte, ssh.PublicKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var b *pem.Block
	if passphrase == "" {
		b, err = ssh.MarshalPrivateKey(priv, "")
	} else {
		b, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(b), sp
}

func TestParse(t *testing.T) {
	plain, plainPub := keyPEM(t, "")
	locked, lockedPub := keyPEM(t, "s3cret")
	noAsk := func() (string, error) { t.Error("asked for a passphrase"); return "", nil }
	tests := []struct {
		name     string
		key      []byte
		pass     func() (string, error)
		wantPub  ssh.PublicKey
		wantPass string
		wantErr  string
	}{
		{"plain key, never asks", plain, noAsk, plainPub, "", ""},
		{"passphrase asked and returned", locked, func() (string, error) { return "s3cret", nil }, lockedPub, "s3cret", ""},
		{"wrong passphrase", locked, func() (string, error) { return "nope", nil }, nil, "", "wrong passphrase or bad key"},
		{"the asker's error as it is", locked, func() (string, error) { return "", errors.New("no terminal") }, nil, "", "no terminal"},
		{"not a key", []byte("hello"), noAsk, nil, "", "not a private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, pass, err := Parse(tt.key, tt.pass)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(s.PublicKey().Marshal()) != string(tt.wantPub.Marshal()) || pass != tt.wantPass {
				t.Errorf("got key %s, passphrase %q", ssh.FingerprintSHA256(s.PublicKey()), pass)
			}
		})
	}
	if _, _, err := Parse([]byte("hello"), noAsk); !errors.Is(err, ErrNotPrivate) {
		t.Errorf("not a key: %v is not ErrNotPrivate", err)
	}
}

func TestAgentWithoutSocket(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "")
	if _, closeAgent, err := Agent(t.Context()); !errors.Is(err, ErrNoAgent) {
		t.Errorf("Agent: %v, want ErrNoAgent", err)
	} else {
		closeAgent()
	}
	_, pub := keyPEM(t, "")
	if _, _, err := AgentSigner(t.Context(), pub); !errors.Is(err, ErrNoAgent) {
		t.Errorf("AgentSigner: %v, want ErrNoAgent", err)
	}
}
