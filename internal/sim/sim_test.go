package sim

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

func link(id, a, b string, capG float64, metric int64) topology.Link {
	return topology.Link{ID: id, A: a, B: b, CapacityBps: capG * 1e9, MetricAB: metric, MetricBA: metric, Up: true}
}

func nodes(names ...string) []topology.Node {
	out := make([]topology.Node, len(names))
	for i, n := range names {
		out[i] = topology.Node{Name: n}
	}
	return out
}

func demand(s, d string, g float64) topology.Demand {
	return topology.Demand{Src: s, Dst: d, RateBps: g * 1e9}
}

func solve(t *testing.T, net *topology.Network) *State {
	t.Helper()
	m, err := Compile(net)
	if err != nil {
		t.Fatal(err)
	}
	return m.Solve(m.Baseline())
}

// loadOf returns the load on link id in the direction from -> to, in Gbps.
func loadOf(t *testing.T, s *State, id, from string) float64 {
	t.Helper()
	i, ok := s.Model.Net.LinkIndex()[id]
	if !ok {
		t.Fatalf("no link %s", id)
	}
	if s.Model.Net.Links[i].A == from {
		return s.Load[2*i] / 1e9
	}
	return s.Load[2*i+1] / 1e9
}

func TestSolveSmallNetworks(t *testing.T) {
	square := func() *topology.Network {
		return &topology.Network{
			Nodes:   nodes("a", "b", "c", "d"),
			Links:   []topology.Link{link("ab", "a", "b", 10, 1), link("bd", "b", "d", 10, 1), link("ac", "a", "c", 10, 1), link("cd", "c", "d", 10, 1)},
			Demands: []topology.Demand{demand("a", "d", 8)},
		}
	}
	tests := []struct {
		name    string
		net     func() *topology.Network
		want    map[[2]string]float64 // {link, from} -> Gbps
		dropped float64
	}{
		{"ecmp splits evenly", square, map[[2]string]float64{{"ab", "a"}: 4, {"bd", "b"}: 4, {"ac", "a"}: 4, {"cd", "c"}: 4, {"ab", "b"}: 0}, 0},
		{"higher metric avoided", func() *topology.Network {
			n := square()
			n.Links[2].MetricAB, n.Links[2].MetricBA = 5, 5
			return n
		}, map[[2]string]float64{{"ab", "a"}: 8, {"ac", "a"}: 0}, 0},
		{"per-direction metric", func() *topology.Network {
			n := square()
			n.Links[2].MetricAB = 5 // a->c expensive, c->a cheap
			n.Demands = append(n.Demands, demand("d", "a", 2))
			return n
		}, map[[2]string]float64{{"ab", "a"}: 8, {"ac", "a"}: 0, {"ab", "b"}: 1, {"ac", "c"}: 1}, 0},
		{"drained node carries no transit", func() *topology.Network {
			n := square()
			n.Nodes[1].Drained = true
			return n
		}, map[[2]string]float64{{"ab", "a"}: 0, {"ac", "a"}: 8, {"cd", "c"}: 8}, 0},
		{"drained node still sources and sinks", func() *topology.Network {
			n := square()
			n.Nodes[1].Drained = true
			n.Demands = []topology.Demand{demand("b", "d", 3), demand("a", "b", 2)}
			return n
		}, map[[2]string]float64{{"bd", "b"}: 3, {"ab", "a"}: 2}, 0},
		{"only path through drained node is unusable", func() *topology.Network {
			n := square()
			n.Nodes[1].Drained, n.Nodes[2].Drained = true, true
			return n
		}, map[[2]string]float64{{"ab", "a"}: 0, {"ac", "a"}: 0}, 8},
		{"down link carries nothing", func() *topology.Network {
			n := square()
			n.Links[0].Up = false
			return n
		}, map[[2]string]float64{{"ab", "a"}: 0, {"ac", "a"}: 8}, 0},
		{"parallel links are separate next hops", func() *topology.Network {
			return &topology.Network{
				Nodes:   nodes("a", "b", "c"),
				Links:   []topology.Link{link("ab1", "a", "b", 10, 1), link("ab2", "a", "b", 10, 1), link("ac", "a", "c", 10, 1), link("bc", "b", "c", 10, 1), link("ac2", "a", "c", 10, 2)},
				Demands: []topology.Demand{demand("a", "c", 9)},
			}
		}, map[[2]string]float64{{"ac", "a"}: 9, {"ab1", "a"}: 0}, 0},
		{"split per hop, not per path", func() *topology.Network {
			// a splits over b and c; b splits again over d1 and d2: a path
			// through c carries 1/2, each through b carries 1/4.
			return &topology.Network{
				Nodes: nodes("a", "b", "c", "x", "y", "t"),
				Links: []topology.Link{link("ab", "a", "b", 10, 1), link("ac", "a", "c", 10, 1),
					link("bx", "b", "x", 10, 1), link("by", "b", "y", 10, 1), link("cx", "c", "x", 10, 1),
					link("xt", "x", "t", 10, 1), link("yt", "y", "t", 10, 1)},
				Demands: []topology.Demand{demand("a", "t", 8)},
			}
		}, map[[2]string]float64{{"ab", "a"}: 4, {"ac", "a"}: 4, {"bx", "b"}: 2, {"by", "b"}: 2, {"cx", "c"}: 4, {"xt", "x"}: 6, {"yt", "y"}: 2}, 0},
		{"unreachable demand is dropped", func() *topology.Network {
			n := square()
			n.Nodes = append(n.Nodes, topology.Node{Name: "island"})
			n.Demands = append(n.Demands, demand("a", "island", 5))
			return n
		}, map[[2]string]float64{{"ab", "a"}: 4}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := solve(t, tt.net())
			for k, want := range tt.want {
				if got := loadOf(t, s, k[0], k[1]); math.Abs(got-want) > 1e-9 {
					t.Errorf("load %s from %s = %v Gbps, want %v", k[0], k[1], got, want)
				}
			}
			if got := s.Dropped / 1e9; math.Abs(got-tt.dropped) > 1e-9 {
				t.Errorf("dropped = %v Gbps, want %v", got, tt.dropped)
			}
		})
	}
}

func TestComponentsAndUnreachable(t *testing.T) {
	net := &topology.Network{
		Nodes:   nodes("a", "b", "c", "d", "e"),
		Links:   []topology.Link{link("ab", "a", "b", 1, 1), link("bc", "b", "c", 1, 1), link("de", "d", "e", 1, 1)},
		Demands: []topology.Demand{demand("a", "c", 1), demand("a", "d", 2), demand("e", "b", 3)},
	}
	s := solve(t, net)
	comps := s.Components()
	if len(comps) != 2 || len(comps[0]) != 3 || len(comps[1]) != 2 {
		t.Fatalf("components = %v, want [[a b c] [d e]]", comps)
	}
	un := s.Unreachable()
	if len(un) != 2 || s.Dropped != 5e9 {
		t.Fatalf("unreachable = %v (dropped %v), want a->d and e->b, 5G", un, s.Dropped)
	}
}

// close reports whether a and b agree to 1e-9 relative, with an absolute
// floor of 1e-12 of scale for values that should be zero (cancellation).
func closeTo(a, b, scale float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))+1e-12*scale
}

func TestSolveMatchesBruteForce(t *testing.T) {
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 1))
		net := randomNetwork(r, 3+r.IntN(12), r.IntN(20), 0.4)
		s := solve(t, net)
		want, wantDropped := bruteLoads(net)
		total := s.Model.TotalDemand()
		for a := range want {
			if !closeTo(s.Load[a], want[a], total) {
				t.Fatalf("seed %d: arc %d load %v, brute force %v", seed, a, s.Load[a], want[a])
			}
		}
		if !closeTo(s.Dropped, wantDropped, total) {
			t.Fatalf("seed %d: dropped %v, brute force %v", seed, s.Dropped, wantDropped)
		}
	}
}

// checkN1 compares the incremental N-1 of s, failure by failure and arc by
// arc, with a full recomputation of every failure.
func checkN1(t *testing.T, label string, s *State) {
	t.Helper()
	failures := s.Model.Failures(s.Config)
	got, err := s.N1(context.Background(), failures)
	if err != nil {
		t.Fatal(err)
	}
	full := fullN1(s, failures)
	total := s.Model.TotalDemand()
	ix := s.n1Index()
	w := newN1Worker(s, ix)
	scratch := make([]FailureResult, len(failures))
	nArcs := s.Model.NumArcs()
	worst := make([]float64, nArcs)
	for a := range worst {
		worst[a] = s.Utilization(a)
	}
	for i, f := range failures {
		ref := full[i]
		// Arc by arc: rebuild the incremental load vector from the worker.
		w.block(failures, i, i+1, scratch)
		for a := 0; a < nArcs; a++ {
			load := s.Load[a]
			if w.arcStamp[a] == w.acur {
				load = max(0, load+w.arcDelta[a])
			}
			if !ref.Config.Up[a/2] {
				load = 0
			}
			if !closeTo(load, ref.Load[a], total) {
				t.Fatalf("%s: failure %s: arc %d (%s) load %v, full recomputation %v", label, f, a, s.Model.Net.Links[a/2].ID, load, ref.Load[a])
			}
			worst[a] = max(worst[a], ref.Utilization(a))
		}
		r := got.Results[i]
		refMax, _ := ref.MaxUtilization()
		if !closeTo(r.MaxUtilization, refMax, 1) {
			t.Fatalf("%s: failure %s: max utilization %v, full %v", label, f, r.MaxUtilization, refMax)
		}
		if !closeTo(r.Dropped, ref.Dropped, total) {
			t.Fatalf("%s: failure %s: dropped %v, full %v", label, f, r.Dropped, ref.Dropped)
		}
	}
	for a := 0; a < nArcs; a++ {
		if !closeTo(got.Worst[a], worst[a], 1) {
			t.Fatalf("%s: arc %d worst utilization %v, full %v", label, a, got.Worst[a], worst[a])
		}
		if f := got.WorstFailure[a]; f >= 0 && !closeTo(full[f].Utilization(a), got.Worst[a], 1) {
			t.Fatalf("%s: arc %d worst failure %s gives %v, not %v", label, a, failures[f], full[f].Utilization(a), got.Worst[a])
		}
	}
}

func TestN1MatchesFullRecomputationRandom(t *testing.T) {
	n := uint64(300)
	if testing.Short() {
		n = 60
	}
	for seed := uint64(0); seed < n; seed++ {
		r := rand.New(rand.NewPCG(seed, 2))
		net := randomNetwork(r, 3+r.IntN(25), r.IntN(40), 0.3)
		checkN1(t, "random", solve(t, net))
	}
}

func TestApplyEqualsSolve(t *testing.T) {
	for seed := uint64(0); seed < 150; seed++ {
		r := rand.New(rand.NewPCG(seed, 3))
		net := randomNetwork(r, 3+r.IntN(20), r.IntN(30), 0.4)
		m, err := Compile(net)
		if err != nil {
			t.Fatal(err)
		}
		c := m.Baseline()
		s := m.Solve(c)
		for step := 0; step < 8; step++ {
			c = randomStep(r, m, c)
			s = s.Apply(c)
			want := m.Solve(c)
			for a := range want.Load {
				if s.Load[a] != want.Load[a] {
					t.Fatalf("seed %d step %d: arc %d: Apply %v, Solve %v", seed, step, a, s.Load[a], want.Load[a])
				}
			}
			if s.Dropped != want.Dropped {
				t.Fatalf("seed %d step %d: dropped Apply %v, Solve %v", seed, step, s.Dropped, want.Dropped)
			}
			if seed%10 == 0 {
				checkN1(t, "after apply", s)
			}
		}
	}
}

func TestN1Cancelled(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	s := solve(t, randomNetwork(r, 20, 20, 0.5))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.N1(ctx, s.Model.Failures(s.Config)); err == nil {
		t.Fatal("N1 with a cancelled context returned no error")
	}
}
