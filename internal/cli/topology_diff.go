package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/discover"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/internal/report"
	"github.com/changegate/changegate/internal/topology"
)

// ExitDifferent is the exit code of `topology diff` when the two differ.
const ExitDifferent = 2

// errDifferent makes Run exit with ExitDifferent after the differences
// are printed.
var errDifferent = errors.New("the topologies differ")

func (a *app) topologyDiffCommand() *cobra.Command {
	var inv inventoryFlags
	var format, overlay string
	var live bool
	var settle, timeout time.Duration
	cmd := &cobra.Command{
		Use:   "diff MODEL (OTHER | --live --inventory FILE)",
		Short: "List how the network (or another topology file) differs from a model",
		Long: `Compare a model with the network it describes (--live: read from the
inventory's routers as topology discover reads it) or with another topology
file, and list every difference in what the routers show: a node or link
missing or extra, the metric of each direction, a link's state, a node's
drain, a loopback, capacity, interface names. Names, roles, sites, classes,
SRLGs and demands are not compared.

Links between the same two nodes are matched by their interface names, else
in order, so the two may name links differently. A link that is down on
the side that has it and absent from the other is no difference.

--overlay FILE applies an overlay to what is read (with --live): its
capacities replace the interfaces' speeds.

Exit codes: 0 equal; 2 different; 1 error. See docs/discovery.md.`,
		Example: `  changegate topology diff topology.yaml --live --inventory inventory.yaml
  changegate topology diff topology.yaml discovered.yaml --format json`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			if live == (len(args) == 2) {
				return errors.New("compare the model with one thing: another topology file, or --live (the network of --inventory)")
			}
			if !live && (inv.path != "" || overlay != "") {
				return errors.New("--inventory and --overlay go with --live")
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			model, ds, err := topology.LoadFile(cmd.Context(), args[0], cfg.Paths.scope())
			if err != nil {
				return err
			}
			if ds.HasErrors() {
				return diagErr(ds)
			}
			a.printDiags(ds)
			var diffs []topology.Difference
			otherName := "the network"
			if live {
				devs, err := a.loadInventory(cmd, inv.path, inv.format)
				if err != nil {
					return err
				}
				ctx, cancel := withTimeout(cmd.Context(), timeout)
				defer cancel()
				drift, err := a.discovery(cfg).Drift(ctx, model, operation.DiscoverRequest{
					Inventory: devs, Overlay: overlay, Options: discover.Options{Settle: settle},
				})
				if err != nil {
					return err
				}
				for _, w := range drift.Warnings {
					fmt.Fprintf(a.stderr, "changegate: warning: %s\n", w)
				}
				diffs = drift.Differences
			} else {
				other, ds, err := topology.LoadFile(cmd.Context(), args[1], cfg.Paths.scope())
				if err != nil {
					return err
				}
				if ds.HasErrors() {
					return diagErr(ds)
				}
				a.printDiags(ds)
				diffs, otherName = topology.Diff(model, other), args[1]
			}
			if f == finding.JSON {
				err = report.WriteJSON(a.stdout, report.DriftDocument(args[0], otherName, diffs))
			} else {
				err = report.DriftText(a.stdout, args[0], otherName, diffs)
			}
			if err != nil {
				return err
			}
			if len(diffs) > 0 {
				return errDifferent
			}
			return nil
		},
	}
	inv.register(cmd)
	cmd.Flags().BoolVar(&live, "live", false, "compare with the network, read from the routers of --inventory")
	cmd.Flags().StringVar(&overlay, "overlay", "", "with --live: an overlay applied to what is read (capacities)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().DurationVar(&settle, "settle", 15*time.Second, "with --live: keep reading this long while the routers' databases differ")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "with --live: give up after this long (0: no limit)")
	return cmd
}
