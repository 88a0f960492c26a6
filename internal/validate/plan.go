package validate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// plan checks a plan file: it parses, its health checks compile, its
// runbook steps expand (and the checks they render compile), it names
// what exists in its topology, and it dry-runs (steady state only).
func (v *validator) plan(ctx context.Context, f File) finding.Case {
	start := time.Now()
	c := finding.Case{Suite: "plans", Name: f.Path, File: f.Path}
	defer func() { c.Time = time.Since(start) }()
	p, ds := plans.ParseWith(f.Path, f.data, plans.ParseOptions{ReadFile: plans.TemplateReader(ctx, f.Path, v.opts.Scope)})
	addDiags(&c, ds, RulePlanSyntax, pos{1, 1})
	if p == nil {
		return c
	}
	addDiags(&c, health.CompilePlan(p), RulePlanCheck, pos{1, 1})
	root := posOf(p.Pos)
	if p.Topology == "" {
		c.Findings = append(c.Findings, warningAt(f.Path, root, RulePlanTopology,
			"the plan names no topology: its references and dry-run are not checked",
			"add `topology: FILE` to the plan"))
		return c
	}
	at := root
	if k, ok := f.keys["topology"]; ok {
		at = k
	}
	if p.TopologyPos.Line > 0 {
		at = posOf(p.TopologyPos) // the value that names the file
	}
	topoPath, err := p.TopologyFile(v.opts.Scope)
	if err != nil {
		c.Findings = append(c.Findings, errorAt(f.Path, at, RulePlanTopology, "topology "+p.Topology+" does not load: "+errors.Unwrap(err).Error(), ""))
		return c
	}
	trafficPath := ""
	if p.Traffic != "" {
		trafficPath, err = p.TrafficFile(v.opts.Scope)
		if err != nil {
			err = errors.Unwrap(err)
			if k, ok := f.keys["traffic"]; ok {
				at = k
			}
			if p.TrafficPos.Line > 0 {
				at = posOf(p.TrafficPos)
			}
			c.Findings = append(c.Findings, errorAt(f.Path, at, RulePlanTopology, "traffic "+p.Traffic+" does not load: "+err.Error(), ""))
			return c
		}
	}
	nw := v.network(ctx, topoPath, trafficPath)
	if nw.net == nil {
		what := "topology " + topoPath
		if trafficPath != "" {
			what += " with traffic " + trafficPath
			if k, ok := f.keys["traffic"]; ok {
				at = k
			}
			addDiags(&c, nw.ds, RulePlanTopology, at)
		}
		msg := what + " does not load"
		if nw.err != nil {
			msg += ": " + nw.err.Error()
		}
		c.Findings = append(c.Findings, errorAt(f.Path, at, RulePlanTopology, msg,
			"fix the topology (its own findings say how) or the path, relative to the plan"))
		return c
	}
	if p.HasRunbooks() {
		expanded, ds := runbook.Expand(p, v.lib, nw.net)
		addDiags(&c, ds, RulePlanRunbook, root)
		if expanded == nil {
			return c
		}
		addDiags(&c, health.CompilePlan(renderedSteps(expanded)), RulePlanCheck, root)
		p = expanded
	}
	refs := p.CheckReferences(nw.links, nw.nodes)
	addDiags(&c, refs, RulePlanReference, root)
	if refs.HasErrors() {
		return c
	}
	c.Findings = append(c.Findings, dryRun(ctx, nw, p, f.Path, RulePlanDryRun, "")...)
	return c
}

// renderedSteps is p with only the steps its runbook steps rendered to,
// each named after its runbook, and without its own checks.
func renderedSteps(p *plans.Plan) *plans.Plan {
	out := &plans.Plan{File: p.File, Pos: p.Pos}
	for _, s := range p.Steps {
		if s.FromRunbook != nil {
			s.Name = fmt.Sprintf("%s (runbook %s)", s.Name, s.FromRunbook.Name)
			out.Steps = append(out.Steps, s)
		}
	}
	return out
}

// dryRun dry-runs p against nw without N-1 and returns its problems as
// findings of rule: the dry-run's diagnostics, and for each step traffic
// that cannot be delivered or links over capacity that the baseline does
// not have. prefix starts each message (it names a runbook example).
func dryRun(ctx context.Context, nw *network, p *plans.Plan, file, rule, prefix string) []finding.Finding {
	res, ds, err := dryrun.Run(ctx, nw.net, p, dryrun.Options{SkipN1: true, Model: nw.model, Digests: nw.digests})
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
