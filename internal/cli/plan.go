package cli

import "github.com/spf13/cobra"

func (a *app) planCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Work with change plans",
	}
	cmd.AddCommand(a.planDigestCommand())
	return cmd
}
