package cli

import "github.com/spf13/cobra"

func (a *app) inventoryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inventory",
		Short: "Show and check the device inventory",
		Long: `Show and check the device inventory (docs/inventory.md): a changegate
inventory, a Nornir SimpleInventory or a containerlab topology, named by
--inventory FILE or inventory.file in changegate.yaml.`,
	}
	cmd.AddCommand(a.inventoryShowCommand(), a.inventoryValidateCommand())
	return cmd
}

// inventoryFormatFlag adds --inventory-format, shared by the inventory verbs.
func inventoryFormatFlag(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVar(format, "inventory-format", "", "how the inventory is written: native, nornir or containerlab (default: by the file's name)")
}
