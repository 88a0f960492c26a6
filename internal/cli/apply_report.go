package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
)

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"unmarshalable": err.Error()})
	}
	return b
}

// writeApplyReport writes the end of a run for the engineer at the
// console: the outcome first, then what failed and why (with the
// device's answer), what was rolled back, and what remains changed.
func writeApplyReport(w io.Writer, rep *apply.Report) {
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
	if len(rep.Rollback) > 0 {
		fmt.Fprintln(w, "  rolled back:")
		for _, r := range rep.Rollback {
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
	if len(rep.Remaining) > 0 {
		fmt.Fprintln(w, "  STILL CHANGED (put these right by hand, or run changegate recover "+rep.Run+" once the cause is fixed):")
		for _, r := range rep.Remaining {
			fmt.Fprintf(w, "    %s, step %d: %s (%s)\n", r.Device, r.Step, strings.Join(r.Lines, " / "), r.Why)
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

// writeReportEvent ends a JSON event stream with the run's report:
// {"kind": "report", "report": {...}}.
func writeReportEvent(w io.Writer, rep *apply.Report) {
	json.NewEncoder(w).Encode(struct {
		Kind   string        `json:"kind"`
		Report *apply.Report `json:"report"`
	}{"report", rep})
}
