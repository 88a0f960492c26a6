package fakedev

import (
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/platform"
)

// TestPersonalitiesRegistered: every personality is a registered
// platform's, and every platform whose configuration method is said to
// be tested against the fake device has a personality.
func TestPersonalitiesRegistered(t *testing.T) {
	have := map[string]bool{}
	for _, name := range PlatformNames() {
		have[name] = true
		if !platform.Builtin().Known(name) {
			t.Errorf("personality %s is no registered platform's", name)
		}
	}
	for _, p := range platform.Builtin().All() {
		if strings.Contains(p.Config.Tested, "fake device") && !have[p.Name] {
			t.Errorf("%s is said to be tested against the fake device (%q), which has no personality for it", p.Name, p.Config.Tested)
		}
	}
}
