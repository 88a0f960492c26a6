package devices

import (
	"path/filepath"
	"testing"
)

func TestGoldenInventory(t *testing.T) {
	inv, ds, err := Load(filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "inventory", render(inv, ds))
}
