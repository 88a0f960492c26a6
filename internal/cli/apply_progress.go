package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/changegate/changegate/internal/apply"
)

// progressSink returns how apply's events are shown: as JSON lines
// (--format json), as a live view on a terminal, or one plain line per
// event (CI, pipes).
func progressSink(w io.Writer, format string, terminal bool) apply.Sink {
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
	case "check":
		return fmt.Sprintf("%s-check %q", ev.Phase, ev.Name)
	case "step.start":
		return fmt.Sprintf("step %q", ev.Name)
	case "step.done":
		return fmt.Sprintf("step %q done", ev.Name)
	case "run.start":
		return fmt.Sprintf("run %q", ev.Name)
	case "run.end":
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
	if ev.Status == apply.StatusRunning && (ev.Kind == "step.start" || ev.Kind == "rollback.start" || ev.Kind == "run.start" || ev.Kind == "recover.start") {
		fmt.Fprintln(v.w, plainLine(ev))
		delete(v.running, key)
	}
	if ev.Kind == "run.end" {
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
