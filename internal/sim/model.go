package sim

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/changegate/changegate/internal/topology"
)

// inf is the distance of an unreachable node.
const inf = math.MaxInt64

// Model is a compiled network: nodes and links by index, and the traffic
// matrix grouped by destination. It is immutable once compiled and safe
// for concurrent use.
//
// Link directions ("arcs"): arc 2*i is Links[i].A -> B, arc 2*i+1 is B -> A.
type Model struct {
	Net *topology.Network

	nNodes  int
	arcTail []int32
	arcHead []int32
	// nodeArcs[nodeArcOff[v]:nodeArcOff[v+1]] are the arcs out of v over
	// every link, up or down, ascending.
	nodeArcOff []int32
	nodeArcs   []int32

	// Demands grouped by destination: destination dests[k] has sources
	// dmSrc[dmOff[k]:dmOff[k+1]] (sorted, merged) with rates dmRate[...].
	dests  []int32
	destOf []int32 // node -> index in dests, or -1
	dmOff  []int32
	dmSrc  []int32
	dmRate []float64

	srcTotal []float64 // total demand sourced by each node
	total    float64

	// maxMetric is true when drains are OSPF max-metric (Net.IGP is
	// ospf): see effective.
	maxMetric bool
}

// Compile indexes net for simulation. It fails on references to unknown
// nodes; run topology validation first for user-facing messages.
func Compile(net *topology.Network) (*Model, error) {
	idx := net.NodeIndex()
	m := &Model{Net: net, nNodes: len(net.Nodes), maxMetric: net.IGP == topology.IGPOSPF}
	m.arcTail = make([]int32, 2*len(net.Links))
	m.arcHead = make([]int32, 2*len(net.Links))
	for i, l := range net.Links {
		a, okA := idx[l.A]
		b, okB := idx[l.B]
		if !okA || !okB {
			return nil, fmt.Errorf("link %s: unknown endpoint", l.ID)
		}
		m.arcTail[2*i], m.arcHead[2*i] = int32(a), int32(b)
		m.arcTail[2*i+1], m.arcHead[2*i+1] = int32(b), int32(a)
	}
	m.nodeArcOff = make([]int32, m.nNodes+1)
	for _, u := range m.arcTail {
		m.nodeArcOff[u+1]++
	}
	for v := 0; v < m.nNodes; v++ {
		m.nodeArcOff[v+1] += m.nodeArcOff[v]
	}
	m.nodeArcs = make([]int32, len(m.arcTail))
	fill := slices.Clone(m.nodeArcOff[:m.nNodes])
	for a, u := range m.arcTail {
		m.nodeArcs[fill[u]] = int32(a)
		fill[u]++
	}

	type dm struct {
		src, dst int32
		rate     float64
	}
	dms := make([]dm, 0, len(net.Demands))
	srcOf, dstOf := net.NodeLookup(), net.NodeLookup()
	for _, d := range net.Demands {
		s, okS := srcOf(d.Src)
		t, okT := dstOf(d.Dst)
		if !okS || !okT {
			return nil, fmt.Errorf("demand %s->%s: unknown node", d.Src, d.Dst)
		}
		if s == t || d.RateBps <= 0 {
			continue
		}
		dms = append(dms, dm{int32(s), int32(t), d.RateBps})
	}
	// By destination, then source: a stable counting sort by source, then
	// one by destination (linear; a comparison sort of half a million
	// demands took longer than solving the steady state).
	tmp := make([]dm, len(dms))
	at := make([]int, m.nNodes+1)
	countSort(tmp, dms, at, func(d dm) int32 { return d.src })
	countSort(dms, tmp, at, func(d dm) int32 { return d.dst })
	m.destOf = make([]int32, m.nNodes)
	for i := range m.destOf {
		m.destOf[i] = -1
	}
	m.srcTotal = make([]float64, m.nNodes)
	m.dmSrc, m.dmRate = make([]int32, 0, len(dms)), make([]float64, 0, len(dms))
	for i := 0; i < len(dms); {
		t := dms[i].dst
		m.destOf[t] = int32(len(m.dests))
		m.dests = append(m.dests, t)
		m.dmOff = append(m.dmOff, int32(len(m.dmSrc)))
		for ; i < len(dms) && dms[i].dst == t; i++ {
			r := dms[i].rate
			m.srcTotal[dms[i].src] += r
			m.total += r
			if n := len(m.dmSrc); n > int(m.dmOff[len(m.dmOff)-1]) && m.dmSrc[n-1] == dms[i].src {
				m.dmRate[n-1] += r // repeated (src, dst): merged
				continue
			}
			m.dmSrc = append(m.dmSrc, dms[i].src)
			m.dmRate = append(m.dmRate, r)
		}
	}
	m.dmOff = append(m.dmOff, int32(len(m.dmSrc)))
	return m, nil
}

// NumArcs is the number of link directions (twice the number of links).
func (m *Model) NumArcs() int { return len(m.arcTail) }

// ArcEnds returns the tail and head node indices of arc a.
func (m *Model) ArcEnds(a int) (from, to int) { return int(m.arcTail[a]), int(m.arcHead[a]) }

// TotalDemand is the sum of all demand rates (self-demands excluded).
func (m *Model) TotalDemand() float64 { return m.total }

// own returns the demand from node src to destination index k.
func (m *Model) own(k int, src int32) float64 {
	lo, hi := int(m.dmOff[k]), int(m.dmOff[k+1])
	srcs := m.dmSrc[lo:hi]
	i := sort.Search(len(srcs), func(i int) bool { return srcs[i] >= src })
	if i < len(srcs) && srcs[i] == src {
		return m.dmRate[lo+i]
	}
	return 0
}

// Config is what plan steps change: per-arc metrics, per-link admin state
// and capacity, per-node drain. A Config belongs to the Model it came from.
type Config struct {
	Metric   []int64   // per arc
	Up       []bool    // per link
	Capacity []float64 // per link, bps
	Drained  []bool    // per node
}

// Baseline returns the configuration of the network as written.
func (m *Model) Baseline() *Config {
	net := m.Net
	c := &Config{
		Metric:   make([]int64, 2*len(net.Links)),
		Up:       make([]bool, len(net.Links)),
		Capacity: make([]float64, len(net.Links)),
		Drained:  make([]bool, len(net.Nodes)),
	}
	for i, l := range net.Links {
		c.Metric[2*i], c.Metric[2*i+1] = l.MetricAB, l.MetricBA
		c.Up[i] = l.Up
		c.Capacity[i] = l.CapacityBps
	}
	for i, n := range net.Nodes {
		c.Drained[i] = n.Drained
	}
	return c
}

// effective returns c as the IGP computes on it. With IS-IS overload (the
// default) that is c itself: drained nodes are not relaxed through. With
// OSPF max-metric a drained node advertises its links at MaxLinkMetric
// (RFC 6987), its own SPF included: every arc out of it costs that, and no
// node is drained for the algorithms, so it carries transit only when no
// other path exists.
func (m *Model) effective(c *Config) *Config {
	if !m.maxMetric {
		return c
	}
	any := false
	for _, d := range c.Drained {
		any = any || d
	}
	if !any {
		return c
	}
	e := c.Clone()
	for a, u := range m.arcTail {
		if c.Drained[u] {
			e.Metric[a] = topology.MaxLinkMetric
		}
	}
	for v := range e.Drained {
		e.Drained[v] = false
	}
	return e
}

// Clone returns a deep copy.
func (c *Config) Clone() *Config {
	return &Config{
		Metric:   append([]int64(nil), c.Metric...),
		Up:       append([]bool(nil), c.Up...),
		Capacity: append([]float64(nil), c.Capacity...),
		Drained:  append([]bool(nil), c.Drained...),
	}
}

// Equal reports whether two configurations are identical.
func (c *Config) Equal(o *Config) bool {
	return equalSlices(c.Metric, o.Metric) && equalSlices(c.Up, o.Up) &&
		equalSlices(c.Capacity, o.Capacity) && equalSlices(c.Drained, o.Drained)
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// adjacency is the forwarding graph of one Config: up arcs only, indexed
// by tail (out) and by head (in), with their metrics inline for locality.
type adjacency struct {
	outOff    []int32
	outArc    []int32
	outHead   []int32
	outMetric []int64
	inOff     []int32
	inArc     []int32
	inTail    []int32
	inMetric  []int64
	drained   []bool
	// uniform is the metric of every up arc when they all have the same
	// one (a Clos, hop counts), else 0: buildTree then visits the nodes
	// level by level instead of through a heap.
	uniform int64
}

func (m *Model) adjacency(c *Config) *adjacency {
	n := m.nNodes
	g := &adjacency{outOff: make([]int32, n+1), inOff: make([]int32, n+1), drained: c.Drained}
	for a := range m.arcTail {
		if !c.Up[a/2] {
			continue
		}
		g.outOff[m.arcTail[a]+1]++
		g.inOff[m.arcHead[a]+1]++
	}
	for v := 0; v < n; v++ {
		g.outOff[v+1] += g.outOff[v]
		g.inOff[v+1] += g.inOff[v]
	}
	e := g.outOff[n]
	g.outArc, g.outHead, g.outMetric = make([]int32, e), make([]int32, e), make([]int64, e)
	g.inArc, g.inTail, g.inMetric = make([]int32, e), make([]int32, e), make([]int64, e)
	po := append([]int32(nil), g.outOff[:n]...)
	pi := append([]int32(nil), g.inOff[:n]...)
	for a := range m.arcTail {
		if !c.Up[a/2] {
			continue
		}
		u, v := m.arcTail[a], m.arcHead[a]
		i := po[u]
		po[u]++
		g.outArc[i], g.outHead[i], g.outMetric[i] = int32(a), v, c.Metric[a]
		j := pi[v]
		pi[v]++
		g.inArc[j], g.inTail[j], g.inMetric[j] = int32(a), u, c.Metric[a]
	}
	if e > 0 && g.inMetric[0] > 0 {
		g.uniform = g.inMetric[0]
		for _, x := range g.inMetric {
			if x != g.uniform {
				g.uniform = 0
				break
			}
		}
	}
	return g
}

// outArcs are the arcs out of v over every link, up or down, ascending.
func (m *Model) outArcs(v int32) []int32 {
	return m.nodeArcs[m.nodeArcOff[v]:m.nodeArcOff[v+1]]
}

// countSort puts src into dst ordered by key, keeping the order of equal
// keys (a counting sort). Keys lie in [0, len(at)-1); at is scratch.
func countSort[T any](dst, src []T, at []int, key func(T) int32) {
	clear(at)
	for _, x := range src {
		at[key(x)+1]++
	}
	for i := 1; i < len(at); i++ {
		at[i] += at[i-1]
	}
	for _, x := range src {
		k := key(x)
		dst[at[k]] = x
		at[k]++
	}
}
