package traffic

import (
	"fmt"
	"math"
	"testing"

	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
)

// net builds a network from "a-b" link specs; names in isolated are nodes
// without links. Every link is up with 10G capacity and metric 1.
func net(nodes []string, links ...string) *topology.Network {
	n := &topology.Network{Name: "test"}
	for _, name := range nodes {
		n.Nodes = append(n.Nodes, topology.Node{Name: name})
	}
	for i, spec := range links {
		var a, b string
		for j := range spec {
			if spec[j] == '-' {
				a, b = spec[:j], spec[j+1:]
			}
		}
		n.Links = append(n.Links, topology.Link{ID: fmt.Sprintf("l%d", i), A: a, B: b, CapacityBps: 10e9, MetricAB: 1, MetricBA: 1, Up: true})
	}
	return n
}

func sum(ds []topology.Demand) float64 {
	var t float64
	for _, d := range ds {
		t += d.RateBps
	}
	return t
}

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

func TestUniform(t *testing.T) {
	tests := []struct {
		name  string
		nodes []string
		total float64
		want  int // number of demands
	}{
		{"two nodes", []string{"a", "b"}, 1e9, 2},
		{"four nodes", []string{"a", "b", "c", "d"}, 12e9, 12},
		{"awkward total", []string{"a", "b", "c", "d", "e", "f", "g"}, 1e10 / 3, 42},
		{"one node", []string{"a"}, 1e9, 0},
		{"zero total", []string{"a", "b"}, 0, 0},
		{"negative total", []string{"a", "b"}, -1, 0},
		{"infinite total", []string{"a", "b"}, math.Inf(1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := Uniform(net(tt.nodes), tt.total)
			if len(ds) != tt.want {
				t.Fatalf("got %d demands, want %d", len(ds), tt.want)
			}
			if tt.want == 0 {
				return
			}
			if e := relErr(sum(ds), tt.total); e > 1e-9 {
				t.Errorf("total = %v, want %v (relative error %g)", sum(ds), tt.total, e)
			}
			seen := map[[2]string]bool{}
			for _, d := range ds {
				if d.RateBps != ds[0].RateBps {
					t.Errorf("rates differ: %v and %v", d.RateBps, ds[0].RateBps)
				}
				if d.Src == d.Dst || seen[[2]string{d.Src, d.Dst}] {
					t.Errorf("bad or repeated pair %s->%s", d.Src, d.Dst)
				}
				seen[[2]string{d.Src, d.Dst}] = true
			}
		})
	}
}

func TestUniformOrder(t *testing.T) {
	n := net([]string{"c", "a", "b"})
	got := Uniform(n, 6)
	want := []string{"c>a", "c>b", "a>c", "a>b", "b>c", "b>a"} // node order, not name order
	for i, d := range got {
		if d.Src+">"+d.Dst != want[i] || d.RateBps != 1 {
			t.Errorf("demand %d = %s>%s %v, want %s 1", i, d.Src, d.Dst, d.RateBps, want[i])
		}
	}
}

func TestGravity(t *testing.T) {
	// hub has 4 links (2 parallel to x, 2 to y), x 2, y 2, lone 0; the
	// down link x-y and the self-loop on y do not count.
	n := net([]string{"hub", "x", "y", "lone"}, "hub-x", "hub-x", "hub-y", "x-y", "y-hub")
	n.Links[3].Up = false
	n.Links = append(n.Links, topology.Link{ID: "loop", A: "y", B: "y", CapacityBps: 1, MetricAB: 1, MetricBA: 1, Up: true})
	const total = 1e9
	ds := Gravity(n, total)
	rate := map[string]float64{}
	for _, d := range ds {
		if d.Src == "lone" || d.Dst == "lone" {
			t.Errorf("node without links got demand %s->%s", d.Src, d.Dst)
		}
		rate[d.Src+">"+d.Dst] = d.RateBps
	}
	if len(ds) != 6 {
		t.Fatalf("got %d demands, want 6 (3 connected nodes)", len(ds))
	}
	if e := relErr(sum(ds), total); e > 1e-9 {
		t.Errorf("total = %v, want %v", sum(ds), total)
	}
	// sum over ordered pairs of deg*deg: (4+2+2)^2 - (16+4+4) = 40.
	want := map[string]float64{
		"hub>x": 8, "hub>y": 8, "x>hub": 8, "x>y": 4, "y>hub": 8, "y>x": 4,
	}
	for k, w := range want {
		if e := relErr(rate[k], total*w/40); e > 1e-12 {
			t.Errorf("%s = %v, want %v", k, rate[k], total*w/40)
		}
	}
	order := []string{"hub>x", "hub>y", "x>hub", "x>y", "y>hub", "y>x"}
	for i, d := range ds {
		if d.Src+">"+d.Dst != order[i] {
			t.Errorf("demand %d is %s>%s, want %s", i, d.Src, d.Dst, order[i])
		}
	}
}

func TestGravityNoLinks(t *testing.T) {
	for _, n := range []*topology.Network{
		net([]string{"a", "b"}),
		net([]string{"a"}),
		net(nil),
	} {
		if ds := Gravity(n, 1e9); ds != nil {
			t.Errorf("%d nodes without links: got %d demands, want none", len(n.Nodes), len(ds))
		}
	}
	if ds := Gravity(net([]string{"a", "b"}, "a-b"), 0); ds != nil {
		t.Errorf("zero total: got %v", ds)
	}
}

func TestDeterministic(t *testing.T) {
	n := net([]string{"a", "b", "c", "d", "e"}, "a-b", "b-c", "c-d", "d-e", "e-a", "a-c")
	for name, gen := range map[string]func(*topology.Network, float64) []topology.Demand{"uniform": Uniform, "gravity": Gravity} {
		first := gen(n, 7e9)
		for range 5 {
			again := gen(n, 7e9)
			if len(again) != len(first) {
				t.Fatalf("%s: length changed", name)
			}
			for i := range again {
				if again[i] != first[i] {
					t.Fatalf("%s: demand %d changed: %v vs %v", name, i, again[i], first[i])
				}
			}
		}
	}
}

func peak(t *testing.T, n *topology.Network) float64 {
	t.Helper()
	m, err := sim.Compile(n)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := m.Solve(m.Baseline()).MaxUtilization()
	return u
}

func TestScaleToPeakUtilization(t *testing.T) {
	n := net([]string{"a", "b", "c", "d"}, "a-b", "b-c", "c-d", "d-a", "a-c")
	n.Links[4].CapacityBps = 1e9 // the thin diagonal saturates first
	n.Demands = Gravity(n, 1e9)
	before := sum(n.Demands)
	scaled, err := ScaleToPeakUtilization(n, Peak{Utilization: 0.6})
	if err != nil {
		t.Fatal(err)
	}
	factor := scaled.Factor
	if got := peak(t, n); relErr(got, 0.6) > 1e-9 {
		t.Errorf("peak utilisation after scaling = %v, want 0.6", got)
	}
	if relErr(sum(n.Demands), before*factor) > 1e-9 {
		t.Errorf("total %v, want %v * %v", sum(n.Demands), before, factor)
	}
	// Scaling again to the same target changes nothing.
	if s, err := ScaleToPeakUtilization(n, Peak{Utilization: 0.6}); err != nil || relErr(s.Factor, 1) > 1e-9 {
		t.Errorf("second scaling: %+v, err %v; want factor 1", s, err)
	}
}

func TestScaleToPeakUtilizationErrors(t *testing.T) {
	noDemands := net([]string{"a", "b"}, "a-b")
	unroutable := net([]string{"a", "b", "c"}, "a-b")
	unroutable.Demands = []topology.Demand{{Src: "a", Dst: "c", RateBps: 1e9}}
	allDown := net([]string{"a", "b"}, "a-b")
	allDown.Links[0].Up = false
	allDown.Demands = Uniform(allDown, 1e9)
	unknown := net([]string{"a", "b"}, "a-b")
	unknown.Demands = []topology.Demand{{Src: "a", Dst: "zz", RateBps: 1}}
	tests := []struct {
		name   string
		net    *topology.Network
		target float64
	}{
		{"no demands", noDemands, 0.5},
		{"no route", unroutable, 0.5},
		{"links down", allDown, 0.5},
		{"unknown node", unknown, 0.5},
		{"zero target", net([]string{"a", "b"}, "a-b"), 0},
		{"NaN target", net([]string{"a", "b"}, "a-b"), math.NaN()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]topology.Demand(nil), tt.net.Demands...)
			if _, err := ScaleToPeakUtilization(tt.net, Peak{Utilization: tt.target}); err == nil {
				t.Fatal("want an error")
			}
			for i := range before {
				if tt.net.Demands[i] != before[i] {
					t.Errorf("demands changed on error")
				}
			}
		})
	}
}
