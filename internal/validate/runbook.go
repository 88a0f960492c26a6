package validate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/input"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

// runbook checks a runbook file: it parses, every example renders for
// every platform it claims, the health checks rendered for each platform
// compile, and each example's steps dry-run against the example's
// topology. The effects of a step are the same on every
// platform, so each example is dry-run once.
func (v *validator) runbook(ctx context.Context, f File) finding.Case {
	start := time.Now()
	c := finding.Case{Suite: "runbooks", Name: f.Path, File: f.Path}
	defer func() { c.Time = time.Since(start) }()
	pr := v.runbooks[f.Path]
	r := pr.r
	addDiags(&c, pr.ds, RuleRunbookSyntax, pos{1, 1})
	// Include problems (an unknown runbook, a loop) are the library's.
	addDiags(&c, v.libDiags[f.Path], RuleRunbookSyntax, pos{1, 1})
	if r == nil || v.libDiags[f.Path].HasErrors() {
		return c // its examples would fail to render for the same reason
	}
	for _, ex := range r.Examples {
		at := posOf(ex.Pos)
		label := fmt.Sprintf("example %q", ex.Name)
		var nw *input.Network
		if ex.Topology != "" {
			path, err := v.opts.Scope.Resolve(f.Path, ex.Topology, userfile.Topology)
			if err != nil {
				c.Findings = append(c.Findings, errorAt(f.Path, at, RuleRunbookTopology, label+": "+err.Error(), ""))
				continue
			}
			nw = v.network(ctx, path)
			err = nw.Err
			if err == nil && nw.Net != nil {
				_, _, err = nw.Model()
			}
			if nw.Net == nil || err != nil {
				msg := fmt.Sprintf("%s: topology %s does not load", label, r.ExampleTopology(ex))
				if err != nil {
					msg += ": " + err.Error()
				}
				c.Findings = append(c.Findings, errorAt(f.Path, at, RuleRunbookTopology, msg,
					"fix the topology or the path, relative to the runbook file"))
				continue
			}
		}
		paramPos := make(map[string]diag.Pos, len(r.Params))
		for _, p := range r.Params {
			paramPos[p.Name] = ex.Pos
		}
		for name := range ex.Params {
			paramPos[name] = ex.Pos
		}
		// The same problem on several platforms is reported once, naming
		// them all.
		type problem struct {
			d         diag.Diagnostic
			rule      string
			platforms []string
		}
		var problems []*problem
		index := map[string]*problem{}
		add := func(ds diag.Diagnostics, rule, platform string) {
			for _, d := range ds {
				key := fmt.Sprint(d.Pos, d.Severity, d.Msg, rule)
				if pr, ok := index[key]; ok {
					pr.platforms = append(pr.platforms, platform)
					continue
				}
				pr := &problem{d: d, rule: rule, platforms: []string{platform}}
				index[key] = pr
				problems = append(problems, pr)
			}
		}
		var rendered *plans.Plan
		for _, platform := range r.Platforms {
			opts := runbook.RenderOptions{Platform: platform, Params: ex.Params, ParamPos: paramPos, Origin: f.Path, Library: v.lib}
			if nw != nil {
				opts.Topology = nw.Net
			}
			p, rds := r.RenderPlan(opts, runbook.PlanMeta{Title: ex.Name})
			add(rds, RuleRunbookRender, platform)
			if p != nil {
				// The checks differ by platform: each platform's compile.
				add(health.CompilePlan(p), RuleRunbookCheck, platform)
				if rendered == nil {
					rendered = p
				}
			}
		}
		for _, pr := range problems {
			d := pr.d
			d.Msg = fmt.Sprintf("%s on %s: %s", label, strings.Join(pr.platforms, ", "), d.Msg)
			addDiags(&c, diag.Diagnostics{d}, pr.rule, at)
		}
		if rendered != nil && nw != nil {
			rendered.Pos = ex.Pos
			c.Findings = append(c.Findings, dryRun(ctx, nw, rendered, f.Path, RuleRunbookDryRun, label+": ")...)
		}
	}
	return c
}
