package approval

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/sshsig"
)

// The files in testdata/format/change.approvals were written by
// changegate's Write, the version 1 one as version 1 wrote it (without an
// inventory key), and are never regenerated: approvals are committed
// beside plans, so a file written then must still read and verify, and an
// approval written now must be the same bytes.
var formatPlan = filepath.Join("testdata", "format", "change.yaml")

// formatSigner is a fixed key: ed25519 signatures are deterministic, so
// the same approval signs to the same bytes.
func formatSigner(t *testing.T) ssh.Signer {
	t.Helper()
	s, err := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// formatApprovals are the approvals in testdata/format, by file name.
func formatApprovals(t *testing.T) map[string]*Approval {
	t.Helper()
	s := formatSigner(t)
	at := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	with := digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd", Inventory: "sha256:ee"}
	without := with
	without.Inventory = ""
	v2, err := Sign(s, "jane@example.net", "drain p2: ok", with, at)
	if err != nil {
		t.Fatal(err)
	}
	none, err := Sign(s, "bob@example.net", "", without, at)
	if err != nil {
		t.Fatal(err)
	}
	denied, err := SignDenied(s, "carol@example.net", "approved while denied: the N-1 risk is accepted", with, at)
	if err != nil {
		t.Fatal(err)
	}
	v1 := &Approval{Version: 1, Approver: "ann@example.net", Time: at, Comment: "version 1", Digests: without,
		Key: v2.Key}
	sig, err := sshsig.Sign(s, Namespace, v1.Message())
	if err != nil {
		t.Fatal(err)
	}
	v1.Signature = string(sig)
	return map[string]*Approval{"jane@example.net.json": v2, "bob@example.net.json": none, "ann@example.net.json": v1, "carol@example.net.json": denied}
}

// TestFormatWrite: an approval written now is byte for byte the file
// changegate has always written for it (Sign makes version 2 only).
func TestFormatWrite(t *testing.T) {
	for name, a := range formatApprovals(t) {
		if a.Version != Version {
			continue
		}
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(Dir(formatPlan), name))
			if err != nil {
				t.Fatal(err)
			}
			plan := filepath.Join(t.TempDir(), "change.yaml")
			path, err := Write(context.Background(), plan, a)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(path) != name {
				t.Errorf("written to %s, want %s", filepath.Base(path), name)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("written:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestFormatRead: the approval files changegate has written read back
// verified, with the digests they were signed for (an approval without
// an inventory, and every version 1 one, has Inventory "").
func TestFormatRead(t *testing.T) {
	s := formatSigner(t)
	signers, err := sshsig.ParseAllowedSigners("allowed_signers", fmt.Appendf(nil, "jane@example.net,bob@example.net,ann@example.net,carol@example.net %s", ssh.MarshalAuthorizedKey(s.PublicKey())))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(context.Background(), formatPlan, signers, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := formatApprovals(t)
	if len(got) != len(want) {
		t.Fatalf("Load read %d approvals, want %d", len(got), len(want))
	}
	for _, c := range got {
		w := want[filepath.Base(c.File)]
		if w == nil || c.Invalid || !c.Verified || c.Approval == nil {
			t.Errorf("%s: invalid %v, verified %v (%s)", c.File, c.Invalid, c.Verified, c.Why)
			continue
		}
		a := c.Approval
		if a.Version != w.Version || a.Approver != w.Approver || !a.Time.Equal(w.Time) || a.Comment != w.Comment || a.Digests != w.Digests {
			t.Errorf("%s: read %+v, want %+v", c.File, a, w)
		}
	}
}
