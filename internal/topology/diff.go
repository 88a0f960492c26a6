package topology

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// DiffKind is the kind of a Difference.
type DiffKind string

// The kinds of difference Diff finds.
const (
	NodeMissing  DiffKind = "node-missing" // in the model, not in the other network
	NodeExtra    DiffKind = "node-extra"   // in the other network, not in the model
	LoopbackDif  DiffKind = "loopback"
	DrainDif     DiffKind = "drain"
	LinkMissing  DiffKind = "link-missing"
	LinkExtra    DiffKind = "link-extra"
	MetricDif    DiffKind = "metric"
	StateDif     DiffKind = "state"
	CapacityDif  DiffKind = "capacity"
	InterfaceDif DiffKind = "interface"
)

// Difference is one way another network (the live one, or a second
// file) differs from a model, in what both can say: nodes, their drain
// and loopback; links, their state, the metric of each direction,
// capacity and interface names. Names, roles, sites, zones, classes,
// SRLGs, positions and demands are not compared: the network does not
// show them.
type Difference struct {
	Kind DiffKind `json:"kind"`
	// Node is the node a node difference is about.
	Node string `json:"node,omitempty"`
	// Link is the model's id of the link; OtherLink the other network's
	// id for it (an extra link has only that).
	Link      string `json:"link,omitempty"`
	OtherLink string `json:"other_link,omitempty"`
	// From and To say which direction of the link a metric difference
	// is about, or which end an interface difference is on (From).
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Model and Other are the values in the model and in the other
	// network, as text ("" for a missing or extra item).
	Model string `json:"model,omitempty"`
	Other string `json:"other,omitempty"`
}

// ChangesForwarding reports whether the difference changes where traffic
// goes, so that a verdict computed on the model may not hold for the
// network: a node or link missing or extra, a link's state, a metric, a
// drain, a loopback. Capacity and interface names do not: the capacity a
// router reports (its interface speed) is often not the capacity planned
// with (sub-rate circuits, shaping), and names do not route.
func (d Difference) ChangesForwarding() bool {
	return d.Kind != CapacityDif && d.Kind != InterfaceDif
}

// String describes the difference, calling the two sides "the model"
// and "the network".
func (d Difference) String() string { return d.Describe("the model", "the network") }

// Describe says what differs, calling the two sides model and other.
func (d Difference) Describe(model, other string) string {
	link := fmt.Sprintf("link %s", strconv.Quote(d.Link))
	if d.Link == "" {
		link = fmt.Sprintf("link %s", strconv.Quote(d.OtherLink))
	} else if d.OtherLink != "" && d.OtherLink != d.Link {
		link += fmt.Sprintf(" (%s in %s)", strconv.Quote(d.OtherLink), other)
	}
	switch d.Kind {
	case NodeMissing:
		return fmt.Sprintf("node %s is in %s, not in %s", strconv.Quote(d.Node), model, other)
	case NodeExtra:
		return fmt.Sprintf("node %s is in %s, not in %s", strconv.Quote(d.Node), other, model)
	case LoopbackDif:
		return fmt.Sprintf("node %s: loopback %s in %s, %s in %s", strconv.Quote(d.Node), d.Model, model, d.Other, other)
	case DrainDif:
		return fmt.Sprintf("node %s is %s in %s, %s in %s", strconv.Quote(d.Node), d.Model, model, d.Other, other)
	case LinkMissing:
		return fmt.Sprintf("%s (%s) is in %s, not in %s", link, d.Model, model, other)
	case LinkExtra:
		return fmt.Sprintf("%s (%s) is in %s, not in %s", link, d.Other, other, model)
	case MetricDif:
		return fmt.Sprintf("%s: metric %s->%s is %s in %s, %s in %s", link, d.From, d.To, d.Model, model, d.Other, other)
	case StateDif:
		return fmt.Sprintf("%s is %s in %s, %s in %s", link, d.Model, model, d.Other, other)
	case CapacityDif:
		return fmt.Sprintf("%s: capacity %s in %s, %s in %s", link, d.Model, model, d.Other, other)
	case InterfaceDif:
		return fmt.Sprintf("%s: the interface on %s is %s in %s, %s in %s", link, d.From, strconv.Quote(d.Model), model, strconv.Quote(d.Other), other)
	}
	return string(d.Kind)
}

// Diff lists every difference between model and other (see Difference):
// nodes by name; links between the same two nodes matched by their
// interface names where both name them, else in order. A metric is
// compared only where the link is up on both sides. A link that is down
// on the side that has it and absent from the other is no difference:
// the IGP does not show down links, nor does the lab build them. The
// differences come in model order (nodes, then links), then what only
// other has.
func Diff(model, other *Network) []Difference {
	var out []Difference
	otherNodes := other.NodeIndex()
	modelNodes := model.NodeIndex()
	for _, nd := range model.Nodes {
		j, ok := otherNodes[nd.Name]
		if !ok {
			out = append(out, Difference{Kind: NodeMissing, Node: nd.Name})
			continue
		}
		od := other.Nodes[j]
		if nd.Drained != od.Drained {
			out = append(out, Difference{Kind: DrainDif, Node: nd.Name, Model: drainWord(nd.Drained), Other: drainWord(od.Drained)})
		}
		if a, b := nd.LoopbackAddr(), od.LoopbackAddr(); a.IsValid() && b.IsValid() && a != b {
			out = append(out, Difference{Kind: LoopbackDif, Node: nd.Name, Model: a.String(), Other: b.String()})
		}
	}
	match := matchLinks(model.Links, other.Links)
	matched := make([]bool, len(other.Links))
	for i, l := range model.Links {
		j := match[i]
		if j < 0 {
			if l.Up {
				out = append(out, Difference{Kind: LinkMissing, Link: l.ID, Model: ends(l)})
			}
			continue
		}
		matched[j] = true
		o := other.Links[j]
		if o.A != l.A {
			o = flip(o)
		}
		d := Difference{Link: l.ID}
		if o.ID != l.ID {
			d.OtherLink = o.ID
		}
		if l.Up != o.Up {
			d.Kind, d.Model, d.Other = StateDif, stateWord(l.Up), stateWord(o.Up)
			out = append(out, d)
		}
		if l.Up && o.Up {
			if l.MetricAB != o.MetricAB {
				d.Kind, d.From, d.To, d.Model, d.Other = MetricDif, l.A, l.B, fmt.Sprint(l.MetricAB), fmt.Sprint(o.MetricAB)
				out = append(out, d)
			}
			if l.MetricBA != o.MetricBA {
				d.Kind, d.From, d.To, d.Model, d.Other = MetricDif, l.B, l.A, fmt.Sprint(l.MetricBA), fmt.Sprint(o.MetricBA)
				out = append(out, d)
			}
		}
		d.From, d.To = "", ""
		if !sameRate(l.CapacityBps, o.CapacityBps) {
			d.Kind, d.Model, d.Other = CapacityDif, FormatRate(l.CapacityBps), FormatRate(o.CapacityBps)
			out = append(out, d)
		}
		for _, e := range [][3]string{{l.A, l.AInterface, o.AInterface}, {l.B, l.BInterface, o.BInterface}} {
			if e[1] != "" && e[2] != "" && e[1] != e[2] {
				d.Kind, d.From, d.Model, d.Other = InterfaceDif, e[0], e[1], e[2]
				out = append(out, d)
			}
		}
	}
	for _, nd := range other.Nodes {
		if _, ok := modelNodes[nd.Name]; !ok {
			out = append(out, Difference{Kind: NodeExtra, Node: nd.Name})
		}
	}
	for j, o := range other.Links {
		if !matched[j] && o.Up {
			out = append(out, Difference{Kind: LinkExtra, OtherLink: o.ID, Other: ends(o)})
		}
	}
	return out
}

// matchLinks returns, for each link of a, the index of the link of b it
// is, or -1: links between the same two nodes, first those whose
// interfaces agree, then the rest in order.
func matchLinks(a, b []Link) []int {
	out := make([]int, len(a))
	taken := make([]bool, len(b))
	byPair := map[[2]string][]int{}
	for j, l := range b {
		k := nodePair(l)
		byPair[k] = append(byPair[k], j)
	}
	for i := range out {
		out[i] = -1
	}
	// Interfaces first: both ends named on both sides and equal.
	for i, l := range a {
		for _, j := range byPair[nodePair(l)] {
			if !taken[j] && sameInterfaces(l, b[j]) {
				out[i], taken[j] = j, true
				break
			}
		}
	}
	// Then the rest in order, where the interfaces named do not conflict,
	// and finally whatever is left.
	for _, strict := range []bool{true, false} {
		for i, l := range a {
			if out[i] >= 0 {
				continue
			}
			for _, j := range byPair[nodePair(l)] {
				if !taken[j] && (!strict || !conflicting(l, b[j])) {
					out[i], taken[j] = j, true
					break
				}
			}
		}
	}
	return out
}

// nodePair is a link's two nodes, in name order.
func nodePair(l Link) [2]string {
	if l.A > l.B {
		return [2]string{l.B, l.A}
	}
	return [2]string{l.A, l.B}
}

// oriented returns o with ends in l's order.
func oriented(l, o Link) Link {
	if o.A != l.A {
		return flip(o)
	}
	return o
}

func sameInterfaces(l, o Link) bool {
	o = oriented(l, o)
	return l.AInterface != "" && l.BInterface != "" && l.AInterface == o.AInterface && l.BInterface == o.BInterface
}

func conflicting(l, o Link) bool {
	o = oriented(l, o)
	return l.AInterface != "" && o.AInterface != "" && l.AInterface != o.AInterface ||
		l.BInterface != "" && o.BInterface != "" && l.BInterface != o.BInterface
}

// flip swaps a link's ends.
func flip(l Link) Link {
	l.A, l.B = l.B, l.A
	l.AInterface, l.BInterface = l.BInterface, l.AInterface
	l.MetricAB, l.MetricBA = l.MetricBA, l.MetricAB
	return l
}

// ends writes a link's ends as a topology file does.
func ends(l Link) string {
	return endpoint(l.A, l.AInterface) + " - " + endpoint(l.B, l.BInterface)
}

func sameRate(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func drainWord(d bool) string {
	if d {
		return "drained"
	}
	return "not drained"
}

func stateWord(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

// DiffKinds lists the kinds of difference, in the order documented.
func DiffKinds() []DiffKind {
	return slices.Clone([]DiffKind{NodeMissing, NodeExtra, DrainDif, LoopbackDif, LinkMissing, LinkExtra, StateDif, MetricDif, CapacityDif, InterfaceDif})
}
