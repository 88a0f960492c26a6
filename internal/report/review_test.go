package report

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// droppingVerdict is a two-node plan whose one step leaves a single link
// between a and b: steady it carries the traffic at 40%, but if that link
// fails all of it is dropped, which the gate denies.
func droppingVerdict() *gate.Verdict {
	step := "take down the second link"
	net := &topology.Network{
		Name:    "pair",
		Nodes:   []topology.Node{{Name: "a"}, {Name: "b"}},
		Links:   []topology.Link{{ID: "l1", A: "a", B: "b", CapacityBps: 10e9, MetricAB: 1, MetricBA: 1, Up: true}, {ID: "l2", A: "a", B: "b", CapacityBps: 10e9, MetricAB: 1, MetricBA: 1, Up: true}},
		Demands: []topology.Demand{{Src: "a", Dst: "b", RateBps: 4e9}},
	}
	fail := "link:l1"
	p := &plans.Plan{ID: "CHG-7", Title: "one link", Author: "Ann <ann@example.net>", Risk: "high", File: "p.yaml",
		Window: &plans.Window{Start: time.Date(2026, 5, 1, 22, 0, 0, 0, time.UTC), End: time.Date(2026, 5, 2, 2, 0, 0, 0, time.UTC), TimeZone: "UTC"},
		Steps: []plans.Step{{Name: step, Devices: []string{"a", "b"}, Wave: &plans.Wave{Batch: 1, MaxFailures: 0}, Soak: 5 * time.Minute,
			Effects: []plans.Effect{{Type: plans.LinkDown, Link: "l2"}}}}}
	half := []dryrun.LinkLoad{{ID: "l1", From: "a", To: "b", Class: "core", Up: true, LoadBps: 2e9, CapacityBps: 10e9, Utilization: 0.2}, {ID: "l2", From: "a", To: "b", Class: "core", Up: true, LoadBps: 2e9, CapacityBps: 10e9, Utilization: 0.2}}
	one := []dryrun.LinkLoad{{ID: "l1", From: "a", To: "b", Class: "core", Up: true, LoadBps: 4e9, CapacityBps: 10e9, Utilization: 0.4}, {ID: "l2", From: "a", To: "b", Class: "core", Up: false, CapacityBps: 10e9}}
	res := &dryrun.Result{
		Topology: dryrun.TopologyInfo{Name: "pair", Nodes: 2, Links: 2, Demands: 1, TotalDemandBps: 4e9},
		States: []dryrun.State{
			{Index: 0, Links: half, MaxUtilization: 0.2, MaxLink: &dryrun.LinkRef{ID: "l1", From: "a", To: "b"},
				N1: &dryrun.N1{MaxUtilization: 0.4, MaxLink: &dryrun.LinkRef{ID: "l2", From: "a", To: "b"}, WorstFailure: &fail}},
			{Index: 1, Step: &step, Links: one, MaxUtilization: 0.4, MaxLink: &dryrun.LinkRef{ID: "l1", From: "a", To: "b"},
				N1: &dryrun.N1{Failures: []dryrun.FailureResult{{Failure: "link:l1", DroppedBps: 4e9}}}},
		},
	}
	return &gate.Verdict{Plan: p, Network: net, DryRun: res,
		Decision: &policy.Decision{Results: []policy.Result{{Kind: policy.Deny, Policy: "changegate.n1", File: "n1.rego", Line: 9, Msg: "if l1 fails, 4 Gbps are dropped", Step: 1}}}}
}

var reviewApprovals = []ReviewApproval{
	{Approver: "Bob <bob@example.net>", Status: "COUNTS", Time: time.Date(2026, 4, 30, 9, 15, 0, 0, time.FixedZone("CEST", 2*3600)), Roles: []string{"neteng", "oncall"}, Comment: "looked at\nthe N-1 case"},
	{Approver: "Ann <ann@example.net>", Status: "DOES NOT COUNT", Why: "by the plan's author", Time: time.Date(2026, 4, 30, 8, 0, 0, 0, time.UTC)},
	{Approver: "Carl <carl@example.net>", Status: "STALE", Why: "the plan changed since it was signed", Time: time.Date(2026, 4, 29, 8, 0, 0, 0, time.UTC), Denied: true},
}

// TestReviewShowsTheFacts: both formats give the header (id and title,
// author, window, risk), every approval with its time (in UTC), roles,
// comment and status, each step's devices, waves and soak, the links it
// moves traffic onto with their class, its N-1 worst case, and the
// traffic a single failure drops.
func TestReviewShowsTheFacts(t *testing.T) {
	v := droppingVerdict()
	for name, render := range map[string]func(*bytes.Buffer) error{
		"markdown": func(b *bytes.Buffer) error { return ReviewMarkdown(b, v, reviewApprovals) },
		"html":     func(b *bytes.Buffer) error { return ReviewHTML(b, v, reviewApprovals) },
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			// Tags and Markdown emphasis out, entities back, so that one
			// list of phrases fits both.
			out := regexp.MustCompile(`<[^>]*>|\*\*`).ReplaceAllString(b.String(), "")
			out = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", `\_`, "_").Replace(out)
			for _, want := range []string{
				"DENIED: CHG-7 one link",
				"Ann <ann@example.net>", "2026-05-01 22:00 UTC to 2026-05-02 02:00 UTC (UTC)", "high",
				"COUNTS Bob <bob@example.net> at 2026-04-30 07:15:00 UTC (roles: neteng, oncall): \u201clooked at the N-1 case\u201d",
				"DOES NOT COUNT Ann <ann@example.net> at 2026-04-30 08:00:00 UTC",
				"by the plan's author",
				"STALE Carl <carl@example.net> at 2026-04-29 08:00:00 UTC [approved while DENIED]",
				"a, b", "in waves: batch 1, max_failures 0", "5m0s",
				"l1 a→b | core |",
				"4G dropped if link:l1 fails",
			} {
				if name == "html" && want == "l1 a→b | core |" {
					want = "l1 a→bcore"
				}
				if !strings.Contains(out, want) {
					t.Errorf("lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestReviewChartShowsDroppedTraffic: a plan denied for traffic dropped
// under N-1 shows it as its own series, labelled with its share of the
// demand, and the y axis reaches past 100% when the data does.
func TestReviewChartShowsDroppedTraffic(t *testing.T) {
	var b bytes.Buffer
	if err := ReviewHTML(&b, droppingVerdict(), nil); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	chart := out[strings.Index(out, `<svg class="chart"`):]
	chart = chart[:strings.Index(chart, "</svg>")]
	if !strings.Contains(chart, `fill="#80c" text-anchor="middle">100.0%</text>`) {
		t.Errorf("the dropped series does not show 100%% of the demand dropped:\n%s", chart)
	}
	for _, want := range []string{">baseline<", ">1: take down the second link<", ">capacity 100%<", ">0%<"} {
		if !strings.Contains(chart, want) {
			t.Errorf("the chart lacks %q", want)
		}
	}

	v := droppingVerdict()
	v.DryRun.States[1].MaxUtilization = 7
	b.Reset()
	if err := ReviewHTML(&b, v, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `class="ytick" x="90" y="44.0" text-anchor="end">700%</text>`) {
		t.Errorf("the y axis does not end at 700%%:\n%s", b.String())
	}
}

func TestChartTop(t *testing.T) {
	for _, tt := range []struct{ most, top, step float64 }{
		{0, 1, 0.2}, {0.5, 1, 0.2}, {1, 1, 0.2}, {1.3, 1.4, 0.2}, {1.7, 1.75, 0.25}, {7, 7, 1}, {6.2, 7, 1}, {35, 35, 5}, {41, 50, 10}, {1e6, 1e6, 2e5},
	} {
		top, step := chartTop(tt.most)
		if math.Abs(top-tt.top) > 1e-9*tt.top || math.Abs(step-tt.step) > 1e-9*tt.step {
			t.Errorf("chartTop(%v) = %v, %v; want %v, %v", tt.most, top, step, tt.top, tt.step)
		}
	}
}
