package journal

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/durable"
)

func TestAudit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	for _, ev := range []string{"start", "end"} {
		if err := Audit(dir, AuditEntry{Event: ev, Verb: "device run --allow-write", Devices: []string{"p1"}, Command: "clear ip ospf process"}); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, AuditFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), data)
	}
	for i, l := range lines {
		var e AuditEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		if e.Event != []string{"start", "end"}[i] || e.Time == "" || e.User == "" || e.Command != "clear ip ospf process" {
			t.Errorf("line %d: %+v", i+1, e)
		}
	}
}

// A symbolic link in place of the audit log is refused, its target
// untouched.
func TestAuditRefusesLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, AuditFile)); err != nil {
		t.Fatal(err)
	}
	err := Audit(dir, AuditEntry{Event: "start"})
	if !errors.Is(err, durable.ErrNotRegular) {
		t.Fatalf("error %v, want ErrNotRegular", err)
	}
	if b, _ := os.ReadFile(target); len(b) != 0 {
		t.Errorf("the target was written: %s", b)
	}
}
