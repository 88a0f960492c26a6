package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) planDigestCommand() *cobra.Command {
	var topoFile, format string
	cmd := &cobra.Command{
		Use:   "digest PLAN [--topology FILE]",
		Short: "Print the canonical digests of a plan, its topology and its traffic",
		Long: `Print the canonical digests (sha256) of a plan, of the topology it is
checked against and of that topology's traffic matrix. A digest changes
when anything that matters changes, and never with YAML formatting, key
order, comments or the way rates are written (docs/plans.md, "Digests").
Approvals and the gate use them to prove that what runs is what was checked.`,
		Example: `  changegate plan digest examples/safe-plan.yaml
  changegate plan digest examples/safe-plan.yaml --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format, report.Text, report.JSON)
			if err != nil {
				return err
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			p, net, err := a.loadInputs(args[0], topoFile, cfg.Runbook.Dirs)
			if err != nil {
				return err
			}
			d := dryrun.Digests{Plan: p.Digest(), Topology: net.TopologyDigest(), Traffic: net.TrafficDigest()}
			if f == report.JSON {
				return report.WriteJSON(a.stdout, d)
			}
			_, err = fmt.Fprintf(a.stdout, "plan      %s  %s\ntopology  %s  %s\ntraffic   %s  %s\n", d.Plan, p.File, d.Topology, net.Files[0], d.Traffic, net.Files[0])
			return err
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
