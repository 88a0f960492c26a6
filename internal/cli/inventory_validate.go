package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/topology"
)

func (a *app) inventoryValidateCommand() *cobra.Command {
	var invFormat, topoFile string
	cmd := &cobra.Command{
		Use:   "validate [FILE] [--topology TOPO]",
		Short: "Check an inventory, and that its devices are the topology's nodes",
		Long: `Read the inventory (FILE, else inventory.file of changegate.yaml) and report
every problem in it with file:line:column: unknown fields, groups and
platforms, group cycles, secrets written in plain text, devices without a
host or a platform. With --topology, also report every device that is not
a node of the topology.

Warnings (a group no device uses, host keys not verified) are reported
and do not fail. Exit codes: 0 no error, 1 an error or bad input.`,
		Example: `  changegate inventory validate inventory.yaml
  changegate inventory validate inventory.yaml --topology topology.yaml
  changegate inventory validate nornir/ --topology topology.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			var file string
			if len(args) == 1 {
				file = args[0]
			}
			src, err := a.loader(cfg).InventoryFile(devices.InventoryFile{Path: file, Format: invFormat})
			if err != nil {
				return err
			}
			inv, ds, err := src.Load(cmd.Context())
			if err != nil {
				return err
			}
			if topoFile != "" && inv != nil {
				net, tds, err := topology.LoadFile(cmd.Context(), topoFile, cfg.Paths.scope())
				if err != nil {
					return err
				}
				// The topology's own problems are reported with the
				// inventory's; a topology with errors is not checked against.
				ds = append(ds, tds...)
				if !tds.HasErrors() {
					nodes := make(map[string]bool, len(net.Nodes))
					for _, n := range net.Nodes {
						nodes[n.Name] = true
					}
					ds = append(ds, inv.Check(nodes)...)
				}
			}
			if ds.HasErrors() {
				return diagErr(ds)
			}
			a.printDiags(ds)
			fmt.Fprintf(a.stdout, "%s: %s, %s", inv.Name(),
				plural(len(inv.Names()), "device"), plural(len(ds.Warnings()), "warning"))
			if topoFile != "" {
				fmt.Fprintf(a.stdout, "; every device is a node of %s", topoFile)
			}
			fmt.Fprintln(a.stdout)
			return nil
		},
	}
	inventoryFormatFlag(cmd, &invFormat)
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file whose nodes the devices must be")
	return cmd
}

// plural is "1 device", "2 devices".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
