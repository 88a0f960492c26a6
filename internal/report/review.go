package report

import (
	"cmp"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/plans"
)

// ReviewApproval is one approval as the review shows it.
type ReviewApproval struct {
	Approver string
	// Status is COUNTS, STALE or DOES NOT COUNT; Why says why not.
	Status string
	Why    string
	// Time, Roles and Comment are the approval's (zero for a file that is
	// not a valid approval); Denied says it was given while the gate
	// denied the plan (approve --denied).
	Time    time.Time
	Roles   []string
	Comment string
	Denied  bool
}

// approvalText is one approval in plain words: the approver, when, the
// roles, "approved while DENIED", the comment. The time is in UTC, so the
// same approvals give the same bytes wherever the review is written.
func approvalText(a ReviewApproval) string {
	var b strings.Builder
	b.WriteString(a.Approver)
	if !a.Time.IsZero() {
		b.WriteString(" at " + a.Time.UTC().Format("2006-01-02 15:04:05 UTC"))
	}
	if len(a.Roles) > 0 {
		b.WriteString(" (roles: " + strings.Join(a.Roles, ", ") + ")")
	}
	if a.Denied {
		b.WriteString(" [approved while DENIED]")
	}
	if a.Comment != "" {
		b.WriteString(": \u201c" + strings.Join(strings.Fields(a.Comment), " ") + "\u201d")
	}
	return b.String()
}

// headerFacts are the plan's own facts for the top of the review: author,
// window, risk, ticket; those the plan does not give are left out.
func headerFacts(p *plans.Plan) [][2]string {
	var out [][2]string
	if p.Author != "" {
		out = append(out, [2]string{"Author", p.Author})
	}
	if w := p.Window; w != nil {
		const f = "2006-01-02 15:04 MST"
		out = append(out, [2]string{"Window", w.Start.Format(f) + " to " + w.End.Format(f) + " (" + w.TimeZone + ")"})
	} else {
		out = append(out, [2]string{"Window", "none given"})
	}
	risk := string(p.Risk)
	if risk == "" {
		risk = "not given"
	}
	out = append(out, [2]string{"Risk", risk})
	if p.Ticket != "" {
		out = append(out, [2]string{"Ticket", p.Ticket})
	}
	return out
}

// reviewTitle is the plan's id and title.
func reviewTitle(p *plans.Plan) string {
	if p.ID != "" {
		return p.ID + " " + p.Title
	}
	return p.Title
}

// wavesText says how a step rolls out over its devices.
func wavesText(s *plans.Step) string {
	if s.Wave == nil {
		return "all at once"
	}
	return fmt.Sprintf("in waves: batch %d, max_failures %d", s.Wave.Batch, s.Wave.MaxFailures)
}

// droppedN1 is the most traffic any single failure drops in s, and the
// failure; 0 and "" when none drops any.
func droppedN1(s dryrun.State) (float64, string) {
	if s.N1 == nil {
		return 0, ""
	}
	var most float64
	var which string
	for _, f := range s.N1.Failures {
		if f.DroppedBps > most {
			most, which = f.DroppedBps, f.Failure
		}
	}
	return most, which
}

// reviewResultsShown bounds the rules listed up front; every result is in
// the steps' details.
const reviewResultsShown = 10

// ReviewMarkdown writes the review of a verdict for a pull-request
// comment: the verdict (change id and title), the author, window and
// risk, and the reasons first, one line per step, then the details of
// each step (devices and waves, soak, N-1 worst case, results, effects,
// configuration and rollback, checks, how the model then differs from
// the baseline, the links it moves traffic onto) folded in <details>, the approvals with their time, roles, comment and
// status, and the digests. The same verdict gives the same bytes:
// nothing depends on the time (an approval's time is written in UTC).
func ReviewMarkdown(w io.Writer, v *gate.Verdict, approvals []ReviewApproval) error {
	ew := &errWriter{w: w}
	p, d, res := v.Plan, v.Decision, v.DryRun
	word := "ALLOWED"
	if !v.Allowed() {
		word = "DENIED"
	}
	ew.printf("## %s: %s\n\n", word, md(reviewTitle(p)))
	var facts []string
	for _, f := range headerFacts(p) {
		facts = append(facts, "**"+f[0]+"**: "+md(f[1]))
	}
	ew.printf("%s\n\n", strings.Join(facts, " · "))
	t := res.Topology
	ew.printf("`%s`: %s checked against %s (%s, %s, %s of traffic), N-1 of every state. **%s, %s.**",
		p.File, plural(len(p.Steps), "step"), md(orDash(t.Name)), plural(t.Nodes, "node"), plural(t.Links, "link"), rate(t.TotalDemandBps),
		plural(d.Count(policy.Deny), "denial"), plural(d.Count(policy.Warn), "warning"))
	if by := countByPolicy(d.Results, policy.Deny); by != "" {
		ew.printf(" Denied by %s.", by)
	}
	ew.printf("\n\nConfiguration: %s.\n\n", md(ConfigName(v.ConfigFile)))
	if lines := settingLines(v.PolicySet); len(lines) > 0 {
		ew.printf("Policy settings of the configuration (in the policy digest):\n\n")
		for _, l := range lines {
			ew.printf("- %s\n", md(l))
		}
		ew.printf("\n")
	}

	// The reasons: one line per rule that fired (denials first), with how
	// often and in which steps, and its first message; every result is in
	// the steps' details.
	groups := ruleGroups(d)
	for i, g := range groups {
		if i == reviewResultsShown {
			ew.printf("- ... and %d more rules (in the steps' details)\n", len(groups)-i)
			break
		}
		ew.printf("- **%s** %s", kindWord(g.r.Kind), g.r.Policy)
		if g.n > 1 {
			ew.printf(" (%d results, %s)", g.n, stepList(g.steps))
		}
		ew.printf(": %s\n", md(g.r.Msg))
	}
	if len(groups) > 0 {
		ew.printf("\n")
	}

	// One line per step.
	ew.printf("| # | step | worst link: before → after | moved | N-1 worst case | results |\n|---:|---|---|---:|---|---|\n")
	for k := 1; k < len(res.States); k++ {
		before, after := res.States[k-1], res.States[k]
		ew.printf("| %d | %s | %s → %s | %s | %s | %s |\n", k, md(p.Steps[k-1].Name),
			worst(before), worst(after), rate(after.MovedBps), n1Worst(after), stepResults(d, k))
	}
	ew.printf("\n")

	for k := 1; k <= len(p.Steps); k++ {
		reviewStep(ew, v, k)
	}
	if rs := stepResultList(d, 0); len(rs) > 0 {
		ew.printf("<details><summary>The plan as a whole: %s</summary>\n\n", stepResults(d, 0))
		for _, r := range rs {
			ew.printf("- **%s** %s (`%s:%d`): %s\n", kindWord(r.Kind), r.Policy, r.File, r.Line, md(r.Msg))
		}
		ew.printf("\n</details>\n\n")
	}

	ew.printf("### Approvals\n\n")
	if len(approvals) == 0 {
		ew.printf("None yet: `changegate approve %s --key KEY`.\n\n", p.File)
	}
	for _, a := range approvals {
		ew.printf("- **%s** %s", a.Status, md(approvalText(a)))
		if a.Why != "" {
			ew.printf(": %s", md(a.Why))
		}
		ew.printf("\n")
	}
	if len(approvals) > 0 {
		ew.printf("\n")
	}
	ew.printf("Digests: plan `%s`, topology `%s`, traffic `%s`, policy `%s`, inventory `%s`.\n", v.Digests.Plan, v.Digests.Topology, v.Digests.Traffic, v.Digests.Policy, digest.Show(v.Digests.Inventory))
	return ew.err
}

// settingLines say what the configuration changed in the policy set,
// one line each: disabled policies, then parameters.
func settingLines(s policy.Set) []string {
	var out []string
	for _, d := range s.Disabled {
		out = append(out, "disabled: "+d)
	}
	for _, p := range s.Params {
		out = append(out, "parameter "+p.String())
	}
	return out
}

func reviewStep(ew *errWriter, v *gate.Verdict, k int) {
	s := &v.Plan.Steps[k-1]
	st := v.DryRun.States[k]
	ew.printf("<details><summary>Step %d: %s (%s)</summary>\n\n", k, md(s.Name), stepResults(v.Decision, k))
	if len(s.Devices) > 0 {
		ew.printf("Devices: %s", md(strings.Join(s.Devices, ", ")))
		ew.printf(" (%s)", wavesText(s))
		ew.printf(". ")
	}
	if s.Soak > 0 {
		ew.printf("Soak: %s.", s.Soak)
	}
	ew.printf("\n\n")
	ew.printf("N-1 worst case: %s.", n1Worst(st))
	if st.DroppedBps > 0 {
		ew.printf(" Drops %s of traffic.", rate(st.DroppedBps))
	}
	if bps, f := droppedN1(st); bps > 0 {
		ew.printf(" Under N-1: %s dropped if %s fails.", rate(bps), md(f))
	}
	ew.printf("\n\n")
	for _, r := range stepResultList(v.Decision, k) {
		ew.printf("- **%s** %s (`%s:%d`): %s\n", kindWord(r.Kind), r.Policy, r.File, r.Line, md(r.Msg))
	}
	if len(stepResultList(v.Decision, k)) > 0 {
		ew.printf("\n")
	}
	if se := st.Effects; se != nil {
		ew.printf("What it changes in the model (%s):\n\n", effectsSourceWords(se.Source))
		for _, a := range se.Applied {
			ew.printf("- %s %s\n", inlineCode(effectText(a.Effect())), md(effectSource(a)))
		}
		if len(se.Applied) == 0 {
			ew.printf("- nothing\n")
		}
		for _, l := range se.NotModelled {
			ew.printf("- not modelled: %s on %s (line %d): %s\n", inlineCode(strings.TrimSpace(l.Text)), md(l.Device), l.Source.Line, md(l.Why))
		}
		ew.printf("\n")
	}
	if len(s.Config) > 0 {
		fence := codeFence(s.Config, s.RollbackConfig)
		ew.printf("Configuration:\n\n%s\n", fence)
		ew.lines(s.Config, nil)
		ew.printf("\n%s\n\nRollback:\n\n%s\n", fence, fence)
		ew.lines(s.RollbackConfig, nil)
		ew.printf("\n%s\n\n", fence)
	}
	if len(s.Checks) > 0 {
		ew.printf("Checks:\n\n")
		for _, c := range s.Checks {
			dev := cmp.Or(c.Device, "each device")
			ew.printf("- %s on %s: %s expects %s\n", md(c.Name), md(dev), inlineCode(c.Command), expectText(c.Expect))
		}
		ew.printf("\n")
	}
	if net := netChanges(v, k); len(net.Lines) > 0 {
		ew.printf("Differs from the baseline after this step: %s.\n\n", md(strings.Join(net.Lines, "; ")))
	} else {
		ew.printf("Differs from the baseline after this step: nothing.\n\n")
	}
	if onto, more := movedOnto(v.DryRun.States[k-1], st); len(onto) > 0 {
		ew.printf("Links it moves traffic onto:\n\n| link direction | class | before | after | change |\n|---|---|---:|---:|---:|\n")
		for _, m := range onto {
			ew.printf("| %s %s→%s | %s | %s | %s | %s |\n", md(m.ID), md(m.From), md(m.To), md(orDash(m.Class)), rate(m.BeforeBps), rate(m.AfterBps), changeText(m))
		}
		if more > 0 {
			ew.printf("\nand %s more.\n", plural(more, "link direction"))
		}
		ew.printf("\n")
	}
	ew.printf("</details>\n\n")
}

// changeText is how much a link direction's load changed, in percent of
// what it was; "new" for a link that carried nothing before.
func changeText(m dryrun.Mover) string {
	if m.BeforeBps == 0 {
		if m.AfterBps == 0 {
			return "0%"
		}
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", 100*m.DeltaBps/m.BeforeBps)
}

func expectText(e plans.Expect) string {
	v := strings.ReplaceAll(e.Value, "\n", "; ")
	return fmt.Sprintf("%s `%s`", e.Kind, strings.ReplaceAll(v, "`", "'"))
}

func worst(s dryrun.State) string {
	if s.MaxLink == nil {
		return "none"
	}
	return fmt.Sprintf("%s %s (%s→%s)", pct(s.MaxUtilization), md(s.MaxLink.ID), md(s.MaxLink.From), md(s.MaxLink.To))
}

func n1Worst(s dryrun.State) string {
	if s.N1 == nil || s.N1.MaxLink == nil || s.N1.WorstFailure == nil {
		return "no failure makes it worse"
	}
	return fmt.Sprintf("%s on %s if %s fails", pct(s.N1.MaxUtilization), md(s.N1.MaxLink.ID), md(*s.N1.WorstFailure))
}

func stepResultList(d *policy.Decision, k int) []policy.Result {
	var out []policy.Result
	for _, r := range d.Results {
		if r.Step == k || (k == 0 && r.Step < 1) {
			out = append(out, r)
		}
	}
	return out
}

func stepResults(d *policy.Decision, k int) string {
	var deny, warn int
	for _, r := range stepResultList(d, k) {
		if r.Kind == policy.Deny {
			deny++
		} else {
			warn++
		}
	}
	switch {
	case deny == 0 && warn == 0:
		return "ok"
	case deny == 0:
		return plural(warn, "warning")
	case warn == 0:
		return "**" + plural(deny, "denial") + "**"
	}
	return "**" + plural(deny, "denial") + "**, " + plural(warn, "warning")
}

func kindWord(k policy.Kind) string {
	if k == policy.Deny {
		return "DENY"
	}
	return "warn"
}

// codeFence is a fence for a code block holding lines: three backticks,
// or more than the longest run of backticks in them, so that no line can
// end the block.
func codeFence(lines ...[]string) string {
	return strings.Repeat("`", max(3, longestBackticks(lines...)+1))
}

// inlineCode writes s as Markdown inline code, delimited by more
// backticks than s holds in a row.
func inlineCode(s string) string {
	n := longestBackticks([]string{s})
	if n == 0 {
		return "`" + s + "`"
	}
	d := strings.Repeat("`", n+1)
	return d + " " + s + " " + d
}

func longestBackticks(lines ...[]string) int {
	longest := 0
	for _, ls := range lines {
		for _, l := range ls {
			run := 0
			for _, r := range l {
				if r == '`' {
					run++
					longest = max(longest, run)
				} else {
					run = 0
				}
			}
		}
	}
	return longest
}

// md escapes what Markdown (and a table cell) would read as markup.
func md(s string) string {
	r := strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "`", "'", "<", "&lt;", ">", "&gt;", "\n", " ")
	return r.Replace(s)
}

// stepList names steps: "step 2", "steps 1, 3", "the plan" for 0.
func stepList(steps []int) string {
	var names []string
	var plan bool
	for _, k := range steps {
		if k < 1 {
			plan = true
			continue
		}
		names = append(names, fmt.Sprint(k))
	}
	var parts []string
	switch len(names) {
	case 0:
	case 1:
		parts = append(parts, "step "+names[0])
	default:
		parts = append(parts, "steps "+strings.Join(names, ", "))
	}
	if plan {
		parts = append(parts, "the plan")
	}
	return strings.Join(parts, " and ")
}

// ruleGroup is one rule that fired: its first result, how many results
// it gave, in which steps.
type ruleGroup struct {
	r     policy.Result
	n     int
	steps []int
}

// ruleGroups groups results by rule, denials first, in result order.
func ruleGroups(d *policy.Decision) []*ruleGroup {
	var groups []*ruleGroup
	byRule := map[string]*ruleGroup{}
	for _, kind := range []policy.Kind{policy.Deny, policy.Warn} {
		for _, r := range d.Results {
			if r.Kind != kind {
				continue
			}
			key := fmt.Sprintf("%s %s %s:%d", r.Kind, r.Policy, r.File, r.Line)
			g, ok := byRule[key]
			if !ok {
				g = &ruleGroup{r: r}
				byRule[key] = g
				groups = append(groups, g)
			}
			g.n++
			if len(g.steps) == 0 || g.steps[len(g.steps)-1] != r.Step {
				g.steps = append(g.steps, r.Step)
			}
		}
	}
	return groups
}

// effectsSourceWords says where a step's effects come from.
func effectsSourceWords(source string) string {
	switch source {
	case "derived":
		return "read from its configuration"
	case "mixed":
		return "read from its configuration, and declared"
	}
	return "declared by the plan"
}

// reviewMovedShown bounds the links listed per step as taking on traffic.
const reviewMovedShown = 10

// movedOnto are the link directions whose load grows from prev to st,
// the largest growth first (in link order among equals), at most
// reviewMovedShown of them, and how many more there are.
func movedOnto(prev, st dryrun.State) ([]dryrun.Mover, int) {
	before := map[[3]string]float64{}
	for _, l := range prev.Links {
		before[[3]string{l.ID, l.From, l.To}] = l.LoadBps
	}
	var out []dryrun.Mover
	for _, l := range st.Links {
		b := before[[3]string{l.ID, l.From, l.To}]
		if d := l.LoadBps - b; d > 0 {
			out = append(out, dryrun.Mover{ID: l.ID, From: l.From, To: l.To, Class: l.Class, BeforeBps: b, AfterBps: l.LoadBps, DeltaBps: d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].DeltaBps > out[j].DeltaBps })
	if len(out) > reviewMovedShown {
		return out[:reviewMovedShown], len(out) - reviewMovedShown
	}
	return out, 0
}
