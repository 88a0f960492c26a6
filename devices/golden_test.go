package devices

import (
	"context"
	"path/filepath"
	"testing"
)

func TestGoldenInventory(t *testing.T) {
	inv, ds, err := Load(context.Background(), filepath.Join("testdata", "inventory.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "inventory", render(inv, ds))
}
