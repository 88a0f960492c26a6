package sim

import (
	"math/bits"
	"slices"
)

// NextHops returns the IGP next hops of each node of srcs toward every
// node under c, as the routers compute them: shortest paths by metric
// over up links, every equal-cost next hop kept (ECMP), no path through
// a drained node (a drained source still forwards its own traffic), the
// same rules as Solve. hops[i][t] lists the neighbours (node indices,
// ascending, each once even when parallel links lead to it) through which
// srcs[i] forwards toward node t; it is nil when t is srcs[i] itself or
// cannot be reached. srcs must be valid node indices.
//
// It costs one Dijkstra per source, O(E log N) plus E times a word per 64
// links of the source for the equal-cost sets, and does not depend on
// the traffic matrix: predicting a few routers' forwarding is far
// cheaper than Solve.
func (m *Model) NextHops(c *Config, srcs []int) [][][]int {
	links := m.NextHopLinks(c, srcs)
	out := make([][][]int, len(srcs))
	for i, byDest := range links {
		out[i] = make([][]int, len(byDest))
		for t, ls := range byDest {
			if ls == nil {
				continue
			}
			heads := make([]int, len(ls))
			for j, l := range ls {
				heads[j] = m.otherEnd(l, srcs[i])
			}
			slices.Sort(heads)
			out[i][t] = slices.Compact(heads)
		}
	}
	return out
}

// NextHopLinks is NextHops by link: links[i][t] lists the links (indices
// into Net.Links, ascending) out of srcs[i] that begin a shortest path
// toward node t, so that parallel links to one neighbour each count, as
// the routers install one next hop per link. It is nil when t is srcs[i]
// itself or cannot be reached.
func (m *Model) NextHopLinks(c *Config, srcs []int) [][][]int {
	g := m.adjacency(m.effective(c))
	out := make([][][]int, len(srcs))
	parallel(len(srcs), func(i, _ int) {
		out[i] = m.nextHopLinks(g, int32(srcs[i]))
	})
	return out
}

// otherEnd is the end of link l that is not node v.
func (m *Model) otherEnd(l, v int) int {
	if int(m.arcTail[2*l]) == v {
		return int(m.arcHead[2*l])
	}
	return int(m.arcTail[2*l])
}

// nextHopLinks runs a Dijkstra from src that carries, for every node, the
// set of src's up links that begin a shortest path to it: a bit set over
// the out-arcs of src, merged on equal-cost arrivals. Metrics are at
// least 1, so a node's set is complete when it leaves the heap.
func (m *Model) nextHopLinks(g *adjacency, src int32) [][]int {
	n := m.nNodes
	base := g.outOff[src]
	nArcs := int(g.outOff[src+1] - base) // src's up arcs, in adjacency order
	words := (nArcs + 63) / 64
	first := make([]uint64, n*words) // first[v*words:(v+1)*words]: src's arcs starting a shortest path to v
	set := func(v int32) []uint64 { return first[int(v)*words : int(v+1)*words] }

	dist := make([]int64, n)
	for i := range dist {
		dist[i] = inf
	}
	dist[src] = 0
	own := make([]uint64, words) // the set of a path starting with one arc of src: just it
	var h nodeHeap
	h.push(0, src)
	for len(h) > 0 {
		it := h.pop()
		v := it.node
		if it.key > dist[v] {
			continue
		}
		if v != src && g.drained[v] {
			continue // reached, but carries no transit
		}
		for i := g.outOff[v]; i < g.outOff[v+1]; i++ {
			w := g.outHead[i]
			nd := it.key + g.outMetric[i]
			from := set(v)
			if v == src {
				clear(own)
				k := int(i - base)
				own[k/64] = 1 << (k % 64)
				from = own
			}
			switch {
			case nd < dist[w]:
				dist[w] = nd
				copy(set(w), from)
				h.push(nd, w)
			case nd == dist[w]:
				to := set(w)
				for j := range to {
					to[j] |= from[j]
				}
			}
		}
	}

	hops := make([][]int, n)
	total := 0
	for v := range n {
		if int32(v) != src && dist[v] != inf {
			for _, x := range set(int32(v)) {
				total += bits.OnesCount64(x)
			}
		}
	}
	buf := make([]int, 0, total)
	for v := range n {
		if int32(v) == src || dist[v] == inf {
			continue
		}
		start := len(buf)
		for j, x := range set(int32(v)) {
			for x != 0 {
				b := bits.TrailingZeros64(x)
				buf = append(buf, int(g.outArc[int(base)+j*64+b]/2))
				x &= x - 1
			}
		}
		ls := buf[start:len(buf):len(buf)]
		slices.Sort(ls)
		hops[v] = ls
	}
	return hops
}
