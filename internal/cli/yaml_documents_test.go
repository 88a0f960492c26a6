package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOneYAMLDocumentPerFile: every YAML file changegate reads refuses a
// second document, which it would otherwise ignore, at the --- that
// starts it, through every command that reads it.
func TestOneYAMLDocumentPerFile(t *testing.T) {
	const second = "---\nsomething: else\n"
	runbook, err := os.ReadFile("../../runbooks/interface-state.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo := "nodes: [{name: p1}, {name: p2}]\nlinks:\n  - {a: p1, b: p2, capacity: 10G, metric: 10}\n"
	plan := "title: t\ntopology: topo.yaml\nsteps:\n  - {name: s, effects: [{type: drain, node: p1}]}\n"
	clab := readFile(t, "testdata/inventory/lab.clab.yml")
	nornir := func(hosts, groups, defaults string) map[string]string {
		return map[string]string{"nornir/hosts.yaml": hosts, "nornir/groups.yaml": groups, "nornir/defaults.yaml": defaults}
	}
	hosts := "p1:\n  hostname: 10.0.0.1\n  groups: [frr]\n"
	groups := "frr:\n  platform: frr\n"
	defaults := "username: automation\n"
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		at    string // where the error must point
	}{
		{"plan (validate)", map[string]string{"topo.yaml": topo, "plan.yaml": plan + second}, []string{"validate", "plan.yaml"}, "plan.yaml:5:1"},
		{"plan (check)", map[string]string{"topo.yaml": topo, "plan.yaml": plan + second}, []string{"check", "plan.yaml"}, "plan.yaml:5:1"},
		{"topology", map[string]string{"topo.yaml": topo + second}, []string{"validate", "topo.yaml"}, "topo.yaml:4:1"},
		{"topology (dryrun)", map[string]string{"topo.yaml": topo + second, "plan.yaml": plan}, []string{"dryrun", "plan.yaml"}, "topo.yaml:4:1"},
		{"runbook", map[string]string{"rb.yaml": string(runbook) + second}, []string{"validate", "rb.yaml"}, "rb.yaml:" + lineAfter(string(runbook)) + ":1"},
		{"inventory", map[string]string{"inv.yaml": "devices:\n  p1: {host: 10.0.0.1, platform: frr_vtysh}\n" + second}, []string{"inventory", "validate", "inv.yaml"}, "inv.yaml:3:1"},
		{"Nornir hosts", nornir(hosts+second, groups, defaults), []string{"inventory", "validate", "nornir"}, "hosts.yaml:4:1"},
		{"Nornir groups", nornir(hosts, groups+second, defaults), []string{"inventory", "validate", "nornir"}, "groups.yaml:3:1"},
		{"Nornir defaults", nornir(hosts, groups, defaults+second), []string{"inventory", "validate", "nornir"}, "defaults.yaml:2:1"},
		{"containerlab inventory", map[string]string{"lab.clab.yml": clab + second}, []string{"inventory", "validate", "lab.clab.yml"}, "lab.clab.yml:" + lineAfter(clab) + ":1"},
		{"containerlab import", map[string]string{"lab.clab.yml": clab + second}, []string{"topology", "import", "--from", "containerlab", "lab.clab.yml", "--default-capacity", "10G"}, "lab.clab.yml:" + lineAfter(clab) + ":1"},
		{"changegate.yaml", map[string]string{"changegate.yaml": "dryrun:\n  threshold: 0.5\n" + second}, []string{"runbook", "list"}, "changegate.yaml:3:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolate(t)
			dir := t.TempDir()
			t.Chdir(dir)
			for name, content := range tt.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, dir, name, content)
			}
			out, errs, code := run(t, tt.args...)
			want := tt.at + ": "
			got := out + errs
			if code != ExitError || !strings.Contains(got, want) || !strings.Contains(got, "a second YAML document starts here: one document per file") {
				t.Errorf("exit %d, want an error at %s\nstdout:\n%s\nstderr:\n%s", code, tt.at, out, errs)
			}
		})
	}
}

// lineAfter is the number of the line after the text s (which ends in a
// line break).
func lineAfter(s string) string {
	return strconv.Itoa(strings.Count(s, "\n") + 1)
}
