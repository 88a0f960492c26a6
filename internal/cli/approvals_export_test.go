package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// approvals --export-message writes what an approval's signature covers,
// so that OpenSSH verifies the approval from the file alone, as
// docs/approvals.md shows; with --denied, the message has the denied line.
func TestApprovalsExportMessage(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	plan := writeFile(t, dir, "plan.yaml", readFile(t, "../../examples/outage-plan.yaml"))
	bob := newKey(t, dir, "bob")
	signers := writeFile(t, dir, "allowed_signers", fmt.Sprintf("bob@example.net namespaces=\"changegate\" %s\n", bob))
	cfg := writeFile(t, dir, "changegate.yaml", "approvals:\n  allowed_signers: allowed_signers\n")
	if _, errs, code := run(t, "--config", cfg, "approve", plan, "--key", filepath.Join(dir, "bob"), "--denied", "--comment", "as an exercise"); code != 0 {
		t.Fatalf("approve --denied: exit %d %s", code, errs)
	}
	file := filepath.Join(dir, "plan.approvals", "bob@example.net.json")
	msg, errs, code := run(t, "approvals", "--export-message", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Digests   map[string]string `json:"digests"`
		Signature string            `json:"signature"`
	}
	if err := json.Unmarshal([]byte(readFile(t, file)), &doc); err != nil {
		t.Fatal(err)
	}
	want := []string{"changegate approval v2\n", "approver bob@example.net\n", "\nplan " + doc.Digests["plan"] + "\n", "\ninventory none\n", "\ndenied true\n", "\ncomment as an exercise\n"}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q:\n%s", w, msg)
		}
	}
	// Misuse: a PLAN beside it, a file that is not an approval.
	if _, errs, code := run(t, "approvals", plan, "--export-message", file); code != 1 || !strings.Contains(errs, "takes no PLAN") {
		t.Errorf("with a plan: exit %d %s", code, errs)
	}
	if _, errs, code := run(t, "approvals", "--export-message", plan); code != 1 || !strings.Contains(errs, "not an approval file") {
		t.Errorf("a plan as the approval: exit %d %s", code, errs)
	}

	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed")
	}
	sig := writeFile(t, dir, "sig", doc.Signature)
	verify := exec.Command("ssh-keygen", "-Y", "verify", "-f", signers, "-I", "bob@example.net", "-n", "changegate", "-s", sig)
	verify.Stdin = strings.NewReader(msg)
	if out, err := verify.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y verify: %v\n%s", err, out)
	}
	// The message of an edited file no longer verifies.
	edited := writeFile(t, dir, "edited.json", strings.Replace(readFile(t, file), "as an exercise", "looks fine", 1))
	msg2, _, _ := run(t, "approvals", "--export-message", edited)
	verify = exec.Command("ssh-keygen", "-Y", "verify", "-f", signers, "-I", "bob@example.net", "-n", "changegate", "-s", sig)
	verify.Stdin = strings.NewReader(msg2)
	if out, err := verify.CombinedOutput(); err == nil {
		t.Errorf("an edited approval verifies:\n%s", out)
	}
	_ = os.Remove(edited)
}
