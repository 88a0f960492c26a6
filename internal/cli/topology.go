package cli

import "github.com/spf13/cobra"

func (a *app) topologyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "topology",
		Short: "Import, discover, compare, check and show network topologies",
	}
	cmd.AddCommand(a.topologyShowCommand(), a.topologyImportCommand(), a.topologyDiscoverCommand(), a.topologyDiffCommand())
	return cmd
}
