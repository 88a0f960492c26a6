package dryrun

import (
	"fmt"
	"slices"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// Undone is what a plan, run to the end, leaves in the model, and what
// undoes each of its steps: what a revert of a finished run is built
// from (plans.Inverse) and dry-run against.
type Undone struct {
	// Plan is the plan as the dry-run simulates it: each step's effects
	// and rollback those its configuration has, where it can be read
	// (see Options.Platforms).
	Plan *plans.Plan
	// After is the network with every step's effects applied, in order:
	// the model of the network once the plan has run. Its metrics (per
	// direction), link states, capacities and drained nodes are those of
	// the state after the last step; everything else, the demands
	// included, is the network's. Files is empty.
	After *topology.Network
	// Steps[i] are the effects that undo step i+1 from the state after
	// it: the step's rollback when the plan gives one, else the exact
	// inverse of its effects (every parameter they set, set back to its
	// value before the step), as the dry-run's rollback path uses them.
	Steps [][]plans.Effect
}

// Undo computes what p leaves in net and what undoes each of its steps,
// reading each step's configuration in the devices' platforms as Run does
// (Options.Platforms). Problems with p's references to net come back as
// diagnostics, with a nil Undone when there are errors; p must have its
// runbook steps expanded.
func Undo(net *topology.Network, p *plans.Plan, platforms map[string]string) (*Undone, diag.Diagnostics, error) {
	if p.HasRunbooks() {
		return nil, nil, fmt.Errorf("undo %s: expand its runbook steps first", p.File)
	}
	b := newBinder(net)
	ds := b.check(p)
	if ds.HasErrors() {
		return nil, ds, nil
	}
	p, _, dds := (&deriver{net: net, plan: p, platforms: platforms}).derive()
	ds = append(ds, dds...)
	if ds.HasErrors() {
		return nil, ds, nil
	}
	m, err := sim.Compile(net)
	if err != nil {
		return nil, ds, fmt.Errorf("compile network: %w", err)
	}
	var quiet diag.Diagnostics // no-op effects are the dry-run's to warn about
	c := m.Baseline()
	u := &Undone{Plan: p, Steps: make([][]plans.Effect, len(p.Steps))}
	for i := range p.Steps {
		s := &p.Steps[i]
		if s.HasRollback {
			u.Steps[i] = slices.Clone(s.Rollback)
		} else {
			u.Steps[i] = b.inverse(c, s.Effects)
		}
		c = b.apply(c, s.Name, s.Effects, &quiet)
	}
	u.After = withConfig(net, c)
	return u, ds, nil
}

// withConfig returns a copy of net whose links and nodes have the
// parameters of c.
func withConfig(net *topology.Network, c *sim.Config) *topology.Network {
	out := &topology.Network{
		Name: net.Name, IGP: net.IGP,
		Nodes:   slices.Clone(net.Nodes),
		Links:   slices.Clone(net.Links),
		Demands: slices.Clone(net.Demands),
	}
	for i := range out.Links {
		l := &out.Links[i]
		l.MetricAB, l.MetricBA = c.Metric[2*i], c.Metric[2*i+1]
		l.Up = c.Up[i]
		l.CapacityBps = c.Capacity[i]
		l.SRLG = slices.Clone(l.SRLG)
	}
	for i := range out.Nodes {
		out.Nodes[i].Drained = c.Drained[i]
	}
	return out
}
