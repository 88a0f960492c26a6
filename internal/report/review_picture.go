package report

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strings"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// pictureMaxNodes bounds the nodes a step's picture draws: a larger
// network is shown around what the plan touches (pictureScope).
const pictureMaxNodes = 60

// pictureLabelsShown bounds the links labelled on one picture.
const pictureLabelsShown = 16

// linkUse is a link's utilisation in a state: the higher of its two
// directions, and whether it is up.
type linkUse struct {
	Util float64
	Up   bool
}

func linkUses(st dryrun.State) map[string]linkUse {
	out := map[string]linkUse{}
	for _, l := range st.Links {
		u := out[l.ID]
		out[l.ID] = linkUse{math.Max(u.Util, l.Utilization), u.Up || l.Up}
	}
	return out
}

// shortPct is a utilisation as a whole percentage, for a label.
func shortPct(u float64) string { return fmt.Sprintf("%.0f%%", u*100) }

// pictureLink is a link a step's picture labels, and why.
type pictureLink struct {
	ID, Text string
}

// labelledLinks are the links step k's picture writes a label on, the
// most important first: those the step's results name (a link over its
// threshold, or whose failure causes one), those the step changes, those
// over 80% after it, then those it moves traffic onto; at most
// pictureLabelsShown. Each label is the link's utilisation before ->
// after the step (the higher direction), with its worst case under a
// single failure when a result names the link and that is higher.
func labelledLinks(v *gate.Verdict, k int) []pictureLink {
	res := v.DryRun
	prev, st := res.States[k-1], res.States[k]
	before, after := linkUses(prev), linkUses(st)
	n1 := map[string]float64{}
	if st.N1 != nil {
		for _, l := range st.N1.Links {
			n1[l.ID] = math.Max(n1[l.ID], l.WorstUtilization)
		}
	}
	var ids []string
	named := map[string]bool{}
	add := func(id string) {
		if _, ok := after[id]; ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, r := range stepResultList(v.Decision, k) {
		if id, ok := r.Facts["link"].(string); ok {
			add(id)
			named[id] = true
		}
		if f, ok := r.Facts["failure"].(string); ok && strings.HasPrefix(f, "link:") {
			add(strings.TrimPrefix(f, "link:"))
		}
	}
	for _, ef := range stepEffects(res, k, &v.Plan.Steps[k-1]) {
		add(ef.Link)
	}
	for _, l := range v.Network.Links {
		if after[l.ID].Util >= 0.8 {
			add(l.ID)
		}
	}
	onto, _ := movedOnto(prev, st)
	for _, m := range onto {
		add(m.ID)
	}
	var out []pictureLink
	for _, id := range ids {
		if len(out) == pictureLabelsShown {
			break
		}
		b, a := before[id], after[id]
		from, to := shortPct(b.Util), shortPct(a.Util)
		if !b.Up {
			from = "down"
		}
		if !a.Up {
			to = "down"
		}
		text := fmt.Sprintf("%s %s → %s", id, from, to)
		if named[id] && n1[id] > a.Util && a.Up {
			text += ", N-1 " + shortPct(n1[id])
		}
		out = append(out, pictureLink{ID: id, Text: text})
	}
	return out
}

// netChange is how the model after a step differs from the baseline:
// what is different now, whatever happened in between.
type netChange struct {
	Links map[string]bool // links whose state, metric or capacity differ
	Nodes map[string]bool // nodes drained or undrained
	Lines []string        // in words, in the topology's order
}

// netChanges folds the effects of steps 1..k into the baseline and keeps
// what differs from it.
func netChanges(v *gate.Verdict, k int) netChange {
	type linkModel struct {
		up       bool
		ab, ba   int64
		capacity float64
	}
	n := v.Network
	base := map[string]linkModel{}
	ends := map[string][2]string{}
	for _, l := range n.Links {
		base[l.ID] = linkModel{l.Up, l.MetricAB, l.MetricBA, l.CapacityBps}
		ends[l.ID] = [2]string{l.A, l.B}
	}
	drained := map[string]bool{}
	for _, nd := range n.Nodes {
		drained[nd.Name] = nd.Drained
	}
	links := map[string]linkModel{}
	for id, m := range base {
		links[id] = m
	}
	nodes := map[string]bool{}
	for name, d := range drained {
		nodes[name] = d
	}
	for j := 1; j <= k; j++ {
		for _, ef := range stepEffects(v.DryRun, j, &v.Plan.Steps[j-1]) {
			m, ok := links[ef.Link]
			switch ef.Type {
			case plans.LinkDown:
				m.up = false
			case plans.LinkUp:
				m.up = true
			case plans.SetCapacity:
				m.capacity = ef.CapacityBps
			case plans.SetMetric:
				if ef.From == "" || ef.From == ends[ef.Link][0] {
					m.ab = ef.Metric
				}
				if ef.From == "" || ef.From == ends[ef.Link][1] {
					m.ba = ef.Metric
				}
			case plans.Drain:
				nodes[ef.Node] = true
			case plans.Undrain:
				nodes[ef.Node] = false
			}
			if ok {
				links[ef.Link] = m
			}
		}
	}
	out := netChange{Links: map[string]bool{}, Nodes: map[string]bool{}}
	for _, nd := range n.Nodes {
		if nodes[nd.Name] != drained[nd.Name] {
			out.Nodes[nd.Name] = true
			if nodes[nd.Name] {
				out.Lines = append(out.Lines, "node "+nd.Name+" drained")
			} else {
				out.Lines = append(out.Lines, "node "+nd.Name+" no longer drained")
			}
		}
	}
	for _, l := range n.Links {
		b, m := base[l.ID], links[l.ID]
		var what []string
		if m.up != b.up {
			what = append(what, map[bool]string{true: "up (was down)", false: "down (was up)"}[m.up])
		}
		if m.capacity != b.capacity {
			what = append(what, fmt.Sprintf("capacity %s (was %s)", rate(m.capacity), rate(b.capacity)))
		}
		if m.ab != b.ab || m.ba != b.ba {
			if m.ab == m.ba && b.ab == b.ba {
				what = append(what, fmt.Sprintf("metric %d (was %d)", m.ab, b.ab))
			} else {
				what = append(what, fmt.Sprintf("metric %s→%s %d, %s→%s %d (was %d, %d)", l.A, l.B, m.ab, l.B, l.A, m.ba, b.ab, b.ba))
			}
		}
		if len(what) > 0 {
			out.Links[l.ID] = true
			out.Lines = append(out.Lines, "link "+l.ID+" "+strings.Join(what, ", "))
		}
	}
	return out
}

// pictureScope is the nodes the pictures draw: every node of a network
// of at most pictureMaxNodes; of a larger one, those the plan touches
// (the devices of its steps, the nodes it changes, the ends of the links
// it changes or labels; at most pictureMaxNodes of them, in that order)
// and, while there is room, the nodes around them, nearest first.
// keep is nil when every node is drawn; note then says nothing.
func pictureScope(v *gate.Verdict, labels [][]pictureLink) (keep map[string]bool, note string) {
	n := v.Network
	if len(n.Nodes) <= pictureMaxNodes {
		return nil, ""
	}
	ends := map[string][2]string{}
	for _, l := range n.Links {
		ends[l.ID] = [2]string{l.A, l.B}
	}
	// What the plan touches, most important first: what each step
	// configures and changes, then the ends of the links each labels.
	// Past pictureMaxNodes the rest is left out: a picture of that size
	// has no room for more.
	names := map[string]bool{}
	for _, nd := range n.Nodes {
		names[nd.Name] = true
	}
	keep = map[string]bool{}
	var over []string
	add := func(name string) {
		switch {
		case !names[name] || keep[name] || slices.Contains(over, name):
		case len(keep) < pictureMaxNodes:
			keep[name] = true
		default:
			over = append(over, name)
		}
	}
	addLink := func(id string) {
		if e, ok := ends[id]; ok {
			add(e[0])
			add(e[1])
		}
	}
	for k := 1; k <= len(v.Plan.Steps); k++ {
		s := &v.Plan.Steps[k-1]
		for _, d := range s.Devices {
			add(d)
		}
		for _, ef := range stepEffects(v.DryRun, k, s) {
			addLink(ef.Link)
			if ef.Node != "" {
				add(ef.Node)
			}
		}
	}
	for k := 1; k <= len(v.Plan.Steps); k++ {
		for _, l := range labels[k-1] {
			addLink(l.ID)
		}
	}
	touched := len(keep)
	// Then the nodes around them, ring by ring (those next to the most
	// kept nodes first), while there is room.
	for len(keep) < pictureMaxNodes {
		count := map[string]int{}
		for _, l := range n.Links {
			if keep[l.A] && !keep[l.B] {
				count[l.B]++
			}
			if keep[l.B] && !keep[l.A] {
				count[l.A]++
			}
		}
		var ring []string
		for _, nd := range n.Nodes {
			if count[nd.Name] > 0 {
				ring = append(ring, nd.Name)
			}
		}
		if len(ring) == 0 {
			break
		}
		slices.SortStableFunc(ring, func(a, b string) int { return count[b] - count[a] })
		for _, name := range ring {
			if len(keep) >= pictureMaxNodes {
				break
			}
			keep[name] = true
		}
	}
	links := 0
	for _, l := range n.Links {
		if keep[l.A] && keep[l.B] {
			links++
		}
	}
	if len(over) > 0 {
		note = fmt.Sprintf("The pictures show %d of the %s: the first %s the plan configures or changes or whose links they label (%d more are left out, among them %s); %s and %s are left out.",
			len(keep), plural(len(n.Nodes), "node"), plural(touched, "node"), len(over), strings.Join(over[:min(len(over), 5)], ", "),
			plural(len(n.Nodes)-len(keep), "node"), plural(len(n.Links)-links, "link"))
		return keep, note
	}
	note = fmt.Sprintf("The pictures show %d of the %s: the %s the plan configures or changes or whose links they label, and the %s nearest them; %s and %s are left out.",
		len(keep), plural(len(n.Nodes), "node"), plural(touched, "node"), plural(len(keep)-touched, "node"),
		plural(len(n.Nodes)-len(keep), "node"), plural(len(n.Links)-links, "link"))
	return keep, note
}

// picture is the network's layout for all of a review's pictures, so
// that they can be compared step by step.
type picture struct {
	lay   netLayout
	edges []edge
	keep  map[string]bool
	note  string
}

func newPicture(v *gate.Verdict, labels [][]pictureLink) *picture {
	keep, note := pictureScope(v, labels)
	p := &picture{lay: layoutNetwork(v.Network, keep), keep: keep, note: note}
	for _, l := range v.Network.Links {
		if p.drawn(l) {
			p.edges = append(p.edges, edge{l.A, l.B})
		}
	}
	return p
}

func (p *picture) drawn(l topology.Link) bool {
	return p.keep == nil || p.keep[l.A] && p.keep[l.B]
}

// The picture's colours.
const (
	colorNode    = "#236"
	colorDevice  = "#d0a"
	colorNet     = "#d9c3f3"
	colorLeader  = "#888"
	colorLabel   = "#111"
	dashChanged  = "7 4"
	widthLink    = 3.0
	widthNetHalo = 10.0
)

// networkPicture draws step k: links coloured by their utilisation after
// it (grey when down), dashed where the step changes them (or drains one
// of their nodes), under a wide violet band where the model differs from
// the baseline; the step's devices ringed; the labelled links' ids and
// utilisation before -> after written beside them, and every node's
// name; then a legend, and beside the picture the net change from the
// baseline.
func networkPicture(ew *errWriter, v *gate.Verdict, pic *picture, k int, links []pictureLink) {
	e := html.EscapeString
	res, s := v.DryRun, &v.Plan.Steps[k-1]
	st := res.States[k]
	use := linkUses(st)
	changed := changedLinks(stepEffects(res, k, s))
	net := netChanges(v, k)
	lay := pic.lay
	devices := map[string]bool{}
	for _, d := range s.Devices {
		devices[d] = true
	}

	var reqs []labelReq
	for _, l := range links {
		for _, tl := range v.Network.Links {
			if tl.ID == l.ID && pic.drawn(tl) {
				reqs = append(reqs, labelReq{Text: l.Text, Link: &[2]vec{lay.At[tl.A], lay.At[tl.B]}})
			}
		}
	}
	nLinkLabels := len(reqs)
	for _, nd := range v.Network.Nodes {
		if at, ok := lay.At[nd.Name]; ok {
			name := nd.Name
			if net.Nodes[nd.Name] {
				name += map[bool]string{true: " (drained)", false: " (undrained)"}[slices.Contains(net.Lines, "node "+nd.Name+" drained")]
			}
			reqs = append(reqs, labelReq{Text: name, Node: at})
		}
	}
	labels := placeLabels(lay, pic.edges, reqs)

	ew.printf("<div class=\"step-picture\"><div class=\"picture\">\n")
	ew.printf("<svg class=\"network\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n", lay.W, lay.H, lay.W, lay.H)
	// The bands of the net change, under everything.
	for _, l := range v.Network.Links {
		if pic.drawn(l) && net.Links[l.ID] {
			a, b := lay.At[l.A], lay.At[l.B]
			ew.printf("<line class=\"net\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.0f\" stroke-linecap=\"round\"/>\n", a.X, a.Y, b.X, b.Y, colorNet, widthNetHalo)
		}
	}
	for _, nd := range v.Network.Nodes {
		if at, ok := lay.At[nd.Name]; ok && net.Nodes[nd.Name] {
			ew.printf("<circle class=\"net\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.0f\" fill=\"%s\"/>\n", at.X, at.Y, nodeR+5, colorNet)
		}
	}
	for _, l := range v.Network.Links {
		if !pic.drawn(l) {
			continue
		}
		a, b := lay.At[l.A], lay.At[l.B]
		dash := ""
		if changed[l.ID] || changed["node:"+l.A] || changed["node:"+l.B] {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, dashChanged)
		}
		u := use[l.ID]
		ew.printf("<line class=\"link\" data-a=\"%s\" data-b=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.0f\"%s><title>%s %s</title></line>\n",
			e(l.A), e(l.B), a.X, a.Y, b.X, b.Y, utilColor(u.Util, u.Up), widthLink, dash, e(l.ID), pct(u.Util))
	}
	for _, nd := range v.Network.Nodes {
		at, ok := lay.At[nd.Name]
		if !ok {
			continue
		}
		ring := ""
		if devices[nd.Name] {
			ring = fmt.Sprintf(` stroke="%s" stroke-width="3"`, colorDevice)
		}
		ew.printf("<circle class=\"node\" data-name=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.0f\" fill=\"%s\"%s/>\n", e(nd.Name), at.X, at.Y, nodeR, colorNode, ring)
	}
	for i, l := range labels {
		if l.Leader {
			to := l.Box.clampPoint(l.From)
			ew.printf("<line class=\"leader\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>\n", l.From.X, l.From.Y, to.X, to.Y, colorLeader)
		}
		cls, weight, fill := "name", "normal", colorNode
		if i < nLinkLabels {
			cls, weight, fill = "link-label", "bold", colorLabel
		}
		ew.printf("<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" font-family=\"monospace\" font-size=\"%.0f\" font-weight=\"%s\" fill=\"%s\" stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\">%s</text>\n",
			cls, l.Box.X0+1, l.Box.Y1-3.5, labelFont, weight, fill, e(l.Text))
	}
	ew.printf("</svg>\n")
	pictureLegend(ew)
	ew.printf("</div>\n<div class=\"net-change\"><h4>Differs from the baseline after this step</h4><ul>\n")
	if len(net.Lines) == 0 {
		ew.printf("<li>nothing: the model is back to the baseline</li>\n")
	}
	for _, l := range net.Lines {
		ew.printf("<li>%s</li>\n", e(l))
	}
	ew.printf("</ul>")
	if len(s.Devices) > 0 {
		ew.printf("<p>Configures: <b>%s</b> (ringed).</p>", e(strings.Join(s.Devices, ", ")))
	}
	// The step's verdict, so that a screenshot of the picture says why.
	rs := stepResultList(v.Decision, k)
	ew.printf("<p class=\"step-verdict\"><b>Results:</b> %s", e(strings.ReplaceAll(stepResults(v.Decision, k), "**", "")))
	for _, kind := range []policy.Kind{policy.Deny, policy.Warn} {
		if by := countByPolicy(rs, kind); by != "" {
			ew.printf("; %s %s", kindWord(kind), e(by))
		}
	}
	ew.printf(".")
	if msg, isNew := firstDenial(v, k); msg != "" {
		what := "First"
		if isNew {
			what = "New in this step"
		}
		ew.printf("<br><span class=\"deny\">%s: %s</span>", what, e(clip(msg, 200)))
	}
	ew.printf("</p></div></div>\n")
}

// firstDenial is the denial of step k (1-based) to show beside its
// picture, without its "step k" prefix: the first that step k-1 (or, for
// step 1, the plan as a whole) did not have (the problem this step
// brings, marked new), else the first (a
// problem carried over, such as a link already overloaded at the
// baseline).
func firstDenial(v *gate.Verdict, k int) (msg string, isNew bool) {
	strip := func(m string, k int) string {
		if k < 1 {
			return m // the plan's own results name no step
		}
		return strings.TrimPrefix(m, fmt.Sprintf("step %d \"%s\": ", k, v.Plan.Steps[k-1].Name))
	}
	before := map[string]bool{}
	for _, r := range stepResultList(v.Decision, k-1) {
		if r.Kind == policy.Deny {
			before[strip(r.Msg, k-1)] = true
		}
	}
	for _, r := range stepResultList(v.Decision, k) {
		if r.Kind != policy.Deny {
			continue
		}
		m := strip(r.Msg, k)
		if msg == "" {
			msg = m
		}
		if !before[m] {
			return m, true
		}
	}
	return msg, false
}

// pictureLegend explains the picture's colours, dashes, bands and rings.
func pictureLegend(ew *errWriter) {
	line := func(color, dash string, width float64) string {
		if dash != "" {
			dash = ` stroke-dasharray="` + dash + `"`
		}
		return fmt.Sprintf(`<svg width="28" height="12"><line x1="1" y1="6" x2="27" y2="6" stroke="%s" stroke-width="%.0f"%s/></svg>`, color, width, dash)
	}
	items := [][2]string{
		{line("#3a3", "", widthLink), "under 50%"},
		{line("#db0", "", widthLink), "50–80%"},
		{line("#e60", "", widthLink), "80–100%"},
		{line("#c00", "", widthLink), "over 100%"},
		{line("#8a8a8a", "", widthLink), "down"},
		{line("#555", dashChanged, widthLink), "changed by this step"},
		{`<svg width="28" height="12"><line x1="5" y1="6" x2="23" y2="6" stroke="` + colorNet + `" stroke-width="10" stroke-linecap="round"/><line x1="1" y1="6" x2="27" y2="6" stroke="#3a3" stroke-width="3"/></svg>`, "differs from the baseline"},
		{fmt.Sprintf(`<svg width="16" height="16"><circle cx="8" cy="8" r="%.0f" fill="%s" stroke="%s" stroke-width="3"/></svg>`, nodeR, colorNode, colorDevice), "configured by this step"},
		{"<b>a-b 23% → 70%</b>", "a link's utilisation before → after the step (the busier direction; N-1: its worst under a single failure)"},
	}
	ew.printf("<p class=\"legend\">")
	for _, it := range items {
		ew.printf("<span>%s %s</span> ", it[0], html.EscapeString(it[1]))
	}
	ew.printf("</p>\n")
}

// stepLabelledLinks are the labelled links of every step.
func stepLabelledLinks(v *gate.Verdict) [][]pictureLink {
	out := make([][]pictureLink, len(v.Plan.Steps))
	for k := 1; k <= len(v.Plan.Steps) && k < len(v.DryRun.States); k++ {
		out[k-1] = labelledLinks(v, k)
	}
	return out
}

// utilColor is a link's colour by its utilisation.
func utilColor(u float64, up bool) string {
	switch {
	case !up:
		return "#8a8a8a"
	case u >= 1:
		return "#c00"
	case u >= 0.8:
		return "#e60"
	case u >= 0.5:
		return "#db0"
	}
	return "#3a3"
}
