package health

import (
	"testing"

	"github.com/changegate/changegate/internal/platform"
)

// TestPlatformsRegistered: the device platforms the built-in checks have
// commands for are platforms of the registry. PlatformLinux is a Linux
// shell, which no inventory names.
func TestPlatformsRegistered(t *testing.T) {
	for _, p := range []string{PlatformFRR} {
		if !platform.Builtin().Known(p) {
			t.Errorf("the built-in checks have commands for %s, which is no registered platform", p)
		}
	}
}
