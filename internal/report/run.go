package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/policy"
)

// Progress returns how apply's events are shown: as JSON lines
// (--format json), as a live view on a terminal, or one plain line per
// event (CI, pipes).
func Progress(w io.Writer, format string, terminal bool) apply.Sink {
	switch {
	case format == "json":
		enc := json.NewEncoder(w)
		return func(ev apply.Event) { enc.Encode(ev) }
	case terminal:
		return (&liveView{w: w}).event
	}
	return func(ev apply.Event) { fmt.Fprintln(w, plainLine(ev)) }
}

// plainLine is one event as one line: time since the start, the step,
// the device, what happened.
func plainLine(ev apply.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s ", clock(ev.Elapsed))
	if ev.Step > 0 {
		fmt.Fprintf(&b, "step %d/%d ", ev.Step, ev.Steps)
	}
	if ev.Device != "" {
		fmt.Fprintf(&b, "[%s] ", ev.Device)
	}
	b.WriteString(eventWhat(ev))
	if ev.Status != "" {
		b.WriteString(" " + statusWord(ev.Status))
	}
	if ev.Message != "" {
		b.WriteString(": " + ev.Message)
	}
	return b.String()
}

func eventWhat(ev apply.Event) string {
	switch ev.Kind {
	case apply.EventCheck:
		return fmt.Sprintf("%s-check %q", ev.Phase, ev.Name)
	case apply.EventStepStart:
		return fmt.Sprintf("step %q", ev.Name)
	case apply.EventStepDone:
		return fmt.Sprintf("step %q done", ev.Name)
	case apply.EventRunStart:
		return fmt.Sprintf("run %q", ev.Name)
	case apply.EventRunEnd:
		return "run " + ev.Name
	}
	return strings.ReplaceAll(ev.Kind, ".", " ")
}

func statusWord(s string) string {
	switch s {
	case apply.StatusOK:
		return "OK"
	case apply.StatusFailed:
		return "FAILED"
	case apply.StatusSkipped:
		return "skipped"
	}
	return "..."
}

// clock formats d as m:ss.s.
func clock(d time.Duration) string {
	return fmt.Sprintf("%d:%04.1f", int(d.Minutes()), d.Seconds()-60*float64(int(d.Minutes())))
}

// liveView shows the run on a terminal: finished events scroll by as
// plain lines; below them one status line says where the run is (step k
// of n, phase, what is running, elapsed), redrawn in place.
type liveView struct {
	w       io.Writer
	running map[string]string // what is in progress, by key
	drawn   bool
}

func (v *liveView) event(ev apply.Event) {
	if v.running == nil {
		v.running = map[string]string{}
	}
	key := ev.Kind + "|" + ev.Device + "|" + ev.Name + "|" + ev.Phase
	if v.drawn {
		fmt.Fprint(v.w, "\r\033[K") // clear the status line
	}
	if ev.Status == apply.StatusRunning {
		v.running[key] = eventWhat(ev)
		if ev.Device != "" {
			v.running[key] = ev.Device + " " + v.running[key]
		}
	} else {
		delete(v.running, key)
		fmt.Fprintln(v.w, plainLine(ev))
	}
	if ev.Status == apply.StatusRunning && (ev.Kind == apply.EventStepStart || ev.Kind == apply.EventRollbackStart || ev.Kind == apply.EventRunStart || ev.Kind == apply.EventRecoverStart) {
		fmt.Fprintln(v.w, plainLine(ev))
		delete(v.running, key)
	}
	if ev.Kind == apply.EventRunEnd {
		v.drawn = false
		return
	}
	var now []string
	for _, s := range v.running {
		now = append(now, s)
	}
	where := "run"
	if ev.Step > 0 {
		where = fmt.Sprintf("step %d of %d", ev.Step, ev.Steps)
	}
	line := fmt.Sprintf("%s  %s  %s", clock(ev.Elapsed), where, strings.Join(now, ", "))
	if len(line) > 120 {
		line = line[:117] + "..."
	}
	fmt.Fprint(v.w, "\033[1m"+line+"\033[0m")
	v.drawn = true
}

// RunText writes the end of a run for the engineer at the
// console: the outcome first, then what failed and why (with the
// device's answer), what was rolled back, and what remains changed.
func RunText(w io.Writer, rep *apply.Report) {
	fmt.Fprintln(w)
	switch {
	case rep.RunStatus() == journal.Recovered:
		fmt.Fprintf(w, "RECOVERED: run %s: every change it left is rolled back (%s)\n", rep.Run, rep.Reason)
	case rep.Recovery:
		fmt.Fprintf(w, "RECOVERY INCOMPLETE: run %s: %s\n", rep.Run, rep.Reason)
	case rep.Status == journal.Succeeded && rep.Resumed:
		fmt.Fprintf(w, "APPLIED (resumed): run %s, %d steps; every check passed\n", rep.Run, len(rep.Steps))
	case rep.Status == journal.Succeeded:
		fmt.Fprintf(w, "APPLIED: run %s, %d steps in %.1fs; every check passed\n", rep.Run, len(rep.Steps), rep.Took)
	case rep.Status == journal.NotStarted:
		fmt.Fprintf(w, "NOT STARTED: run %s changed nothing: %s\n", rep.Run, rep.Reason)
	case rep.Status == journal.RolledBack:
		fmt.Fprintf(w, "FAILED AND ROLLED BACK: run %s: %s\n", rep.Run, rep.Reason)
	default:
		fmt.Fprintf(w, "ROLLBACK INCOMPLETE: run %s: %s\n", rep.Run, rep.Reason)
	}
	if f := rep.Failure; f != nil && f.Output != "" {
		fmt.Fprintf(w, "  %s answered:\n", orUnknown(f.Device))
		for _, l := range firstLines(f.Output, 12) {
			fmt.Fprintf(w, "  | %s\n", l)
		}
	}
	for _, s := range rep.Steps {
		if rep.Recovery {
			break
		}
		fmt.Fprintf(w, "  step %d %-40q %s", s.Index, s.Name, strings.ToUpper(s.Status))
		if s.Took > 0 {
			fmt.Fprintf(w, " (%s)", time.Duration(s.Took*float64(time.Second)).Round(time.Millisecond))
		}
		fmt.Fprintln(w)
	}
	rollbackLines(w, "undone before running the step in flight again:", rep.Undone)
	rollbackLines(w, "rolled back:", rep.Rollback)
	if len(rep.Remaining) > 0 {
		fmt.Fprintln(w, "  STILL CHANGED (put these right by hand, or run changegate recover "+rep.Run+" once the cause is fixed):")
		for _, r := range rep.Remaining {
			fmt.Fprintf(w, "    %s, step %d: %s (%s)\n", r.Device, r.Step, strings.Join(r.Lines, " / "), r.Why)
		}
	}
}

// rollbackLines lists what was sent to undo changes, under title.
func rollbackLines(w io.Writer, title string, rs []apply.RollbackReport) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w, "  "+title)
	for _, r := range rs {
		switch {
		case r.Error != "":
			fmt.Fprintf(w, "    step %d on %s: FAILED: %s\n", r.Step, r.Device, r.Error)
		case r.Skipped != "":
			fmt.Fprintf(w, "    step %d on %s: nothing sent: %s\n", r.Step, r.Device, r.Skipped)
		default:
			fmt.Fprintf(w, "    step %d on %s: %s\n", r.Step, r.Device, strings.Join(r.Lines, " / "))
		}
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "the device"
	}
	return s
}

func firstLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... %d more lines (in the journal)", len(lines)-n))
	}
	return lines
}

// RunEvent ends a JSON event stream with the run's report:
// {"kind": "report", "report": {...}}.
func RunEvent(w io.Writer, rep *apply.Report) {
	json.NewEncoder(w).Encode(struct {
		Kind   string        `json:"kind"`
		Report *apply.Report `json:"report"`
	}{"report", rep})
}

// RunState says what a run's journal tells: the plan, the status, where
// it stopped and which changes may still be in place.
func RunState(w io.Writer, stateDir string, run *journal.Run, st *apply.State) {
	fmt.Fprintf(w, "run %s: %s\n", run.Meta.RunID, run.Meta.PlanFile)
	fmt.Fprintf(w, "  by %s@%s (pid %d), started %s\n", run.Meta.User, run.Meta.Host, run.Meta.PID, run.Meta.Started.Local().Format(time.DateTime))
	if r, ok := run.Meta.Extra[apply.MetaBreakGlass]; ok {
		fmt.Fprintf(w, "  BREAK-GLASS by %s: %s\n", run.Meta.Extra[apply.MetaBreakGlassUser], r)
	}
	if of, ok := run.Meta.Extra[apply.MetaRevertOf]; ok {
		fmt.Fprintf(w, "  REVERT of run %s (plan %s)\n", of, run.Meta.Extra[apply.MetaRevertPlan])
	}
	runPolicy(w, run.Meta.Policy)
	status := run.Summary.StatusText()
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

// What apply, recover and runs say about the policy set: what the
// configuration changed in it, and how it changed since a run.

// PolicySettings says, when there is anything to say, what the
// configuration changed in the policy set the gate used.
func PolicySettings(w io.Writer, s policy.Set) {
	if len(s.Disabled) > 0 {
		fmt.Fprintf(w, "changegate: policies disabled by configuration: %s\n", strings.Join(s.Disabled, ", "))
	}
	for _, p := range s.Params {
		fmt.Fprintf(w, "changegate: policy parameter set by configuration: %s\n", p)
	}
}

// runPolicy says what the configuration had changed in the policy
// set a run was checked against, as its meta records it.
func runPolicy(w io.Writer, meta json.RawMessage) {
	if len(meta) == 0 {
		return
	}
	var s policy.Set
	if err := json.Unmarshal(meta, &s); err != nil {
		fmt.Fprintf(w, "  policy set: unreadable (%v)\n", err)
		return
	}
	if len(s.Disabled) > 0 {
		fmt.Fprintf(w, "  policies disabled by configuration: %s\n", strings.Join(s.Disabled, ", "))
	}
	for _, p := range s.Params {
		fmt.Fprintf(w, "  policy parameter set by configuration: %s\n", p)
	}
}
