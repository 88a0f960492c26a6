package cli

import "github.com/spf13/cobra"

func (a *app) policyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Work with policies: list them, run their tests",
	}
	cmd.AddCommand(a.policyListCommand(), a.policyTestCommand())
	return cmd
}
