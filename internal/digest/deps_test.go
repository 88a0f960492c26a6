package digest

import (
	"os/exec"
	"strings"
	"testing"
)

// deps returns the packages of this module that pkg depends on.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	var mod []string
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/changegate/changegate/") && p != pkg {
			mod = append(mod, p)
		}
	}
	return mod
}

// TestDeps: digest is a low package that everything may import: it
// imports nothing of the project.
func TestDeps(t *testing.T) {
	if d := deps(t, "github.com/changegate/changegate/internal/digest"); len(d) != 0 {
		t.Errorf("internal/digest depends on %v; it imports nothing of the project", d)
	}
}
