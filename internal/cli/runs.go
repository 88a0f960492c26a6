package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/operation"
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
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s@%s\n", r.Meta.RunID, operation.StatusText(r), r.Meta.Started.Local().Format(time.DateTime), r.Meta.PlanFile, r.Meta.User, r.Meta.Host)
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
			writeState(a.stdout, dir, run, st)
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

// writeState says what a run's journal tells: the plan, the status, where
// it stopped and which changes may still be in place.
func writeState(w io.Writer, stateDir string, run *journal.Run, st *apply.State) {
	fmt.Fprintf(w, "run %s: %s\n", run.Meta.RunID, run.Meta.PlanFile)
	fmt.Fprintf(w, "  by %s@%s (pid %d), started %s\n", run.Meta.User, run.Meta.Host, run.Meta.PID, run.Meta.Started.Local().Format(time.DateTime))
	if r, ok := run.Meta.Extra["break_glass"]; ok {
		fmt.Fprintf(w, "  BREAK-GLASS by %s: %s\n", run.Meta.Extra["break_glass_user"], r)
	}
	if of, ok := run.Meta.Extra[operation.RevertOfKey]; ok {
		fmt.Fprintf(w, "  REVERT of run %s (plan %s)\n", of, run.Meta.Extra[operation.RevertPlanKey])
	}
	writeRunPolicy(w, run.Meta.Policy)
	status := operation.StatusText(run.Summary)
	switch {
	case run.JournalMissing:
		fmt.Fprintf(w, "  status: %s\n", status)
		fmt.Fprintf(w, "  journal: MISSING: %s is not there (deleted, or the run's process died before it created it).\n", journal.PathOf(stateDir, run.Meta.RunID))
		fmt.Fprintln(w, "    What the run did is unknown: neither runs show nor recover can say what it changed.")
		fmt.Fprintln(w, "    Check the devices it may have touched by hand (its locks, if any are left, name them: changegate lock list).")
		return
	case len(run.Records) == 0:
		status += ", with an empty journal: it stopped before writing anything, so it changed nothing"
	case st.Ended:
		status += " (ended: " + string(st.Status) + ")"
	case st.Step == 0:
		status += fmt.Sprintf(" (stopped before its first step, after its %s record)", st.InFlight)
	default:
		status += fmt.Sprintf(" (stopped at step %d, during %s)", st.Step, st.InFlight)
	}
	fmt.Fprintf(w, "  status: %s\n", status)
	todo := st.NeedsRollback()
	succeeded := st.Ended && st.Status == journal.Succeeded
	if succeeded {
		todo = nil // in place, as the run meant them to be
	}
	if len(st.Changes) > 0 {
		fmt.Fprintln(w, "  changes:")
	}
	for _, c := range st.Changes {
		mark := " "
		for _, t := range todo {
			if t.Step == c.Step && t.Device == c.Device {
				mark = "!"
			}
		}
		extra := ""
		if c.Pending {
			extra = fmt.Sprintf(", confirmed commit pending (the device reverts it at %s)", c.ConfirmBy.Local().Format(time.TimeOnly))
		}
		fmt.Fprintf(w, "   %s step %d on %s: %s%s: %s\n", mark, c.Step, c.Device, c.State, extra, strings.Join(c.Lines, " / "))
	}
	if len(todo) > 0 {
		fmt.Fprintf(w, "  %d changes (!) may still be in place\n", len(todo))
	}
	if succeeded && len(st.Changes) > 0 {
		fmt.Fprintf(w, "  the run succeeded: its changes are in place (changegate revert %s undoes them, through the gate)\n", run.Meta.RunID)
	}
}
