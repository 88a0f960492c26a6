package runbook

import (
	"context"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/runbooks"
	"github.com/changegate/changegate/userfile"
)

func expandSetup(t *testing.T) (*Library, *topology.Network) {
	t.Helper()
	lib, ds, err := Load(context.Background(), runbooks.FS, nil)
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds.Err())
	}
	net, ds, err := topology.LoadFile(context.Background(), "../../examples/april-2011.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("%v %v", err, ds.Err())
	}
	return lib, net
}

func parsePlan(t *testing.T, src string) *plans.Plan {
	t.Helper()
	p, ds := plans.Parse("plan.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatalf("parse: %v", ds.Err())
	}
	return p
}

const runbookPlan = `title: drain p2 with runbooks
platform: frr_vtysh
steps:
  - runbook: router-maintenance-drain
    params: {device: p2}
  - name: undrain p2
    runbook: router-undrain
    params:
      device: p2
  - name: cost p1-p3 on p1
    runbook: link-metric
    platform: cisco_iosxe
    params: {device: p1, link: p1-p3, metric: 500, restore_metric: 10}
`

func TestExpand(t *testing.T) {
	lib, net := expandSetup(t)
	p := parsePlan(t, runbookPlan)
	if !p.HasRunbooks() {
		t.Fatal("HasRunbooks is false for a plan of runbook steps")
	}
	e, ds := Expand(p, lib, net)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	if e.HasRunbooks() {
		t.Error("the expanded plan still has runbook steps")
	}
	// router-maintenance-drain on p2: one cost-out per link of p2 (4 in
	// the example network), then the drain; then the two named steps.
	if len(e.Steps) != 7 {
		t.Fatalf("%d steps: %+v", len(e.Steps), e.Steps)
	}
	for i, s := range e.Steps {
		if s.FromRunbook == nil || s.Runbook != nil || len(s.Config) == 0 || len(s.RollbackConfig) == 0 || len(s.Checks) == 0 {
			t.Errorf("step %d %q: not a complete rendered step: %+v", i+1, s.Name, s)
		}
		if s.Pos.File != "plan.yaml" || s.Pos.Line == 0 {
			t.Errorf("step %d %q is located at %v, want its runbook step in plan.yaml", i+1, s.Name, s.Pos)
		}
	}
	if e.Steps[5].Name != "undrain p2" || e.Steps[5].Pos.Line != 6 {
		t.Errorf("named runbook step: %q at %v", e.Steps[5].Name, e.Steps[5].Pos)
	}
	last := e.Steps[6]
	if last.Name != "cost p1-p3 on p1" || !strings.Contains(strings.Join(last.Config, "\n"), "ip ospf cost 500") || last.Devices[0] != "p1" {
		t.Errorf("IOS-XE step: %+v", last)
	}

	// The digest covers what the runbooks render to.
	other := parsePlan(t, strings.Replace(runbookPlan, "metric: 500", "metric: 600", 1))
	e2, ds := Expand(other, lib, net)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	if e.Digest() == e2.Digest() {
		t.Error("a different runbook parameter gives the same plan digest")
	}

	// A plan without runbook steps is returned as it is.
	plain := parsePlan(t, "title: t\nsteps:\n  - name: a\n    effects: [{type: drain, node: p1}]\n")
	if got, ds := Expand(plain, lib, net); got != plain || len(ds) != 0 {
		t.Error("a plan without runbook steps was changed")
	}
}

func TestExpandErrors(t *testing.T) {
	lib, net := expandSetup(t)
	tests := []struct {
		name, src, want string
		line, col       int
	}{
		{"unknown runbook", "title: t\nplatform: frr_vtysh\nsteps:\n  - runbook: router-drian\n    params: {device: p2}\n", `did you mean "router-drain"`, 4, 14},
		{"unknown device", "title: t\nplatform: frr_vtysh\nsteps:\n  - runbook: router-drain\n    params: {device: p9}\n", "p9", 5, 22},
		{"no platform", "title: t\nsteps:\n  - runbook: router-drain\n    params: {device: p2}\n", "needs a platform", 3, 5},
		{"duplicate rendered names", "title: t\nplatform: frr_vtysh\nsteps:\n  - runbook: router-drain\n    params: {device: p2}\n  - runbook: router-drain\n    params: {device: p2}\n", "duplicate step name", 6, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parsePlan(t, tt.src)
			e, ds := Expand(p, lib, net)
			if e != nil || !ds.HasErrors() {
				t.Fatalf("no error: %v", ds)
			}
			d := ds.Errors()[0]
			if !strings.Contains(d.String(), tt.want) || d.Pos.File != "plan.yaml" || d.Pos.Line != tt.line || d.Pos.Col != tt.col {
				t.Errorf("got %s, want plan.yaml:%d:%d with %q", d, tt.line, tt.col, tt.want)
			}
		})
	}
}

// TestExpandPointsNamesAtParameters: a rendered step's devices, nodes and
// links are located at the parameter of the plan's runbook step that
// gives them (where the plan names them), so that a problem with one
// points there; what no parameter gives is at the runbook step.
func TestExpandPointsNamesAtParameters(t *testing.T) {
	lib, net := expandSetup(t)
	src := "title: t\nplatform: frr_vtysh\nsteps:\n  - runbook: router-drain\n    params: {device: p2, soak: 1m}\n"
	e, ds := Expand(parsePlan(t, src), lib, net)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	param := diag.Pos{File: "plan.yaml", Line: 5, Col: 22}
	s := e.Steps[0]
	if got := s.DevicePos["p2"]; got != param {
		t.Errorf("device p2 at %v, want %v", got, param)
	}
	if got := s.Effects[0].NodePos; got != param {
		t.Errorf("drain p2 at %v, want %v", got, param)
	}
	if got := s.Effects[0].Pos; got != (diag.Pos{File: "plan.yaml", Line: 4, Col: 5}) {
		t.Errorf("effect at %v, want the runbook step", got)
	}
	// A topology without p2: the unknown device is reported at device: p2.
	nodes := map[string]bool{"p1": true}
	refs := e.CheckReferences(nil, nodes)
	if len(refs) == 0 || refs[0].Pos != param {
		t.Errorf("references %v, want the first at %v", refs, param)
	}
}
