package approval

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestDeps: approvals are an input of the decision, not a part of it:
// the package depends on nothing of the decision side (the gate turns
// approvals into what the policies see).
func TestDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	pkgs := strings.Fields(string(out))
	for _, p := range []string{"internal/policy", "internal/gate", "internal/dryrun"} {
		if slices.Contains(pkgs, "github.com/changegate/changegate/"+p) {
			t.Errorf("internal/approval depends on %s", p)
		}
	}
}
