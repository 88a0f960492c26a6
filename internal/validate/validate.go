package validate

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/input"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/runbooks"
	"github.com/changegate/changegate/userfile"
)

// Rule identifiers of the findings validate reports.
const (
	RulePlanSyntax      = "plan/syntax"
	RulePlanTopology    = "plan/topology"
	RulePlanReference   = "plan/reference"
	RulePlanRunbook     = "plan/runbook"
	RulePlanCheck       = "plan/check"
	RulePlanDryRun      = "plan/dryrun"
	RuleTopologyInvalid = "topology/invalid"
	RuleRunbookSyntax   = "runbook/syntax"
	RuleRunbookTopology = "runbook/topology"
	RuleRunbookRender   = "runbook/render"
	RuleRunbookCheck    = "runbook/check"
	RuleRunbookDryRun   = "runbook/dryrun"
	RulePolicyCompile   = "policy/compile"
	RulePolicyTest      = "policy/test"
	RuleInventory       = "inventory/invalid"
)

// Rules describes every rule validate reports, for SARIF.
func Rules() []finding.Rule {
	const doc = "https://github.com/changegate/changegate/blob/main/docs/validate.md"
	return []finding.Rule{
		{ID: RulePlanSyntax, Title: "Plans follow the plan format", HelpURI: doc, Description: "The plan parses: known fields, right types, required fields present (docs/plans.md)."},
		{ID: RulePlanTopology, Title: "Plans name a topology that loads", HelpURI: doc, Description: "The plan's topology (and traffic) file exists and is valid, so its references and dry-run can be checked."},
		{ID: RulePlanReference, Title: "Plans name nodes, links and devices that exist", HelpURI: doc, Description: "Every node, link and device a plan names is in its topology."},
		{ID: RulePlanRunbook, Title: "Plans' runbook steps expand", HelpURI: doc, Description: "Every runbook step names a runbook that exists (built-in, under the paths or in runbook.dirs), with valid parameters, and renders for the step's platform."},
		{ID: RulePlanCheck, Title: "Plans' health checks compile", HelpURI: doc, Description: "The regular expression or Rego expression of every health check (pre-checks, post-checks, the steps' checks, those runbook steps render) compiles (docs/health-checks.md)."},
		{ID: RulePlanDryRun, Title: "Plans dry-run cleanly", HelpURI: doc, Description: "The steady state after every step is simulated (no N-1); effects that change nothing, traffic that cannot be delivered and links over capacity are reported."},
		{ID: RuleTopologyInvalid, Title: "Topologies follow the topology format", HelpURI: doc, Description: "The topology parses and validates (docs/topology.md)."},
		{ID: RuleRunbookSyntax, Title: "Runbooks follow the runbook format", HelpURI: doc, Description: "The runbook parses and its templates parse."},
		{ID: RuleRunbookTopology, Title: "Runbook examples name a topology that loads", HelpURI: doc, Description: "The topology of every runbook example exists and is valid."},
		{ID: RuleRunbookRender, Title: "Runbook examples render on every platform", HelpURI: doc, Description: "Every example renders for every platform the runbook claims, into valid plan steps."},
		{ID: RuleRunbookCheck, Title: "Runbook health checks compile on every platform", HelpURI: doc, Description: "The health checks every example renders, for every platform, compile (docs/health-checks.md)."},
		{ID: RuleRunbookDryRun, Title: "Runbook examples dry-run cleanly", HelpURI: doc, Description: "The steps every example renders dry-run against its topology (no N-1)."},
		{ID: RulePolicyCompile, Title: "Policies compile", HelpURI: doc, Description: "The Rego policies compile in strict mode together with the built-in library."},
		{ID: RulePolicyTest, Title: "Policy tests pass", HelpURI: doc, Description: "Every test_* rule in the policies' *_test.rego files passes."},
		{ID: RuleInventory, Title: "The inventory follows the inventory format", HelpURI: doc, Description: "The device inventory the configuration names (inventory.file) parses and resolves: known fields, groups and platforms, no group cycles, no secrets in plain text, every device with a host and a platform (docs/inventory.md)."},
	}
}

// Options tune a validation run. They hold values (and the inventory's
// loader, which Run calls); they do no I/O.
type Options struct {
	// PolicyParams override the built-in policy parameters when policies
	// are compiled and tested (policy.params of the configuration).
	PolicyParams map[string]any
	// Workers is how many files are checked at once; 0 means GOMAXPROCS.
	Workers int
	// RunbookDirs are the user's runbook directories (runbook.dirs of the
	// configuration), which plans' runbook steps may name beside the
	// built-in runbooks and those found under the paths.
	RunbookDirs []string
	// Inventory is the device inventory to check besides the files
	// found (inventory.file of the configuration); nil for none.
	Inventory *Inventory
	// Scope says where the files plans, topologies and runbooks name
	// may be (paths.allow of the configuration): a name outside is a
	// finding, and the file is not read.
	Scope userfile.Scope
	// Stdin is the plan read from standard input, which the path "-"
	// names (called StdinName); nil refuses "-".
	Stdin []byte
}

// StdinName is what the plan read from standard input is called.
const StdinName = "<stdin>"

// Inventory is a device inventory to check, and how to read it.
type Inventory struct {
	// Path is the file the inventory is read from first (a Nornir
	// inventory's hosts file): the file of its case.
	Path string
	// Load reads and resolves the inventory in whatever format it is
	// written (the CLI's tells a changegate inventory, a Nornir
	// SimpleInventory and a containerlab topology apart). As for
	// devices.Load, the error is for I/O only and every problem with the
	// content is a diagnostic.
	Load func() (*devices.Inventory, diag.Diagnostics, error)
}

// Result is what a run found.
type Result struct {
	// Cases hold one case per file checked (a topology that a plan or a
	// runbook names is checked too, even when it is not under the paths).
	Cases []finding.Case
	// Skipped lists the YAML files found that are none of the kinds
	// validate checks, and files named explicitly that it cannot check.
	Skipped []Skipped
}

// Run finds the files under paths (see Discover) and checks them all. The
// error is for paths that cannot be read and for cancellation; every
// problem in the files is a finding.
func Run(ctx context.Context, paths []string, opts Options) (*Result, error) {
	var rest []string
	var stdin *File
	for _, p := range paths {
		if p != "-" {
			rest = append(rest, p)
			continue
		}
		if opts.Stdin == nil {
			return nil, errors.New("validate: - names standard input, which was not read")
		}
		if stdin == nil {
			f := stdinPlan(opts.Stdin)
			stdin = &f
		}
	}
	files, skipped, err := Discover(ctx, rest)
	if err != nil {
		return nil, err
	}
	if stdin != nil {
		files = append(files, *stdin)
	}
	v := &validator{opts: opts}
	res := &Result{Skipped: skipped}

	// Topologies first, so that each is loaded under the name it was
	// found by, before plans name it their own way.
	var topoJobs, jobs []func() []finding.Case
	found := map[string]bool{}
	var rego []File
	for _, f := range files {
		switch f.Kind {
		case Topology:
			found[absPath(f.Path)] = true
			topoJobs = append(topoJobs, func() []finding.Case { return []finding.Case{v.topology(ctx, f)} })
		case Plan:
			jobs = append(jobs, func() []finding.Case { return []finding.Case{v.plan(ctx, f)} })
		case Runbook:
			jobs = append(jobs, func() []finding.Case { return []finding.Case{v.runbook(ctx, f)} })
		case Policy:
			rego = append(rego, f)
		}
	}
	for _, g := range groupByDir(rego) {
		jobs = append(jobs, func() []finding.Case { return v.policies(ctx, g) })
	}
	if err := v.loadRunbooks(ctx, files, opts.RunbookDirs); err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	res.Cases = append(res.Cases, runAll(topoJobs, workers)...)
	res.Cases = append(res.Cases, runAll(jobs, workers)...)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Inventory != nil {
		c, invFiles, err := checkInventory(opts.Inventory)
		if err != nil {
			return nil, err
		}
		res.Cases = append(res.Cases, c)
		res.Skipped = slices.DeleteFunc(res.Skipped, func(s Skipped) bool { return invFiles[absPath(s.Path)] })
	}
	// Topologies named by plans or runbooks but not found under the paths.
	for _, nw := range v.nets.All() {
		if nw.Traffic != "" || found[absPath(nw.Path)] || (nw.Net == nil && len(nw.Diags) == 0) {
			continue // a file that cannot be read is reported where it is named
		}
		c := finding.Case{Suite: "topologies", Name: nw.Path, File: nw.Path, Time: nw.Took}
		c.Findings = topologyFindings(c.File, nw)
		res.Cases = append(res.Cases, c)
	}
	return res, nil
}

// runAll runs jobs, at most workers (at least 1) at a time, and returns
// their cases in job order.
func runAll(jobs []func() []finding.Case, workers int) []finding.Case {
	out := make([][]finding.Case, len(jobs))
	var g errgroup.Group
	g.SetLimit(max(workers, 1))
	for i, job := range jobs {
		g.Go(func() error {
			out[i] = job()
			return nil
		})
	}
	_ = g.Wait() // the jobs return no error: a problem is a finding
	var all []finding.Case
	for _, cs := range out {
		all = append(all, cs...)
	}
	return all
}

type validator struct {
	opts Options
	// nets are the topologies plans and runbook examples name, each
	// loaded once.
	nets input.Networks
	// runbooks are the runbook files found, parsed once, by path; lib is
	// them with the built-in runbooks they do not replace, which includes
	// resolve against; libDiags are the library's problems (unknown
	// includes, include loops) by file.
	runbooks map[string]parsedRunbook
	lib      *runbook.Library
	libDiags map[string]diag.Diagnostics
}

type parsedRunbook struct {
	r  *runbook.Runbook
	ds diag.Diagnostics
}

func absPath(p string) string { return input.Key(p) }

// network returns the topology at path, loaded once for every plan and
// runbook example that names it.
func (v *validator) network(ctx context.Context, path string) *input.Network {
	return v.nets.Get(ctx, v.opts.Scope, path, "")
}

// topology checks a topology file.
func (v *validator) topology(ctx context.Context, f File) finding.Case {
	start := time.Now()
	c := finding.Case{Suite: "topologies", Name: f.Path, File: f.Path}
	nw := v.network(ctx, f.Path)
	c.Findings = append(c.Findings, topologyFindings(c.File, nw)...)
	c.Time = time.Since(start)
	return c
}

// topologyFindings are the problems of a topology file: its own, and
// that it does not compile for simulation.
func topologyFindings(file string, nw *input.Network) []finding.Finding {
	c := finding.Case{File: file}
	addDiags(&c, nw.Diags, RuleTopologyInvalid, pos{1, 1})
	err := nw.Err
	if err == nil && nw.Net != nil {
		_, _, err = nw.Model()
	}
	if err != nil {
		c.Findings = append(c.Findings, errorAt(file, pos{1, 1}, RuleTopologyInvalid, err.Error(), ""))
	}
	return c.Findings
}

// addDiags adds ds to c as findings of rule; a diagnostic without a file
// is about c's file, and one without a line is placed at fallback.
func addDiags(c *finding.Case, ds diag.Diagnostics, rule string, fallback pos) {
	for _, d := range ds {
		sev := finding.Error
		if d.Severity == diag.Warning {
			sev = finding.Warning
		}
		f := finding.Finding{Severity: sev, Rule: rule, Message: d.Msg, Hint: d.Hint,
			File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col}
		if f.File == "" {
			f.File = c.File
		}
		if f.Line <= 0 && f.File == c.File {
			f.Line, f.Col = fallback.line, fallback.col
		}
		if f.Line > 0 && f.Col <= 0 {
			f.Col = 1 // the line is known (a YAML syntax error), the column not
		}
		c.Findings = append(c.Findings, f)
	}
}

func errorAt(file string, p pos, rule, msg, hint string) finding.Finding {
	return finding.Finding{Severity: finding.Error, Rule: rule, Message: msg, Hint: hint, File: file, Line: p.line, Col: p.col}
}

func warningAt(file string, p pos, rule, msg, hint string) finding.Finding {
	return finding.Finding{Severity: finding.Warning, Rule: rule, Message: msg, Hint: hint, File: file, Line: p.line, Col: p.col}
}

func posOf(p diag.Pos) pos {
	if p.Line <= 0 {
		return pos{1, 1}
	}
	return pos{p.Line, max(p.Col, 1)}
}

// loadRunbooks parses every runbook file found and builds the library
// their includes and plans' runbook steps resolve against: the runbooks
// found, and the built-in runbooks and those of dirs whose names they do
// not take (validating the repository's own runbooks/ directory checks
// those files, not the embedded copies). The problems of the runbooks in
// dirs are not reported here: they are checked where they are found.
func (v *validator) loadRunbooks(ctx context.Context, files []File, dirs []string) error {
	v.runbooks = map[string]parsedRunbook{}
	v.libDiags = map[string]diag.Diagnostics{}
	var found []*runbook.Runbook
	names := map[string]bool{}
	for _, f := range files {
		if f.Kind != Runbook {
			continue
		}
		r, ds := runbook.Parse(f.Path, f.data)
		v.runbooks[f.Path] = parsedRunbook{r, ds}
		if r != nil {
			found = append(found, r)
			names[r.Name] = true
		}
	}
	builtin, _, err := runbook.Load(ctx, runbooks.FS, dirs)
	if err != nil {
		return fmt.Errorf("runbooks: %w", err)
	}
	all := found
	for _, r := range builtin.All() {
		if !names[r.Name] {
			all = append(all, r)
		}
	}
	lib, ds := runbook.NewLibrary(all)
	for _, d := range ds {
		v.libDiags[d.Pos.File] = append(v.libDiags[d.Pos.File], d)
	}
	v.lib = lib
	return nil
}
