package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) planDigestCommand() *cobra.Command {
	var topoFile, format string
	var dirs []string
	var invFlags inventoryFlags
	cmd := &cobra.Command{
		Use:   "digest PLAN [--topology FILE] [--inventory FILE]",
		Short: "Print the canonical digests of a plan, its topology, its traffic, the policy set and the inventory",
		Long: `Print the canonical digests (sha256) of a plan (with its runbook steps
expanded), of the topology it is checked against, of that topology's
traffic matrix, of the policy set changegate check evaluates (the
built-in policies and yours, with their parameters and what is disabled),
and of the inventory the plan runs with (--inventory, else the plan's
inventory:, else inventory.file; "none" when there is none).
A digest changes when anything that matters changes, and never with YAML
formatting, key order, comments or the way rates are written
(docs/plans.md, "Digests"). Approvals and the gate use them to prove that
what runs is what was checked.

PLAN - reads the plan from standard input; the files it names are then
relative to the working directory (docs/plans.md).`,
		Example: `  changegate plan digest examples/safe-plan.yaml
  changegate plan digest examples/safe-plan.yaml --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			a.plan = args[0]
			if err := a.readStdinPlan(cmd.Context(), args[0]); err != nil {
				return err
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			l := a.loader(cfg)
			p, net, err := l.Inputs(cmd.Context(), args[0], topoFile)
			if err != nil {
				return err
			}
			eng, err := l.Policies(cmd.Context(), dirs)
			if err != nil {
				return configErr(cfg, err)
			}
			inv, err := l.PlanInventory(cmd.Context(), p, invFlags.file())
			if err != nil {
				return err
			}
			invDigest := ""
			if inv != nil {
				invDigest = inv.Digest()
			}
			d := digest.Set{Plan: p.Digest(), Topology: net.TopologyDigest(), Traffic: net.TrafficDigest(), Policy: eng.Digest(), Inventory: invDigest}
			if f == finding.JSON {
				return report.WriteJSON(a.stdout, d)
			}
			invLine := "inventory none\n"
			if inv != nil {
				invLine = fmt.Sprintf("inventory %s  %s\n", d.Inventory, strings.Join(inv.Files, ", "))
			}
			_, err = fmt.Fprintf(a.stdout, "plan      %s  %s\ntopology  %s  %s\ntraffic   %s  %s\npolicy    %s  %d policies\n%s",
				d.Plan, p.File, d.Topology, net.Files[0], d.Traffic, net.Files[0], d.Policy, len(eng.Packages()), invLine)
			return err
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology)")
	invFlags.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory (or .rego file) of your policies, as for check; repeat for more")
	return cmd
}
