package dryrun

import (
	"fmt"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// binder resolves plan effects against one network.
type binder struct {
	net   *topology.Network
	links map[string]int
	nodes map[string]int
}

func newBinder(net *topology.Network) *binder {
	return &binder{net: net, links: net.LinkIndex(), nodes: net.NodeIndex()}
}

// check reports every effect that names something the network lacks, or
// a set_metric direction from a node that is not an end of the link.
func (b *binder) check(p *plans.Plan) diag.Diagnostics {
	links := make(map[string]bool, len(b.links))
	for id := range b.links {
		links[id] = true
	}
	nodes := make(map[string]bool, len(b.nodes))
	for n := range b.nodes {
		nodes[n] = true
	}
	ds := p.CheckReferences(links, nodes)
	for _, st := range p.Steps {
		for _, list := range [][]plans.Effect{st.Effects, st.Rollback} {
			for _, e := range list {
				if e.Type != plans.SetMetric || e.From == "" {
					continue
				}
				i, ok := b.links[e.Link]
				if !ok || !nodes[e.From] {
					continue // already reported
				}
				if l := b.net.Links[i]; l.A != e.From && l.B != e.From {
					ds.Add(e.FromPos.Or(e.Pos), fmt.Sprintf("use %q or %q", l.A, l.B),
						"step %q: set_metric from %q: %s is not an end of link %s (%s-%s)", st.Name, e.From, e.From, l.ID, l.A, l.B)
				}
			}
		}
	}
	return ds
}

// apply returns c with effects applied; c is not modified. Effects that
// change nothing (a link already down) are reported as warnings.
func (b *binder) apply(c *sim.Config, step string, effects []plans.Effect, ds *diag.Diagnostics) *sim.Config {
	out := c.Clone()
	for _, e := range effects {
		switch e.Type {
		case plans.SetMetric:
			l := b.links[e.Link]
			link := b.net.Links[l]
			if e.From == "" || e.From == link.A {
				out.Metric[2*l] = e.Metric
			}
			if e.From == "" || e.From == link.B {
				out.Metric[2*l+1] = e.Metric
			}
		case plans.LinkDown, plans.LinkUp:
			l := b.links[e.Link]
			up := e.Type == plans.LinkUp
			if out.Up[l] == up {
				ds.Warn(e.Pos, "remove the effect, or check the order of the steps", "step %q: %s %s changes nothing: the link is already %s", step, e.Type, e.Link, upWord(up))
			}
			out.Up[l] = up
		case plans.Drain, plans.Undrain:
			v := b.nodes[e.Node]
			drained := e.Type == plans.Drain
			if out.Drained[v] == drained {
				ds.Warn(e.Pos, "remove the effect, or check the order of the steps", "step %q: %s %s changes nothing: the node is already %s", step, e.Type, e.Node, drainWord(drained))
			}
			out.Drained[v] = drained
		case plans.SetCapacity:
			out.Capacity[b.links[e.Link]] = e.CapacityBps
		}
	}
	return out
}

func upWord(up bool) string {
	if up {
		return "up"
	}
	return "down"
}

func drainWord(d bool) string {
	if d {
		return "drained"
	}
	return "in service"
}

// inverse returns the effects that undo effects applied to before: each
// parameter an effect touches is set back to its value in before, last
// effect first. Parameters the step does not touch are left alone, so a
// later step's leftovers are never hidden by undoing an earlier one.
func (b *binder) inverse(before *sim.Config, effects []plans.Effect) []plans.Effect {
	out := make([]plans.Effect, 0, len(effects))
	for i := len(effects) - 1; i >= 0; i-- {
		e := effects[i]
		inv := plans.Effect{Link: e.Link, Node: e.Node, Pos: e.Pos}
		switch e.Type {
		case plans.SetMetric:
			l := b.links[e.Link]
			link := b.net.Links[l]
			if e.From == "" || e.From == link.A {
				inv.Type, inv.From, inv.Metric = plans.SetMetric, link.A, before.Metric[2*l]
				out = append(out, inv)
			}
			if e.From == "" || e.From == link.B {
				inv.Type, inv.From, inv.Metric = plans.SetMetric, link.B, before.Metric[2*l+1]
				out = append(out, inv)
			}
			continue
		case plans.LinkDown, plans.LinkUp:
			inv.Type = plans.LinkDown
			if before.Up[b.links[e.Link]] {
				inv.Type = plans.LinkUp
			}
		case plans.Drain, plans.Undrain:
			inv.Type = plans.Undrain
			if before.Drained[b.nodes[e.Node]] {
				inv.Type = plans.Drain
			}
		case plans.SetCapacity:
			inv.Type, inv.CapacityBps = plans.SetCapacity, before.Capacity[b.links[e.Link]]
		}
		out = append(out, inv)
	}
	return out
}

// configDiff describes how b differs from a, one line per parameter.
func (b *binder) configDiff(a, c *sim.Config) []string {
	var out []string
	for l, link := range b.net.Links {
		if a.Metric[2*l] != c.Metric[2*l] {
			out = append(out, fmt.Sprintf("link %s metric %s->%s: %d, not %d", link.ID, link.A, link.B, c.Metric[2*l], a.Metric[2*l]))
		}
		if a.Metric[2*l+1] != c.Metric[2*l+1] {
			out = append(out, fmt.Sprintf("link %s metric %s->%s: %d, not %d", link.ID, link.B, link.A, c.Metric[2*l+1], a.Metric[2*l+1]))
		}
		if a.Up[l] != c.Up[l] {
			out = append(out, fmt.Sprintf("link %s: %s, not %s", link.ID, upWord(c.Up[l]), upWord(a.Up[l])))
		}
		if a.Capacity[l] != c.Capacity[l] {
			out = append(out, fmt.Sprintf("link %s capacity: %s, not %s", link.ID, topology.FormatRate(c.Capacity[l]), topology.FormatRate(a.Capacity[l])))
		}
	}
	for v, n := range b.net.Nodes {
		if a.Drained[v] != c.Drained[v] {
			out = append(out, fmt.Sprintf("node %s: %s, not %s", n.Name, drainWord(c.Drained[v]), drainWord(a.Drained[v])))
		}
	}
	return out
}
