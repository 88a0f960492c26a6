package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) devicePlatformsCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "platforms",
		Short: "List the platforms and what configuring each guarantees",
		Long: `List every platform an inventory may name and what changegate's way of
configuring it guarantees: atomic (all lines or none), confirmed commit
(the device reverts unless confirmed in time), rollback (the device can
return to its previous configuration itself), how configuration is sent,
and what the definition is tested against. Where a guarantee is missing,
rollback is the plan's own rollback commands.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			gs := session.AllGuarantees()
			if f == finding.JSON {
				return report.WriteJSON(a.stdout, struct {
					Platforms []session.Guarantees `json:"platforms"`
				}{gs})
			}
			yn := func(b bool) string {
				if b {
					return "yes"
				}
				return "-"
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PLATFORM\tATOMIC\tCONFIRMED\tROLLBACK\tTESTED\tMETHOD")
			for _, g := range gs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", g.Platform, yn(g.Atomic), yn(g.ConfirmedCommit), yn(g.Rollback), g.Tested, g.Method)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
