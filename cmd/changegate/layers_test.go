package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// layers is docs/architecture.md's drawing: every package of the module
// and its layer, lowest first. A package may import packages of its own
// layer or lower ones, never a higher one.
var layers = [][]string{
	{"diag", "userfile", "internal/regocap", "internal/digest", "internal/sshkey", "internal/textfsm", "internal/buildinfo"},
	{"plans", "runbooks", "internal/runbook", "internal/topology", "internal/importer", "devices", "devices/session", "internal/platform"},
	{"internal/dryrun", "internal/devconfig", "internal/sim", "internal/traffic"},
	{"internal/policy", "policies"},
	{"internal/apply", "internal/journal", "internal/lock", "internal/durable", "internal/observe", "internal/health", "internal/discover"},
	{"internal/gate", "internal/approval", "internal/sshsig", "internal/input", "internal/validate", "internal/report", "internal/finding"},
	{"internal/operation"},
	{"internal/cli", "cmd/changegate"},
}

// Test support: imported by tests and by the lab's command, never by
// the product.
var testSupport = []string{"internal/fakedev", "internal/golden", "internal/lab", "internal/lab/zoo", "cmd/cglab", "internal/testscale"}

func TestLayers(t *testing.T) {
	const module = "github.com/changegate/changegate/"
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	layer := map[string]int{}
	for i, ps := range layers {
		for _, p := range ps {
			layer[p] = i
		}
	}
	support := map[string]bool{}
	for _, p := range testSupport {
		support[p] = true
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := map[string]bool{}
	for {
		var pkg struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&pkg); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(pkg.ImportPath, module)
		seen[name] = true
		if support[name] {
			continue
		}
		own, ok := layer[name]
		if !ok {
			t.Errorf("%s has no layer: add it to layers here and to docs/architecture.md", name)
			continue
		}
		for _, imp := range pkg.Imports {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if support[dep] {
				t.Errorf("%s imports %s, which is test support", name, dep)
				continue
			}
			if l, ok := layer[dep]; ok && l > own {
				t.Errorf("%s (layer %d) imports %s (layer %d): nothing points upward (docs/architecture.md)", name, own, dep, l)
			}
		}
	}
	// Every package drawn exists: a layer list that names none of the
	// module (a wrong pattern, an empty listing) checks nothing.
	for p := range layer {
		if !seen[p] {
			t.Errorf("%s is in layers but not in the module: remove it here and from docs/architecture.md", p)
		}
	}
}
