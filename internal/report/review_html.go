package report

import (
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// ReviewHTML writes the review as one self-contained HTML file (no
// scripts, no external resources): the verdict and its reasons, a chart
// of the worst utilisation per state with and without N-1, one picture of
// the network per step (links coloured by utilisation, the links the step
// changes drawn dashed), the per-step table, each step's results,
// commands and rollback, and the model's changes since the baseline. The
// same verdict gives the same bytes.
func ReviewHTML(w io.Writer, v *gate.Verdict, approvals []ReviewApproval) error {
	ew := &errWriter{w: w}
	p, d, res := v.Plan, v.Decision, v.DryRun
	word, cls := "ALLOWED", "allowed"
	if !v.Allowed() {
		word, cls = "DENIED", "denied"
	}
	e := html.EscapeString
	ew.printf("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s: %s</title>\n<style>", word, e(p.Title))
	io.WriteString(ew, reviewCSS) // ours, over several lines: not an argument, which printf would escape
	ew.printf("</style></head><body>\n")
	ew.printf("<h1 class=\"%s\">%s: %s</h1>\n", cls, word, e(p.Title))
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
	utilChart(ew, res)

	ew.printf("<h2>Steps</h2>\n<table><tr><th>#</th><th>step</th><th>worst link: before → after</th><th>moved</th><th>N-1 worst case</th><th>results</th></tr>\n")
	for k := 1; k < len(res.States); k++ {
		ew.printf("<tr><td>%d</td><td>%s</td><td>%s → %s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", k, e(p.Steps[k-1].Name),
			e(worstPlain(res.States[k-1])), e(worstPlain(res.States[k])), rate(res.States[k].MovedBps), e(n1Plain(res.States[k])), e(strings.ReplaceAll(stepResults(d, k), "**", "")))
	}
	ew.printf("</table>\n")

	pos := layout(v.Network)
	for k := 1; k <= len(p.Steps); k++ {
		s := &p.Steps[k-1]
		ew.printf("<section><h3>Step %d: %s</h3>\n", k, e(s.Name))
		networkPicture(ew, v.Network, pos, res.States[k], changedLinks(stepEffects(res, k, s)))
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
		ew.printf("<h4>The model since the baseline</h4><ul>\n")
		for j := 0; j < k; j++ {
			for _, ef := range stepEffects(res, j+1, &p.Steps[j]) {
				ew.printf("<li>step %d: %s</li>\n", j+1, e(effectText(ef)))
			}
		}
		ew.printf("</ul></section>\n")
	}

	ew.printf("<h2>Approvals</h2>\n<ul>\n")
	if len(approvals) == 0 {
		ew.printf("<li>None yet.</li>\n")
	}
	for _, a := range approvals {
		ew.printf("<li><b>%s</b> %s %s</li>\n", e(a.Status), e(a.Approver), e(a.Why))
	}
	ew.printf("</ul>\n<p class=\"digests\">Digests: plan <code>%s</code>, topology <code>%s</code>, traffic <code>%s</code>, policy <code>%s</code>, inventory <code>%s</code>.</p>\n</body></html>\n",
		v.Digests.Plan, v.Digests.Topology, v.Digests.Traffic, v.Digests.Policy, digest.Show(v.Digests.Inventory))
	return ew.err
}

const reviewCSS = `body{font:14px/1.4 sans-serif;margin:2em;max-width:1100px}h1.denied{color:#b00}h1.allowed{color:#070}
li.deny,p.deny{color:#900}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
pre{background:#f4f4f4;padding:6px}svg{border:1px solid #ddd;background:#fff}.digests{color:#666;font-size:12px}`

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

const picW, picH, pad = 640.0, 360.0, 30.0

// layout places the nodes: by their coordinates when every node has them,
// else on a circle in name order (stable for the same network).
func layout(n *topology.Network) map[string][2]float64 {
	pos := map[string][2]float64{}
	all := len(n.Nodes) > 0
	for _, nd := range n.Nodes {
		all = all && nd.Position != nil
	}
	if all {
		// By the rank of each coordinate, not its value: west to east and
		// north to south as on a map, but sites a few hundred metres wide
		// and far apart do not collapse into two dots.
		xs, ys := map[float64]int{}, map[float64]int{}
		for _, nd := range n.Nodes {
			xs[nd.Position.Lon], ys[-nd.Position.Lat] = 0, 0
		}
		rank := func(m map[float64]int) int {
			keys := make([]float64, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Float64s(keys)
			for i, k := range keys {
				m[k] = i
			}
			return len(keys)
		}
		nx, ny := rank(xs), rank(ys)
		at := func(i, n int, size float64) float64 {
			if n < 2 {
				return size / 2
			}
			return pad + float64(i)*(size-2*pad)/float64(n-1)
		}
		for _, nd := range n.Nodes {
			pos[nd.Name] = [2]float64{at(xs[nd.Position.Lon], nx, picW), at(ys[-nd.Position.Lat], ny, picH)}
		}
		return pos
	}
	names := make([]string, len(n.Nodes))
	for i, nd := range n.Nodes {
		names[i] = nd.Name
	}
	sort.Strings(names)
	for i, name := range names {
		a := 2 * math.Pi * float64(i) / float64(len(names))
		pos[name] = [2]float64{picW/2 + (picW/2-pad)*math.Cos(a), picH/2 + (picH/2-pad)*math.Sin(a)}
	}
	return pos
}

// utilColor is a link's colour by its utilisation.
func utilColor(u float64, up bool) string {
	switch {
	case !up:
		return "#bbb"
	case u >= 1:
		return "#c00"
	case u >= 0.8:
		return "#e60"
	case u >= 0.5:
		return "#db0"
	}
	return "#3a3"
}

func networkPicture(ew *errWriter, n *topology.Network, pos map[string][2]float64, st dryrun.State, changed map[string]bool) {
	ew.printf("<svg class=\"network\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", picW, picH, picW, picH)
	util := map[string]float64{}
	up := map[string]bool{}
	for _, l := range st.Links {
		util[l.ID] = math.Max(util[l.ID], l.Utilization)
		up[l.ID] = l.Up
	}
	for _, l := range n.Links {
		a, b := pos[l.A], pos[l.B]
		dash := ""
		if changed[l.ID] || changed["node:"+l.A] || changed["node:"+l.B] {
			dash = ` stroke-dasharray="6 3"`
		}
		ew.printf("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"%s><title>%s %s</title></line>\n",
			a[0], a[1], b[0], b[1], utilColor(util[l.ID], up[l.ID]), dash, html.EscapeString(l.ID), pct(util[l.ID]))
	}
	for _, nd := range n.Nodes {
		c := pos[nd.Name]
		ew.printf("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"#236\"/><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">%s</text>\n", c[0], c[1], c[0]+8, c[1]-8, html.EscapeString(nd.Name))
	}
	ew.printf("</svg>\n")
}

// utilChart draws the worst utilisation of every state, and its N-1
// worst case, as two lines.
func utilChart(ew *errWriter, res *dryrun.Result) {
	const w, h = 640.0, 220.0
	top := 1.0
	for _, s := range res.States {
		top = math.Max(top, s.MaxUtilization)
		if s.N1 != nil {
			top = math.Max(top, s.N1.MaxUtilization)
		}
	}
	n := len(res.States)
	x := func(i int) float64 {
		if n < 2 {
			return pad
		}
		return pad + float64(i)*(w-2*pad)/float64(n-1)
	}
	y := func(u float64) float64 { return h - pad - u/top*(h-2*pad) }
	ew.printf("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", w, h, w, h)
	ew.printf("<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"2 2\"/><text x=\"2\" y=\"%.1f\" font-size=\"10\">100%%</text>\n", pad, y(1), w-pad, y(1), y(1)-2)
	var steady, n1 []string
	for i, s := range res.States {
		steady = append(steady, fmt.Sprintf("%.1f,%.1f", x(i), y(s.MaxUtilization)))
		u := s.MaxUtilization
		if s.N1 != nil {
			u = math.Max(u, s.N1.MaxUtilization)
		}
		n1 = append(n1, fmt.Sprintf("%.1f,%.1f", x(i), y(u)))
		ew.printf("<text x=\"%.1f\" y=\"%.0f\" font-size=\"10\">%d</text>\n", x(i)-3, h-8, i)
	}
	ew.printf("<polyline fill=\"none\" stroke=\"#e60\" stroke-width=\"2\" points=\"%s\"><title>with N-1</title></polyline>\n", strings.Join(n1, " "))
	ew.printf("<polyline fill=\"none\" stroke=\"#236\" stroke-width=\"2\" points=\"%s\"><title>steady state</title></polyline>\n", strings.Join(steady, " "))
	ew.printf("<text x=\"%.0f\" y=\"14\" font-size=\"11\" fill=\"#236\">steady state</text><text x=\"%.0f\" y=\"28\" font-size=\"11\" fill=\"#e60\">worst single failure</text>\n", w-150, w-150)
	ew.printf("</svg>\n")
}
