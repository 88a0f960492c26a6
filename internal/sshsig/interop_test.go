package sshsig

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// These tests check interoperability with OpenSSH's ssh-keygen -Y in both
// directions. They are skipped where ssh-keygen is not installed.

func sshKeygen(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("ssh-keygen")
	if err != nil {
		t.Skip("ssh-keygen not on PATH")
	}
	return path
}

func run(t *testing.T, stdin []byte, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// genKey makes a key with ssh-keygen and loads the private half.
func genKey(t *testing.T, keygen, dir string, args ...string) (path string, signer ssh.Signer) {
	t.Helper()
	path = filepath.Join(dir, "key")
	run(t, nil, keygen, append([]string{"-q", "-N", "", "-C", "alice@example.com", "-f", path}, args...)...)
	pem, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	signer, err = ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return path, signer
}

var keyTypes = []struct {
	name string
	args []string
}{
	{"ed25519", []string{"-t", "ed25519"}},
	{"rsa-3072", []string{"-t", "rsa", "-b", "3072"}},
}

func TestInteropSignThenSSHKeygenVerify(t *testing.T) {
	keygen := sshKeygen(t)
	for _, kt := range keyTypes {
		t.Run(kt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, signer := genKey(t, keygen, dir, kt.args...)
			sig, err := Sign(signer, testNamespace, message)
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			sigPath := filepath.Join(dir, "sig.sig")
			allowed := filepath.Join(dir, "allowed_signers")
			line := `alice@example.com namespaces="changegate" ` + string(ssh.MarshalAuthorizedKey(signer.PublicKey()))
			if err := os.WriteFile(sigPath, sig, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(allowed, []byte(line), 0o600); err != nil {
				t.Fatal(err)
			}
			run(t, message, keygen, "-Y", "verify", "-f", allowed, "-I", "alice@example.com", "-n", testNamespace, "-s", sigPath)

			// And ssh-keygen must refuse a tampered message.
			cmd := exec.CommandContext(t.Context(), keygen, "-Y", "verify", "-f", allowed, "-I", "alice@example.com", "-n", testNamespace, "-s", sigPath)
			cmd.Stdin = bytes.NewReader(append(bytes.Clone(message), 'x'))
			if out, err := cmd.CombinedOutput(); err == nil {
				t.Errorf("ssh-keygen verified a tampered message:\n%s", out)
			}

			// Our own parser reads the allowed_signers line we gave ssh-keygen.
			signers, err := ParseAllowedSigners(allowed, []byte(line))
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := Find(signers, signer.PublicKey(), testNamespace); !ok {
				t.Error("Find did not find the key in its allowed_signers")
			}
		})
	}
}

func TestInteropSSHKeygenSignThenVerify(t *testing.T) {
	keygen := sshKeygen(t)
	for _, kt := range keyTypes {
		t.Run(kt.name, func(t *testing.T) {
			dir := t.TempDir()
			keyPath, signer := genKey(t, keygen, dir, kt.args...)
			msgPath := filepath.Join(dir, "message")
			if err := os.WriteFile(msgPath, message, 0o600); err != nil {
				t.Fatal(err)
			}
			run(t, nil, keygen, "-Y", "sign", "-f", keyPath, "-n", testNamespace, msgPath)
			sig, err := os.ReadFile(msgPath + ".sig")
			if err != nil {
				t.Fatal(err)
			}
			key, err := Verify(sig, testNamespace, message)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !bytes.Equal(key.Marshal(), signer.PublicKey().Marshal()) {
				t.Errorf("Verify returned %s, want %s", ssh.FingerprintSHA256(key), ssh.FingerprintSHA256(signer.PublicKey()))
			}
			if _, err := Verify(sig, "git", message); err == nil || !strings.Contains(err.Error(), `signature namespace is "changegate", want "git"`) {
				t.Errorf("Verify in namespace git: %v", err)
			}
			if _, err := Verify(sig, testNamespace, append(bytes.Clone(message), 'x')); err == nil || !strings.Contains(err.Error(), "does not verify") {
				t.Errorf("Verify of tampered message: %v", err)
			}
		})
	}
}
