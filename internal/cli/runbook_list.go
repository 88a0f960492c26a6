package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) runbookListCommand() *cobra.Command {
	var dirs []string
	cmd := &cobra.Command{
		Use:   "list [--runbooks DIR ...]",
		Short: "List the runbooks: built-in ones and yours",
		Long: `List the runbooks: the built-in ones and those of your directories
(--runbooks DIR, or runbook.dirs in the configuration), with their
title, platforms and where each comes from.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := a.loadRunbooks(cmd, dirs)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUNBOOK\tSOURCE\tPLATFORMS\tTITLE")
			for _, r := range lib.All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Source, strings.Join(r.Platforms, ","), r.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringArrayVar(&dirs, "runbooks", nil, "a directory of your runbooks; repeat for more")
	return cmd
}
