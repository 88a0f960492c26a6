package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// newKey writes a fresh ed25519 private key to dir/name and returns its
// authorized_keys line.
func newKey(t *testing.T, dir, name string) string {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKey(k, "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(blk), 0o600)
	s, _ := ssh.NewSignerFromKey(k)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
}

// TestApprove approves the safe example plan (risk medium: one approval
// needed; written by Jane) with Bob's SSH key, and follows the approval:
// it counts, it makes the check's approval warning go, a changed plan
// makes it stale, and a key not in the allowed signers does not count.
func TestApprove(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/safe-plan.yaml"))
	bob := newKey(t, dir, "bob")
	newKey(t, dir, "mallory")
	writeFile(t, dir, "allowed_signers", fmt.Sprintf("bob@example.net namespaces=\"changegate\" %s\n", bob))
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n  roles:\n    bob@example.net: [network-lead]\n")

	out, _, code := run(t, "--config", cfg, "check", plan)
	if code != 0 || !strings.Contains(out, `risk "medium" needs 1 approval, has 0 valid`) {
		_, e, _ := run(t, "--config", cfg, "check", plan)
		t.Fatalf("before: exit %d\n%s%s", code, out, e)
	}
	t.Setenv("CHANGEGATE_STATE_DIR", filepath.Join(dir, "state"))
	_, errs, code := run(t, "--config", cfg, "apply", plan)
	if code != ExitDenied || !strings.Contains(errs, `risk "medium" needs 1 approval, has 0 valid`) {
		t.Fatalf("apply before the approval: exit %d\n%s", code, errs)
	}
	out, errs, code = run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"), "--comment", "N-1 table looks right")
	if code != 0 || !strings.Contains(out, "approved by bob@example.net") || !strings.Contains(out, "\n  inventory none\n") {
		t.Fatalf("approve: exit %d\n%s%s", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.approvals", "bob@example.net.json")); err != nil {
		t.Fatal(err)
	}
	out, _, _ = run(t, "--config", cfg, "approvals", plan)
	if !strings.HasPrefix(out, "COUNTS          bob@example.net at ") || !strings.Contains(out, "(roles: network-lead)") {
		t.Errorf("approvals:\n%s", out)
	}
	out, _, code = run(t, "--config", cfg, "check", plan)
	if code != 0 || strings.Contains(out, "needs 1 approval") {
		t.Errorf("after: exit %d\n%s", code, out)
	}
	// apply now passes the gate (and stops at the missing inventory).
	_, errs, code = run(t, "--config", cfg, "apply", plan)
	if code != 1 || !strings.Contains(errs, "no inventory") {
		t.Errorf("apply after the approval: exit %d\n%s", code, errs)
	}

	// mallory signs too, with a key nobody allowed.
	_, errs, code = run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "mallory"))
	if code != 1 || !strings.Contains(errs, "is not in the allowed signers") {
		t.Errorf("unknown key without --as: exit %d %s", code, errs)
	}
	// With the allowed signers configured, approve refuses a key not
	// listed under --as; without them it signs, and the approval does
	// not count where they are.
	_, errs, code = run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "mallory"), "--as", "mallory@example.net")
	if code != 1 || !strings.Contains(errs, "is not listed for mallory@example.net in the allowed signers") {
		t.Errorf("unknown key with --as: exit %d %s", code, errs)
	}
	open := writeFile(t, dir, "open.yaml", "{}\n")
	if _, errs, code := run(t, "--config", open, "approve", plan, "--key", filepath.Join(dir, "mallory"), "--as", "mallory@example.net"); code != 0 {
		t.Fatalf("approve without allowed signers: exit %d %s", code, errs)
	}
	out, _, _ = run(t, "--config", cfg, "approvals", plan)
	if !strings.Contains(out, "DOES NOT COUNT  mallory@example.net") || !strings.Contains(out, "is not in the allowed signers") {
		t.Errorf("mallory:\n%s", out)
	}
	// bob's approval file edited to name someone else: the signature no
	// longer verifies.
	p := filepath.Join(dir, "plan.approvals", "bob@example.net.json")
	writeFile(t, filepath.Dir(p), "forged.json", strings.Replace(readFile(t, p), `"approver": "bob@example.net"`, `"approver": "boss@example.net"`, 1))
	out, errs, code = run(t, "--config", cfg, "approvals", plan)
	if code != 1 || !regexp.MustCompile(`DOES NOT COUNT  \S*/forged\.json:\d+: the signature does not verify`).MatchString(out) || !strings.Contains(errs, "1 of the 3 approval files") {
		t.Errorf("forged: exit %d\n%s%s", code, out, errs)
	}

	// One line of the plan changes: the approval is stale.
	writeFile(t, dir, "plan.yaml", strings.Replace(readFile(t, plan), "ip ospf cost 500", "ip ospf cost 600", 1))
	out, _, _ = run(t, "--config", cfg, "approvals", plan)
	if !strings.Contains(out, "STALE           bob@example.net") || !strings.Contains(out, "the plan changed since it was signed") {
		t.Errorf("stale:\n%s", out)
	}
	out, _, _ = run(t, "--config", cfg, "check", plan)
	if !strings.Contains(out, "approval by bob@example.net is stale") {
		t.Errorf("check after the change:\n%s", out)
	}
}

// TestApproveWithAgent signs with a key ssh-agent holds, named by its
// public key file.
func TestApproveWithAgent(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/safe-plan.yaml"))
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	s, _ := ssh.NewSignerFromKey(k)
	pub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))
	writeFile(t, dir, "bob.pub", pub+"\n")
	writeFile(t, dir, "allowed_signers", "bob@example.net "+pub+"\n")
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n")

	// An in-process agent holding the key, on a socket of its own.
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: k}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go agent.ServeAgent(keyring, c)
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	out, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob.pub"))
	if code != 0 || !strings.Contains(out, "approved by bob@example.net") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	out, _, _ = run(t, "--config", cfg, "approvals", plan)
	if !strings.HasPrefix(out, "COUNTS          bob@example.net") {
		t.Errorf("approvals:\n%s", out)
	}
	// A public key the agent does not hold.
	_, k2, _ := ed25519.GenerateKey(rand.Reader)
	s2, _ := ssh.NewSignerFromKey(k2)
	writeFile(t, dir, "other.pub", string(ssh.MarshalAuthorizedKey(s2.PublicKey())))
	if _, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "other.pub")); code != 1 || !strings.Contains(errs, "ssh-agent does not hold the key") {
		t.Errorf("key not in the agent: exit %d %s", code, errs)
	}
}

// TestApproveDenied: a plan the gate denies (the outage example) is not
// approved unless --denied says it is meant; then the signed approval
// says so, and the approvals list shows it.
func TestApproveDenied(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/outage-plan.yaml"))
	bob := newKey(t, dir, "bob")
	writeFile(t, dir, "allowed_signers", fmt.Sprintf("bob@example.net namespaces=\"changegate\" %s\n", bob))
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n")
	file := filepath.Join(dir, "plan.approvals", "bob@example.net.json")

	_, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"))
	if code != ExitDenied || !strings.Contains(errs, "DENIED") || !strings.Contains(errs, "pass --denied") {
		t.Fatalf("approve of a denied plan: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("an approval was written for a denied plan: %v", err)
	}

	out, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"), "--denied")
	if code != 0 || !strings.Contains(out, "the gate's verdict now: DENIED") {
		t.Fatalf("approve --denied: exit %d\n%s%s", code, out, errs)
	}
	data, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(data), `"denied": true`) {
		t.Fatalf("the approval does not say the plan was denied: %v\n%s", err, data)
	}
	out, _, _ = run(t, "--config", cfg, "approvals", plan)
	if !strings.Contains(out, "[approved while DENIED]") || !strings.HasPrefix(out, "COUNTS") {
		t.Errorf("approvals:\n%s", out)
	}
	// The mark is under the signature: removing it breaks the approval.
	os.WriteFile(file, []byte(strings.Replace(string(data), `"denied": true`, `"denied": false`, 1)), 0o644)
	out, _, _ = run(t, "--config", cfg, "approvals", plan)
	if strings.HasPrefix(out, "COUNTS") {
		t.Errorf("an approval whose denied mark was removed still counts:\n%s", out)
	}
}

// TestApprovePassphraseWithoutTerminal: a passphrase-protected key with
// no terminal to ask on gets the approval key's own advice (ssh-agent and
// the .pub), not the inventory's.
func TestApprovePassphraseWithoutTerminal(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/safe-plan.yaml"))
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	blk, err := ssh.MarshalPrivateKeyWithPassphrase(k, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	key := writeFile(t, dir, "bob", string(pem.EncodeToMemory(blk)))
	_, errs, code := run(t, "approve", plan, "--key", key, "--as", "bob@example.net")
	if code != ExitError || !strings.Contains(errs, "protected by a passphrase") || !strings.Contains(errs, "ssh-add "+key) || strings.Contains(errs, "inventory") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "plan.approvals")); !os.IsNotExist(err) {
		t.Errorf("something was written: %v", err)
	}
}
