package observe

import (
	"testing"

	"github.com/changegate/changegate/internal/platform"
)

// TestPlatformsRegistered: every platform observe reads is a platform of
// the registry, so that its table cannot name one inventories cannot.
func TestPlatformsRegistered(t *testing.T) {
	if len(Platforms()) == 0 {
		t.Fatal("no platforms")
	}
	for _, p := range Platforms() {
		if !platform.Builtin().Known(p) {
			t.Errorf("observe reads %s, which is no registered platform (known: %v)", p, platform.Builtin().Names())
		}
	}
}
