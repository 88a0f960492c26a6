package topology

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// DigestPrefix starts every digest: the algorithm, then the hex sum.
const DigestPrefix = "sha256:"

// TopologyDigest is a canonical digest of everything in the network that
// simulation, policy and the checks of a run depend on, except the
// traffic: nodes (name, role, site, zone, drained, loopback) and links
// (id, ends, interfaces, capacity, metrics, admin state, class,
// shared-risk groups). It does not depend on the order of nodes and
// links, on YAML formatting or comments, on how rates or addresses are
// written, on the network's name, or on node positions (pictures only).
//
// Loopbacks do not change the simulation, but apply maps what routers
// report to nodes through them (internal/observe), so an approval binds
// them too. A node without a loopback hashes exactly as before loopbacks
// existed: digests of networks without loopbacks are unchanged.
func (n *Network) TopologyDigest() string {
	type node struct {
		Name    string `json:"name"`
		Role    string `json:"role"`
		Site    string `json:"site"`
		Zone    string `json:"zone"`
		Drained bool   `json:"drained"`
		// Loopback is left out when empty, keeping older digests.
		Loopback string `json:"loopback,omitempty"`
	}
	type link struct {
		ID          string   `json:"id"`
		A           string   `json:"a"`
		AInterface  string   `json:"a_interface"`
		B           string   `json:"b"`
		BInterface  string   `json:"b_interface"`
		CapacityBps float64  `json:"capacity_bps"`
		MetricAB    int64    `json:"metric_ab"`
		MetricBA    int64    `json:"metric_ba"`
		Up          bool     `json:"up"`
		Class       string   `json:"class"`
		SRLG        []string `json:"srlg"`
	}
	nodes := make([]node, len(n.Nodes))
	for i, nd := range n.Nodes {
		nodes[i] = node{nd.Name, nd.Role, nd.Site, nd.Zone, nd.Drained, canonicalAddr(nd.Loopback)}
	}
	slices.SortFunc(nodes, func(a, b node) int { return strings.Compare(a.Name, b.Name) })
	links := make([]link, len(n.Links))
	for i, l := range n.Links {
		srlg := slices.Clone(l.SRLG)
		slices.Sort(srlg)
		links[i] = link{l.ID, l.A, l.AInterface, l.B, l.BInterface, l.CapacityBps, l.MetricAB, l.MetricBA, l.Up, l.Class, slices.Compact(srlg)}
		if links[i].SRLG == nil {
			links[i].SRLG = []string{}
		}
	}
	slices.SortFunc(links, func(a, b link) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	enc := json.NewEncoder(h)
	write(h, "changegate topology v1\n")
	if n.IGP != "" { // left out when not given, keeping older digests
		write(h, "igp "+n.IGP+"\n")
	}
	for _, nd := range nodes {
		_ = enc.Encode(nd) // encoding to a hash cannot fail
	}
	write(h, "links\n")
	for _, l := range links {
		_ = enc.Encode(l)
	}
	return DigestPrefix + hex.EncodeToString(h.Sum(nil))
}

// TrafficDigest is a canonical digest of the traffic matrix: the total
// rate from each source to each destination, zero rates left out. It does
// not depend on the order of demands, on whether they came as a list, a
// matrix or demand files, or on one demand being written as several.
func (n *Network) TrafficDigest() string {
	// Number the names as they come (nodes, then names only demands
	// have), then rank them alphabetically once and order demands by rank:
	// the order is the names' order without comparing strings millions of
	// times.
	ix := newIndexer(len(n.Nodes))
	for _, nd := range n.Nodes {
		ix.lookup(nd.Name)
	}
	ds := make([]rankedDemand, 0, len(n.Demands))
	srcs, dsts := ix.guesser(), ix.guesser()
	for _, d := range n.Demands {
		if d.RateBps != 0 {
			ds = append(ds, rankedDemand{srcs.index(d.Src), dsts.index(d.Dst), d.RateBps})
		}
	}
	names := slices.Clone(ix.names)
	slices.Sort(names)
	rank := make([]int32, len(names))
	for r, name := range names {
		rank[ix.ids[name]] = int32(r)
	}
	for i := range ds {
		ds[i].src, ds[i].dst = rank[ds[i].src], rank[ds[i].dst]
	}
	ds = sortByPair(ds, len(names))
	quoted := make([][]byte, len(names))
	for i, name := range names {
		quoted[i] = strconv.AppendQuote(nil, name)
	}
	var rates rateText
	h := sha256.New()
	write(h, "changegate traffic v1\n")
	buf := make([]byte, 0, 64<<10)
	for i := 0; i < len(ds); {
		src, dst := ds[i].src, ds[i].dst
		j := i + 1
		for j < len(ds) && ds[j].src == src && ds[j].dst == dst {
			j++
		}
		sum := ds[i].rate
		if j > i+1 {
			// Sorting equal pairs by rate makes their sum independent of
			// file order.
			same := ds[i:j]
			slices.SortFunc(same, func(a, b rankedDemand) int { return cmp.Compare(a.rate, b.rate) })
			sum = 0
			for _, d := range same {
				sum += d.rate
			}
		}
		i = j
		buf = append(buf, quoted[src]...)
		buf = append(buf, ' ')
		buf = append(buf, quoted[dst]...)
		buf = append(buf, ' ')
		buf = rates.append(buf, sum)
		buf = append(buf, '\n')
		if len(buf) > cap(buf)-512 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return DigestPrefix + hex.EncodeToString(h.Sum(nil))
}

// indexer numbers names in the order they are first seen.
type indexer struct {
	ids   map[string]int32
	names []string
}

func newIndexer(size int) *indexer {
	return &indexer{ids: make(map[string]int32, size), names: make([]string, 0, size)}
}

func (x *indexer) lookup(name string) int32 {
	k, ok := x.ids[name]
	if !ok {
		k = int32(len(x.names))
		x.ids[name] = k
		x.names = append(x.names, name)
	}
	return k
}

// guesser returns a lookup that first guesses that a name is the one that
// followed the previous name last time: demands read from a matrix or a
// file come in the same order of destinations row after row, and
// comparing a name with itself (the same string) costs much less than a
// map lookup.
func (x *indexer) guesser() *guesser {
	return &guesser{x: x, prev: -1}
}

type guesser struct {
	x    *indexer
	next []int32 // the index seen after each index, or -1
	prev int32
}

func (g *guesser) index(name string) int32 {
	names := g.x.names
	if g.prev >= 0 {
		if k := g.next[g.prev]; k >= 0 && names[k] == name {
			g.prev = k
			return k
		}
		if names[g.prev] == name {
			return g.prev
		}
	}
	k := g.x.lookup(name)
	for len(g.next) < len(g.x.names) {
		g.next = append(g.next, -1)
	}
	if g.prev >= 0 {
		g.next[g.prev] = k
	}
	g.prev = k
	return k
}

// rateText appends rates as strconv.AppendFloat(b, v, 'g', -1, 64) does,
// remembering recent ones: traffic matrices repeat their rates.
type rateText struct {
	bits [1024]uint64
	text [1024][]byte
}

func (c *rateText) append(b []byte, v float64) []byte {
	bits := math.Float64bits(v)
	slot := (bits ^ bits>>29 ^ bits>>41) % uint64(len(c.bits))
	if t := c.text[slot]; t != nil && c.bits[slot] == bits {
		return append(b, t...)
	}
	start := len(b)
	b = strconv.AppendFloat(b, v, 'g', -1, 64)
	c.bits[slot], c.text[slot] = bits, append(c.text[slot][:0], b[start:]...)
	return b
}

// rankedDemand is a demand with its ends as ranks among the node names.
type rankedDemand struct {
	src, dst int32
	rate     float64
}

// sortByPair orders ds by source, then destination (ranks below n),
// keeping the order of equal pairs: a counting sort by destination, then
// one by source, each stable and linear.
func sortByPair(ds []rankedDemand, n int) []rankedDemand {
	if slices.IsSortedFunc(ds, func(a, b rankedDemand) int {
		return cmp.Or(cmp.Compare(a.src, b.src), cmp.Compare(a.dst, b.dst))
	}) {
		return ds
	}
	tmp := make([]rankedDemand, len(ds))
	count := make([]int, n+1)
	pass := func(from, to []rankedDemand, key func(rankedDemand) int32) {
		clear(count)
		for _, d := range from {
			count[key(d)+1]++
		}
		for i := 1; i <= n; i++ {
			count[i] += count[i-1]
		}
		for _, d := range from {
			k := key(d)
			to[count[k]] = d
			count[k]++
		}
	}
	pass(ds, tmp, func(d rankedDemand) int32 { return d.dst })
	pass(tmp, ds, func(d rankedDemand) int32 { return d.src })
	return ds
}

// canonicalAddr is s as netip writes it, or s itself when it is not an
// address (an invalid network is digested as given).
func canonicalAddr(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}

func write(h hash.Hash, s string) { h.Write([]byte(s)) }
