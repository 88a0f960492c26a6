package runbooks_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/internal/diag"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/userfile"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/runbooks"
)

// The built-in runbooks that the product promises.
var required = []string{"link-metric", "interface-state", "router-drain", "router-undrain", "router-maintenance-drain"}

func library(t *testing.T) *runbook.Library {
	t.Helper()
	lib, ds, err := runbook.Load(context.Background(), runbooks.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) > 0 {
		t.Fatalf("built-in runbooks have problems:\n%v", ds.Err())
	}
	return lib
}

func TestRequiredRunbooks(t *testing.T) {
	lib := library(t)
	for _, name := range required {
		r, err := lib.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Examples) == 0 {
			t.Errorf("%s has no examples", name)
		}
		if len(r.Platforms) != len(runbook.Platforms()) {
			t.Errorf("%s supports %v, want every platform", name, r.Platforms)
		}
	}
}

// TestExamples renders every example of every built-in runbook for every
// platform the runbook claims, parses the written plan and dry-runs it
// against the example's topology.
func TestExamples(t *testing.T) {
	lib := library(t)
	for _, r := range lib.All() {
		for _, ex := range r.Examples {
			net, ds, err := topology.LoadFile(context.Background(), filepath.Join(".", ex.Topology), userfile.Scope{}) // relative to this directory
			if err != nil || ds.HasErrors() {
				t.Fatalf("%s example %q: topology: %v %v", r.Name, ex.Name, err, ds.Err())
			}
			for _, platform := range r.Platforms {
				t.Run(r.Name+"/"+ex.Name+"/"+platform, func(t *testing.T) {
					p, ds := r.RenderPlan(runbook.RenderOptions{Platform: platform, Params: ex.Params, Topology: net},
						runbook.PlanMeta{Topology: "../examples/april-2011.yaml"})
					if ds.HasErrors() || p == nil {
						t.Fatalf("render: %v", ds.Err())
					}
					for _, s := range p.Steps {
						if len(s.Config) == 0 || len(s.RollbackConfig) == 0 || len(s.Checks) == 0 || len(s.Devices) != 1 {
							t.Errorf("step %q: config %d lines, rollback %d lines, %d checks, devices %v", s.Name, len(s.Config), len(s.RollbackConfig), len(s.Checks), s.Devices)
						}
					}
					var buf bytes.Buffer
					if err := runbook.WritePlan(&buf, p); err != nil {
						t.Fatal(err)
					}
					back, ds := plans.Parse("rendered.yaml", buf.Bytes())
					if ds.HasErrors() || len(ds) > 0 {
						t.Fatalf("rendered plan does not parse cleanly: %v\n%s", ds, buf.String())
					}
					ignorePos := cmpopts.IgnoreTypes(diag.Pos{})
					if diff := cmp.Diff(p.Steps, back.Steps, ignorePos); diff != "" {
						t.Errorf("steps differ after render -> YAML -> plans.Parse (-rendered +parsed):\n%s\n%s", diff, buf.String())
					}
					res, ds, err := dryrun.Run(context.Background(), net, back, dryrun.Options{SkipN1: true})
					if err != nil || ds.HasErrors() || res == nil {
						t.Fatalf("dry-run: %v %v", err, ds.Err())
					}
				})
			}
		}
	}
}
