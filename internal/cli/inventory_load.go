package cli

import (
	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
)

// inventoryFlags are --inventory and --inventory-format of the verbs that
// check a plan (check, approve, approvals, review, plan digest, apply): the
// inventory the plan runs with, whose digest is bound with the others.
type inventoryFlags struct{ path, format string }

func (f *inventoryFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.path, "inventory", "", "inventory file the plan runs with (default: the plan's inventory:, else inventory.file of the configuration)")
	cmd.Flags().StringVar(&f.format, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
}

// file is the inventory the flags name; a zero Path when they name none.
func (f inventoryFlags) file() devices.InventoryFile {
	return devices.InventoryFile{Path: f.path, Format: f.format}
}

// loadInventory reads the inventory of a verb: flagPath in flagFormat
// when flagPath is given, else the configured one (inventory.file and
// inventory.format). Warnings are printed; errors come back as
// diagnostics with positions, which Run prints.
func (a *app) loadInventory(cmd *cobra.Command, flagPath, flagFormat string) (*devices.Inventory, error) {
	cfg, err := a.config(cmd, nil)
	if err != nil {
		return nil, err
	}
	return a.loader(cfg).Inventory(cmd.Context(), devices.InventoryFile{Path: flagPath, Format: flagFormat})
}
