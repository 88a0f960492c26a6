package cli

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/runbook"
)

func (a *app) runbookShowCommand() *cobra.Command {
	var dirs []string
	cmd := &cobra.Command{
		Use:     "show NAME [--runbooks DIR ...]",
		Short:   "Show a runbook: its parameters, platforms and examples",
		Args:    cobra.ExactArgs(1),
		Example: `  changegate runbook show link-metric`,
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := a.loadRunbooks(cmd, dirs)
			if err != nil {
				return err
			}
			r, err := lib.Get(args[0])
			if err != nil {
				return err
			}
			w := a.stdout
			fmt.Fprintf(w, "%s: %s\n", r.Name, r.Title)
			fmt.Fprintf(w, "source: %s (%s)\n", r.Source, r.File)
			fmt.Fprintf(w, "platforms: %s\n", strings.Join(r.Platforms, ", "))
			if len(r.IGPs) == 0 {
				fmt.Fprintln(w, "igps: any (the configuration does not depend on the IGP)")
			} else {
				fmt.Fprintf(w, "igps: %s (the topology's igp chooses the form)\n", strings.Join(r.IGPs, ", "))
			}
			if r.Description != "" {
				fmt.Fprintf(w, "\n%s\n", r.Description)
			}
			fmt.Fprintln(w, "\nparameters:")
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  NAME\tTYPE\tDEFAULT\tDESCRIPTION")
			for _, p := range r.Params {
				typ := string(p.Type)
				switch {
				case len(p.Values) > 0:
					typ += " (" + strings.Join(p.Values, "|") + ")"
				case p.Type == runbook.TypeMetric:
					typ += " (" + metricRanges(p) + ")"
				case p.Min != nil && p.Max != nil:
					typ += fmt.Sprintf(" (%d..%d)", *p.Min, *p.Max)
				case p.Of != "":
					typ += " of " + p.Of
				}
				def := "(required)"
				if p.HasDefault {
					def = p.Default
				}
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, typ, def, p.Description)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			if len(r.Examples) > 0 {
				fmt.Fprintln(w, "\nexamples:")
			}
			for _, e := range r.Examples {
				keys := make([]string, 0, len(e.Params))
				for k := range e.Params {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				var flags []string
				for _, k := range keys {
					flags = append(flags, fmt.Sprintf("--param %s=%s", k, e.Params[k]))
				}
				platform := e.Platform
				if platform == "" {
					platform = r.Platforms[0]
				}
				fmt.Fprintf(w, "  %s (topology %s)\n    changegate runbook render %s %s --platform %s --topology %s\n",
					e.Name, e.Topology, r.Name, strings.Join(flags, " "), platform, r.ExampleTopology(e))
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&dirs, "runbooks", nil, "a directory of your runbooks; repeat for more")
	return cmd
}

// metricRanges is the range of a metric parameter on each IGP.
func metricRanges(p runbook.Param) string {
	var out []string
	for _, igp := range runbook.IGPs() {
		lo, hi := int64(1), runbook.MaxMetric(igp)
		if p.Min != nil && *p.Min > lo {
			lo = *p.Min
		}
		if p.Max != nil && *p.Max < hi {
			hi = *p.Max
		}
		out = append(out, fmt.Sprintf("%d..%d %s", lo, hi, runbook.IGPName(igp)))
	}
	return strings.Join(out, ", ")
}
