package observe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/changegate/changegate/internal/dryrun"
)

// Kind says how a destination's observed forwarding differs from the
// prediction.
type Kind string

const (
	// NextHops: both have a route, through different next hops (some
	// predicted ones missing, some unexpected ones present, or both).
	NextHops Kind = "next_hops"
	// MissingRoute: the model predicts a route; the router has none.
	MissingRoute Kind = "missing_route"
	// UnexpectedRoute: the model predicts the destination unreachable;
	// the router forwards to it.
	UnexpectedRoute Kind = "unexpected_route"
)

// Difference is one destination whose forwarding differs from the model.
type Difference struct {
	Destination string `json:"destination"`
	Kind        Kind   `json:"kind"`
	// Predicted are the next-hop nodes the model predicts (empty:
	// unreachable); Observed those the router uses, with next hops that
	// map to no node written as "address on interface (why)". A node
	// reached over several links, or over a number of links that differs
	// between the two, is written with its count: "p2 (2 links)".
	Predicted []string `json:"predicted"`
	Observed  []string `json:"observed"`
	// Missing are predicted next hops the router does not use: a node it
	// does not forward to at all, or the links to a node it forwards on
	// fewer of than predicted ("p2 on link p1-p2#2 (eth2)", or "p2 on 1
	// more link (of p1-p2, p1-p2#2)" when the topology names no
	// interfaces to tell them apart). Unexpected are next hops it uses
	// that the model does not predict: a node, or an interface to a
	// predicted node beyond the predicted links ("p2 on eth3").
	Missing    []string `json:"missing"`
	Unexpected []string `json:"unexpected"`
	// Links says, for the neighbours the router forwards to on fewer or
	// more links than predicted, which: "not on link p1-p2#2 (eth2) to
	// p2", "to p2 on 1 of 2 links (p1-p2, p1-p2#2)", "also on eth3 to p2".
	Links []string `json:"links,omitempty"`
	// Protocol is the protocol of the router's route ("" without one).
	Protocol string `json:"protocol,omitempty"`
	// Prefix is the destination's loopback prefix, the route looked up
	// ("" when the observation does not know the destination).
	Prefix string `json:"prefix"`
}

// Comparison is the forwarding of one router compared with the model.
type Comparison struct {
	Node string `json:"node"`
	// Source says where the router's forwarding was read (Observation's
	// Source).
	Source string `json:"source,omitempty"`
	// Compared is the number of destinations compared.
	Compared int `json:"compared"`
	// Differences lists the destinations that differ, by name.
	Differences []Difference `json:"differences"`
	// Tolerance is how many destinations may differ; OK is true when no
	// more than that do.
	Tolerance int  `json:"tolerance"`
	OK        bool `json:"ok"`
}

// Compare compares what obs's router forwards with predicted, the
// model's next hops of that router by link: destination node -> the
// links it forwards on, an empty list for a destination the model
// predicts unreachable (as dryrun.LinkRoutes gives them for one node).
// Next hops are compared per link: a router that forwards to a
// neighbour on fewer (or more) parallel links than the model predicts
// differs, as its load is spread otherwise. An observed next hop is the
// model's link when the topology names the router's interface on it
// and the router forwards on that interface; the other links to the
// same neighbour are counted. Every destination of predicted is
// compared; observed routes to other destinations are not. The
// comparison is OK when at most tolerance destinations differ (0: none
// may).
func Compare(predicted map[string][]dryrun.Via, obs *Observation, tolerance int) (*Comparison, error) {
	if tolerance < 0 {
		return nil, fmt.Errorf("observe: tolerance %d: give the number of destinations that may differ, 0 or more", tolerance)
	}
	if obs == nil {
		return nil, fmt.Errorf("observe: no observation to compare")
	}
	c := &Comparison{Node: obs.Node, Source: obs.Source, Compared: len(predicted), Differences: []Difference{}, Tolerance: tolerance}
	dests := make([]string, 0, len(predicted))
	for d := range predicted {
		dests = append(dests, d)
	}
	slices.Sort(dests)
	for _, dest := range dests {
		d, differs := compareDest(dest, predicted[dest], obs)
		if differs {
			c.Differences = append(c.Differences, d)
		}
	}
	c.OK = len(c.Differences) <= tolerance
	return c, nil
}

// compareDest compares the route to one destination; false when it is
// as predicted.
func compareDest(dest string, want []dryrun.Via, obs *Observation) (Difference, bool) {
	route, has := obs.Routes[dest]
	d := Difference{Destination: dest, Predicted: []string{}, Observed: []string{}, Missing: []string{}, Unexpected: []string{}}
	if p, ok := obs.Destinations[dest]; ok {
		d.Prefix = p.String()
	}
	// The predicted links by neighbour, and the observed interfaces.
	wantBy := map[string][]dryrun.Via{}
	for _, v := range want {
		if !slices.ContainsFunc(wantBy[v.Node], func(w dryrun.Via) bool { return w.Link == v.Link }) {
			wantBy[v.Node] = append(wantBy[v.Node], v)
		}
	}
	gotBy := map[string][]string{}
	var unmapped []string
	if has {
		d.Protocol = route.Protocol
		for _, h := range route.NextHops {
			if h.Node == "" {
				unmapped = append(unmapped, h.label())
				continue
			}
			if !slices.Contains(gotBy[h.Node], h.Interface) {
				gotBy[h.Node] = append(gotBy[h.Node], h.Interface)
			}
		}
	}
	slices.Sort(unmapped)
	unmapped = slices.Compact(unmapped)
	nodes := slices.Sorted(func(yield func(string) bool) {
		for n := range wantBy {
			if !yield(n) {
				return
			}
		}
		for n := range gotBy {
			if _, ok := wantBy[n]; !ok && !yield(n) {
				return
			}
		}
	})
	for _, n := range nodes {
		ws, gs := wantBy[n], gotBy[n]
		if len(ws) > 0 {
			d.Predicted = append(d.Predicted, countLabel(n, len(ws), len(gs)))
		}
		if len(gs) > 0 {
			d.Observed = append(d.Observed, countLabel(n, len(gs), len(ws)))
		}
		missing, extra := pairLinks(ws, gs)
		switch {
		case len(gs) == 0:
			d.Missing = append(d.Missing, n)
		case len(ws) == 0:
			d.Unexpected = append(d.Unexpected, n)
		default:
			d.Missing = append(d.Missing, missingLabels(n, ws, missing)...)
			d.Links = append(d.Links, linkLabels(n, ws, missing)...)
			for _, ifc := range extra {
				d.Unexpected = append(d.Unexpected, n+" on "+ifaceName(ifc))
				d.Links = append(d.Links, "also on "+ifaceName(ifc)+" to "+n)
			}
		}
	}
	d.Observed = append(d.Observed, unmapped...)
	d.Unexpected = append(d.Unexpected, unmapped...)
	switch {
	case len(want) == 0 && !has:
		return d, false // both: unreachable
	case len(want) == 0:
		d.Kind = UnexpectedRoute
	case !has:
		d.Kind, d.Missing = MissingRoute, nodeNames(want)
	case len(d.Missing) == 0 && len(d.Unexpected) == 0:
		return d, false
	default:
		d.Kind = NextHops
	}
	return d, true
}

// pairLinks pairs the predicted links to one neighbour with the
// interfaces the router forwards to it on: a link whose interface the
// topology names with that interface, the links it names none for with
// the remaining interfaces, in order. It returns the predicted links
// left without an interface and the interfaces left without a link.
func pairLinks(want []dryrun.Via, got []string) (missing []dryrun.Via, extra []string) {
	left := slices.Clone(got)
	var unnamed []dryrun.Via
	for _, w := range want {
		switch i := slices.Index(left, w.Interface); {
		case w.Interface == "":
			unnamed = append(unnamed, w)
		case i >= 0:
			left = slices.Delete(left, i, i+1)
		default:
			missing = append(missing, w)
		}
	}
	n := min(len(unnamed), len(left))
	return append(missing, unnamed[n:]...), left[n:]
}

// missingLabels names the predicted links to node n that the router
// does not forward on: each by its link and interface when the topology
// names the interface (and so the router's other interfaces cannot be
// it), or as a count of the links that could be it.
func missingLabels(n string, want, missing []dryrun.Via) []string {
	if len(missing) == 0 {
		return nil
	}
	var out []string
	var anon []dryrun.Via
	for _, m := range missing {
		if m.Interface != "" {
			out = append(out, fmt.Sprintf("%s on link %s (%s)", n, m.Link, m.Interface))
		} else {
			anon = append(anon, m)
		}
	}
	if len(anon) > 0 {
		var ids []string
		for _, w := range want {
			if w.Interface == "" {
				ids = append(ids, w.Link)
			}
		}
		more := "1 more link"
		if len(anon) > 1 {
			more = fmt.Sprintf("%d more links", len(anon))
		}
		if len(ids) == len(anon) {
			out = append(out, fmt.Sprintf("%s on %s (%s)", n, plural(len(ids), "link", "links"), strings.Join(ids, ", ")))
		} else {
			out = append(out, fmt.Sprintf("%s on %s (of %s)", n, more, strings.Join(ids, ", ")))
		}
	}
	return out
}

// linkLabels says which of the predicted links to node n the router
// does not forward on, for an explanation: "not on link p1-p2 (eth1) to
// p2", or "to p2 on 1 of 2 links (p1-p2, p1-p2#2)" when the topology
// names no interfaces that tell the links apart.
func linkLabels(n string, want, missing []dryrun.Via) []string {
	var out []string
	anon := 0
	for _, m := range missing {
		if m.Interface != "" {
			out = append(out, fmt.Sprintf("not on link %s (%s) to %s", m.Link, m.Interface, n))
		} else {
			anon++
		}
	}
	if anon > 0 {
		var ids []string
		for _, w := range want {
			ids = append(ids, w.Link)
		}
		out = append(out, fmt.Sprintf("to %s on %d of %d links (%s)", n, len(want)-len(missing), len(want), strings.Join(ids, ", ")))
	}
	return out
}

// countLabel writes node n with its number of links k when k is not 1
// or differs from the other side's number (other, 0 when it has none).
func countLabel(n string, k, other int) string {
	if k == 1 && other <= 1 {
		return n
	}
	return fmt.Sprintf("%s (%s)", n, plural(k, "link", "links"))
}

func plural(k int, one, many string) string {
	if k == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", k, many)
}

func ifaceName(s string) string {
	if s == "" {
		return "a next hop without interface"
	}
	return s
}

// nodeNames are the neighbours of vias, sorted and unique.
func nodeNames(vias []dryrun.Via) []string {
	out := []string{}
	for _, v := range vias {
		out = append(out, v.Node)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Explain says in one line, for node's router, how the destination
// differs, such as "p1 -> p4: the model predicts via p2, p5; the router
// forwards via p3".
func (d Difference) Explain(node string) string {
	model := "the model predicts via " + strings.Join(d.Predicted, ", ")
	if len(d.Predicted) == 0 {
		model = "the model predicts no route (" + d.Destination + " unreachable)"
	}
	router := "the router has no route to " + d.Destination
	if d.Prefix != "" {
		router += " (" + d.Prefix + ")"
	}
	if d.Kind != MissingRoute {
		router = "the router forwards via " + strings.Join(d.Observed, ", ")
		if d.Protocol != "" && d.Protocol != "ospf" && d.Protocol != "isis" {
			router += " (" + d.Protocol + " route)"
		}
	}
	if d.Kind == NextHops && len(d.Links) > 0 {
		router += " (" + strings.Join(d.Links, "; ") + ")"
	}
	return fmt.Sprintf("%s -> %s: %s; %s", node, d.Destination, model, router)
}

// String summarises the comparison: a verdict line, then one line per
// difference.
func (c *Comparison) String() string {
	var b strings.Builder
	n := len(c.Differences)
	switch {
	case n == 0:
		fmt.Fprintf(&b, "%s: forwarding matches the model for all %d destinations", c.Node, c.Compared)
	default:
		verdict := "beyond the tolerance of"
		if c.OK {
			verdict = "within the tolerance of"
		}
		fmt.Fprintf(&b, "%s: %d of %d destinations differ from the model, %s %d", c.Node, n, c.Compared, verdict, c.Tolerance)
	}
	for _, d := range c.Differences {
		b.WriteString("\n  ")
		b.WriteString(d.Explain(c.Node))
	}
	return b.String()
}
