package approval

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/sshsig"
)

var approvedAt = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)

func sign(t *testing.T, s ssh.Signer, as string, d digest.Set) *Approval {
	t.Helper()
	a, err := Sign(s, as, "", d, approvedAt)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestWriteNeverReplacesAnotherKey: an approval file is replaced by a new
// approval of the key that signed it, and never by another key's, which
// writes nothing.
func TestWriteNeverReplacesAnotherKey(t *testing.T) {
	plan := filepath.Join(t.TempDir(), "change.yaml")
	bob, alice := signer(t), signer(t)
	path, err := Write(context.Background(), plan, sign(t, bob, "bob@x", digests))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)

	// alice, as bob.
	if err := CheckReplace(context.Background(), plan, "bob@x", alice.PublicKey()); !errors.Is(err, ErrOtherKey) {
		t.Errorf("CheckReplace with another key: %v", err)
	}
	_, err = Write(context.Background(), plan, sign(t, alice, "bob@x", digest.Set{Plan: "sha256:evil"}))
	if !errors.Is(err, ErrOtherKey) || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("Write with another key: %v", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatalf("bob's approval changed:\n%s", after)
	}
	if left, _ := filepath.Glob(filepath.Join(Dir(plan), ".approval-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// bob again, for new digests: replaced.
	if err := CheckReplace(context.Background(), plan, "bob@x", bob.PublicKey()); err != nil {
		t.Errorf("CheckReplace with the same key: %v", err)
	}
	again := digests
	again.Plan = "sha256:a2"
	if _, err := Write(context.Background(), plan, sign(t, bob, "bob@x", again)); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(path); !strings.Contains(string(after), "sha256:a2") {
		t.Errorf("bob's approval not replaced:\n%s", after)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", fi.Mode())
	}

	// Something that is not an approval is not replaced either.
	junk := File(plan, "carol@x")
	os.WriteFile(junk, []byte("{}"), 0o644)
	if _, err := Write(context.Background(), plan, sign(t, alice, "carol@x", digests)); err == nil || !strings.Contains(err.Error(), "does not verify") {
		t.Errorf("over a file that is not an approval: %v", err)
	}
	if data, _ := os.ReadFile(junk); string(data) != "{}" {
		t.Errorf("junk replaced: %s", data)
	}
}

// TestWriteFollowsNoLink: neither a linked approvals directory nor a
// linked approval file is written through; a linked file is not read.
func TestWriteFollowsNoLink(t *testing.T) {
	s := signer(t)
	t.Run("directory", func(t *testing.T) {
		dir, elsewhere := t.TempDir(), t.TempDir()
		plan := filepath.Join(dir, "change.yaml")
		if err := os.Symlink(elsewhere, Dir(plan)); err != nil {
			t.Fatal(err)
		}
		if _, err := Write(context.Background(), plan, sign(t, s, "jane@x", digests)); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Write: %v", err)
		}
		if err := CheckReplace(context.Background(), plan, "jane@x", s.PublicKey()); err == nil {
			t.Error("CheckReplace through a linked directory")
		}
		if entries, _ := os.ReadDir(elsewhere); len(entries) > 0 {
			t.Errorf("written through the link: %v", entries)
		}
	})
	t.Run("file", func(t *testing.T) {
		dir := t.TempDir()
		plan := filepath.Join(dir, "change.yaml")
		target := filepath.Join(dir, "victim")
		os.WriteFile(target, []byte("keep"), 0o644)
		os.Mkdir(Dir(plan), 0o755)
		if err := os.Symlink(target, File(plan, "jane@x")); err != nil {
			t.Fatal(err)
		}
		if _, err := Write(context.Background(), plan, sign(t, s, "jane@x", digests)); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Write: %v", err)
		}
		if data, _ := os.ReadFile(target); string(data) != "keep" {
			t.Errorf("written through the link: %q", data)
		}
		got, err := Load(context.Background(), plan, nil, nil)
		if err != nil || len(got) != 1 || got[0].Verified || !strings.Contains(got[0].Why, "symbolic link") {
			t.Errorf("Load of a linked file: %+v %v", got, err)
		}
	})
}

// TestVersions: version 1 approvals (which did not bind an inventory)
// still verify, as approvals given without an inventory; an unknown
// version does not verify and says why; a version 1 file cannot claim an
// inventory, and a version 2 approval cannot pass for version 1.
func TestVersions(t *testing.T) {
	s := signer(t)
	signers, err := sshsig.ParseAllowedSigners("allowed_signers", fmt.Appendf(nil, "jane@x %s", ssh.MarshalAuthorizedKey(s.PublicKey())))
	if err != nil {
		t.Fatal(err)
	}
	old := digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd"}
	v1 := func(mutate func(a *Approval)) *Approval {
		a := &Approval{Version: 1, Approver: "jane@x", Time: approvedAt, Digests: old, Key: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.PublicKey())))}
		if mutate != nil {
			mutate(a)
		}
		sig, err := sshsig.Sign(s, Namespace, a.Message())
		if err != nil {
			t.Fatal(err)
		}
		a.Signature = string(sig)
		return a
	}
	if m := string(v1(nil).Message()); strings.Contains(m, "inventory") || !strings.HasPrefix(m, "changegate approval v1\n") {
		t.Errorf("version 1 message:\n%s", m)
	}
	if m := string(sign(t, s, "jane@x", old).Message()); !strings.Contains(m, "\npolicy sha256:dd\ninventory none\ncomment \n") {
		t.Errorf("version 2 message without an inventory:\n%s", m)
	}
	claiming := v1(nil)
	claiming.Digests.Inventory = "sha256:ee" // not signed in version 1
	downgraded := sign(t, s, "jane@x", digests)
	downgraded.Version = 1
	downgraded.Digests.Inventory = ""
	tests := []struct {
		name string
		a    *Approval
		why  string
	}{
		{"version 1", v1(nil), ""},
		{"version 1 claiming an inventory", claiming, "approval format version 1 does not bind an inventory"},
		{"version 2 relabelled 1", downgraded, "the signature does not verify"},
		{"version 3", v1(func(a *Approval) { a.Version = 3 }), "approval format version 3, this changegate reads versions 1 to 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := filepath.Join(t.TempDir(), "change.yaml")
			os.Mkdir(Dir(plan), 0o755)
			data, _ := jsonIndent(tt.a)
			os.WriteFile(File(plan, "jane@x"), data, 0o644)
			got, err := Load(context.Background(), plan, signers, nil)
			if err != nil || len(got) != 1 {
				t.Fatalf("Load: %v %v", got, err)
			}
			c := got[0]
			if (tt.why == "") != c.Verified || !strings.Contains(c.Why, tt.why) {
				t.Fatalf("verified %v, why %q; want %q", c.Verified, c.Why, tt.why)
			}
		})
	}
	// A version 1 approval is one given without an inventory.
	plan := filepath.Join(t.TempDir(), "change.yaml")
	os.Mkdir(Dir(plan), 0o755)
	data, _ := jsonIndent(v1(nil))
	os.WriteFile(File(plan, "jane@x"), data, 0o644)
	got, _ := Load(context.Background(), plan, signers, nil)
	if s := stale(got[0].Approval, old); s != "" {
		t.Errorf("version 1 stale without an inventory: %v", s)
	}
	if d := digest.Diff(got[0].Approval.Digests, digests); len(d) != 1 || !d[0].WithoutInventory() {
		t.Errorf("version 1 with an inventory now: %+v, want only the inventory, given without one", d)
	}
}
