package runbook

import (
	"fmt"

	"github.com/changegate/changegate/internal/diag"
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
// them, and record the reference in FromRunbook. A runbook step with a
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
			ds.Add(ref.Pos, "changegate runbook list shows the runbooks", "step %d: %v", i+1, err)
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
			relocate(&rs, ref.Pos)
			add(rs)
		}
	}
	ds.Sort()
	if ds.HasErrors() {
		return nil, ds
	}
	return &out, ds
}

// relocate points a rendered step, its effects and its checks at pos.
func relocate(s *plans.Step, pos diag.Pos) {
	s.Pos = pos
	for i := range s.Effects {
		s.Effects[i].Pos = pos
	}
	for i := range s.Rollback {
		s.Rollback[i].Pos = pos
	}
	for i := range s.Checks {
		s.Checks[i].Pos = pos
		s.Checks[i].Expect.Pos = pos
	}
	if s.Wave != nil {
		s.Wave.Pos = pos
	}
}
