package traffic

import (
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

func TestRoundRates(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want string
	}{
		{8.333333333333333e6, "8.333M"},
		{8333.333333333333, "8.333k"},
		{2.5e9, "2.5G"},
		{9.99999e9, "9.999G"},
		{123456789.123, "123.4M"},
		{1, "1"},
		{0, "0"},
	} {
		ds := []topology.Demand{{Src: "a", Dst: "b", RateBps: tt.in}}
		RoundRates(ds, 4)
		if got := topology.FormatRateExact(ds[0].RateBps); got != tt.want || ds[0].RateBps > tt.in {
			t.Errorf("RoundRates(%v) = %v (%s), want %s, not above", tt.in, ds[0].RateBps, got, tt.want)
		}
	}
}

// A stub's small link is left out of the peak: the backbone, not the
// access link, runs at the target.
func TestScaleLeavesOutSmallLinks(t *testing.T) {
	net, ds := topology.Parse("t.yaml", []byte(`name: stub
nodes: [{name: a}, {name: b}, {name: c}, {name: s}]
links:
  - {id: a-b, a: a, b: b, capacity: 10G, metric: 10, class: backbone}
  - {id: b-c, a: b, b: c, capacity: 10G, metric: 10, class: backbone}
  - {id: c-s, a: c, b: s, capacity: 155M, metric: 10, class: access}
demands:
  - {src: a, dst: c, rate: 1G}
  - {src: a, dst: s, rate: 1G}
`), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	for _, tt := range []struct {
		name      string
		peak      Peak
		link      string
		wantTotal float64
	}{
		// Every link: c-s (155M) carries 1G, so 0.5 makes every demand 77.5M.
		{"every link", Peak{Utilization: 0.5}, "c-s", 155e6},
		// Without links under 1G: a-b carries 2G, so 0.5 makes each 2.5G.
		{"at least 1G", Peak{Utilization: 0.5, MinCapacityBps: 1e9}, "a-b", 5e9},
		{"backbone class", Peak{Utilization: 0.5, Classes: []string{"backbone"}}, "a-b", 5e9},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := *net
			n.Demands = append([]topology.Demand(nil), net.Demands...)
			got, err := ScaleToPeakUtilization(&n, tt.peak)
			if err != nil {
				t.Fatal(err)
			}
			if got.Link != tt.link || got.From != "a" && got.From != "c" || got.TotalBps != tt.wantTotal {
				t.Errorf("scaled to %+v, want link %s and total %v", got, tt.link, tt.wantTotal)
			}
			if tt.link != "c-s" && (got.MaxLink != "c-s" || got.MaxUtilization <= 1) {
				t.Errorf("the busiest link of all is not reported: %+v", got)
			}
		})
	}
	n := *net
	n.Demands = append([]topology.Demand(nil), net.Demands...)
	if _, err := ScaleToPeakUtilization(&n, Peak{Utilization: 0.5, Classes: []string{"nope"}}); err == nil {
		t.Error("scaling against no counted link did not fail")
	}
}
