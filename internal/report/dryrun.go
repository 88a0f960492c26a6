package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/topology"
)

// DryRunOptions tune the text rendering of a dry-run.
type DryRunOptions struct {
	// Threshold is the utilisation above which links are highlighted (0.8 = 80%).
	Threshold float64
}

// DryRunText writes a dry-run as a compact table, one line per state,
// followed by the details of every state that needs attention.
func DryRunText(w io.Writer, r *dryrun.Result, opts DryRunOptions) error {
	ew := &errWriter{w: w}
	t := r.Topology
	if r.Plan != nil {
		title := r.Plan.Title
		if r.Plan.ID != "" {
			title = r.Plan.ID + " " + title
		}
		ew.printf("Dry-run of %s (%s), %s\n", title, r.Plan.File, plural(r.Plan.Steps, "step"))
	} else {
		ew.printf("Analysis of the network as it is (no plan)\n")
	}
	ew.printf("Network %s: %s, %s, %s, %s in total. Highlight above %s.\n\n",
		orDash(t.Name), plural(t.Nodes, "node"), plural(t.Links, "link"), plural(t.Demands, "demand"), rate(t.TotalDemandBps), pct(opts.Threshold))

	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tSTEP\tWORST LINK\tBEFORE\tAFTER\tMOVED\tDROPPED\tN-1 WORST\tN-1 FAILURE")
	for i, st := range r.States {
		var prev *dryrun.State
		if i > 0 {
			prev = &r.States[i-1]
		}
		before := "-"
		if prev != nil && st.MaxLink != nil {
			before = pct(utilOf(prev, st.MaxLink))
		}
		n1u, n1f := "-", "-"
		if st.N1 != nil {
			n1u = mark(st.N1.MaxUtilization, opts.Threshold) + pct(st.N1.MaxUtilization)
			if st.N1.WorstFailure != nil {
				n1f = *st.N1.WorstFailure
			} else {
				n1f = "(none worse)"
			}
		}
		moved := "-"
		if prev != nil {
			moved = rate(st.MovedBps)
		}
		tabf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", st.Index, clipText(stepName(st), 36), linkText(st.MaxLink),
			before, mark(st.MaxUtilization, opts.Threshold)+pct(st.MaxUtilization), moved, rate(st.DroppedBps), n1u, n1f)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	ew.printf("(! marks utilisation above %s; N-1 WORST is the worst link under any single link, node or SRLG failure)\n", pct(opts.Threshold))

	for _, st := range r.States {
		details(ew, &st, opts)
	}
	if r.Rollback != nil {
		rollbackText(ew, r, opts)
	}
	return ew.err
}

// details writes what needs attention in one state: links over the
// threshold, undeliverable traffic, partitions, what moved, and the N-1
// failures that overload or drop. A quiet state writes nothing.
func details(ew *errWriter, st *dryrun.State, opts DryRunOptions) {
	var over []dryrun.LinkLoad
	for _, l := range st.Links {
		if l.Utilization > opts.Threshold {
			over = append(over, l)
		}
	}
	sort.SliceStable(over, func(i, j int) bool { return over[i].Utilization > over[j].Utilization })
	// N-1: links a single failure pushes over the threshold (beyond what
	// they carry in this state), and failures that drop more traffic than
	// this state already drops.
	var n1Over []dryrun.N1Link
	var n1Drop []dryrun.FailureResult
	if st.N1 != nil {
		for i, l := range st.N1.Links {
			if l.WorstFailure != nil && l.WorstUtilization > opts.Threshold && l.WorstUtilization > st.Links[i].Utilization*(1+1e-9) {
				n1Over = append(n1Over, l)
			}
		}
		for _, f := range st.N1.Failures {
			if f.DroppedBps > st.DroppedBps*(1+1e-9)+1e-6 {
				n1Drop = append(n1Drop, f)
			}
		}
		sort.SliceStable(n1Over, func(i, j int) bool { return n1Over[i].WorstUtilization > n1Over[j].WorstUtilization })
		sort.SliceStable(n1Drop, func(i, j int) bool { return n1Drop[i].DroppedBps > n1Drop[j].DroppedBps })
	}
	if len(over) == 0 && st.DroppedBps == 0 && !st.Partitioned && len(n1Over) == 0 && len(n1Drop) == 0 && len(st.TopMovers) == 0 && st.Effects == nil {
		return
	}
	where := ""
	if st.Source != nil && st.Source.Line > 0 {
		where = " (" + st.Source.String() + ")"
	}
	ew.printf("\n%d %s%s\n", st.Index, stepName(*st), where)
	writeStepEffects(ew, st.Effects)
	if len(over) > 0 {
		ew.printf("  over %s:\n", pct(opts.Threshold))
		for _, l := range over[:min(len(over), 10)] {
			ew.printf("    ! %s %s->%s%s at %s: %s of %s\n", l.ID, l.From, l.To, classText(l.Class), pct(l.Utilization), rate(l.LoadBps), rate(l.CapacityBps))
		}
		if len(over) > 10 {
			ew.printf("    ... and %d more\n", len(over)-10)
		}
	}
	if st.DroppedBps > 0 {
		ew.printf("  dropped: %s undeliverable (%s", rate(st.DroppedBps), plural(len(st.Unreachable), "demand"))
		for i, d := range st.Unreachable[:min(3, len(st.Unreachable))] {
			sep := ": "
			if i > 0 {
				sep = ", "
			}
			ew.printf("%s%s->%s %s", sep, d.Src, d.Dst, rate(d.RateBps))
		}
		if len(st.Unreachable) > 3 {
			ew.printf(", ...")
		}
		ew.printf(")\n")
	}
	if st.Partitioned {
		ew.printf("  partitioned into %d components; cut off: %s\n", st.Components, islandsText(st.Islands))
	}
	if len(st.TopMovers) > 0 {
		ew.printf("  moved %s in total; most:\n", rate(st.MovedBps))
		for _, m := range st.TopMovers {
			sign := "+"
			if m.DeltaBps < 0 {
				sign = "-"
			}
			ew.printf("    %s%s %s %s->%s%s: %s -> %s\n", sign, rate(abs(m.DeltaBps)), m.ID, m.From, m.To, classText(m.Class), rate(m.BeforeBps), rate(m.AfterBps))
		}
	}
	if len(n1Over) > 0 {
		ew.printf("  N-1: a single failure pushes %s over %s; worst:\n", plural(len(n1Over), "link direction"), pct(opts.Threshold))
		now := map[[3]string]float64{}
		for _, l := range st.Links {
			now[[3]string{l.ID, l.From, l.To}] = l.Utilization
		}
		for _, l := range n1Over[:min(5, len(n1Over))] {
			ew.printf("    %s %s->%s at %s if %s fails (now %s)\n", l.ID, l.From, l.To, pct(l.WorstUtilization), failureName(*l.WorstFailure), pct(now[[3]string{l.ID, l.From, l.To}]))
		}
	}
	if len(n1Drop) > 0 {
		ew.printf("  N-1: traffic dropped (beyond this state's own) under %s; worst:\n", plural(len(n1Drop), "failure"))
		for _, f := range n1Drop[:min(5, len(n1Drop))] {
			ew.printf("    %s drops %s more (%s in all)\n", failureName(f.Failure), rate(f.DroppedBps-st.DroppedBps), rate(f.DroppedBps))
		}
	}
}

func rollbackText(ew *errWriter, r *dryrun.Result, opts DryRunOptions) {
	rb := r.Rollback
	ew.printf("\nRollback\n")
	bad := 0
	for _, s := range rb.Steps {
		if s.RestoresPrevious {
			continue
		}
		bad++
		ew.printf("  ! step %d %q: its rollback does not restore the state before it:\n", s.Index, s.Step)
		for _, d := range s.Differences {
			ew.printf("      %s\n", d)
		}
	}
	if bad == 0 {
		ew.printf("  every step's rollback restores the state before it")
		if rb.RestoresBaseline {
			ew.printf("; rolling back the whole plan returns to the baseline")
		}
		ew.printf(".\n")
		return
	}
	if rb.RestoresBaseline {
		ew.printf("  rolling back the whole plan still returns to the baseline.\n")
	} else {
		ew.printf("  ! rolling back the whole plan does NOT return to the baseline.\n")
	}
	for i, p := range rb.Path {
		if p.State == nil {
			if want := len(rb.Path) - 1 - i; *p.SameAsState != want {
				ew.printf("  undoing %q returns to state %d, not to state %d before it\n", p.Undone, *p.SameAsState, want)
			}
			continue
		}
		st := p.State
		n1 := ""
		if st.N1 != nil {
			n1 = fmt.Sprintf(", N-1 worst %s%s", mark(st.N1.MaxUtilization, opts.Threshold), pct(st.N1.MaxUtilization))
		}
		ew.printf("  undoing %q leads to a state the plan never visited: worst link %s at %s%s, dropped %s%s\n",
			p.Undone, linkText(st.MaxLink), mark(st.MaxUtilization, opts.Threshold), pct(st.MaxUtilization), rate(st.DroppedBps), n1)
	}
}

// failureName turns "link:x" into "link x".
func failureName(f string) string {
	return strings.Replace(f, ":", " ", 1)
}

func stepName(st dryrun.State) string {
	if st.Step == nil {
		return "baseline"
	}
	return *st.Step
}

func utilOf(st *dryrun.State, ref *dryrun.LinkRef) float64 {
	for _, l := range st.Links {
		if l.ID == ref.ID && l.From == ref.From && l.To == ref.To {
			return l.Utilization
		}
	}
	return 0
}

func linkText(ref *dryrun.LinkRef) string {
	if ref == nil {
		return "-"
	}
	return ref.ID + " " + ref.From + "->" + ref.To
}

func classText(c string) string {
	if c == "" {
		return ""
	}
	return " (" + c + ")"
}

func islandsText(islands [][]string) string {
	parts := make([]string, 0, len(islands))
	for _, is := range islands[:min(3, len(islands))] {
		parts = append(parts, "["+clipText(strings.Join(is, " "), 60)+"]")
	}
	if len(islands) > 3 {
		parts = append(parts, "...")
	}
	return strings.Join(parts, " ")
}

func mark(u, threshold float64) string {
	if u > threshold {
		return "! "
	}
	return ""
}

// rate shows a rate to 4 significant digits, as the percentages beside
// it are shown: 533.3G, not 533.3333G.
func rate(bps float64) string {
	if bps == 0 {
		return "0"
	}
	return topology.FormatRateDigits(bps, 4)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// errWriter keeps the first write error so renderers can print freely and
// report it once.
//
// It is also the renderers' last line of defence against text that should
// have been refused where it was read (diag.TextProblems): printf escapes
// every control, bidirectional or invisible character in its string
// arguments, line breaks included (a name is one line), and Write escapes
// them, but for line feeds, in whatever reaches it. Nothing unsafe is
// passed through raw.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	s := diag.EscapeLines(string(p))
	if _, err := io.WriteString(e.w, s); err != nil {
		e.err = err
		return 0, err
	}
	return len(p), nil
}

func (e *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(e, format, printableArgs(args)...)
}

// lines writes ls one per line, without a final line break, each escaped
// (diag.Escape) and then passed through esc when it is not nil.
func (e *errWriter) lines(ls []string, esc func(string) string) {
	for i, l := range ls {
		if i > 0 {
			io.WriteString(e, "\n")
		}
		l = diag.Escape(l)
		if esc != nil {
			l = esc(l)
		}
		io.WriteString(e, l)
	}
}

// tabf is fmt.Fprintf into a tabwriter, with the string arguments escaped
// as printf escapes them, so that no value can add a cell or a row.
func tabf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format, printableArgs(args)...)
}

// printableArgs returns args with every string escaped (diag.Escape).
func printableArgs(args []any) []any {
	out, copied := args, false
	for i, a := range args {
		s, ok := a.(string)
		if !ok {
			continue
		}
		if p := diag.Escape(s); p != s {
			if !copied {
				out, copied = append([]any(nil), args...), true
			}
			out[i] = p
		}
	}
	return out
}

// writeStepEffects says what a step changed in the model and where each
// change comes from: a line of its configuration, or the plan's
// declaration; then what the model cannot follow and what the plan
// declares wrongly.
func writeStepEffects(ew *errWriter, se *dryrun.StepEffects) {
	if se == nil {
		return
	}
	if len(se.Applied) == 0 {
		ew.printf("  effects: none\n")
	} else {
		ew.printf("  effects:\n")
	}
	for _, a := range se.Applied {
		ew.printf("    %s  %s\n", effectText(a.Effect()), effectSource(a))
	}
	for _, l := range se.NotModelled {
		what := "configuration"
		if l.Rollback {
			what = "rollback configuration"
		}
		ew.printf("  not modelled: %s on %s, %s line %d: %s\n", diag.Excerpt(strings.TrimSpace(l.Text)), diag.Escape(l.Device), what, l.Source.Line, l.Why)
	}
	for _, m := range se.Mismatches {
		ew.printf("  ! %s\n", m.Msg)
	}
}

// effectSource says where an applied effect comes from.
func effectSource(a dryrun.AppliedEffect) string {
	if !a.Derived {
		if a.Declared != nil && a.Declared.Line > 0 {
			return fmt.Sprintf("(declared, line %d)", a.Declared.Line)
		}
		return "(declared)"
	}
	if n := len(a.Lines); n > 0 {
		l := a.Lines[n-1]
		return fmt.Sprintf("(%s: %s, line %d)", diag.Escape(a.Device), diag.Excerpt(strings.TrimSpace(l.Text)), l.Source.Line)
	}
	return "(configuration of " + diag.Escape(a.Device) + ")"
}
