package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
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
