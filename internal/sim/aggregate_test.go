package sim_test

import (
	"context"
	"testing"

	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
)

// BenchmarkHangingTreeShare measures the most that aggregating
// destinations in trees hanging off a network's 2-core could save (issue
// 16's destination aggregation lever): the share of the baseline N-1's
// work (pair costs) spent on pairs whose destination lies in such a tree
// and whose failure lies outside it, where the destination's DAG equals
// its tree root's. It reports the share, not time.
func BenchmarkHangingTreeShare(b *testing.B) {
	for _, name := range []string{"Interoute", "GtsCe", "Cogentco", "Kdl"} {
		b.Run(name, func(b *testing.B) {
			m := benchModel(b, benchNet{name: "zoo-" + name, make: func() *topology.Network { return zoo(name) }})
			root := hangingRoots(m)
			s := m.Solve(m.Baseline())
			fs := m.Failures(s.Config)
			for b.Loop() {
				var ch sim.N1Chain
				if _, err := ch.N1(context.Background(), s, fs); err != nil {
					b.Fatal(err)
				}
				var total, share int64
				for fi, costs := range sim.PairCosts(&ch) {
					for _, p := range costs {
						total += int64(p[1])
						d := sim.DestNode(m, p[0])
						if r := root[d]; r != d && !inTree(m, fs[fi], root, r) {
							share += int64(p[1])
						}
					}
				}
				trees := 0
				for v, r := range root {
					if r != v {
						trees++
					}
				}
				b.ReportMetric(float64(trees), "tree-nodes")
				b.ReportMetric(100*float64(share)/float64(total), "share-%")
			}
		})
	}
}

// hangingRoots gives every node the 2-core node its hanging tree is
// attached at (itself for a node of the 2-core), by pruning leaves.
func hangingRoots(m *sim.Model) []int {
	n := len(m.Net.Nodes)
	nbr := make([]map[int]bool, n)
	for v := range nbr {
		nbr[v] = map[int]bool{}
	}
	for a := range 2 * len(m.Net.Links) {
		x, y := m.ArcEnds(a)
		if x != y {
			nbr[x][y] = true
		}
	}
	deg := make([]int, n)
	parent := make([]int, n)
	var queue []int
	for v := range n {
		deg[v], parent[v] = len(nbr[v]), -1
		if deg[v] <= 1 {
			queue = append(queue, v)
		}
	}
	pruned := make([]bool, n)
	var order []int
	for len(queue) > 0 {
		v := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if pruned[v] {
			continue
		}
		pruned[v] = true
		order = append(order, v)
		for u := range nbr[v] {
			if !pruned[u] {
				parent[v] = u // the one neighbour left when v became a leaf
				if deg[u]--; deg[u] <= 1 {
					queue = append(queue, u)
				}
			}
		}
	}
	root := make([]int, n)
	for v := range root {
		root[v] = v
	}
	for i := len(order) - 1; i >= 0; i-- { // parents were pruned later
		if v := order[i]; parent[v] >= 0 {
			root[v] = root[parent[v]]
		}
	}
	return root
}

// inTree reports whether failure f takes down a node or link of the tree
// hanging at r (r itself excluded: the tree's traffic crosses it).
func inTree(m *sim.Model, f sim.Failure, root []int, r int) bool {
	in := func(v int) bool { return v != r && root[v] == r }
	if f.Node >= 0 && (f.Node == r || in(f.Node)) {
		return true
	}
	for _, l := range f.Links {
		x, y := m.ArcEnds(2 * l)
		if in(x) || in(y) {
			return true
		}
	}
	return false
}
