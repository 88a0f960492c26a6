package devconfig

import (
	"slices"
	"testing"

	"github.com/changegate/changegate/internal/platform"
)

// TestDialects: every registered platform whose record names a dialect
// has an interpreter for it, and every interpreter reads the dialect of
// some registered platform, so that a record and its interpreter cannot
// be added one without the other.
func TestDialects(t *testing.T) {
	ensure()
	spoken := map[string]bool{}
	for _, p := range platform.Builtin().All() {
		if p.Dialect == "" {
			if _, ok := For(p.Name); ok {
				t.Errorf("%s has no dialect but an interpreter", p.Name)
			}
			continue
		}
		spoken[p.Dialect] = true
		in, ok := For(p.Name)
		if !ok {
			t.Errorf("%s speaks %s, which no interpreter reads (register one in ensure)", p.Name, p.Dialect)
			continue
		}
		if in.Dialect() != p.Dialect {
			t.Errorf("%s speaks %s, but For gives the interpreter of %s", p.Name, p.Dialect, in.Dialect())
		}
		if !slices.Contains(Platforms(), p.Name) {
			t.Errorf("%s is not in Platforms %v", p.Name, Platforms())
		}
	}
	for d := range registry {
		if !spoken[d] {
			t.Errorf("the interpreter of %s reads no registered platform's dialect", d)
		}
	}
	if _, ok := For("frr"); ok {
		t.Error("For of a dialect's name, not a platform's")
	}
	if _, ok := For("no_such_platform"); ok {
		t.Error("For of an unknown platform")
	}
}
