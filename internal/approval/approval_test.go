package approval

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/sshsig"
)

func signer(t *testing.T) ssh.Signer {
	t.Helper()
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	s, err := ssh.NewSignerFromKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var digests = digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd", Inventory: "sha256:ee"}

// TestLoad writes approvals next to a plan and reads them back verified,
// or not, with why.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "change.yaml")
	jane, bob := signer(t), signer(t)
	signers, err := sshsig.ParseAllowedSigners("allowed_signers", []byte(fmt.Sprintf("jane@x namespaces=\"changegate\" %s\nbob@x namespaces=\"git\" %s\nJane.Doe@X namespaces=\"git\" %s", ssh.MarshalAuthorizedKey(jane.PublicKey()), ssh.MarshalAuthorizedKey(bob.PublicKey()), ssh.MarshalAuthorizedKey(jane.PublicKey()))))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		s  ssh.Signer
		as string
	}{{jane, "jane@x"}, {bob, "bob@x"}, {jane, "someone@x"}} {
		a, err := Sign(c.s, c.as, "ok", digests, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Write(context.Background(), plan, a); err != nil {
			t.Fatal(err)
		}
	}
	// An approval that claims jane's name, its signature broken.
	forged, _ := Sign(bob, "Jane@X", "", digests, now)
	forged.Signature = strings.Replace(forged.Signature, "A", "B", 1)
	data, _ := json.Marshal(forged)
	os.WriteFile(filepath.Join(Dir(plan), "forged.json"), data, 0o644)
	os.WriteFile(filepath.Join(Dir(plan), "junk.json"), []byte("{"), 0o644)
	got, err := Load(context.Background(), plan, signers, map[string][]string{"jane@x": {"lead"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"bob@x.json":     `the key SHA256:`, // allowed for git only
		"forged.json":    `the signature does not verify`,
		"jane@x.json":    ``,
		"junk.json":      `not an approval file`,
		"someone@x.json": `belongs to jane@x in the allowed signers, not to someone@x`,
	}
	// Who each approval is by: its name, and (signature verified) every
	// principal of its key, in any namespace.
	ids := map[string]string{
		"bob@x.json":     "bob@x",
		"forged.json":    "jane@x",
		"jane@x.json":    "jane.doe@x jane@x",
		"junk.json":      "",
		"someone@x.json": "jane.doe@x jane@x someone@x",
	}
	if len(got) != len(want) {
		t.Fatalf("%d approvals: %+v", len(got), got)
	}
	for _, c := range got {
		w := want[filepath.Base(c.File)]
		if (w == "") != c.Verified || !strings.Contains(c.Why, w) {
			t.Errorf("%s: verified %v, why %q; want %q", filepath.Base(c.File), c.Verified, c.Why, w)
		}
		if got := strings.Join(c.Identities, " "); got != ids[filepath.Base(c.File)] {
			t.Errorf("%s: identities %q, want %q", filepath.Base(c.File), got, ids[filepath.Base(c.File)])
		}
	}
	byName := map[string]Checked{}
	for _, c := range got {
		byName[filepath.Base(c.File)] = c
	}
	if !byName["someone@x.json"].By("jane.doe@x") || !byName["forged.json"].By("jane@x") || byName["bob@x.json"].By("jane@x") || byName["junk.json"].By("") {
		t.Error("By does not follow the identities")
	}
	jc := byName["jane@x.json"]
	if a := jc.Approval; a == nil || a.Approver != "jane@x" || !jc.Verified || jc.Roles[0] != "lead" || a.Digests != digests || len(jc.Identities) != 2 {
		t.Errorf("jane's approval %+v", jc)
	}
	if s := stale(jc.Approval, digest.Set{Plan: "sha256:aa", Topology: "sha256:b2", Traffic: "sha256:cc", Policy: "sha256:d2", Inventory: "sha256:ee"}); s != "topology,policy" {
		t.Errorf("stale %v", s)
	}
	if s := stale(jc.Approval, digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd"}); s != "inventory" {
		t.Errorf("stale without an inventory: %v", s)
	}
}

// stale names the digests a was not given for, compared with now.
func stale(a *Approval, now digest.Set) string {
	var names []string
	for _, c := range digest.Diff(a.Digests, now) {
		names = append(names, string(c.Name))
	}
	return strings.Join(names, ",")
}

// TestSignatureVerifiesWithSSHKeygen checks an approval's signature with
// OpenSSH's own ssh-keygen -Y verify, over the approval's message.
func TestSignatureVerifiesWithSSHKeygen(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed")
	}
	dir := t.TempDir()
	s := signer(t)
	a, err := Sign(s, "jane@x", "", digests, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "allowed"), []byte("jane@x "+string(ssh.MarshalAuthorizedKey(s.PublicKey()))), 0o644)
	os.WriteFile(filepath.Join(dir, "sig"), []byte(a.Signature), 0o644)
	cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", filepath.Join(dir, "allowed"), "-I", "jane@x", "-n", Namespace, "-s", filepath.Join(dir, "sig"))
	cmd.Stdin = strings.NewReader(string(a.Message()))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y verify: %v\n%s", err, out)
	}
}

func jsonIndent(a *Approval) ([]byte, error) { return json.MarshalIndent(a, "", "  ") }
