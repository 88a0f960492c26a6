package devices

import (
	"path/filepath"
	"testing"

	"github.com/changegate/changegate/diag"

	"github.com/changegate/changegate/internal/golden"
)

// render writes a load's result in a stable text form: the diagnostics,
// then the inventory as JSON, or nothing when it is nil.
func render(inv *Inventory, ds diag.Diagnostics) []byte {
	return golden.Render(ds, "inventory", inv)
}

// checkGolden compares got with testdata/<name>.golden, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}
