package validate

import (
	"fmt"
	"time"

	"github.com/changegate/changegate/internal/finding"
)

// checkInventory checks the inventory in: it loads, and every problem of
// its files becomes a finding of one case. files holds the absolute paths
// of the files it was read from, which are not reported as skipped. The
// error is for an inventory that cannot be read.
func checkInventory(in *Inventory) (c finding.Case, files map[string]bool, err error) {
	start := time.Now()
	c = finding.Case{Suite: "inventories", Name: in.Path, File: in.Path}
	inv, ds, err := in.Load()
	if err != nil {
		return c, nil, fmt.Errorf("inventory (inventory.file of the configuration): %w", err)
	}
	files = map[string]bool{absPath(in.Path): true}
	if inv != nil {
		for _, f := range inv.Files {
			files[absPath(f)] = true
		}
	}
	for _, d := range ds {
		if d.Pos.File != "" {
			files[absPath(d.Pos.File)] = true
		}
	}
	addDiags(&c, ds, RuleInventory, pos{1, 1})
	c.Time = time.Since(start)
	return c, files, nil
}
