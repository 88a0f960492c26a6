package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/buildinfo"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/internal/report"
)

// ExitDenied is the exit code of a check whose plan a policy denied.
const ExitDenied = 2

// errDenied makes Run exit with ExitDenied after the verdict is printed.
var errDenied = errors.New("denied")

func (a *app) checkCommand() *cobra.Command {
	var topoFile, format string
	var dirs, reportFlags []string
	var timings, live bool
	var invFlags inventoryFlags
	cmd := &cobra.Command{
		Use:   "check PLAN [--topology FILE] [--policy DIR ...]",
		Short: "Dry-run a plan and judge it with the policies: allowed or denied",
		Long: `Dry-run the plan step by step (with the N-1 analysis of every state) and
evaluate the policies over the result: the built-in library (policies/ in the
repository, embedded in the binary) and yours (--policy DIR, or policy.dirs in
the configuration). Every denial and warning names the policy rule
(file:line), the step, the link or device and the numbers.

The verdict is bound to the digests of the plan, its topology, its traffic,
the policy set and the inventory the plan runs with (--inventory, else the
plan's inventory:, else inventory.file of the configuration; none when
none of them names one), as approvals are.

--live reads the network of that inventory from its routers, as topology
discover does, and compares it with the topology first: the policies see
every difference (input.drift), and the built-in drift policy denies one
that changes forwarding (docs/discovery.md).

The N-1 analysis always runs here: policies depend on it, so no setting
turns it off. Policies are turned off or tuned only in the configuration file
(policy.disable, policy.params), where the policy digest records it.

Formats: text (default), json, junit, sarif, github (workflow commands that
annotate the plan lines of a pull request). --report FORMAT=FILE writes the
same verdict in another format to a file as well, so that CI checks a plan
once for all the formats it needs (docs/ci.md).

Exit codes: 0 allowed (warnings allowed), 2 denied, 1 bad input or an error.
A policy that fails to evaluate denies the change (fail closed).

PLAN - reads the plan from standard input; the files it names are then
relative to the working directory (docs/plans.md).`,
		Example: `  changegate check examples/safe-plan.yaml
  changegate check examples/outage-plan.yaml --format github
  changegate check plan.yaml --policy ./policies-local --format sarif > check.sarif`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.plan = args[0]
			if err := a.readStdinPlan(cmd.Context(), args[0]); err != nil {
				return err
			}
			cfg, err := a.config(cmd, map[string]string{"top-movers": "dryrun.top_movers"})
			if err != nil {
				return err
			}
			f, err := finding.ParseFormat(format)
			if err != nil {
				return err
			}
			reports, err := parseReports(reportFlags)
			if err != nil {
				return err
			}
			progress := a.progress()
			req := operation.CheckRequest{Plan: args[0], Topology: topoFile, Inventory: invFlags.file(), PolicyDirs: dirs, TopMovers: cfg.DryRun.TopMovers, Progress: progress}
			if live {
				req.Live = a.discovery(cfg)
			}
			c, err := a.check(cmd, cfg, req)
			a.endProgress(progress)
			if err != nil {
				return err
			}
			v, eng := c.Verdict, c.Engine
			if timings {
				fmt.Fprintf(a.stderr, "timings: dry-run %v, policy input %v, policy evaluation %v\n",
					v.DryRunTime, v.InputTime, v.EvalTime)
			}
			pkgs := eng.Packages()
			render := func(w io.Writer, f finding.Format) error {
				switch f {
				case finding.Text:
					return report.CheckText(w, v, pkgs, cfg.Policy.Disable)
				case finding.JSON:
					return report.WriteJSON(w, report.CheckDocument(v, pkgs))
				default:
					return finding.Write(w, f, report.CheckFindings(v, pkgs, buildinfo.Read().Version))
				}
			}
			if err := render(a.stdout, f); err != nil {
				return err
			}
			if err := writeReports(reports, render); err != nil {
				return err
			}
			if !v.Allowed() {
				return errDenied
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, junit, sarif or github")
	cmd.Flags().StringArrayVar(&reportFlags, "report", nil, reportFlagUsage)
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory (or .rego file) of your policies, beside the built-in ones; repeat for more")
	cmd.Flags().Int("top-movers", 5, "how many moved links to give policies per step")
	invFlags.register(cmd)
	cmd.Flags().BoolVar(&live, "live", false, "read the network of the inventory and compare it with the topology first (the drift policy)")
	cmd.Flags().BoolVar(&timings, "timings", false, "print how long the dry-run and the policy evaluation took (to stderr)")
	return cmd
}
