package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) policyListCommand() *cobra.Command {
	var dirs []string
	cmd := &cobra.Command{
		Use:   "list [--policy DIR ...]",
		Short: "List the policies check evaluates, with the policy digest",
		Long: `List the policy packages changegate check evaluates: the built-in ones and
yours (--policy DIR, or policy.dirs in the configuration), minus those the
configuration disables; then the disabled policies, the parameters the
configuration sets to other than their defaults, and the digest of the
policy set, which approvals bind to.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			eng, err := a.loader(cfg).Policies(cmd.Context(), dirs)
			if err != nil {
				return configErr(cfg, err)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "POLICY\tFILE\tTITLE")
			for _, p := range eng.Packages() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, p.File, p.Title)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			set := eng.Set()
			for _, d := range set.Disabled {
				fmt.Fprintf(a.stdout, "disabled by configuration: %s\n", d)
			}
			for _, p := range set.Params {
				fmt.Fprintf(a.stdout, "parameter set by configuration: %s\n", p)
			}
			_, err = fmt.Fprintf(a.stdout, "policy digest: %s\n", eng.Digest())
			return err
		},
	}
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory (or .rego file) of your policies; repeat for more")
	return cmd
}
