package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) dryrunCommand() *cobra.Command {
	var topoFile, format, writeState string
	cmd := &cobra.Command{
		Use:   "dryrun [PLAN] [--topology FILE]",
		Short: "Simulate a plan step by step: loads, N-1 and rollback of every state",
		Long: `Simulate a plan step by step against the network model: the baseline and the
state after every step, each with the load and utilisation of every link
direction, traffic that cannot be delivered, partitions, the traffic the step
moves, and its N-1 analysis (every single link, node and shared-risk-group
failure on top of that state); then the rollback path.

Without a plan, analyse the network as it is: the baseline and its N-1
("are we safe today?").

The topology comes from --topology, or else from the plan's "topology" field.

--write-state FILE writes the model of the network after the last step: the
topology file with the values the plan changes (metrics per direction, link
states, capacities, drains) edited in place, its comments and layout kept,
as apply writes it after an applied run (docs/apply.md).

Exit codes: 0 the dry-run ran (whatever it found), 1 bad input or an error.

PLAN - reads the plan from standard input; the files it names are then
relative to the working directory (docs/plans.md).`,
		Example: `  changegate dryrun examples/outage-plan.yaml
  changegate dryrun examples/safe-plan.yaml --format json
  changegate dryrun --topology examples/april-2011.yaml
  changegate dryrun examples/lab/cost-out.yaml --write-state /tmp/after.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				a.plan = args[0]
				if err := a.readStdinPlan(cmd.Context(), args[0]); err != nil {
					return err
				}
			}
			cfg, err := a.config(cmd, map[string]string{"threshold": "dryrun.threshold", "n1": "dryrun.n1", "top-movers": "dryrun.top_movers"})
			if err != nil {
				return err
			}
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			planFile := ""
			if len(args) == 1 {
				planFile = args[0]
			}
			if writeState != "" && planFile == "" {
				return errors.New("--write-state writes the state after a plan's last step: give a plan")
			}
			plan, net, err := a.loader(cfg).Inputs(cmd.Context(), planFile, topoFile)
			if err != nil {
				return err
			}
			opts := dryrun.Options{SkipN1: !cfg.DryRun.N1, TopMovers: cfg.DryRun.TopMovers}
			opts.Progress = a.progress()
			res, ds, err := dryrun.Run(cmd.Context(), net, plan, opts)
			a.endProgress(opts.Progress)
			if err != nil {
				return err
			}
			if ds.HasErrors() {
				return diagErr(ds)
			}
			a.printDiags(ds)
			if writeState != "" {
				m, err := operation.WriteState(cmd.Context(), plan, net, opts.Platforms, writeState)
				if err != nil {
					return err
				}
				if m.Note != "" {
					fmt.Fprintf(a.stderr, "changegate: %s\n", m.Note)
				}
				fmt.Fprintf(a.stderr, "changegate: wrote the state after the last step (%s) to %s\n", m.Digest, m.Path)
			}
			switch f {
			case finding.JSON:
				return report.WriteJSON(a.stdout, res)
			default:
				return report.DryRunText(a.stdout, res, report.DryRunOptions{Threshold: cfg.DryRun.Threshold})
			}
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&writeState, "write-state", "", "write the model of the network after the last step to FILE (the topology file with the values the plan changes)")
	cmd.Flags().Float64("threshold", 0.8, "highlight links above this utilisation (0.8 = 80%)")
	cmd.Flags().Bool("n1", true, "run the N-1 analysis of every state (--n1=false to skip)")
	cmd.Flags().Int("top-movers", 5, "how many moved links to list per step")
	return cmd
}
