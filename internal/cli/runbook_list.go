package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/runbook"
)

func (a *app) runbookListCommand() *cobra.Command {
	var dirs []string
	cmd := &cobra.Command{
		Use:   "list [--runbooks DIR ...]",
		Short: "List the runbooks: built-in ones and yours",
		Long: `List the runbooks: the built-in ones and those of your directories
(--runbooks DIR, or runbook.dirs in the configuration), with their
title, platforms, IGPs (those it has OSPF and IS-IS forms for; "any"
when its configuration does not depend on the IGP) and where each
comes from.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib, err := a.loadRunbooks(cmd, dirs)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUNBOOK\tSOURCE\tPLATFORMS\tIGPS\tTITLE")
			for _, r := range lib.All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Name, r.Source, strings.Join(r.Platforms, ","), igpsOf(r), r.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringArrayVar(&dirs, "runbooks", nil, "a directory of your runbooks; repeat for more")
	return cmd
}

// igpsOf lists the IGPs a runbook has forms for, or "any".
func igpsOf(r *runbook.Runbook) string {
	if len(r.IGPs) == 0 {
		return "any"
	}
	return strings.Join(r.IGPs, ",")
}
