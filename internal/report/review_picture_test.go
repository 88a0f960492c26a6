package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/plans"
)

// TestNetChanges: the net change after a step is what differs from the
// baseline, not what happened in between.
func TestNetChanges(t *testing.T) {
	n := net([]string{"a", "b", "c"}, "a-b", "b-c")
	for i := range n.Links {
		n.Links[i].MetricAB, n.Links[i].MetricBA, n.Links[i].CapacityBps = 10, 10, 100e9
	}
	ef := func(typ plans.EffectType, link, node string) plans.Effect {
		return plans.Effect{Type: typ, Link: link, Node: node}
	}
	for _, tc := range []struct {
		name  string
		steps [][]plans.Effect
		want  []string
	}{
		{"nothing", [][]plans.Effect{nil}, nil},
		{"drained", [][]plans.Effect{{ef(plans.Drain, "", "b")}}, []string{"node b drained"}},
		{"drained and back", [][]plans.Effect{{ef(plans.Drain, "", "b")}, {ef(plans.Undrain, "", "b")}}, nil},
		{"down and up", [][]plans.Effect{{ef(plans.LinkDown, "a-b", "")}, {ef(plans.LinkUp, "a-b", "")}}, nil},
		{"down, capacity", [][]plans.Effect{{ef(plans.LinkDown, "a-b", "")}, {{Type: plans.SetCapacity, Link: "a-b", CapacityBps: 400e9}}},
			[]string{"link a-b down (was up), capacity 400G (was 100G)"}},
		{"metric both ways", [][]plans.Effect{{{Type: plans.SetMetric, Link: "b-c", Metric: 500}}}, []string{"link b-c metric 500 (was 10)"}},
		{"metric one way", [][]plans.Effect{{{Type: plans.SetMetric, Link: "b-c", Metric: 500, From: "c"}}},
			[]string{"link b-c metric b→c 10, c→b 500 (was 10, 10)"}},
		{"metric there and back", [][]plans.Effect{{{Type: plans.SetMetric, Link: "b-c", Metric: 500}}, {{Type: plans.SetMetric, Link: "b-c", Metric: 10}}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &plans.Plan{}
			for _, s := range tc.steps {
				p.Steps = append(p.Steps, plans.Step{Effects: s})
			}
			v := &gate.Verdict{Network: n, Plan: p, DryRun: &dryrun.Result{States: make([]dryrun.State, len(p.Steps)+1)}}
			got := netChanges(v, len(p.Steps))
			if d := cmp.Diff(tc.want, got.Lines); d != "" {
				t.Errorf("net change (-want +got):\n%s", d)
			}
		})
	}
}

// TestFirstDenial: beside a step's picture goes the first denial the
// step brings; a denial carried over from the step before (or, for step
// 1, from the plan as a whole) is shown only when there is no new one.
func TestFirstDenial(t *testing.T) {
	deny := func(step int, msg string) policy.Result {
		return policy.Result{Kind: policy.Deny, Step: step, Msg: msg}
	}
	p := &plans.Plan{Steps: []plans.Step{{Name: "one"}, {Name: "two"}, {Name: "three"}}}
	for _, tc := range []struct {
		name    string
		results []policy.Result
		k       int
		want    string
		wantNew bool
	}{
		{"none", nil, 2, "", false},
		{"only carried over", []policy.Result{deny(1, `step 1 "one": link x at 227%`), deny(2, `step 2 "two": link x at 227%`)}, 2, "link x at 227%", false},
		{"new after carried over", []policy.Result{
			deny(1, `step 1 "one": link x at 227%`), deny(2, `step 2 "two": link x at 227%`), deny(2, `step 2 "two": link y at 120%`),
		}, 2, "link y at 120%", true},
		{"step 1 against the plan's own", []policy.Result{deny(0, "link x at 227%"), deny(1, `step 1 "one": link x at 227%`)}, 1, "link x at 227%", false},
		{"step 1 new", []policy.Result{deny(1, `step 1 "one": link y at 120%`)}, 1, "link y at 120%", true},
		{"warnings do not count", []policy.Result{{Kind: policy.Warn, Step: 3, Msg: `step 3 "three": w`}}, 3, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := &gate.Verdict{Plan: p, Decision: &policy.Decision{Results: tc.results}}
			got, isNew := firstDenial(v, tc.k)
			if got != tc.want || isNew != tc.wantNew {
				t.Errorf("firstDenial = %q, new %v; want %q, new %v", got, isNew, tc.want, tc.wantNew)
			}
		})
	}
}
