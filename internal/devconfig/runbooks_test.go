package devconfig_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/devconfig"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/runbooks"
	"github.com/changegate/changegate/userfile"
)

// TestRunbooks renders every example of every built-in runbook for every
// platform the runbook claims and reads each step's configuration, and
// its rollback configuration, with the platform's interpreter, for each
// of the step's devices: the derived effects must be the step's effects,
// and its rollback's (the declared rollback, or the inverse of its
// effects that the dry-run computes), exactly, with every line
// understood (modelled or neutral) and no diagnostic.
func TestRunbooks(t *testing.T) {
	ctx := context.Background()
	lib, ds, err := runbook.Load(ctx, runbooks.FS, nil)
	if err != nil || len(ds) > 0 {
		t.Fatalf("built-in runbooks: %v %v", err, ds.Err())
	}
	covered := map[string]bool{}
	for _, r := range lib.All() {
		for _, ex := range r.Examples {
			// Example topologies are relative to the runbook file, which
			// is relative to the repository's root.
			path := r.ExampleTopology(ex)
			if !filepath.IsAbs(path) {
				path = filepath.Join("..", "..", path)
			}
			net, ds, err := topology.LoadFile(ctx, path, userfile.Scope{})
			if err != nil || ds.HasErrors() {
				t.Fatalf("%s example %q: topology: %v %v", r.Name, ex.Name, err, ds.Err())
			}
			key := r.Name + "/" + ex.Name
			for _, platform := range r.Platforms {
				covered[platform] = true
				t.Run(key+"/"+platform, func(t *testing.T) {
					in, ok := devconfig.For(platform)
					if !ok {
						t.Fatalf("no interpreter for %s (interpreters: %v)", platform, devconfig.Platforms())
					}
					p, ds := r.RenderPlan(runbook.RenderOptions{Platform: platform, Params: ex.Params, Topology: net}, runbook.PlanMeta{})
					if p == nil || ds.HasErrors() {
						t.Fatalf("render: %v", ds.Err())
					}
					// What undoes each step by its declared effects (its
					// declared rollback, else their exact inverse): the
					// plan without its configuration, which Undo would
					// otherwise read instead of the declarations.
					declaredOnly := *p
					declaredOnly.Steps = slices.Clone(p.Steps)
					for j := range declaredOnly.Steps {
						declaredOnly.Steps[j].Config, declaredOnly.Steps[j].RollbackConfig = nil, nil
					}
					undo, ds, err := dryrun.Undo(net, &declaredOnly, nil)
					if err != nil || undo == nil {
						t.Fatalf("undo: %v %v", err, ds.Err())
					}
					for i, s := range p.Steps {
						file := fmt.Sprintf("%s step %d (%s)", r.File, i+1, s.Name)
						got := derive(t, in, net, s.Devices, file+" config", s.Config)
						if diff := differ(got, s.Effects); diff != "" {
							t.Errorf("%s: the config's effects are not the step's:\n%s\nconfig:\n%s", file, diff, strings.Join(s.Config, "\n"))
						}
						got = derive(t, in, net, s.Devices, file+" rollback_config", s.RollbackConfig)
						diff := differ(got, undo.Steps[i])
						if diff != "" {
							t.Errorf("%s: the rollback_config's effects are not the step's rollback:\n%s\nrollback_config:\n%s", file, diff, strings.Join(s.RollbackConfig, "\n"))
						}
					}
				})
			}
		}
	}
	// Every interpreter is read by some runbook.
	for _, platform := range devconfig.Platforms() {
		if !covered[platform] {
			t.Errorf("no built-in runbook example is rendered for %s", platform)
		}
	}
}

// derive reads lines as sent to each device and returns the effects, of
// all devices, that they make. A line that is not understood and a
// diagnostic are errors of the test.
func derive(t *testing.T, in devconfig.Interpreter, net *topology.Network, devices []string, file string, text []string) []plans.Effect {
	t.Helper()
	lines := make([]devconfig.Line, len(text))
	for i, s := range text {
		lines[i] = devconfig.Line{Text: s, Pos: diag.Pos{File: file, Line: i + 1}}
	}
	var out []plans.Effect
	for _, dev := range devices {
		res := in.Interpret(devconfig.Target{Device: dev, Net: net}, lines)
		for _, d := range res.Diags {
			t.Errorf("%s on %s: %s", file, dev, d)
		}
		for _, c := range res.NotModelled() {
			t.Errorf("%s on %s: line %d %q is not modelled: %s", file, dev, c.Line.Pos.Line, c.Line.Text, c.Why)
		}
		if len(res.Lines) != len(lines) {
			t.Errorf("%s on %s: %d lines classified, %d sent", file, dev, len(res.Lines), len(lines))
		}
		for _, d := range res.Effects {
			out = append(out, d.Effect)
		}
	}
	return out
}

// differ says how the derived effects differ from the declared ones, in
// any order, by type, link, node, direction and metric: "" when they do
// not.
func differ(derived, declared []plans.Effect) string {
	show := func(es []plans.Effect) []string {
		var out []string
		for _, e := range es {
			out = append(out, fmt.Sprintf("%s link=%q node=%q from=%q metric=%d", e.Type, e.Link, e.Node, e.From, e.Metric))
		}
		slices.Sort(out)
		return out
	}
	got, want := show(derived), show(declared)
	if slices.Equal(got, want) {
		return ""
	}
	return fmt.Sprintf("derived:\n  %s\ndeclared:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}
