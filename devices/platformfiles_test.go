package devices

import (
	"testing"

	"github.com/changegate/changegate/internal/platform"
)

// TestContainerlabKindsLeftToCode: no record claims a containerlab kind
// the importer decides itself: linux (by the image) and the plumbing
// kinds (skipped), which a record would silently take over.
func TestContainerlabKindsLeftToCode(t *testing.T) {
	for _, k := range append([]string{"linux"}, containerlabPlumbing...) {
		if p, ok := platform.Builtin().FromContainerlab(k); ok {
			t.Errorf("platform %s claims containerlab kind %s, which FromContainerlab decides itself", p, k)
		}
	}
}
