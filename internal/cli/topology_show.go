package cli

import (
	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/report"
	"github.com/changegate/changegate/internal/topology"
)

func (a *app) topologyShowCommand() *cobra.Command {
	var format string
	var maxDemands int
	cmd := &cobra.Command{
		Use:   "show FILE",
		Short: "Validate a topology file and print the normalised model",
		Long: `Validate a topology file (every problem is reported with file:line:column)
and print the normalised model: link ids filled in, rates in bps, metrics per
direction, demands from lists, matrices and demand files combined.

The JSON form is documented in docs/topology.md and stable.`,
		Example: `  changegate topology show examples/april-2011.yaml
  changegate topology show examples/april-2011.yaml --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			net, ds, err := topology.LoadFile(cmd.Context(), args[0], cfg.Paths.scope())
			if err != nil {
				return err
			}
			if ds.HasErrors() {
				return diagErr(ds)
			}
			a.printDiags(ds)
			if f == finding.JSON {
				return report.WriteJSON(a.stdout, net)
			}
			return report.TopologyText(a.stdout, net, maxDemands)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&maxDemands, "max-demands", 50, "text format: list at most this many demands (-1 for all)")
	return cmd
}
