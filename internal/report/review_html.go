package report

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"math"
	"strings"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/plans"
)

// ReviewHTML writes the review as one self-contained HTML file (no
// scripts, no external resources): the verdict with the change id, title,
// author, window and risk, and its reasons; a chart per state of the
// worst utilisation with and without N-1 and of the traffic dropped; the
// per-step table; one picture of the network per step (networkPicture:
// links coloured by utilisation and labelled where they matter, the
// links the step changes dashed, its devices ringed, the net change from
// the baseline banded and listed beside it with the step's results); each
// step's devices, waves, soak, N-1 worst case, results, effects,
// configuration and rollback, checks, and the links it moves traffic
// onto; every approval with its time, roles, comment and status. Every fact is text, not only a tooltip, so that a
// screenshot has it. The same verdict gives the same bytes.
func ReviewHTML(w io.Writer, v *gate.Verdict, approvals []ReviewApproval) error {
	ew := &errWriter{w: w}
	p, d, res := v.Plan, v.Decision, v.DryRun
	word, cls := "ALLOWED", "allowed"
	if !v.Allowed() {
		word, cls = "DENIED", "denied"
	}
	e := html.EscapeString
	title := reviewTitle(p)
	ew.printf("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s: %s</title>\n<style>", word, e(title))
	io.WriteString(ew, reviewCSS) // ours, over several lines: not an argument, which printf would escape
	ew.printf("</style></head><body>\n")
	ew.printf("<h1 class=\"%s\">%s: %s</h1>\n<dl class=\"facts\">", cls, word, e(title))
	for _, f := range headerFacts(p) {
		ew.printf("<dt>%s</dt><dd>%s</dd>", e(f[0]), e(f[1]))
	}
	ew.printf("</dl>\n")
	t := res.Topology
	ew.printf("<p><code>%s</code>: %s checked against %s (%s, %s, %s of traffic), N-1 of every state. <b>%s, %s.</b></p>\n",
		e(p.File), plural(len(p.Steps), "step"), e(orDash(t.Name)), plural(t.Nodes, "node"), plural(t.Links, "link"), rate(t.TotalDemandBps),
		plural(d.Count(policy.Deny), "denial"), plural(d.Count(policy.Warn), "warning"))
	ew.printf("<p>Configuration: %s.</p>\n", e(ConfigName(v.ConfigFile)))

	if lines := settingLines(v.PolicySet); len(lines) > 0 {
		ew.printf("<p>Policy settings of the configuration (in the policy digest):</p>\n<ul class=\"settings\">\n")
		for _, l := range lines {
			ew.printf("<li>%s</li>\n", e(l))
		}
		ew.printf("</ul>\n")
	}
	ew.printf("<ul class=\"reasons\">\n")
	for _, g := range ruleGroups(d) {
		n := ""
		if g.n > 1 {
			n = fmt.Sprintf(" (%d results, %s)", g.n, stepList(g.steps))
		}
		ew.printf("<li class=\"%s\"><b>%s</b> %s%s: %s</li>\n", g.r.Kind, kindWord(g.r.Kind), e(g.r.Policy), n, e(g.r.Msg))
	}
	ew.printf("</ul>\n")

	ew.printf("<h2>Worst link utilisation per state</h2>\n")
	utilChart(ew, res, p)

	ew.printf("<h2>Steps</h2>\n<table><tr><th>#</th><th>step</th><th>worst link: before → after</th><th>moved</th><th>N-1 worst case</th><th>results</th></tr>\n")
	for k := 1; k < len(res.States); k++ {
		ew.printf("<tr><td>%d</td><td>%s</td><td>%s → %s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", k, e(p.Steps[k-1].Name),
			e(worstPlain(res.States[k-1])), e(worstPlain(res.States[k])), rate(res.States[k].MovedBps), e(n1Plain(res.States[k])), e(strings.ReplaceAll(stepResults(d, k), "**", "")))
	}
	ew.printf("</table>\n")

	labelled := stepLabelledLinks(v)
	pic := newPicture(v, labelled)
	if pic.note != "" {
		ew.printf("<p class=\"scope\">%s</p>\n", e(pic.note))
	}
	for k := 1; k <= len(p.Steps); k++ {
		s := &p.Steps[k-1]
		ew.printf("<section><h3>Step %d: %s</h3>\n", k, e(s.Name))
		networkPicture(ew, v, pic, k, labelled[k-1])
		st := res.States[k]
		ew.printf("<p class=\"devices\"><b>Devices:</b> %s", e(orDash(strings.Join(s.Devices, ", "))))
		if len(s.Devices) > 0 {
			ew.printf(" (%s)", e(wavesText(s)))
		}
		ew.printf(". <b>Soak:</b> %s.</p>\n", e(soakText(s)))
		ew.printf("<p class=\"n1\"><b>N-1 worst case:</b> %s.", e(n1Plain(st)))
		if st.DroppedBps > 0 {
			ew.printf(" <b>Drops %s</b> of traffic.", rate(st.DroppedBps))
		}
		if bps, f := droppedN1(st); bps > 0 {
			ew.printf(" Under N-1: <b>%s dropped</b> if %s fails.", rate(bps), e(f))
		}
		ew.printf("</p>\n")
		for _, r := range stepResultList(d, k) {
			ew.printf("<p class=\"%s\"><b>%s</b> %s (<code>%s:%d</code>): %s</p>\n", r.Kind, kindWord(r.Kind), e(r.Policy), e(r.File), r.Line, e(r.Msg))
		}
		if se := res.States[k].Effects; se != nil {
			ew.printf("<h4>What it changes in the model (%s)</h4><ul>\n", e(effectsSourceWords(se.Source)))
			for _, a := range se.Applied {
				ew.printf("<li><code>%s</code> %s</li>\n", e(effectText(a.Effect())), e(effectSource(a)))
			}
			for _, l := range se.NotModelled {
				ew.printf("<li>not modelled: <code>%s</code> on %s (line %d): %s</li>\n", e(strings.TrimSpace(l.Text)), e(l.Device), l.Source.Line, e(l.Why))
			}
			ew.printf("</ul>\n")
		}
		if len(s.Config) > 0 {
			ew.printf("<h4>Configuration</h4><pre>")
			ew.lines(s.Config, e)
			ew.printf("</pre><h4>Rollback</h4><pre>")
			ew.lines(s.RollbackConfig, e)
			ew.printf("</pre>\n")
		}
		if len(s.Checks) > 0 {
			ew.printf("<h4>Checks</h4><ul>\n")
			for _, c := range s.Checks {
				dev := cmp.Or(c.Device, "each device")
				ew.printf("<li>%s on %s: <code>%s</code> expects %s <code>%s</code></li>\n", e(c.Name), e(dev), e(c.Command), e(string(c.Expect.Kind)), e(strings.ReplaceAll(c.Expect.Value, "\n", "; ")))
			}
			ew.printf("</ul>\n")
		}
		if onto, more := movedOnto(res.States[k-1], st); len(onto) > 0 {
			ew.printf("<h4>Links it moves traffic onto</h4><table class=\"moved\"><tr><th>link direction</th><th>class</th><th>before</th><th>after</th><th>change</th></tr>\n")
			for _, m := range onto {
				ew.printf("<tr><td>%s %s→%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", e(m.ID), e(m.From), e(m.To), e(orDash(m.Class)), rate(m.BeforeBps), rate(m.AfterBps), changeText(m))
			}
			ew.printf("</table>\n")
			if more > 0 {
				ew.printf("<p>and %s more.</p>\n", plural(more, "link direction"))
			}
		}
		ew.printf("</section>\n")
	}

	ew.printf("<h2>Approvals</h2>\n<ul>\n")
	if len(approvals) == 0 {
		ew.printf("<li>None yet.</li>\n")
	}
	for _, a := range approvals {
		ew.printf("<li><b>%s</b> %s", e(a.Status), e(approvalText(a)))
		if a.Why != "" {
			ew.printf("<br><i>why: %s</i>", e(a.Why))
		}
		ew.printf("</li>\n")
	}
	ew.printf("</ul>\n<p class=\"digests\">Digests: plan <code>%s</code>, topology <code>%s</code>, traffic <code>%s</code>, policy <code>%s</code>, inventory <code>%s</code>.</p>\n</body></html>\n",
		v.Digests.Plan, v.Digests.Topology, v.Digests.Traffic, v.Digests.Policy, digest.Show(v.Digests.Inventory))
	return ew.err
}

const reviewCSS = `body{font:14px/1.4 sans-serif;margin:2em;max-width:1100px}h1.denied{color:#b00}h1.allowed{color:#070}
li.deny,p.deny{color:#900}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
pre{background:#f4f4f4;padding:6px}svg{border:1px solid #ddd;background:#fff}.digests{color:#666;font-size:12px}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:2px 12px}dl.facts dt{font-weight:bold}dl.facts dd{margin:0}
.step-picture{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}.picture{max-width:722px}.net-change{flex:1;min-width:260px}
.net-change h4{margin:0 0 4px}.net-change ul{margin:0;padding-left:1.2em}p.legend{font-size:12px;margin:4px 0}p.legend span{white-space:nowrap;margin-right:10px}
p.legend svg{border:none;vertical-align:middle}.step-verdict .deny{color:#900}`

func worstPlain(s dryrun.State) string { return strings.ReplaceAll(worst(s), `\`, "") }

func n1Plain(s dryrun.State) string { return strings.ReplaceAll(n1Worst(s), `\`, "") }

func effectText(ef plans.Effect) string {
	switch {
	case ef.Metric != 0:
		from := ""
		if ef.From != "" {
			from = " from " + ef.From
		}
		return fmt.Sprintf("%s %s metric %d%s", ef.Type, ef.Link, ef.Metric, from)
	case ef.CapacityBps != 0:
		return fmt.Sprintf("%s %s to %s", ef.Type, ef.Link, rate(ef.CapacityBps))
	case ef.Node != "":
		return fmt.Sprintf("%s %s", ef.Type, ef.Node)
	}
	return fmt.Sprintf("%s %s", ef.Type, ef.Link)
}

// stepEffects are what step k (s) changed in the model as the dry-run
// applied it: its configuration's effects where it was read, else its
// declared ones.
func stepEffects(res *dryrun.Result, k int, s *plans.Step) []plans.Effect {
	if k < len(res.States) && res.States[k].Effects != nil {
		return dryrun.Effects(res.States[k].Effects.Applied)
	}
	return s.Effects
}

// changedLinks are the links effects touch; a drained node's links count
// too.
func changedLinks(effects []plans.Effect) map[string]bool {
	out := map[string]bool{}
	for _, ef := range effects {
		if ef.Link != "" {
			out[ef.Link] = true
		}
		if ef.Node != "" {
			out["node:"+ef.Node] = true
		}
	}
	return out
}

func soakText(s *plans.Step) string {
	if s.Soak <= 0 {
		return "none"
	}
	return s.Soak.String()
}

// chartTop is the top of the chart's y scale and the step between its
// ticks: 100% at least, above the highest value, in round steps.
func chartTop(most float64) (top, step float64) {
	top = math.Max(1, most)
	step = 0.2
	for mag := 0.1; top/step > 8; mag *= 10 {
		for _, m := range []float64{2, 2.5, 5, 10} {
			if step = m * mag; top/step <= 8 {
				break
			}
		}
	}
	return math.Ceil(top/step-1e-9) * step, step
}

// clip shortens s to n characters at most, ending it with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if n < 2 {
		n = 2
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// utilChart draws, for every state (the baseline, then after each step,
// named on the x axis), the worst link utilisation in the steady state
// and under the worst single failure, and the traffic dropped (as a share
// of the demand; in the steady state or under any single failure,
// whichever is more) as its own series; the y axis is in percent, up to
// the highest value, with the 100% (capacity) line. Every point carries
// its value as text, so that a screenshot has the numbers.
func utilChart(ew *errWriter, res *dryrun.Result, p *plans.Plan) {
	const w, h, left, right, top, bottom, inset = 960.0, 340.0, 96.0, 20.0, 40.0, 70.0, 40.0
	n := len(res.States)
	steady := make([]float64, n)
	n1 := make([]float64, n)
	dropped := make([]float64, n)
	most := 0.0
	for i, s := range res.States {
		steady[i], n1[i] = s.MaxUtilization, s.MaxUtilization
		if s.N1 != nil {
			n1[i] = math.Max(n1[i], s.N1.MaxUtilization)
		}
		d, _ := droppedN1(s)
		if total := res.Topology.TotalDemandBps; total > 0 {
			dropped[i] = math.Max(s.DroppedBps, d) / total
		}
		most = math.Max(most, math.Max(n1[i], dropped[i]))
	}
	ymax, ystep := chartTop(most)
	spacing := (w - left - right - 2*inset) / math.Max(1, float64(n-1))
	x := func(i int) float64 {
		if n < 2 {
			return left + (w-left-right)/2
		}
		return left + inset + float64(i)*spacing
	}
	y := func(u float64) float64 { return h - bottom - u/ymax*(h-top-bottom) }
	ew.printf("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-size=\"11\">\n", w, h, w, h)
	// The y axis: ticks and their values, then the capacity line.
	for v := 0.0; v <= ymax+1e-9; v += ystep {
		if math.Abs(v-1) < 1e-9 {
			continue // the capacity line's
		}
		ew.printf("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#eee\"/><text class=\"ytick\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f%%</text>\n", left, y(v), w-right, y(v), left-6, y(v)+4, v*100)
	}
	ew.printf("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#999\"/>\n", left, top-6, left, h-bottom)
	ew.printf("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"4 3\"/><text class=\"ytick\" x=\"%.0f\" y=\"%.1f\" fill=\"#c00\" text-anchor=\"end\">capacity 100%%</text>\n", left, y(1), w-right, y(1), left-6, y(1)+4)
	// The x axis: the states by the step that led there, every other
	// label one row lower so that neighbours do not overlap.
	room := int(2*spacing/6.5) - 3
	for i := range res.States {
		name := "baseline"
		if i > 0 && i <= len(p.Steps) {
			name = fmt.Sprintf("%d: %s", i, clip(p.Steps[i-1].Name, room))
		}
		// The first and last labels start and end at the plot's edges,
		// so that they stay inside the chart.
		lx, anchor := x(i), "middle"
		switch {
		case n > 1 && i == 0:
			lx, anchor = x(i)-inset, "start"
		case n > 1 && i == n-1:
			lx, anchor = x(i)+inset, "end"
		}
		ew.printf("<text class=\"xtick\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"%s\">%s</text>\n", lx, h-bottom+30+float64(i%2)*16, anchor, html.EscapeString(name))
	}
	series := func(vals []float64, color, dash, name string, above, zeros bool) {
		pts := make([]string, n)
		for i, v := range vals {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(v))
		}
		ew.printf("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"><title>%s</title></polyline>\n", color, dash, strings.Join(pts, " "), name)
		for i, v := range vals {
			ew.printf("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", x(i), y(v), color)
			if v == 0 && !zeros {
				ew.printf("\n")
				continue
			}
			// Above the point, or below it; beside it where below would
			// reach the x axis.
			lx, ly, anchor := x(i), y(v)-7, "middle"
			if !above {
				lx, ly = x(i), y(v)+14
				if ly > y(0)-4 {
					lx, ly, anchor = x(i)+7, y(v)+4, "start"
				}
			}
			ew.printf("<text class=\"value\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"%s\">%s</text>\n", lx, ly, color, anchor, pct(v))
		}
	}
	// Dropped first, so that the utilisation lines are drawn over it; its
	// values are written only where some traffic is dropped.
	series(dropped, "#80c", ` stroke-dasharray="6 3"`, "traffic dropped (share of the demand)", true, false)
	series(n1, "#e60", "", "worst link under the worst single failure", true, true)
	series(steady, "#236", "", "worst link, steady state", false, true)
	// The legend.
	ew.printf("<g class=\"legend\">")
	lx := left
	for _, l := range []struct{ color, dash, name string }{
		{"#236", "", "worst link, steady state"},
		{"#e60", "", "worst link under the worst single failure (N-1)"},
		{"#80c", ` stroke-dasharray="6 3"`, "traffic dropped, steady or N-1 (% of demand)"},
	} {
		ew.printf("<line x1=\"%.0f\" y1=\"14\" x2=\"%.0f\" y2=\"14\" stroke=\"%s\" stroke-width=\"2\"%s/><text x=\"%.0f\" y=\"18\">%s</text>", lx, lx+24, l.color, l.dash, lx+30, l.name)
		lx += 40 + 6.2*float64(len(l.name))
	}
	ew.printf("</g>\n</svg>\n")
}
