package sim

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

// maxMetricReference is net with OSPF max-metric written out: every link
// direction out of a drained node at MaxLinkMetric and nothing drained,
// to be solved with the default (overload) semantics as a reference.
func maxMetricReference(net *topology.Network) *topology.Network {
	cp := *net
	cp.IGP = ""
	cp.Nodes = slices.Clone(net.Nodes)
	cp.Links = slices.Clone(net.Links)
	drained := map[string]bool{}
	for i, n := range cp.Nodes {
		drained[n.Name] = n.Drained
		cp.Nodes[i].Drained = false
	}
	for i, l := range cp.Links {
		if drained[l.A] {
			cp.Links[i].MetricAB = topology.MaxLinkMetric
		}
		if drained[l.B] {
			cp.Links[i].MetricBA = topology.MaxLinkMetric
		}
	}
	return &cp
}

// TestDrainByIGP checks the two drains on a square a-b-c-d with a tail
// e hanging off d, d drained (a->b also carries half of d's traffic to
// b, which leaves d both ways): with IS-IS overload d carries no transit,
// so a cannot reach e and a's traffic to c avoids d; with OSPF
// max-metric a's traffic to c avoids d too, but a still reaches e
// through d, the only path, and d's own traffic to b goes direct.
func TestDrainByIGP(t *testing.T) {
	build := func(igp string) *topology.Network {
		n := &topology.Network{IGP: igp, Nodes: nodes("a", "b", "c", "d", "e"), Links: []topology.Link{
			link("ab", "a", "b", 10, 10), link("bc", "b", "c", 10, 10), link("cd", "c", "d", 10, 10),
			link("da", "d", "a", 10, 10), link("de", "d", "e", 10, 10),
		}, Demands: []topology.Demand{demand("a", "c", 1), demand("a", "e", 1), demand("d", "b", 1)}}
		n.Nodes[3].Drained = true
		return n
	}
	isis := solve(t, build(topology.IGPISIS))
	if isis.Dropped != 1e9 || loadOf(t, isis, "ab", "a") != 1.5 || loadOf(t, isis, "de", "d") != 0 {
		t.Errorf("isis: dropped %v, a->b %v, d->e %v", isis.Dropped, loadOf(t, isis, "ab", "a"), loadOf(t, isis, "de", "d"))
	}
	ospf := solve(t, build(topology.IGPOSPF))
	if ospf.Dropped != 0 || loadOf(t, ospf, "ab", "a") != 1.5 || loadOf(t, ospf, "da", "a") != 1 || loadOf(t, ospf, "de", "d") != 1 {
		t.Errorf("ospf: dropped %v, a->b %v, a->d %v, d->e %v", ospf.Dropped, loadOf(t, ospf, "ab", "a"), loadOf(t, ospf, "da", "a"), loadOf(t, ospf, "de", "d"))
	}
	// d's own traffic to b: overload keeps d's metrics for its own SPF
	// (via a or c, 20 each); max-metric gives d 65535 on every link, so
	// the shortest is one link after d's: via a or c, 65535+10 each.
	if got := loadOf(t, ospf, "da", "d") + loadOf(t, ospf, "cd", "d"); got != 1 {
		t.Errorf("ospf: d's traffic to b leaves d on %v Gbps", got)
	}
	m, _ := Compile(build(topology.IGPOSPF))
	hops := m.NextHops(m.Baseline(), []int{0})[0] // a
	if !slices.Equal(hops[4], []int{3}) || !slices.Equal(hops[2], []int{1}) {
		t.Errorf("ospf next hops of a: to e %v (want d), to c %v (want b)", hops[4], hops[2])
	}
}

// TestMaxMetricMatchesReference checks OSPF max-metric against the same
// network with the metrics written out, by brute force, by Apply and by
// the N-1 analysis, on random networks with drained nodes.
func TestMaxMetricMatchesReference(t *testing.T) {
	n := uint64(150)
	if testing.Short() {
		n = 40
	}
	for seed := uint64(0); seed < n; seed++ {
		r := rand.New(rand.NewPCG(seed, 9))
		net := randomNetwork(r, 3+r.IntN(15), r.IntN(25), 0.4)
		net.IGP = topology.IGPOSPF
		if len(net.Nodes) > 0 {
			net.Nodes[r.IntN(len(net.Nodes))].Drained = true
		}
		s := solve(t, net)
		want, wantDropped := bruteLoads(maxMetricReference(net))
		total := s.Model.TotalDemand()
		for a := range want {
			if !closeTo(s.Load[a], want[a], total) {
				t.Fatalf("seed %d: arc %d load %v, reference %v", seed, a, s.Load[a], want[a])
			}
		}
		if !closeTo(s.Dropped, wantDropped, total) {
			t.Fatalf("seed %d: dropped %v, reference %v", seed, s.Dropped, wantDropped)
		}
		if seed%5 == 0 {
			checkN1(t, "max-metric", s)
		}
		// Drains and undrains applied incrementally equal a fresh solve.
		m := s.Model
		c := m.Baseline()
		st := s
		for step := 0; step < 6; step++ {
			c = c.Clone()
			v := r.IntN(len(net.Nodes))
			c.Drained[v] = !c.Drained[v]
			if l := r.IntN(len(net.Links)); r.IntN(2) == 0 {
				c.Metric[2*l] = int64(1 + r.IntN(5))
			}
			st = st.Apply(c)
			fresh := m.Solve(c)
			for a := range fresh.Load {
				if st.Load[a] != fresh.Load[a] {
					t.Fatalf("seed %d step %d: arc %d: Apply %v, Solve %v", seed, step, a, st.Load[a], fresh.Load[a])
				}
			}
			if !st.Config.Equal(c) {
				t.Fatalf("seed %d step %d: the state's Config is not the one given", seed, step)
			}
		}
	}
}
