package session

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/platform"
)

// TestOwnDefinitions: every platform whose record says changegate ships
// its scrapligo definition has one in platforms/, and every definition
// there is a registered platform's, so that neither can be added alone.
func TestOwnDefinitions(t *testing.T) {
	files, err := fs.Glob(platformFiles, "platforms/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	shipped := map[string]bool{}
	for _, f := range files {
		shipped[strings.TrimSuffix(strings.TrimPrefix(f, "platforms/"), ".yaml")] = true
	}
	for _, p := range platform.Builtin().All() {
		if p.Custom != shipped[p.Name] {
			t.Errorf("%s: custom %v, but a definition in platforms/ %v", p.Name, p.Custom, shipped[p.Name])
		}
		delete(shipped, p.Name)
	}
	for name := range shipped {
		t.Errorf("platforms/%s.yaml is no registered platform's definition (add its record to internal/platform)", name)
	}
}
