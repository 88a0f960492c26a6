package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/journal"
)

// device run sends only read-only commands unless --allow-write is
// given, and records those in the state directory's audit log.
func TestDeviceRunReadOnly(t *testing.T) {
	dir := fakeNetwork(t, 2, map[string]string{"show version": "FRRouting 8.4.4 (NAME)", "show version | include FRR": "FRRouting 8.4.4 (NAME)"})
	inv := filepath.Join(dir, "inventory.yaml")
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	log := filepath.Join(state, "changegate", journal.AuditFile)

	tests := []struct {
		name    string
		args    []string
		code    int
		stderr  string // part of it
		audited bool
	}{
		{"show runs", []string{"r0", "show version"}, 0, "", false},
		{"a filter runs", []string{"r0", "show version | include FRR"}, 0, "", false},
		{"configure is refused", []string{"r0", "configure terminal"}, 1,
			`device r0: "configure terminal" is not read-only: it does not start with a read-only prefix; read-only commands on frr_vtysh start with "show". Nothing was sent; to send it anyway, add --allow-write`, false},
		{"an abbreviation is refused", []string{"r0,r1", "sh version"}, 1, `"sh version" is not read-only`, false},
		{"a writing pipe is refused", []string{"r1", "show running-config | redirect x"}, 1, `"| redirect", which is not a read-only filter`, false},
		{"a separator is refused", []string{"r0", "show version; clear ip ospf process"}, 1, `has ';' (a separator`, false},
		{"--allow-write sends it and records it", []string{"r0,r1", "clear ip ospf process", "--allow-write"}, 1, "2 of 2 devices failed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(log)
			out, errs, code := run(t, append([]string{"device", "run", "--inventory", inv}, tt.args...)...)
			if code != tt.code || !strings.Contains(errs, tt.stderr) {
				t.Errorf("exit %d, want %d; stderr %q, want it to hold %q\nstdout %s", code, tt.code, errs, tt.stderr, out)
			}
			data, err := os.ReadFile(log)
			if !tt.audited {
				if err == nil {
					t.Errorf("audit log written:\n%s", data)
				}
				if code != 0 && out != "" {
					t.Errorf("something was sent: %s", out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			if len(lines) != 2 {
				t.Fatalf("audit log has %d lines, want start and end:\n%s", len(lines), data)
			}
			for i, want := range []string{"start", "end"} {
				var e journal.AuditEntry
				if err := json.Unmarshal([]byte(lines[i]), &e); err != nil {
					t.Fatal(err)
				}
				if e.Event != want || e.Command != "clear ip ospf process" || strings.Join(e.Devices, ",") != "r0,r1" || e.Time == "" {
					t.Errorf("line %d: %+v", i+1, e)
				}
				if want == "end" && len(e.Failed) != 2 {
					t.Errorf("end: failed %v, want r0 and r1 (the fake knows no clear)", e.Failed)
				}
			}
		})
	}
}

// The audit log holds no secret a command carries.
func TestDeviceRunAuditRedacts(t *testing.T) {
	dir := fakeNetwork(t, 1, nil)
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	run(t, "device", "run", "--inventory", filepath.Join(dir, "inventory.yaml"), "r0", "username admin secret 5 hunter22", "--allow-write")
	data := readFile(t, filepath.Join(state, "changegate", journal.AuditFile))
	if strings.Contains(data, "hunter22") || !strings.Contains(data, `secret 5 \u003credacted\u003e`) {
		t.Errorf("audit log:\n%s", data)
	}
}
