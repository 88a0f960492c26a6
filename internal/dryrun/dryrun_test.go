package dryrun

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

func load(t testing.TB, planFile string) (*topology.Network, *plans.Plan) {
	t.Helper()
	p, ds, err := plans.LoadFile(context.Background(), planFile, userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("load plan %s: %v %v", planFile, err, ds)
	}
	net, ds, err := topology.LoadFile(context.Background(), p.TopologyPath(), userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatalf("load topology: %v %v", err, ds)
	}
	return net, p
}

func linkUtil(t *testing.T, st State, id, from string) float64 {
	t.Helper()
	for _, l := range st.Links {
		if l.ID == id && l.From == from {
			return l.Utilization
		}
	}
	t.Fatalf("no link %s from %s", id, from)
	return 0
}

// The outage plan is the 2011 mistake: step 1 drains p1 and p5 instead of
// p2, which looks harmless on its own (nothing over 70%) but leaves dc1 one
// failure away from the secondary network; step 2 takes p2 down, and the
// secondary network carries the primary traffic, far over its capacity.
func TestOutagePlanOverloadsSecondary(t *testing.T) {
	net, p := load(t, "../../examples/outage-plan.yaml")
	res, ds, err := Run(context.Background(), net, p, Options{TopMovers: 5})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	if len(res.States) != len(p.Steps)+1 {
		t.Fatalf("%d states for %d steps", len(res.States), len(p.Steps))
	}
	if u := linkUtil(t, res.States[0], "s1-s2", "s1"); u != 0 {
		t.Errorf("baseline s1-s2 at %v, want 0", u)
	}
	// Step 1: all of dc1's traffic on p2, the secondary network still empty,
	// but one failure from 700%.
	st1 := res.States[1]
	if st1.MaxUtilization > 0.7+1e-9 || linkUtil(t, st1, "s1-s2", "s1") != 0 {
		t.Errorf("after step 1, worst link %v at %v and s1-s2 at %v, want at most 70%% and 0", st1.MaxLink, st1.MaxUtilization, linkUtil(t, st1, "s1-s2", "s1"))
	}
	if st1.N1 == nil || st1.N1.MaxLink == nil || st1.N1.MaxLink.ID != "ebs1-s1" || math.Abs(st1.N1.MaxUtilization-7) > 1e-9 {
		t.Errorf("after step 1, N-1 worst %+v, want ebs1-s1 at 700%%", st1.N1)
	}
	// Step 2: dc1's traffic on the secondary network, 600% to 700%.
	st2 := res.States[2]
	for _, want := range []struct {
		id, from string
		util     float64
	}{{"s1-s2", "s1", 6}, {"s1-s2", "s2", 6}, {"ebs1-s1", "ebs1", 7}, {"ebs1-s1", "s1", 7}, {"ebs2-s2", "ebs2", 6}} {
		if u := linkUtil(t, st2, want.id, want.from); math.Abs(u-want.util) > 1e-9 {
			t.Errorf("after step 2, %s from %s at %.0f%%, want %.0f%%", want.id, want.from, u*100, want.util*100)
		}
	}
	if st2.MaxLink.ID != "ebs1-s1" || math.Abs(st2.MaxUtilization-7) > 1e-9 {
		t.Errorf("after step 2, worst link %v at %v, want ebs1-s1 at 700%%", st2.MaxLink, st2.MaxUtilization)
	}
	if st2.MovedBps == 0 || len(st2.TopMovers) == 0 {
		t.Error("step 2 moves no traffic")
	}
	// Step 4 undoes it: back to the baseline, the secondary network empty.
	if u := linkUtil(t, res.States[4], "s1-s2", "s1"); u != 0 || res.States[4].MaxUtilization != res.States[0].MaxUtilization {
		t.Errorf("after step 4, s1-s2 at %v and worst link at %v, want the baseline", u, res.States[4].MaxUtilization)
	}
	if !res.Rollback.RestoresBaseline {
		t.Error("the outage plan's rollback does not restore the baseline")
	}
}

// The safe plan never puts traffic on the secondary network, in any state
// or under any single failure of any state: with p2 out, dc1 still has two
// primary routers (p1 and p5), either of which carries everything.
func TestSafePlanKeepsSecondaryEmpty(t *testing.T) {
	net, p := load(t, "../../examples/safe-plan.yaml")
	res, ds, err := Run(context.Background(), net, p, Options{})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	secondary := map[string]bool{}
	for _, st := range res.States {
		for _, l := range st.Links {
			if l.Class == "secondary" {
				secondary[l.ID] = true
				if l.LoadBps > 0 {
					t.Errorf("state %d: secondary link %s carries %v", st.Index, l.ID, l.LoadBps)
				}
			}
		}
		if st.MaxUtilization > 0.35+1e-9 {
			t.Errorf("state %d: max utilisation %v over 35%%", st.Index, st.MaxUtilization)
		}
		// Blast radius: at most twice the total demand (160G) moved per step.
		if st.DroppedBps != 0 || st.MovedBps > 2*160e9 {
			t.Errorf("state %d: dropped %v, moved %v", st.Index, st.DroppedBps, st.MovedBps)
		}
		if st.N1 == nil {
			t.Fatalf("state %d: no N-1 analysis", st.Index)
		}
		if st.N1.MaxUtilization > 0.7+1e-9 {
			t.Errorf("state %d: N-1 worst %v at %v, over 70%%", st.Index, st.N1.MaxLink, st.N1.MaxUtilization)
		}
		for _, l := range st.N1.Links {
			if secondary[l.ID] && l.WorstUtilization > 0 {
				t.Errorf("state %d: a single failure (%v) puts %s at %v", st.Index, l.WorstFailure, l.ID, l.WorstUtilization)
			}
		}
		for _, f := range st.N1.Failures {
			if f.DroppedBps != 0 {
				t.Errorf("state %d: failure %s drops %v", st.Index, f.Failure, f.DroppedBps)
			}
		}
	}
	last := res.States[len(res.States)-1]
	for _, l := range last.Links {
		if l.ID == "p2-p4" && l.CapacityBps != 400e9 {
			t.Errorf("after the last step p2-p4 is %v, want 400G", l.CapacityBps)
		}
	}
	if !res.Rollback.RestoresBaseline {
		t.Error("safe plan rollback does not restore the baseline")
	}
}

func TestBadRollbackIsFlagged(t *testing.T) {
	net, _ := load(t, "../../examples/safe-plan.yaml")
	res := runPlan(t, net, "bad.yaml", `title: bad rollback
steps:
  - name: cost out
    effects: [{type: set_metric, link: p1-p3, metric: 500}]
    rollback: [{type: set_metric, link: p1-p3, metric: 20}]
  - name: drain p2
    effects: [{type: drain, node: p2}]
`, Options{SkipN1: true})
	rb := res.Rollback
	if rb.Steps[0].RestoresPrevious || len(rb.Steps[0].Differences) != 2 {
		t.Errorf("step 1 rollback: restores=%v differences=%v, want two metric differences", rb.Steps[0].RestoresPrevious, rb.Steps[0].Differences)
	}
	if !strings.Contains(rb.Steps[0].Differences[0], "20, not 10") {
		t.Errorf("difference %q does not give both metrics", rb.Steps[0].Differences[0])
	}
	if !rb.Steps[1].RestoresPrevious || rb.Steps[1].RestoresBaselineFromHere || rb.RestoresBaseline {
		t.Errorf("step 2: %+v, restores baseline %v", rb.Steps[1], rb.RestoresBaseline)
	}
	// Undoing step 2 returns to state 1; undoing step 1 goes somewhere new.
	if rb.Path[0].SameAsState == nil || *rb.Path[0].SameAsState != 1 {
		t.Errorf("path[0] = %+v, want same as state 1", rb.Path[0])
	}
	if rb.Path[1].SameAsState != nil || rb.Path[1].State == nil {
		t.Errorf("path[1] = %+v, want a new simulated state", rb.Path[1])
	}
}

func TestUnknownReferencesReported(t *testing.T) {
	net, _ := load(t, "../../examples/safe-plan.yaml")
	p, ds := plans.Parse("bad.yaml", []byte(`title: typos
steps:
  - name: a
    effects: [{type: set_metric, link: p1-p33, metric: 5}, {type: drain, node: p9}, {type: set_metric, link: p1-p3, metric: 5, from: p4}]
`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	res, ds, err := Run(context.Background(), net, p, Options{})
	if err != nil || res != nil {
		t.Fatalf("got result %v, err %v; want diagnostics only", res, err)
	}
	if n := len(ds.Errors()); n != 3 {
		t.Fatalf("%d errors, want 3: %v", n, ds)
	}
	if !strings.Contains(ds.Errors()[2].Msg, "not an end of link p1-p3") {
		t.Errorf("from check: %v", ds.Errors()[2])
	}
	// Each at the name it is about (CI annotations point there).
	for i, col := range []int{40, 80, 134} {
		if d := ds.Errors()[i]; d.Pos.Line != 4 || d.Pos.Col != col {
			t.Errorf("%s: want line 4, column %d", d, col)
		}
	}
}

func TestNoPlanAnalysesBaseline(t *testing.T) {
	net, _ := load(t, "../../examples/safe-plan.yaml")
	res, _, err := Run(context.Background(), net, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.States) != 1 || res.Plan != nil || res.Rollback != nil || res.States[0].N1 == nil {
		t.Fatalf("want one baseline state with N-1, got %+v", res)
	}
	// Losing p1-p3 and s1-s2 together (duct-north) still leaves p2-p4.
	for _, f := range res.States[0].N1.Failures {
		if f.Failure == "srlg:duct-north" && f.DroppedBps != 0 {
			t.Errorf("duct-north drops %v", f.DroppedBps)
		}
	}
}

// A step with no explicit rollback is undone by its exact inverse, which
// touches only what the step changed: it must not hide a later step's
// incomplete rollback.
func TestInverseDoesNotMaskLaterBadRollback(t *testing.T) {
	net, _ := load(t, "../../examples/safe-plan.yaml")
	res := runPlan(t, net, "mask.yaml", `title: masking
steps:
  - name: drain s1
    effects: [{type: drain, node: s1}]
  - name: cost out p2-p4
    effects: [{type: set_metric, link: p2-p4, metric: 500}]
    rollback: [{type: set_metric, link: p2-p4, metric: 20}]
`, Options{SkipN1: true})
	rb := res.Rollback
	if !rb.Steps[0].RestoresPrevious || !rb.Steps[0].RestoresBaselineFromHere {
		t.Errorf("step 1 (exact inverse): %+v", rb.Steps[0])
	}
	if rb.Steps[1].RestoresPrevious || rb.Steps[1].RestoresBaselineFromHere {
		t.Errorf("step 2 (bad rollback) reported as restoring: %+v", rb.Steps[1])
	}
	if rb.RestoresBaseline {
		t.Error("rolling back the whole plan leaves p2-p4 at metric 20, yet restores_baseline is true")
	}
	// Undoing step 2 leads somewhere new; undoing step 1 too (p2-p4 still at 20).
	for i, ps := range rb.Path {
		if ps.SameAsState != nil {
			t.Errorf("rollback path[%d] = same as state %d, want a new state", i, *ps.SameAsState)
		}
	}
}

// A rollback state equal to some forward state other than the previous
// one is recognised as that state.
func TestRollbackPathRecognisesEarlierStates(t *testing.T) {
	net, _ := load(t, "../../examples/safe-plan.yaml")
	res := runPlan(t, net, "skip.yaml", `title: skip
steps:
  - name: drain p2
    effects: [{type: drain, node: p2}]
  - name: undrain p2
    effects: [{type: undrain, node: p2}]
    rollback: []
`, Options{SkipN1: true})
	// Undoing step 2 with an empty rollback stays in state 2, which equals state 0.
	if got := res.Rollback.Path[0].SameAsState; got == nil || *got != 0 {
		t.Errorf("path[0].same_as_state = %v, want 0", got)
	}
}

// A state whose model equals an earlier one gets the same N-1 (reused, not
// recomputed), and it equals a fresh analysis of that model.
func TestRepeatedStatesShareN1(t *testing.T) {
	net, _ := load(t, "../../examples/outage-plan.yaml")
	res := runPlan(t, net, "back.yaml", `title: there and back
steps:
  - name: drain p1
    effects: [{type: drain, node: p1}]
  - name: cost out p2-p4
    effects: [{type: set_metric, link: p2-p4, metric: 500}]
  - name: cost in p2-p4
    effects: [{type: set_metric, link: p2-p4, metric: 10}]
  - name: undrain p1
    effects: [{type: undrain, node: p1}]
`, Options{})
	// Step 4 returns the model to the baseline; step 3 to state 1.
	if res.States[4].N1 != res.States[0].N1 || res.States[3].N1 != res.States[1].N1 || res.States[2].N1 == res.States[1].N1 {
		t.Fatal("repeated states did not reuse the earlier N-1 (or a different state did)")
	}
	fresh, _, err := Run(context.Background(), net, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := fresh.States[0].N1, res.States[4].N1
	if len(a.Failures) != len(b.Failures) || a.MaxUtilization != b.MaxUtilization {
		t.Fatalf("reused N-1 differs from a fresh one: %v vs %v", a.MaxUtilization, b.MaxUtilization)
	}
	for i := range a.Failures {
		if a.Failures[i] != b.Failures[i] && (a.Failures[i].Failure != b.Failures[i].Failure || a.Failures[i].MaxUtilization != b.Failures[i].MaxUtilization || a.Failures[i].DroppedBps != b.Failures[i].DroppedBps) {
			t.Fatalf("failure %d: %+v vs %+v", i, a.Failures[i], b.Failures[i])
		}
	}
}

func TestProgressReportsEveryState(t *testing.T) {
	net, p := load(t, "../../examples/outage-plan.yaml")
	var got []string
	_, _, err := Run(context.Background(), net, p, Options{SkipN1: true, Progress: func(i, n int, label string) {
		got = append(got, fmt.Sprintf("%d/%d %s", i, n, label))
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1/5 baseline", "2/5 shift traffic off p2", "3/5 reload p2 with the new line card", "4/5 return p2 to service", "5/5 shift traffic back"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("progress = %q, want %q", got, want)
	}
}

// runPlan parses an inline plan and dry-runs it against net, failing the
// test on any error.
func runPlan(t *testing.T, net *topology.Network, name, src string, opts Options) *Result {
	t.Helper()
	p, ds := plans.Parse(name, []byte(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	res, ds, err := Run(context.Background(), net, p, opts)
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	return res
}

// A step that only configures devices (effects: []) leaves the model as
// it was, and its rollback too.
func TestConfigOnlyStep(t *testing.T) {
	net, _ := load(t, "../../examples/safe-plan.yaml")
	res := runPlan(t, net, "config.yaml", `title: enable BFD
steps:
  - name: bfd
    devices: [p1, p2]
    wave: {batch: 1}
    config: [router ospf, ' bfd all-interfaces']
    effects: []
`, Options{SkipN1: true})
	if len(res.States) != 2 || res.States[1].MovedBps != 0 || res.States[1].MaxUtilization != res.States[0].MaxUtilization {
		t.Errorf("the configuration-only step changed the model: %+v", res.States[1])
	}
	if !res.Rollback.RestoresBaseline || !res.Rollback.Steps[0].RestoresPrevious {
		t.Errorf("rollback = %+v", res.Rollback)
	}
}

func TestUnknownDevicesReported(t *testing.T) {
	net, _ := load(t, "../../examples/safe-plan.yaml")
	p, ds := plans.Parse("bad.yaml", []byte(`title: typos
steps:
  - name: a
    device: p9
    config: [hostname p9]
    effects: []
    checks: [{name: c, device: edge3, command: show version, expect: {contains: FRR}}]
`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	res, ds, err := Run(context.Background(), net, p, Options{})
	if err != nil || res != nil {
		t.Fatalf("got result %v, err %v; want diagnostics only", res, err)
	}
	want := []string{
		`bad.yaml:4:13: step "a": unknown device "p9" (hint: did you mean one of: "p1", "p2", "p3", "p4", "p5" (and 1 more)?)`,
		`bad.yaml:7:32: step "a" check "c": unknown device "edge3" (hint: did you mean one of: "edge1", "edge2"?)`,
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestModelReused: a dry-run with Options.Model (and Digests) gives the same result as
// one that compiles the network itself, and a model of another network is
// refused.
func TestModelReused(t *testing.T) {
	net, p := load(t, "../../examples/safe-plan.yaml")
	m, err := sim.Compile(net)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	want, _, err := Run(ctx, net, p, Options{SkipN1: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		opts := Options{SkipN1: true, Model: m}
		if i == 1 {
			opts.Digests = &digest.Set{Topology: net.TopologyDigest(), Traffic: net.TrafficDigest(), Plan: "ignored"}
		}
		got, _, err := Run(ctx, net, p, opts)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("run %d with Options.Model differs (-compiled +reused):\n%s", i, d)
		}
	}
	other := &topology.Network{Nodes: net.Nodes, Links: net.Links[:1], Demands: nil}
	om, err := sim.Compile(other)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Run(ctx, net, p, Options{SkipN1: true, Model: om}); err == nil {
		t.Fatal("a model of another network was accepted")
	}
}

// A negative TopMovers (a setting that overflowed, a flag of -1) lists
// no movers; it does not panic.
func TestNegativeTopMovers(t *testing.T) {
	net, p := load(t, "../../examples/outage-plan.yaml")
	for _, n := range []int{-1, math.MinInt} {
		res, _, err := Run(context.Background(), net, p, Options{TopMovers: n})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range res.States {
			if len(st.TopMovers) != 0 {
				t.Errorf("TopMovers %d: state %d lists %d movers", n, st.Index, len(st.TopMovers))
			}
		}
	}
}

// An interrupt stops the dry-run between states: cancelled while the
// second step is simulated, no further state is simulated and the error
// says why.
func TestCancelStopsBetweenSteps(t *testing.T) {
	net, p := load(t, "../../examples/outage-plan.yaml")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen []int
	res, _, err := Run(ctx, net, p, Options{SkipN1: true, Progress: func(i, n int, label string) {
		seen = append(seen, i)
		if i == 2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("Run = %v, %v; want a cancellation error", res, err)
	}
	if len(seen) != 2 {
		t.Errorf("states simulated after the cancel: progress %v", seen)
	}
}
