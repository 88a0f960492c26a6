package plans

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/userfile"
)

// The files a plan names resolve against its directory, inside its
// repository; one outside is a *FileError at the line that names it.
func TestNamedFiles(t *testing.T) {
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "topo.yaml"), []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "title: t\ntopology: topo.yaml\ntraffic: ../../outside.csv\nsteps:\n  - name: s\n    effects:\n      - {type: link_down, link: x}\n"
	p, ds := Parse(filepath.Join(repo, "plan.yaml"), []byte(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if got, err := p.TopologyFile(userfile.Scope{}); err != nil || got != filepath.Join(repo, "topo.yaml") {
		t.Errorf("TopologyFile = %q, %v", got, err)
	}
	if got, err := p.InventoryFile(userfile.Scope{}); err != nil || got != "" {
		t.Errorf("InventoryFile of a plan naming none = %q, %v", got, err)
	}
	_, err := p.TrafficFile(userfile.Scope{})
	var fe *FileError
	if !errors.As(err, &fe) || fe.What != "traffic" || fe.Pos.Line != 3 || !strings.HasPrefix(err.Error(), filepath.Join(repo, "plan.yaml")+":3:") {
		t.Fatalf("TrafficFile outside the repository: %v", err)
	}
	if errors.Unwrap(err) == nil || strings.Contains(errors.Unwrap(err).Error(), "plan.yaml:3") {
		t.Errorf("the wrapped error is the scope's own, without the position: %v", errors.Unwrap(err))
	}
}
