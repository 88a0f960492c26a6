package sim

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// uniformNetwork is randomNetwork of n nodes with every metric set to w.
func uniformNetwork(r *rand.Rand, n int, w int64) *Model {
	net := randomNetwork(r, n, r.IntN(80), 0.4)
	for i := range net.Links {
		net.Links[i].MetricAB, net.Links[i].MetricBA = w, w
	}
	m, err := Compile(net)
	if err != nil {
		panic(err)
	}
	return m
}

// TestLevelsEqualDijkstra: on a network whose metrics are all equal,
// buildTree's level-by-level search gives the trees the heap gives, bit
// for bit (distances, visiting order, next hops, traffic), drained nodes
// and down links included. Each node's next hops are compared as a set:
// the two searches record ties in different orders, and no sum depends
// on that order.
func TestLevelsEqualDijkstra(t *testing.T) {
	levelled := 0
	for seed := uint64(0); seed < 200; seed++ {
		r := rand.New(rand.NewPCG(seed, 11))
		n, step := 3+r.IntN(40), 1
		if seed%10 == 0 {
			n, step = 64+r.IntN(200), 16 // several words of levels' bitset; every 16th destination
		}
		m := uniformNetwork(r, n, int64(1+r.IntN(3)))
		g := m.adjacency(m.effective(m.Baseline()))
		if g.uniform == 0 {
			continue // every link down
		}
		levelled++
		heap := *g
		heap.uniform = 0
		var buf treeBuf // reused, as Solve's workers do
		for k := 0; k < len(m.dests); k += step {
			got := hopSets(m.buildTree(g, k, &buf, nil, nil))
			want := hopSets(m.buildTree(&heap, k, nil, nil, nil))
			if diff := cmp.Diff(want, got, cmp.AllowUnexported(tree{})); diff != "" {
				t.Fatalf("seed %d destination %d: levels differ from dijkstra (-dijkstra +levels):\n%s", seed, k, diff)
			}
		}
	}
	if levelled < 150 {
		t.Fatalf("only %d of 200 networks were searched by levels", levelled)
	}
}

// hopSets sorts each node's next hops in tr.
func hopSets(tr *tree) *tree {
	for v := 0; v+1 < len(tr.nhOff); v++ {
		slices.Sort(tr.nh[tr.nhOff[v]:tr.nhOff[v+1]])
	}
	return tr
}

// TestUniformMetric: the adjacency says its metric is uniform only when
// every up arc has it.
func TestUniformMetric(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 12))
	m := uniformNetwork(r, 3+r.IntN(40), 10)
	c := m.Baseline()
	if g := m.adjacency(c); g.uniform != 10 {
		t.Fatalf("uniform = %d, want 10", g.uniform)
	}
	for l := range c.Up {
		if c.Up[l] {
			c = c.Clone()
			c.Metric[2*l] = 11
			break
		}
	}
	if g := m.adjacency(c); g.uniform != 0 {
		t.Fatalf("one metric of 11 among 10s: uniform = %d, want 0", g.uniform)
	}
}

// TestN1UniformMatchesFullRecomputation: the N-1 of networks searched by
// levels equals a full recomputation.
func TestN1UniformMatchesFullRecomputation(t *testing.T) {
	for seed := uint64(0); seed < 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 13))
		m := uniformNetwork(r, 3+r.IntN(40), 1)
		checkN1(t, "uniform", m.Solve(m.Baseline()))
	}
}
