package approval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/internal/sshsig"
)

// TestApproverNamesAreChecked: an approver's name is compared with
// principals and authors and shown in reviews, so one holding a control
// or bidirectional character, or a look-alike letter, is refused when
// signing and never counts when loaded, even with a valid signature
// (issue 12, item 9).
func TestApproverNamesAreChecked(t *testing.T) {
	s := signer(t)
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	for _, name := range []string{"jane\u202E@x", "jane@x\nbob@x", "j\u200Bane@x"} {
		if _, err := Sign(s, name, "", digests, now); err == nil || !strings.Contains(err.Error(), "approve: approver:") {
			t.Errorf("Sign(%q) = %v, want it refused", name, err)
		}
	}

	// A look-alike principal in the allowed signers, and an approval
	// signed for it by hand: the signature verifies, the name does not.
	const lookalike = "jаne@x" // Cyrillic а
	dir := t.TempDir()
	plan := filepath.Join(dir, "change.yaml")
	signers, err := sshsig.ParseAllowedSigners("allowed_signers", []byte(fmt.Sprintf("%s namespaces=\"changegate\" %s", lookalike, ssh.MarshalAuthorizedKey(s.PublicKey()))))
	if err != nil {
		t.Fatal(err)
	}
	a := &Approval{Version: Version, Approver: lookalike, Time: now, Digests: digests}
	sig, err := sshsig.Sign(s, Namespace, a.Message())
	if err != nil {
		t.Fatal(err)
	}
	a.Signature = string(sig)
	data, _ := json.Marshal(a)
	os.MkdirAll(Dir(plan), 0o755)
	if err := os.WriteFile(filepath.Join(Dir(plan), "jane.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(context.Background(), plan, signers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Verified || !strings.Contains(got[0].Why, `approver: "jаne@x" holds U+0430 CYRILLIC SMALL LETTER A`) {
		t.Errorf("got %+v, want it unverified because of its name", got)
	}
}
