package validate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/input"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// plan checks a plan file: it parses, its health checks compile, its
// runbook steps expand (and the checks they render compile), it names
// what exists in its topology, and it dry-runs (steady state only). The
// plan's inputs load through the one loader (internal/input) every verb
// uses; each stage's problems are findings of their own rule.
func (v *validator) plan(ctx context.Context, f File) finding.Case {
	start := time.Now()
	c := finding.Case{Suite: "plans", Name: f.Path, File: f.Path}
	defer func() { c.Time = time.Since(start) }()
	l := input.Loader{Scope: v.opts.Scope, Library: v.lib, Networks: &v.nets}
	in, _ := l.Load(ctx, input.Request{Plan: f.Path, Data: f.data, Partial: true})
	p := in.Written
	root := pos{1, 1}
	if p != nil {
		root = posOf(p.Pos)
	}
	for _, pr := range in.Problems {
		switch pr.Stage {
		case input.StagePlan:
			addDiags(&c, pr.Diags, RulePlanSyntax, pos{1, 1})
		case input.StageChecks:
			addDiags(&c, pr.Diags, RulePlanCheck, root)
		case input.StageRunbooks:
			addDiags(&c, pr.Diags, RulePlanRunbook, root)
			if pr.Err != nil {
				c.Findings = append(c.Findings, errorAt(f.Path, root, RulePlanRunbook, pr.Err.Error(), ""))
			}
		case input.StageTopology:
			c.Findings = append(c.Findings, topologyProblem(f, p, in, pr)...)
		}
	}
	if p == nil {
		return c
	}
	if p.Topology == "" {
		if in.Partial {
			return c // the topology may be what did not parse
		}
		c.Findings = append(c.Findings, warningAt(f.Path, root, RulePlanTopology,
			"the plan names no topology: its references and dry-run are not checked",
			"add `topology: FILE` to the plan"))
		return c
	}
	// A plan with syntax errors is checked for what it names too, as far
	// as it parsed; it is not dry-run.
	plan := in.Plan
	if in.Partial {
		plan = in.Written
	}
	if in.Network == nil || plan == nil {
		return c
	}
	if _, _, err := in.Network.Model(); err != nil {
		c.Findings = append(c.Findings, errorAt(f.Path, fileAt(f, p, "topology"), RulePlanTopology,
			"topology "+in.Topology+" does not load: "+err.Error(),
			"fix the topology (its own findings say how) or the path, relative to the plan"))
		return c
	}
	refs := plan.CheckReferences(in.Network.Names())
	addDiags(&c, refs, RulePlanReference, root)
	if refs.HasErrors() || in.Partial {
		return c
	}
	c.Findings = append(c.Findings, dryRun(ctx, in.Network, in.Plan, f.Path, RulePlanDryRun, "")...)
	return c
}

// fileAt is where the plan names its topology or traffic file: the
// value, else the key, else the plan's start.
func fileAt(f File, p *plans.Plan, key string) pos {
	at := posOf(p.Pos)
	if k, ok := f.keys[key]; ok {
		at = k
	}
	named := p.TopologyPos
	if key == "traffic" {
		named = p.TrafficPos
	}
	if named.Line > 0 {
		at = posOf(named)
	}
	return at
}

// topologyProblem is the findings of a plan's topology stage: a file it
// names that does not resolve, or a topology or traffic file that does
// not load, at the place the plan names it.
func topologyProblem(f File, p *plans.Plan, in *input.Loaded, pr input.Problem) []finding.Finding {
	var fe *plans.FileError
	if errors.As(pr.Err, &fe) {
		name := p.Topology
		if fe.What == "traffic" {
			name = p.Traffic
		}
		return []finding.Finding{errorAt(f.Path, fileAt(f, p, fe.What), RulePlanTopology,
			fe.What+" "+name+" does not load: "+fe.Err.Error(), "")}
	}
	c := finding.Case{File: f.Path}
	at := fileAt(f, p, "topology")
	what := "topology " + in.Topology
	if in.Traffic != "" {
		what += " with traffic " + in.Traffic
		if pr.File == in.Traffic {
			at = fileAt(f, p, "traffic")
			addDiags(&c, pr.Diags, RulePlanTopology, at)
		}
	}
	if !pr.Failed() {
		return c.Findings // a topology's own warnings are its case's
	}
	msg := what + " does not load"
	if pr.Err != nil {
		msg += ": " + pr.Err.Error()
	}
	c.Findings = append(c.Findings, errorAt(f.Path, at, RulePlanTopology, msg,
		"fix the topology (its own findings say how) or the path, relative to the plan"))
	return c.Findings
}

// dryRun dry-runs p against nw without N-1 and returns its problems as
// findings of rule: the dry-run's diagnostics, and for each step traffic
// that cannot be delivered or links over capacity that the baseline does
// not have. prefix starts each message (it names a runbook example).
func dryRun(ctx context.Context, nw *input.Network, p *plans.Plan, file, rule, prefix string) []finding.Finding {
	model, digests, err := nw.Model()
	if err != nil {
		return []finding.Finding{errorAt(file, posOf(p.Pos), rule, prefix+err.Error(), "")}
	}
	res, ds, err := dryrun.Run(ctx, nw.Net, p, dryrun.Options{SkipN1: true, Model: model, Digests: digests})
	c := finding.Case{File: file}
	addDiags(&c, ds, rule, posOf(p.Pos))
	if err != nil {
		c.Findings = append(c.Findings, errorAt(file, posOf(p.Pos), rule, "dry-run failed: "+err.Error(), ""))
	}
	if res != nil && len(res.States) > 0 {
		base := res.States[0]
		for _, st := range res.States[1:] {
			if st.Source == nil || st.Step == nil {
				continue
			}
			at := posOf(*st.Source)
			stepFile := st.Source.File
			if stepFile == "" {
				stepFile = file
			}
			if st.DroppedBps > base.DroppedBps*(1+1e-9)+1e-6 {
				c.Findings = append(c.Findings, warningAt(stepFile, at, rule,
					fmt.Sprintf("after step %q, %s of traffic cannot be delivered (before the plan: %s)",
						*st.Step, topology.FormatRate(st.DroppedBps), topology.FormatRate(base.DroppedBps)),
					"changegate dryrun shows which demands; changegate check decides whether it is allowed"))
			}
			if st.MaxUtilization > 1 && st.MaxUtilization > base.MaxUtilization+1e-9 && st.MaxLink != nil {
				c.Findings = append(c.Findings, warningAt(stepFile, at, rule,
					fmt.Sprintf("after step %q, link %s (%s to %s) is at %.0f%% of its capacity",
						*st.Step, st.MaxLink.ID, st.MaxLink.From, st.MaxLink.To, 100*st.MaxUtilization),
					"changegate dryrun shows the loads of every step"))
			}
		}
	}
	if prefix != "" {
		for i := range c.Findings {
			c.Findings[i].Message = prefix + c.Findings[i].Message
		}
	}
	return c.Findings
}
