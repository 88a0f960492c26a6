package runbook

import (
	"fmt"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// Expand returns the plan with every runbook step (plans.Step.Runbook)
// replaced by the runbook's steps, rendered for the step's platform (or
// the plan's) with its parameters against net. A plan without runbook
// steps is returned as it is.
//
// Rendered steps are located at the runbook step in the plan, so that
// dry-run warnings and policy results point at the line that asked for
// them, and record the reference in FromRunbook. The devices, nodes and
// links they name are located at the parameter that gives them, when one
// does. A runbook step with a
// name names the step it renders to (or prefixes the names of several).
// The plan's digest is that of the expanded plan: it covers the
// configuration that will run, not only the runbook's name.
//
// Problems (an unknown runbook, a bad parameter, a missing platform, a
// rendered step name used twice) are diagnostics at the plan's lines;
// the plan is nil when any of them is an error.
func Expand(p *plans.Plan, lib *Library, net *topology.Network) (*plans.Plan, diag.Diagnostics) {
	if !p.HasRunbooks() {
		return p, nil
	}
	var ds diag.Diagnostics
	out := *p
	out.Steps = nil
	seen := map[string]diag.Pos{}
	add := func(s plans.Step) {
		if first, dup := seen[s.Name]; dup {
			ds.Add(s.Pos, fmt.Sprintf("the first is at line %d; give the runbook step a name: to tell them apart", first.Line),
				"duplicate step name %q", s.Name)
			return
		}
		seen[s.Name] = s.Pos
		out.Steps = append(out.Steps, s)
	}
	for i, s := range p.Steps {
		ref := s.Runbook
		if ref == nil {
			add(s)
			continue
		}
		r, err := lib.Get(ref.Name)
		if err != nil {
			ds.Add(ref.NamePos.Or(ref.Pos), "changegate runbook list shows the runbooks", "step %d: %v", i+1, err)
			continue
		}
		platform := ref.Platform
		if platform == "" {
			platform = p.Platform
		}
		steps, rds := r.Render(RenderOptions{
			Platform: platform,
			Params:   ref.Params,
			Topology: net,
			ParamPos: ref.ParamPos,
			Origin:   p.File,
			At:       ref.Pos,
			Library:  lib,
		})
		ds = append(ds, rds...)
		for _, rs := range steps {
			switch {
			case s.Name != "" && len(steps) == 1:
				rs.Name = s.Name
			case s.Name != "":
				rs.Name = s.Name + ": " + rs.Name
			}
			rs.FromRunbook = ref
			relocate(&rs, ref)
			add(rs)
		}
	}
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds
	}
	return &out, ds
}

// relocate points a rendered step, its effects and its checks at the
// runbook step of the plan that asked for it; a device, node or link the
// step names at the parameter of ref whose value it is, when there is
// one, since that is where the plan names it.
func relocate(s *plans.Step, ref *plans.RunbookRef) {
	pos := ref.Pos
	named := func(p *diag.Pos, name string) {
		if name != "" {
			*p = paramPos(ref, name)
		}
	}
	s.Pos = pos
	for d := range s.DevicePos {
		s.DevicePos[d] = paramPos(ref, d)
	}
	for _, effects := range [][]plans.Effect{s.Effects, s.Rollback} {
		for i := range effects {
			e := &effects[i]
			e.Pos = pos
			named(&e.LinkPos, e.Link)
			named(&e.NodePos, e.Node)
			named(&e.FromPos, e.From)
		}
	}
	for i := range s.Checks {
		s.Checks[i].Pos = pos
		s.Checks[i].Expect.Pos = pos
		named(&s.Checks[i].DevicePos, s.Checks[i].Device)
	}
	if s.Wave != nil {
		s.Wave.Pos = pos
	}
}

// paramPos is where ref gives the parameter whose value is name (the
// first in the file when several are), or the runbook step when none is.
func paramPos(ref *plans.RunbookRef, name string) diag.Pos {
	at := ref.Pos
	found := false
	for p, v := range ref.Params {
		q, ok := ref.ParamPos[p]
		if v != name || !ok || q.Line == 0 {
			continue
		}
		if !found || q.Line < at.Line || q.Line == at.Line && q.Col < at.Col {
			at, found = q, true
		}
	}
	return at
}
