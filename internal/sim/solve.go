package sim

import (
	"math/bits"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// tree is the shortest-path DAG toward one destination under one Config.
type tree struct {
	dist    []int64   // per node; inf when the node cannot reach the destination
	order   []int32   // reachable nodes by (dist, index); order[0] is the destination
	nhOff   []int32   // next hops of v are nh[nhOff[v]:nhOff[v+1]] (arcs)
	nh      []int32   //
	thru    []float64 // traffic toward the destination at each node (own + transit)
	dropped float64   // demand whose source cannot reach the destination
}

// State is the steady state of the network under one Config: per-arc loads
// and what cannot be delivered. A State is immutable and safe for
// concurrent reads.
type State struct {
	Model  *Model
	Config *Config
	// Load is the traffic on each arc in bps (arc 2i: A->B of link i, 2i+1: B->A).
	Load []float64
	// Dropped is the demand that cannot reach its destination, in bps.
	Dropped float64

	// eff is Config as the IGP sees it (Model.effective): what the
	// shortest paths are computed on.
	eff   *Config
	adj   *adjacency
	trees []*tree // per destination (Model.dests)
}

// Solve computes the steady state of m under c from scratch.
func (m *Model) Solve(c *Config) *State {
	eff := m.effective(c)
	s := &State{Model: m, Config: c, eff: eff, adj: m.adjacency(eff), trees: make([]*tree, len(m.dests))}
	bufs, slabs := workerScratch()
	// Each tree adds its traffic to its chunk's loads as it is built,
	// while it is in the cache: the same sums, in the same order, as
	// sumLoads.
	s.sumChunks(func(k, w int, part []float64) {
		s.trees[k] = m.buildTree(s.adj, k, bufs[w], slabs[w], part)
	})
	return s
}

// Apply returns the state under c, recomputing only the destinations
// whose shortest-path DAG c can change; the others are shared with s.
// The result is identical to m.Solve(c).
func (s *State) Apply(c *Config) *State {
	m := s.Model
	eff := m.effective(c)
	ns := &State{Model: m, Config: c, eff: eff, adj: m.adjacency(eff), trees: make([]*tree, len(m.dests))}
	old := s.eff
	c = eff // what changed is what the IGP sees
	var arcs []int32
	for a := range old.Metric {
		if old.Metric[a] != c.Metric[a] || old.Up[a/2] != c.Up[a/2] {
			arcs = append(arcs, int32(a))
		}
	}
	var nodes []int32
	for v := range old.Drained {
		if old.Drained[v] != c.Drained[v] {
			nodes = append(nodes, int32(v))
		}
	}
	bufs, slabs := workerScratch()
	parallel(len(m.dests), func(k int, w int) {
		tr := s.trees[k]
		if s.affects(k, c, arcs, nodes) {
			tr = m.buildTree(ns.adj, k, bufs[w], slabs[w], nil)
		}
		ns.trees[k] = tr
	})
	ns.sumLoads()
	return ns
}

// affects reports whether changing the config from s.Config to c over the
// given arcs and nodes can change the DAG of destination k.
func (s *State) affects(k int, c *Config, arcs, nodes []int32) bool {
	m, old, tr := s.Model, s.eff, s.trees[k]
	t := m.dests[k]
	for _, a := range arcs {
		u, w := m.arcTail[a], m.arcHead[a]
		if old.Up[a/2] && isNextHop(tr, old, t, u, w, old.Metric[a]) {
			return true
		}
		if c.Up[a/2] && u != t && tr.dist[w] != inf && (w == t || !c.Drained[w]) && c.Metric[a]+tr.dist[w] <= tr.dist[u] {
			return true
		}
	}
	for _, x := range nodes {
		if x == t || tr.dist[x] == inf {
			continue
		}
		g := s.adj
		if !c.Drained[x] { // undrained: may offer new transit paths
			for i := g.inOff[x]; i < g.inOff[x+1]; i++ {
				if u := g.inTail[i]; u != t && g.inMetric[i]+tr.dist[x] <= tr.dist[u] {
					return true
				}
			}
			continue
		}
		for i := g.inOff[x]; i < g.inOff[x+1]; i++ { // drained: was it transit?
			if isNextHop(tr, old, t, g.inTail[i], x, g.inMetric[i]) {
				return true
			}
		}
	}
	return false
}

// isNextHop reports whether an up arc u->w with metric is a next hop of u
// toward t in tr.
func isNextHop(tr *tree, c *Config, t, u, w int32, metric int64) bool {
	du, dw := tr.dist[u], tr.dist[w]
	return u != t && du != inf && dw != inf && (w == t || !c.Drained[w]) && dw+metric == du
}

// treeBuf is per-worker scratch for buildTree.
type treeBuf struct {
	h      radixHeap
	nhHead []int32 // per node: newest entry of its next-hop list in pool, or -1
	pool   []nhEntry
	// levels' current level, and the next one as a bitset over the nodes
	level []int32
	seen  []uint64
}

type nhEntry struct {
	arc  int32
	next int32
}

// slab hands out the arrays of many trees from a few large allocations.
type slab struct {
	i64 []int64
	f64 []float64
	i32 []int32
}

// take returns n elements from *buf, refilling it with room for 64 such
// requests when it runs short.
func take[T any](buf *[]T, n int) []T {
	if len(*buf) < n {
		*buf = make([]T, 64*n)
	}
	out := (*buf)[:n:n]
	*buf = (*buf)[n:]
	return out
}

func (s *slab) int64s(n int) []int64     { return take(&s.i64, n) }
func (s *slab) float64s(n int) []float64 { return take(&s.f64, n) }
func (s *slab) int32s(n int) []int32     { return take(&s.i32, n) }

// buildTree computes the DAG toward destination k: a reverse Dijkstra from
// the destination (drained nodes are reached but not relaxed through),
// recording next hops as arcs tie or improve, and the traffic through
// each node. With load, it also adds the traffic on each arc to load, as
// addLoads would.
func (m *Model) buildTree(g *adjacency, k int, buf *treeBuf, sl *slab, load []float64) *tree {
	n := m.nNodes
	t := m.dests[k]
	if buf == nil {
		buf = new(treeBuf)
	}
	if sl == nil {
		sl = new(slab)
	}
	tr := &tree{dist: sl.int64s(n), nhOff: sl.int32s(n + 1), thru: sl.float64s(n)}
	dist := tr.dist
	for i := range dist {
		dist[i] = inf
	}
	if len(buf.nhHead) != n {
		buf.nhHead = make([]int32, n)
	}
	head := buf.nhHead
	for i := range head {
		head[i] = -1
	}
	dist[t] = 0
	order := sl.int32s(n)[:0]
	if g.uniform > 0 {
		order = buf.levels(g, t, dist, order)
	} else {
		order = buf.dijkstra(g, t, dist, order)
	}
	tr.order = order
	pool := buf.pool

	// Next hops in CSR form. Their order does not change the traffic:
	// every next hop of a node gets the same share. (The N-1 pushes them
	// on its heap in this order, which fixes the order of its sums: a
	// tree always gives the same N-1, bit for bit.)
	total := 0
	for v := 0; v < n; v++ {
		if v == int(t) {
			continue
		}
		for e := head[v]; e >= 0; e = pool[e].next {
			total++
		}
	}
	nh := sl.int32s(total)
	pos := int32(0)
	for v := int32(0); v < int32(n); v++ {
		tr.nhOff[v] = pos
		if v == t {
			continue
		}
		for e := head[v]; e >= 0; e = pool[e].next {
			nh[pos] = pool[e].arc
			pos++
		}
	}
	tr.nhOff[n] = pos
	tr.nh = nh

	thru := tr.thru
	for i := m.dmOff[k]; i < m.dmOff[k+1]; i++ {
		src := m.dmSrc[i]
		if dist[src] == inf {
			tr.dropped += m.dmRate[i]
			continue
		}
		thru[src] += m.dmRate[i]
	}
	for i := len(order) - 1; i >= 1; i-- {
		v := order[i]
		x := thru[v]
		if x == 0 {
			continue
		}
		hops := nh[tr.nhOff[v]:tr.nhOff[v+1]]
		share := x / float64(len(hops))
		for _, a := range hops {
			thru[m.arcHead[a]] += share
		}
		if load != nil {
			for _, a := range hops {
				load[a] += share
			}
		}
	}
	return tr
}

// dijkstra visits the nodes from t (whose distance is set) in increasing
// distance, setting their distances and recording their next hops in
// buf's pool; it returns order with the nodes visited appended by
// distance, then node index (each run of equal distances is sorted: the
// radix heap pops equal keys in no particular order, and the order of
// the additions that sum each node's traffic must not depend on it).
func (buf *treeBuf) dijkstra(g *adjacency, t int32, dist []int64, order []int32) []int32 {
	head, pool := buf.nhHead, buf.pool[:0]
	h := &buf.h
	h.reset()
	h.push(0, t)
	run := len(order) // the first node of order's last run of equal distances
	for h.len() > 0 {
		it := h.pop()
		v := it.node
		if it.key > dist[v] {
			continue
		}
		if run < len(order) && dist[order[run]] != it.key {
			slices.Sort(order[run:])
			run = len(order)
		}
		order = append(order, v)
		if v != t && g.drained[v] {
			continue
		}
		d := it.key
		for i := g.inOff[v]; i < g.inOff[v+1]; i++ {
			u := g.inTail[i]
			nd := d + g.inMetric[i]
			switch du := dist[u]; {
			case nd < du:
				dist[u] = nd
				h.push(nd, u)
				head[u] = int32(len(pool))
				pool = append(pool, nhEntry{g.inArc[i], -1})
			case nd == du:
				pool = append(pool, nhEntry{g.inArc[i], head[u]})
				head[u] = int32(len(pool) - 1)
			}
		}
	}
	slices.Sort(order[run:])
	buf.pool = pool
	return order
}

// levels is dijkstra for a graph whose arcs all have the same metric: a
// breadth-first search, each level visited in node order, which is the
// order dijkstra gives, so the trees are the same bit for bit (each
// node's next hops as a set: their order within a node is not used).
// The next level is gathered in a bitset over the nodes and read back in
// node order, from the lowest to the highest word it set.
func (buf *treeBuf) levels(g *adjacency, t int32, dist []int64, order []int32) []int32 {
	head, pool := buf.nhHead, buf.pool[:0]
	if words := (len(dist) + 63) / 64; len(buf.seen) != words {
		buf.seen = make([]uint64, words)
	}
	seen := buf.seen // the next level; all zero between levels
	cur := append(buf.level[:0], t)
	for d := int64(0); len(cur) > 0; d += g.uniform {
		nd := d + g.uniform
		lo, hi := len(seen), -1
		for _, v := range cur {
			order = append(order, v)
			if v != t && g.drained[v] {
				continue
			}
			for i := g.inOff[v]; i < g.inOff[v+1]; i++ {
				u := g.inTail[i]
				switch du := dist[u]; {
				case nd < du:
					dist[u] = nd
					w := int(u >> 6)
					seen[w] |= 1 << (u & 63)
					lo, hi = min(lo, w), max(hi, w)
					head[u] = int32(len(pool))
					pool = append(pool, nhEntry{g.inArc[i], -1})
				case nd == du:
					pool = append(pool, nhEntry{g.inArc[i], head[u]})
					head[u] = int32(len(pool) - 1)
				}
			}
		}
		cur = cur[:0]
		for w := lo; w <= hi; w++ {
			for x := seen[w]; x != 0; x &= x - 1 {
				cur = append(cur, int32(w<<6+bits.TrailingZeros64(x)))
			}
			seen[w] = 0
		}
	}
	buf.level, buf.pool = cur, pool
	return order
}

// eachShare calls f for every next-hop arc carrying traffic toward the
// destination, with the traffic on it: each node's through traffic split
// evenly over its next hops.
func (tr *tree) eachShare(f func(a int32, share float64)) {
	for i := len(tr.order) - 1; i >= 1; i-- {
		v := tr.order[i]
		x := tr.thru[v]
		if x == 0 {
			continue
		}
		hops := tr.nh[tr.nhOff[v]:tr.nhOff[v+1]]
		share := x / float64(len(hops))
		for _, a := range hops {
			f(a, share)
		}
	}
}

// addLoads adds the traffic of tr to load.
func (m *Model) addLoads(tr *tree, load []float64) {
	tr.eachShare(func(a int32, share float64) { load[a] += share })
}

// loadChunks fixes how destinations are grouped when summing loads, so the
// floating-point result does not depend on the number of CPUs.
const loadChunks = 16

// sumLoads sets s's loads and dropped demand from its trees.
func (s *State) sumLoads() {
	s.sumChunks(func(k, _ int, part []float64) { s.Model.addLoads(s.trees[k], part) })
}

// sumChunks calls add for every destination k, on worker w, with the
// loads of k's chunk (loadChunks chunks of consecutive destinations),
// then sets s's loads to the chunks' sums, in chunk order, and its
// dropped demand to its trees'.
func (s *State) sumChunks(add func(k, w int, part []float64)) {
	nd, nArcs := len(s.trees), len(s.Model.arcTail)
	chunks := min(loadChunks, nd)
	parts := make([][]float64, chunks)
	if chunks > 0 {
		size := (nd + chunks - 1) / chunks
		parallel(chunks, func(c int, w int) {
			part := make([]float64, nArcs)
			for k := c * size; k < min(nd, (c+1)*size); k++ {
				add(k, w, part)
			}
			parts[c] = part
		})
	}
	s.Load = make([]float64, nArcs)
	for _, part := range parts {
		for a, x := range part {
			s.Load[a] += x
		}
	}
	for _, tr := range s.trees {
		s.Dropped += tr.dropped
	}
}

// Utilization is the load of arc a over its link's capacity (0 when the
// link is down).
func (s *State) Utilization(a int) float64 {
	if !s.Config.Up[a/2] || s.Config.Capacity[a/2] <= 0 {
		return 0
	}
	return s.Load[a] / s.Config.Capacity[a/2]
}

// MaxUtilization returns the highest utilisation over all arcs and the arc
// (lowest index on ties), or (0, -1) when there are no links.
func (s *State) MaxUtilization() (float64, int) {
	best, arc := 0.0, -1
	for a := range s.Load {
		if u := s.Utilization(a); arc < 0 || u > best {
			best, arc = u, a
		}
	}
	return best, arc
}

// Unreachable is a demand that cannot be delivered in a state.
type Unreachable struct {
	Src, Dst int
	RateBps  float64
}

// Unreachable lists the demands whose source cannot reach their
// destination, by destination then source.
func (s *State) Unreachable() []Unreachable {
	var out []Unreachable
	m := s.Model
	for k, tr := range s.trees {
		if tr.dropped == 0 {
			continue
		}
		for i := m.dmOff[k]; i < m.dmOff[k+1]; i++ {
			if tr.dist[m.dmSrc[i]] == inf {
				out = append(out, Unreachable{Src: int(m.dmSrc[i]), Dst: int(m.dests[k]), RateBps: m.dmRate[i]})
			}
		}
	}
	return out
}

// Components returns the connected components of the network over up
// links (drained nodes included), largest first, each sorted by node index.
func (s *State) Components() [][]int {
	m := s.Model
	parent := make([]int, m.nNodes)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for l, up := range s.Config.Up {
		if up {
			a, b := find(int(m.arcTail[2*l])), find(int(m.arcHead[2*l]))
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	groups := map[int][]int{}
	for v := 0; v < m.nNodes; v++ {
		r := find(v)
		groups[r] = append(groups[r], v)
	}
	out := make([][]int, 0, len(groups))
	for _, g := range groups {
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i][0] < out[j][0]
	})
	return out
}

func workerScratch() ([]*treeBuf, []*slab) {
	n := runtime.GOMAXPROCS(0)
	bufs, slabs := make([]*treeBuf, n), make([]*slab, n)
	for i := range bufs {
		bufs[i], slabs[i] = new(treeBuf), new(slab)
	}
	return bufs, slabs
}

// parallel runs f(i, worker) for i in [0, n) on GOMAXPROCS workers.
func parallel(n int, f func(i, worker int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			f(i, 0)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				f(i, w)
			}
		}(w)
	}
	wg.Wait()
}
