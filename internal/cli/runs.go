package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/report"
)

func (a *app) runsCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List the runs of apply, newest first; runs show RUN shows one",
		Long: `List every run in the state directory (state.dir), newest first: its id,
status, start, plan and who ran it. A run still marked running whose process
is gone was abandoned: 'changegate recover RUN' finishes it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			dir, err := a.stateDir(cmd)
			if err != nil {
				return err
			}
			runs, err := journal.List(dir)
			if err != nil {
				return err
			}
			if f == finding.JSON {
				return report.WriteJSON(a.stdout, struct {
					Runs []journal.Summary `json:"runs"`
				}{runs})
			}
			if len(runs) == 0 {
				fmt.Fprintf(a.stderr, "no runs in %s\n", dir)
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tSTATUS\tSTARTED\tPLAN\tBY")
			var unreadable []journal.Summary
			for _, r := range runs {
				if r.Problem != "" {
					unreadable = append(unreadable, r)
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s@%s\n", r.Meta.RunID, r.StatusText(), r.Meta.Started.Local().Format(time.DateTime), r.Meta.PlanFile, r.Meta.User, r.Meta.Host)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, r := range unreadable {
				fmt.Fprintf(a.stdout, "\n%s: %s\n", r.Meta.RunID, r.Problem)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.AddCommand(a.runsShowCommand())
	return cmd
}

func (a *app) runsShowCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show RUN",
		Short: "Show a run: its plan, status, what it changed and every journal record",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := finding.ParseFormat(format, finding.Text, finding.JSON)
			if err != nil {
				return err
			}
			dir, err := a.stateDir(cmd)
			if err != nil {
				return err
			}
			run, err := journal.Read(dir, args[0])
			if err != nil {
				return err
			}
			st, err := apply.ReadState(run.Records)
			if err != nil {
				return err
			}
			if f == finding.JSON {
				return report.WriteJSON(a.stdout, struct {
					Run   *journal.Run `json:"run"`
					State *apply.State `json:"state"`
				}{run, st})
			}
			report.RunState(a.stdout, dir, run, st)
			if run.JournalMissing {
				return nil
			}
			fmt.Fprintln(a.stdout, "\njournal:")
			for _, r := range run.Records {
				fmt.Fprintf(a.stdout, "  %4d %s %-16s", r.Seq, r.Time.Local().Format("15:04:05.000"), r.Type)
				if r.Step > 0 {
					fmt.Fprintf(a.stdout, " step %d", r.Step)
				}
				if r.Device != "" {
					fmt.Fprintf(a.stdout, " %s", r.Device)
				}
				fmt.Fprintln(a.stdout)
			}
			if len(run.Torn) > 0 {
				fmt.Fprintf(a.stdout, "  (a last record was being written when the process died: %d bytes, incomplete)\n", len(run.Torn))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json (the meta, every record and the state derived from them)")
	return cmd
}
