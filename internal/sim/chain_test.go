package sim

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

// failureLoads returns the per-arc loads of s with failure fi of carry
// (carry.state is s): the state's loads plus the failure's summed
// changes, nothing on the failed links.
func failureLoads(s *State, carry *n1Carry, fi int) []float64 {
	load := append([]float64(nil), s.Load...)
	sum := carry.sums[fi]
	for i, a := range sum.arcs {
		load[a] = max(0, load[a]+sum.vals[i])
	}
	for _, l := range carry.failures[fi].Links {
		load[2*l], load[2*l+1] = 0, 0
	}
	return load
}

// checkChain runs ch on s and compares its N-1 with a fresh one of s:
// every failure's result, and arc by arc its loads; and, with full, with
// a full recomputation of every failure (fullN1).
func checkChain(t *testing.T, label string, ch *N1Chain, s *State, full bool) {
	t.Helper()
	ctx := context.Background()
	m := s.Model
	failures := m.Failures(s.Config)
	got, err := ch.N1(ctx, s, failures)
	if err != nil {
		t.Fatal(err)
	}
	want, fresh, err := s.n1(ctx, failures, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	var ref []*State
	if full {
		ref = fullN1(s, failures)
	}
	total := m.TotalDemand()
	for i, f := range failures {
		g, w := got.Results[i], want.Results[i]
		if !closeTo(g.MaxUtilization, w.MaxUtilization, 1) || !closeTo(g.Dropped, w.Dropped, total) {
			t.Fatalf("%s: failure %s: chain %+v, fresh %+v", label, f, g, w)
		}
		gl, wl := failureLoads(s, ch.prev, i), failureLoads(s, fresh, i)
		for a := range gl {
			if !closeTo(gl[a], wl[a], total) {
				t.Fatalf("%s: failure %s: arc %d load %v, fresh %v", label, f, a, gl[a], wl[a])
			}
			if ref != nil && !closeTo(gl[a], ref[i].Load[a], total) {
				t.Fatalf("%s: failure %s: arc %d load %v, full recomputation %v", label, f, a, gl[a], ref[i].Load[a])
			}
		}
		if ref != nil {
			if refMax, _ := ref[i].MaxUtilization(); !closeTo(g.MaxUtilization, refMax, 1) {
				t.Fatalf("%s: failure %s: max utilization %v, full %v", label, f, g.MaxUtilization, refMax)
			}
			if !closeTo(g.Dropped, ref[i].Dropped, total) {
				t.Fatalf("%s: failure %s: dropped %v, full %v", label, f, g.Dropped, ref[i].Dropped)
			}
		}
	}
	for a := range got.Worst {
		if !closeTo(got.Worst[a], want.Worst[a], 1) {
			t.Fatalf("%s: arc %d worst utilization %v, fresh %v", label, a, got.Worst[a], want.Worst[a])
		}
		// The worst failure may differ on a tie within rounding; it must
		// give the worst utilisation.
		if f := got.WorstFailure[a]; f >= 0 {
			u := failureLoads(s, ch.prev, f)[a] / s.Config.Capacity[a/2]
			if !closeTo(u, got.Worst[a], 1) {
				t.Fatalf("%s: arc %d worst failure %s gives %v, not %v", label, a, failures[f], u, got.Worst[a])
			}
		} else if w := want.WorstFailure[a]; w >= 0 && !closeTo(want.Worst[a], s.Utilization(a), 1) {
			t.Fatalf("%s: arc %d: no worst failure, fresh has %s", label, a, failures[w])
		}
	}
}

// randomStep changes 1 to 3 things of c: metrics, cost-outs, links down
// or up, drains, capacities; sometimes nothing.
func randomStep(r *rand.Rand, m *Model, c *Config) *Config {
	c = c.Clone()
	if r.IntN(10) == 0 {
		return c
	}
	nl, nn := len(m.Net.Links), len(m.Net.Nodes)
	for j := 0; j < 1+r.IntN(3); j++ {
		switch l := r.IntN(nl); r.IntN(6) {
		case 0:
			c.Metric[2*l] = int64(1 + r.IntN(4))
		case 1:
			c.Metric[2*l], c.Metric[2*l+1] = 1000, 1000
		case 2:
			c.Up[l] = !c.Up[l]
		case 3, 4:
			v := r.IntN(nn)
			c.Drained[v] = !c.Drained[v]
		case 5:
			c.Capacity[l] *= 2
		}
	}
	return c
}

// Random plans of 20 steps on random networks (IS-IS overload and OSPF
// max-metric drains): every state's N-1 through the chain equals a fresh
// N-1 of the state, and a full recomputation of every failure.
func TestN1ChainMatchesFresh(t *testing.T) {
	n := uint64(60)
	if testing.Short() {
		n = 15
	}
	var stats reuseStats
	for seed := uint64(0); seed < n; seed++ {
		r := rand.New(rand.NewPCG(seed, 4))
		net := randomNetwork(r, 4+r.IntN(22), r.IntN(40), 0.4)
		if seed%3 == 1 {
			net.IGP = topology.IGPOSPF
		}
		m, err := Compile(net)
		if err != nil {
			t.Fatal(err)
		}
		c := m.Baseline()
		s := m.Solve(c)
		var ch N1Chain
		checkChain(t, "baseline", &ch, s, true)
		for step := 1; step <= 20; step++ {
			c = randomStep(r, m, c)
			s = s.Apply(c)
			checkChain(t, "step", &ch, s, step%4 == 0 || seed < 5)
		}
		stats.add(ch.stats)
	}
	t.Logf("%+v", stats)
	if stats.reused == 0 || stats.carried == 0 || stats.checked == 0 || stats.evaluated == 0 {
		t.Fatalf("the chain reused nothing, or never recomputed: %+v", stats)
	}
}

// A chain whose sums outgrow its budget keeps nothing: the next state is
// evaluated from scratch, with the same results.
func TestN1ChainBudget(t *testing.T) {
	defer func(b int64) { carryBudget = b }(carryBudget)
	carryBudget = 64
	r := rand.New(rand.NewPCG(7, 4))
	m, err := Compile(randomNetwork(r, 20, 30, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	c := m.Baseline()
	s := m.Solve(c)
	var ch N1Chain
	checkChainFresh(t, &ch, s)
	for step := 0; step < 5; step++ {
		c = randomStep(r, m, c)
		s = s.Apply(c)
		checkChainFresh(t, &ch, s)
	}
	if ch.stats.carried != 0 || ch.prev != nil {
		t.Fatalf("a chain over its budget carried %d failures over (kept %v)", ch.stats.carried, ch.prev != nil)
	}
}

// checkChainFresh compares the chain's results with a fresh N-1 (the
// chain keeps no sums to compare arc by arc when over its budget).
func checkChainFresh(t *testing.T, ch *N1Chain, s *State) {
	t.Helper()
	failures := s.Model.Failures(s.Config)
	got, err := ch.N1(context.Background(), s, failures)
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.N1(context.Background(), failures)
	if err != nil {
		t.Fatal(err)
	}
	for i := range failures {
		if g, w := got.Results[i], want.Results[i]; !closeTo(g.MaxUtilization, w.MaxUtilization, 1) || !closeTo(g.Dropped, w.Dropped, s.Model.TotalDemand()) {
			t.Fatalf("failure %s: chain %+v, fresh %+v", failures[i], g, w)
		}
	}
}

// A chain starts afresh after a cancelled call and for a state of
// another model, and still equals a fresh N-1 for a state solved from
// scratch (which shares no DAG with the previous one).
func TestN1ChainRestarts(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 4))
	m, err := Compile(randomNetwork(r, 15, 20, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	var ch N1Chain
	s := m.Solve(m.Baseline())
	checkChain(t, "baseline", &ch, s, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ch.N1(ctx, s, m.Failures(s.Config)); err == nil || ch.prev != nil {
		t.Fatalf("cancelled: error %v, kept sums %v", err, ch.prev != nil)
	}
	checkChain(t, "after cancel", &ch, s.Apply(randomStep(r, m, s.Config)), true)
	c := randomStep(r, m, ch.prev.state.Config)
	checkChain(t, "solved afresh", &ch, m.Solve(c), true)
	other, err := Compile(randomNetwork(r, 10, 10, 0.5))
	if err != nil {
		t.Fatal(err)
	}
	checkChain(t, "another model", &ch, other.Solve(other.Baseline()), true)
}
