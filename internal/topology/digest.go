package topology

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
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
	// Rank node names alphabetically once, then sort by rank: the order is
	// the names' order without comparing strings millions of times.
	rank := make(map[string]int32, len(n.Nodes))
	for _, nd := range n.Nodes {
		rank[nd.Name] = 0
	}
	for _, d := range n.Demands { // names outside the node list, if any, count too
		rank[d.Src], rank[d.Dst] = 0, 0
	}
	names := make([]string, 0, len(rank))
	for name := range rank {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		rank[name] = int32(i)
	}
	type demand struct {
		src, dst int32
		rate     float64
	}
	ds := make([]demand, 0, len(n.Demands))
	for _, d := range n.Demands {
		if d.RateBps != 0 {
			ds = append(ds, demand{rank[d.Src], rank[d.Dst], d.RateBps})
		}
	}
	// Sorting equal pairs by rate makes their sum independent of file order.
	slices.SortFunc(ds, func(a, b demand) int {
		switch {
		case a.src != b.src:
			return int(a.src - b.src)
		case a.dst != b.dst:
			return int(a.dst - b.dst)
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	h := sha256.New()
	write(h, "changegate traffic v1\n")
	buf := make([]byte, 0, 128)
	for i := 0; i < len(ds); {
		src, dst, sum := ds[i].src, ds[i].dst, 0.0
		for ; i < len(ds) && ds[i].src == src && ds[i].dst == dst; i++ {
			sum += ds[i].rate
		}
		buf = strconv.AppendQuote(buf[:0], names[src])
		buf = append(buf, ' ')
		buf = strconv.AppendQuote(buf, names[dst])
		buf = append(buf, ' ')
		buf = strconv.AppendFloat(buf, sum, 'g', -1, 64)
		buf = append(buf, '\n')
		h.Write(buf)
	}
	return DigestPrefix + hex.EncodeToString(h.Sum(nil))
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
