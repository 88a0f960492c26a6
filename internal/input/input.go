package input

import (
	"context"
	"fmt"
	"slices"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/runbooks"
	"github.com/changegate/changegate/userfile"
)

// Stage is a step of loading a plan's inputs, in the order they run.
type Stage int

const (
	// StagePlan reads and parses the plan file.
	StagePlan Stage = iota + 1
	// StageChecks compiles the health checks: those the plan writes,
	// then those its runbook steps render.
	StageChecks
	// StageTopology resolves, reads and validates the topology and the
	// traffic file the plan names.
	StageTopology
	// StageRunbooks expands the plan's runbook steps.
	StageRunbooks
)

func (s Stage) String() string {
	switch s {
	case StagePlan:
		return "plan"
	case StageChecks:
		return "checks"
	case StageTopology:
		return "topology"
	case StageRunbooks:
		return "runbooks"
	}
	return fmt.Sprintf("Stage(%d)", int(s))
}

// Problem is what one stage found: diagnostics with positions, and Err
// when the stage could not go on for a reason that has no position in
// the file it read (the file cannot be read, a name resolves outside the
// scope: a *plans.FileError, a model that does not compile).
type Problem struct {
	Stage Stage
	// File is the file the stage was reading: the plan, the topology or
	// the traffic file.
	File  string
	Diags diag.Diagnostics
	Err   error
}

// Failed reports whether the problem stops its stage: an error, or a
// diagnostic of error severity.
func (p Problem) Failed() bool { return p.Err != nil || p.Diags.HasErrors() }

// Loaded is a plan's inputs, as far as they loaded.
type Loaded struct {
	// File is the plan file.
	File string
	// Written is the plan as parsed; nil when it does not parse.
	Written *plans.Plan
	// Partial says Written is as far as a plan with syntax errors parsed
	// (Request.Partial): for reporting what it names, never for checking.
	Partial bool
	// Plan is Written with its runbook steps expanded (Written itself
	// when it has none); nil when they could not be expanded.
	Plan *plans.Plan
	// Topology is the topology file it is checked against: the
	// request's, else the one the plan names; "" when there is none.
	Topology string
	// Traffic is the traffic file the plan names; "" for none.
	Traffic string
	// Network is the topology with the traffic's demands; nil when it
	// did not load (or there is none).
	Network *Network
	// Problems are the stages' problems, in the order found.
	Problems []Problem
}

// Err is the loaded inputs' failure, nil when every stage went through
// without an error: the error diagnostics of every stage together
// (a diag.ListError), or when there are none the first stage's error.
func (l *Loaded) Err() error {
	var errs diag.Diagnostics
	var first error
	for _, p := range l.Problems {
		errs = append(errs, p.Diags.Errors()...)
		if first == nil && p.Err != nil {
			first = p.Err
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return errs.Err()
	}
	return first
}

// Warnings are the warnings of every stage, sorted.
func (l *Loaded) Warnings() diag.Diagnostics {
	var ws diag.Diagnostics
	for _, p := range l.Problems {
		ws = append(ws, p.Diags.Warnings()...)
	}
	ws.Sort()
	return ws
}

// Of returns the problems of one stage.
func (l *Loaded) Of(s Stage) []Problem {
	return slices.DeleteFunc(slices.Clone(l.Problems), func(p Problem) bool { return p.Stage != s })
}

func (l *Loaded) add(s Stage, file string, ds diag.Diagnostics, err error) {
	if len(ds) > 0 || err != nil {
		l.Problems = append(l.Problems, Problem{Stage: s, File: file, Diags: ds, Err: err})
	}
}

// Loader loads plans' inputs. The zero value reads files without a
// cache, with the built-in runbooks only, and allows only the files of
// each plan's own repository.
type Loader struct {
	// Scope says where the files a plan names may be (paths.allow).
	Scope userfile.Scope
	// RunbookDirs are the user's runbook directories, loaded beside the
	// built-in runbooks when a plan has runbook steps and Library is nil.
	RunbookDirs []string
	// Library, when set, is the runbook library plans' runbook steps
	// expand against, in place of the built-in runbooks and RunbookDirs.
	Library *runbook.Library
	// Networks, when set, shares topologies between the plans that name
	// them; nil loads each plan's topology afresh.
	Networks *Networks
}

// Request says which plan to load, and how.
type Request struct {
	// Plan is the plan file.
	Plan string
	// Data is the plan file's content when the caller has read it
	// already; nil reads Plan.
	Data []byte
	// Partial keeps a plan with syntax errors as far as it parsed
	// (Loaded.Partial), and loads its topology, so that what it names
	// can be checked in the same pass; its health checks are not
	// compiled, its runbook steps are not expanded and Loaded.Plan stays
	// nil.
	Partial bool
	// Topology, when set, is the topology to check the plan against in
	// place of the one it names.
	Topology string
}

// Load loads the plan of req through every stage it can reach. The
// error is for cancellation only: every problem with a file is in the
// result's Problems.
func (l Loader) Load(ctx context.Context, req Request) (*Loaded, error) {
	out := &Loaded{File: req.Plan}
	p, ok := l.parse(ctx, req, out)
	if !ok {
		return out, ctx.Err()
	}
	out.Written = p
	if !out.Partial {
		// A partial plan's checks that parsed are not compiled: those
		// that did not would say again what parsing said.
		out.add(StageChecks, req.Plan, health.CompilePlan(p), nil)
	}

	out.Topology = req.Topology
	if out.Topology == "" {
		path, err := p.TopologyFile(l.Scope)
		if err != nil {
			out.add(StageTopology, req.Plan, nil, err)
			return out, ctx.Err()
		}
		out.Topology = path
	}
	if out.Topology == "" {
		if !p.HasRunbooks() && !out.Partial {
			out.Plan = p
		}
		return out, ctx.Err()
	}
	if p.Traffic != "" {
		path, err := p.TrafficFile(l.Scope)
		if err != nil {
			out.add(StageTopology, req.Plan, nil, err)
			return out, ctx.Err()
		}
		out.Traffic = path
	}
	nw := l.network(ctx, out.Topology, "")
	if nw.Net != nil && out.Traffic != "" {
		nw = l.network(ctx, out.Topology, out.Traffic)
	}
	out.add(StageTopology, nw.File(), nw.Diags, nw.Err)
	if nw.Net == nil {
		return out, ctx.Err()
	}
	out.Network = nw
	if out.Partial {
		return out, ctx.Err()
	}

	if !p.HasRunbooks() {
		out.Plan = p
		return out, ctx.Err()
	}
	lib := l.Library
	if lib == nil {
		var ds diag.Diagnostics
		var err error
		lib, ds, err = runbook.Load(ctx, runbooks.FS, l.RunbookDirs)
		if err != nil || ds.HasErrors() {
			out.add(StageRunbooks, "", ds, err)
			return out, ctx.Err()
		}
	}
	expanded, ds := runbook.Expand(p, lib, nw.Net)
	out.add(StageRunbooks, req.Plan, ds, nil)
	if expanded == nil || ds.HasErrors() {
		return out, ctx.Err()
	}
	out.Plan = expanded
	out.add(StageChecks, req.Plan, health.CompilePlan(RenderedSteps(expanded)), nil)
	return out, ctx.Err()
}

// parse reads (unless req has the data) and parses the plan.
func (l Loader) parse(ctx context.Context, req Request, out *Loaded) (*plans.Plan, bool) {
	data := req.Data
	if data == nil {
		var err error
		if data, err = userfile.Read(ctx, req.Plan, userfile.Plan); err != nil {
			out.add(StagePlan, req.Plan, nil, err)
			return nil, false
		}
	}
	p, ds := plans.ParseWith(req.Plan, data, plans.ParseOptions{ReadFile: plans.TemplateReader(ctx, req.Plan, l.Scope), Partial: req.Partial})
	out.add(StagePlan, req.Plan, ds, nil)
	out.Partial = p != nil && ds.HasErrors()
	return p, p != nil
}

// RenderedSteps is p with only the steps its runbook steps rendered to,
// each named after its runbook, and without its own checks: what is
// compiled again after expansion.
func RenderedSteps(p *plans.Plan) *plans.Plan {
	out := &plans.Plan{File: p.File, Pos: p.Pos}
	for _, s := range p.Steps {
		if s.FromRunbook != nil {
			s.Name = fmt.Sprintf("%s (runbook %s)", s.Name, s.FromRunbook.Name)
			out.Steps = append(out.Steps, s)
		}
	}
	return out
}
