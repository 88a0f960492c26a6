package dryrun

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// A triangle: 9G from a to b goes over ab, which is 10G: the baseline is
// hot (90%). Going round through c costs 20.
const upgradeTopology = `nodes: [{name: a}, {name: b}, {name: c}]
links:
  - {id: ab, a: a, b: b, capacity: 10G, metric: 10}
  - {id: ac, a: a, b: c, capacity: 40G, metric: 10}
  - {id: cb, a: c, b: b, capacity: 40G, metric: 10}
demands:
  - {src: a, dst: b, rate: 9G}
`

// Step 1 upgrades ab to 40G (with an explicit rollback), step 2 lowers
// the cost of ac (undone by the exact inverse). Neither moves traffic.
const upgradePlan = `title: upgrade ab
risk: low
pre_checks:
  - {name: base, device: a, command: show version, expect: {contains: FRR}}
post_checks:
  - {name: done, device: b, command: show version, expect: {contains: FRR}}
steps:
  - name: upgrade ab
    devices: [a, b]
    config: ["interface ab", " bandwidth 40000000"]
    rollback_config: ["interface ab", " bandwidth 10000000"]
    effects: [{type: set_capacity, link: ab, capacity: 40G}]
    rollback: [{type: set_capacity, link: ab, capacity: 10G}]
    checks:
      - {name: ab is 40G, command: show interface ab, expect: {contains: "40 Gbps"}}
      - {name: b sees a, device: b, command: show ip ospf neighbor, expect: {contains: Full}}
  - name: cost ac
    device: a
    config: ["interface ac", " ip ospf cost 5"]
    rollback_config: ["interface ac", " ip ospf cost 10"]
    effects: [{type: set_metric, link: ac, metric: 5}]
    checks:
      - {name: cost 5, command: show ip ospf interface ac, expect: {contains: "Cost: 5"}}
    soak: 1m
`

func loadUpgrade(t *testing.T) (*topology.Network, *plans.Plan) {
	t.Helper()
	net, ds := topology.Parse("topology.yaml", []byte(upgradeTopology), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	p, ds := plans.Parse("plan.yaml", []byte(upgradePlan))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return net, p
}

// Undo gives the model after the plan and what undoes each step; Inverse
// builds the revert from them, which reads back from its YAML as built.
func TestUndoAndInverse(t *testing.T) {
	net, p := loadUpgrade(t)
	u, ds, err := Undo(net, p, nil)
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	ab, ac := u.After.Links[0], u.After.Links[1]
	if ab.CapacityBps != 40e9 || ac.MetricAB != 5 || ac.MetricBA != 5 || net.Links[0].CapacityBps != 10e9 || net.Links[1].MetricAB != 10 {
		t.Errorf("after: ab %v, ac %d/%d; the network given: ab %v, ac %d", ab.CapacityBps, ac.MetricAB, ac.MetricBA, net.Links[0].CapacityBps, net.Links[1].MetricAB)
	}
	if u.After.TrafficDigest() != net.TrafficDigest() {
		t.Error("the traffic changed")
	}
	wantUndo := [][]plans.Effect{
		{{Type: plans.SetCapacity, Link: "ab", CapacityBps: 10e9}},
		{{Type: plans.SetMetric, Link: "ac", From: "a", Metric: 10}, {Type: plans.SetMetric, Link: "ac", From: "c", Metric: 10}},
	}
	if diff := cmp.Diff(wantUndo, u.Steps, cmpopts.IgnoreTypes(diag.Pos{})); diff != "" {
		t.Errorf("undo effects (-want +got):\n%s", diff)
	}

	inv, err := plans.Inverse(p, u.Steps)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Steps) != 2 || inv.Title != "revert: upgrade ab" || inv.Risk != plans.RiskLow {
		t.Fatalf("inverse: %+v", inv)
	}
	undoCost, undoUpgrade := inv.Steps[0], inv.Steps[1]
	if undoCost.Name != "undo cost ac" || undoCost.Config[1] != " ip ospf cost 10" || undoCost.RollbackConfig[1] != " ip ospf cost 5" || undoCost.Soak != p.Steps[1].Soak {
		t.Errorf("undo cost ac: %+v", undoCost)
	}
	if diff := cmp.Diff(wantUndo[1], undoCost.Effects, cmpopts.IgnoreTypes(diag.Pos{})); diff != "" || !undoCost.HasRollback || undoCost.Rollback[0].Metric != 5 {
		t.Errorf("undo cost ac: effects (-want +got)\n%s, rollback %+v", diff, undoCost.Rollback)
	}
	// It returns to the state after step 1: step 1's checks, each on a
	// device, the one without a device given each of step 1's.
	var checks []string
	for _, c := range undoCost.Checks {
		checks = append(checks, c.Name+" on "+c.Device)
	}
	if want := []string{"ab is 40G (a) on a", "ab is 40G (b) on b", "b sees a on b"}; !cmp.Equal(want, checks) {
		t.Errorf("checks of undo cost ac: %q, want %q", checks, want)
	}
	if undoUpgrade.Name != "undo upgrade ab" || len(undoUpgrade.Checks) != 1 || undoUpgrade.Checks[0].Name != "base" || undoUpgrade.Effects[0].CapacityBps != 10e9 || undoUpgrade.Rollback[0].CapacityBps != 40e9 {
		t.Errorf("undo upgrade ab: %+v", undoUpgrade)
	}
	if inv.PreChecks[0].Name != "done" || inv.PostChecks[0].Name != "base" {
		t.Errorf("pre %+v, post %+v: want the plan's post-checks and pre-checks swapped", inv.PreChecks, inv.PostChecks)
	}

	// Written and read back, it is the same plan.
	var buf bytes.Buffer
	if err := runbook.WritePlan(&buf, inv); err != nil {
		t.Fatal(err)
	}
	back, ds := plans.Parse("revert.yaml", buf.Bytes())
	if ds.HasErrors() {
		t.Fatalf("%v\n%s", ds, buf.String())
	}
	if back.Digest() != inv.Digest() {
		t.Errorf("read back with another digest:\n%s", buf.String())
	}
	// So is the network after the plan.
	buf.Reset()
	if err := topology.Write(&buf, u.After); err != nil {
		t.Fatal(err)
	}
	after, ds := topology.Parse("after.yaml", buf.Bytes(), topology.ParseOptions{})
	if ds.HasErrors() || after.TopologyDigest() != u.After.TopologyDigest() || after.TrafficDigest() != net.TrafficDigest() {
		t.Errorf("the network after, read back: %v\n%s", ds, buf.String())
	}
}

// The revert is dry-run from the network after the plan: its first state
// is the upgraded network (ab at 22.5%), undoing the cost changes nothing
// for ab, and undoing the upgrade puts 9G back on 10G (90%), in its
// second step; the rollback path returns to where the revert started.
// Dry-run from the network before the plan instead, the revert would
// start hot and look like it overloads ab in its first step: the wrong
// step, and the wrong verdict on it.
func TestInverseDryRunFromTheNetworkAfter(t *testing.T) {
	net, p := loadUpgrade(t)
	u, _, err := Undo(net, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := plans.Inverse(p, u.Steps)
	if err != nil {
		t.Fatal(err)
	}
	res, ds, err := Run(context.Background(), u.After, inv, Options{})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	for i, want := range []float64{0.225, 0.225, 0.9} {
		if got := linkUtil(t, res.States[i], "ab", "a"); math.Abs(got-want) > 1e-9 {
			t.Errorf("state %d: ab at %v, want %v", i, got, want)
		}
	}
	if res.Rollback == nil || !res.Rollback.RestoresBaseline {
		t.Errorf("the revert's rollback does not return to where it started: %+v", res.Rollback)
	}
	// Its last state is the network before the plan.
	before, _, err := Run(context.Background(), net, nil, Options{SkipN1: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before.States[0].Links, res.States[2].Links); diff != "" {
		t.Errorf("the revert does not end where the plan started (-before +end):\n%s", diff)
	}

	wrong, _, err := Run(context.Background(), net, inv, Options{SkipN1: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := linkUtil(t, wrong.States[1], "ab", "a"); got != 0.9 {
		t.Errorf("from the network before the plan, state 1 has ab at %v", got)
	}
}
