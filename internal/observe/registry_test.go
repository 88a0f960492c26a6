package observe

import (
	"slices"
	"testing"

	"github.com/changegate/changegate/internal/lab"
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

// The lab's SSH offers exactly the shell commands observe reads the
// kernel with on FRR, the lab's platform.
func TestLabOffersKernelCommands(t *testing.T) {
	if got, want := lab.KernelCommands, KernelCommands("frr_vtysh"); !slices.Equal(got, want) {
		t.Errorf("the lab's login script offers %q, observe runs %q", got, want)
	}
}
