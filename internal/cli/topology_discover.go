package cli

import (
	"bytes"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/discover"
	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/internal/topology"
)

func (a *app) topologyDiscoverCommand() *cobra.Command {
	var inv inventoryFlags
	var overlay, out, igp string
	var concurrency int
	var settle, timeout time.Duration
	cmd := &cobra.Command{
		Use:   "discover --inventory FILE [--overlay FILE] [-o FILE]",
		Short: "Read the topology from the routers of an inventory and write it as topology YAML",
		Long: `Connect to every device of the inventory over SSH (checking host keys) and
read the network's topology: the routers (router id as loopback, drained or
not), the links between them with interface names, the IGP metric of each
direction, each link's state, and capacity from the interfaces' speed (or
configured bandwidth). The IGP's link-state database (OSPF, or IS-IS level 2
with --igp isis) is read from every router; while the copies differ (the
area converging) it is read again, for up to --settle.

What the routers do not know (roles, sites, zones, positions, link classes,
SRLGs, capacities that differ from the interface speed, demands) comes from
--overlay FILE, keyed by node name and link id, so that discovering again
never loses it. Link ids are "a-b" (the two node names in order), "a-b#2",
... for parallel links in the order of a's interface addresses.

The topology is written to standard output or -o FILE. Warnings (a link
down, so its metric is not advertised) go to standard error. See
docs/discovery.md.`,
		Example: `  changegate topology discover --inventory /tmp/cg-lab-topology/inventory.yaml -o discovered.yaml
  changegate topology discover --inventory inventory.yaml --overlay overlay.yaml -o topology.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			switch igp {
			case topology.IGPOSPF, topology.IGPISIS:
			default:
				return fmt.Errorf("unknown --igp %q: use ospf or isis", igp)
			}
			devs, err := a.loadInventory(cmd, inv.path, inv.format)
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(cmd.Context(), timeout)
			defer cancel()
			d := a.discovery(cfg)
			got, err := d.Discover(ctx, operation.DiscoverRequest{
				Inventory: devs,
				Overlay:   overlay,
				Options:   discover.Options{IGP: igp, Concurrency: concurrency, Settle: settle},
			})
			if err != nil {
				return err
			}
			for _, w := range got.Warnings {
				fmt.Fprintf(a.stderr, "changegate: warning: %s\n", w)
			}
			var buf bytes.Buffer
			buf.WriteString("# Read from the routers by `changegate topology discover`: discovering\n# again rewrites this file; keep annotations in an overlay (docs/discovery.md).\n")
			if err := topology.Write(&buf, got.Network); err != nil {
				return err
			}
			return a.writeOutput(out, buf.Bytes(), fmt.Sprintf("%d nodes, %d links", len(got.Network.Nodes), len(got.Network.Links)))
		},
	}
	inv.register(cmd)
	cmd.Flags().StringVar(&overlay, "overlay", "", "overlay file: what the routers do not know, keyed by node name and link id")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&igp, "igp", topology.IGPOSPF, "the network's IGP: ospf or isis (level 2)")
	cmd.Flags().IntVar(&concurrency, "concurrency", 16, "devices read at once")
	cmd.Flags().DurationVar(&settle, "settle", 15*time.Second, "keep reading this long while the routers' databases differ")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "give up after this long (0: no limit)")
	return cmd
}

// discovery reads networks with SSH to the devices (asking for
// credentials on the terminal).
func (a *app) discovery(cfg Config) operation.Discovery {
	return operation.Discovery{
		Devices:  operation.SSH{Prompter: terminalPrompter{in: a.stdin, out: a.stderr}},
		Settings: settings(cfg),
	}
}
