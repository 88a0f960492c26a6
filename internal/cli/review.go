package cli

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/report"
)

func (a *app) reviewCommand() *cobra.Command {
	var topoFile, format, out string
	var dirs []string
	var invFlags inventoryFlags
	cmd := &cobra.Command{
		Use:   "review PLAN [--format markdown|html] [-o FILE]",
		Short: "Write the review of a plan for approvers: the verdict, one line per step, the details folded",
		Long: `Check the plan as changegate check does and write what approvers need to
read, sized for a pull-request comment: the verdict with the change id and
title, the author, window and risk, the reasons, one line per step (the
worst link before and after, the traffic moved, the N-1 worst case, the
step's results), then each step's details in a folded <details> section
(devices, waves and soak, the N-1 worst case and dropped traffic, every
result with its rule, the effects read from the configuration with their
lines, the configuration and its rollback, the checks, the links it moves
traffic onto with their class), every approval with its time, roles,
comment and whether it counts, and the digests an approval signs. The
same inputs give the same bytes.

Formats: markdown, or html: one self-contained file (no scripts, nothing
fetched) with the same facts as text, a chart per state (named by its
step) of the worst utilisation steady and under the worst single failure
and of the traffic dropped, on a percent scale with the 100% line, and a
picture of the network for each step (node positions from the topology's
coordinates, else a circle; links coloured by utilisation, the links the
step changes dashed).

PLAN - reads the plan from standard input; the files it names are then
relative to the working directory (docs/plans.md).`,
		Example: `  changegate review change.yaml -o review.md
  gh pr comment --body-file review.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "markdown" && format != "html" {
				return fmt.Errorf("--format %q: use markdown or html", format)
			}
			a.plan = args[0]
			if err := a.readStdinPlan(cmd.Context(), args[0]); err != nil {
				return err
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			v, checked, err := a.checkWithApprovals(cmd, cfg, args[0], topoFile, dirs, invFlags)
			if err != nil {
				return err
			}
			var ras []report.ReviewApproval
			for _, c := range checked {
				ra := report.ReviewApproval{Approver: c.File}
				if c.Approval != nil {
					ra.Approver = c.Approval.Approver
					ra.Time, ra.Comment, ra.Denied = c.Approval.Time, c.Approval.Comment, c.Approval.Denied
					ra.Roles = c.Roles
				}
				var why []string
				ra.Status, why = approvalStatus(c, v.Plan, v.Digests)
				ra.Why = strings.Join(why, "; ")
				ras = append(ras, ra)
			}
			var b bytes.Buffer
			write := report.ReviewMarkdown
			if format == "html" {
				write = report.ReviewHTML
			}
			if err := write(&b, v, ras); err != nil {
				return err
			}
			return a.writeOutput(out, b.Bytes(), "")
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology:)")
	invFlags.register(cmd)
	cmd.Flags().StringVar(&format, "format", "markdown", "output format: markdown or html")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory of your own policies (repeatable)")
	return cmd
}
