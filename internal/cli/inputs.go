package cli

import (
	"context"
	"fmt"

	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/userfile"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/runbooks"
)

// loadInputs reads the plan (when planFile is not empty) and the topology
// it is checked against: topoFile, else the plan's own topology, with the
// plan's traffic file (when it names one) in place of the topology's
// demands, and its runbook steps expanded (built-in runbooks and those of
// runbook.dirs), and its health checks compiled. The files the plan and
// the topology name must be inside their repository or paths.allow
// (userfile.Scope). Warnings are printed; errors come back as diagnostics
// with positions.
func (a *app) loadInputs(ctx context.Context, cfg Config, planFile, topoFile string) (*plans.Plan, *topology.Network, error) {
	scope := cfg.Paths.scope()
	var plan *plans.Plan
	if planFile != "" {
		p, ds, err := plans.LoadFile(ctx, planFile, scope)
		if err != nil {
			return nil, nil, err
		}
		if ds.HasErrors() {
			return nil, nil, diagErr(ds)
		}
		a.printDiags(ds)
		plan = p
		if topoFile == "" && p.Topology != "" {
			topoFile, err = scope.Resolve(p.File, p.Topology, userfile.Topology)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: topology: %w", p.TopologyPos, err)
			}
		}
	}
	if topoFile == "" {
		if plan == nil {
			return nil, nil, fmt.Errorf("give a plan, or --topology FILE to analyse a network without one")
		}
		return nil, nil, fmt.Errorf("%s names no topology: add `topology: FILE` to the plan or pass --topology FILE", plan.File)
	}
	net, ds, err := topology.LoadFile(ctx, topoFile, scope)
	if err != nil {
		return nil, nil, err
	}
	if ds.HasErrors() {
		return nil, nil, diagErr(ds)
	}
	a.printDiags(ds)
	if plan != nil && plan.Traffic != "" {
		// The plan names the traffic it was planned against: its demands
		// replace the topology's.
		path, err := scope.Resolve(plan.File, plan.Traffic, userfile.Demands)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: traffic: %w", plan.TrafficPos, err)
		}
		demands, ds, err := topology.LoadDemandFile(ctx, path, net.Nodes)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: traffic: %w", plan.TrafficPos, err)
		}
		if ds.HasErrors() {
			return nil, nil, diagErr(ds)
		}
		a.printDiags(ds)
		net.Demands = demands
	}
	if plan != nil && plan.HasRunbooks() {
		lib, ds, err := runbook.Load(ctx, runbooks.FS, cfg.Runbook.Dirs)
		if err != nil {
			return nil, nil, err
		}
		if ds.HasErrors() {
			return nil, nil, diagErr(ds)
		}
		expanded, ds := runbook.Expand(plan, lib, net)
		if ds.HasErrors() {
			return nil, nil, diagErr(ds)
		}
		a.printDiags(ds)
		plan = expanded
	}
	if plan != nil {
		// Every health check compiles now, as apply will compile it: a
		// plan whose checks cannot run is refused when it is checked.
		if ds := health.CompilePlan(plan); ds.HasErrors() {
			return nil, nil, diagErr(ds)
		}
	}
	return plan, net, nil
}
