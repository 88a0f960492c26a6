package topology

import (
	"net/netip"

	"github.com/changegate/changegate/diag"
)

// MaxMetric is the largest IGP metric accepted (IS-IS wide metrics and
// OSPF both fit; 2^32-1 keeps path sums exact in int64).
const MaxMetric = 1<<32 - 1

// Network is a whole topology: nodes, links and the traffic matrix.
type Network struct {
	Name string `json:"name,omitempty"`
	// IGP says how the network's routers drain a node, which is all the
	// model needs to know of the IGP: IGPOSPF drains with max-metric (the
	// node's links cost MaxLinkMetric, so it stays a path of last resort),
	// IGPISIS (and "", the default) with the overload bit (no transit at
	// all).
	IGP     string   `json:"igp,omitempty"`
	Nodes   []Node   `json:"nodes"`
	Links   []Link   `json:"links"`
	Demands []Demand `json:"demands"`
	// Files lists the files this network was read from (the topology file
	// first, then demand files), for digests and messages.
	Files []string `json:"-"`
}

// Node is a router or switch.
type Node struct {
	Name string `json:"name"`
	Role string `json:"role,omitempty"`
	Site string `json:"site,omitempty"`
	Zone string `json:"zone,omitempty"`
	// Drained nodes are taken out of transit, as the network's IGP does
	// it (Network.IGP): with IS-IS overload they carry no transit at all
	// but still source and sink their own traffic; with OSPF max-metric
	// their links cost MaxLinkMetric, so they carry transit only when
	// there is no other path.
	Drained bool `json:"drained"`
	// Loopback is the node's loopback address, IPv4 or IPv6, written
	// canonically (netip.Addr.String); empty when not given. It is the
	// address the node's routes are known by and, for IPv4, its OSPF
	// router id. The simulation does not use it: it ties the model's
	// nodes to what real routers report (see internal/observe).
	Loopback string `json:"loopback,omitempty"`
	// Position is optional map coordinates (for pictures in review reports).
	Position *Position `json:"position,omitempty"`
	Pos      diag.Pos  `json:"-"`
}

// LoopbackAddr returns the node's loopback address, or the zero Addr
// (not IsValid) when it has none or it does not parse.
func (nd Node) LoopbackAddr() netip.Addr {
	if nd.Loopback == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(nd.Loopback)
	if err != nil {
		return netip.Addr{}
	}
	return a
}

// Position holds geographic (or abstract) coordinates of a node.
type Position struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Link is a bidirectional link between two nodes. Parallel links between
// the same nodes are allowed; each is its own ECMP next hop.
type Link struct {
	ID          string   `json:"id"`
	A           string   `json:"a"`
	AInterface  string   `json:"a_interface,omitempty"`
	B           string   `json:"b"`
	BInterface  string   `json:"b_interface,omitempty"`
	CapacityBps float64  `json:"capacity_bps"`
	MetricAB    int64    `json:"metric_ab"`
	MetricBA    int64    `json:"metric_ba"`
	Up          bool     `json:"up"`
	Class       string   `json:"class,omitempty"`
	SRLG        []string `json:"srlg"`
	Pos         diag.Pos `json:"-"`
}

// Demand is traffic from Src to Dst at RateBps bits per second.
type Demand struct {
	Src     string  `json:"src"`
	Dst     string  `json:"dst"`
	RateBps float64 `json:"rate_bps"`
}

// DefaultLinkID is the id a link gets when it names none: "a-b", or
// "a:if-b:if" when interfaces are given. Duplicates (parallel links
// without ids) are made unique by the loader with a "#n" suffix.
func DefaultLinkID(l Link) string {
	a, b := l.A, l.B
	if l.AInterface != "" {
		a += ":" + l.AInterface
	}
	if l.BInterface != "" {
		b += ":" + l.BInterface
	}
	return a + "-" + b
}

// NodeIndex maps node names to their index in n.Nodes.
func (n *Network) NodeIndex() map[string]int {
	m := make(map[string]int, len(n.Nodes))
	for i, nd := range n.Nodes {
		m[nd.Name] = i
	}
	return m
}

// NodeLookup returns NodeIndex as a function that guesses before it
// looks up: first that name is the node that followed the previous name
// the last time, then the previous name itself. Demands read from a
// matrix or a file name their destinations in the same order row after
// row, and comparing a name with the very same string costs far less
// than a map lookup. Each lookup function serves one sequence of names
// (one for sources, another for destinations), from one goroutine.
func (n *Network) NodeLookup() func(name string) (int, bool) {
	idx := n.NodeIndex()
	next := make([]int32, len(n.Nodes))
	for i := range next {
		next[i] = -1
	}
	prev := -1
	return func(name string) (int, bool) {
		if prev >= 0 {
			if k := next[prev]; k >= 0 && n.Nodes[k].Name == name {
				prev = int(k)
				return prev, true
			}
			if n.Nodes[prev].Name == name {
				return prev, true
			}
		}
		k, ok := idx[name]
		if !ok {
			return 0, false
		}
		if prev >= 0 {
			next[prev] = int32(k)
		}
		prev = k
		return k, true
	}
}

// LinkIndex maps link ids to their index in n.Links.
func (n *Network) LinkIndex() map[string]int {
	m := make(map[string]int, len(n.Links))
	for i, l := range n.Links {
		m[l.ID] = i
	}
	return m
}

// TotalDemandBps is the sum of all demand rates.
func (n *Network) TotalDemandBps() float64 {
	var t float64
	for _, d := range n.Demands {
		t += d.RateBps
	}
	return t
}

// SRLGs returns the shared-risk groups in order of first appearance, each
// with the indices of its links.
func (n *Network) SRLGs() []SRLG {
	var out []SRLG
	idx := map[string]int{}
	for i, l := range n.Links {
		for _, g := range l.SRLG {
			j, ok := idx[g]
			if !ok {
				j = len(out)
				idx[g] = j
				out = append(out, SRLG{Name: g})
			}
			if k := len(out[j].Links); k == 0 || out[j].Links[k-1] != i {
				out[j].Links = append(out[j].Links, i)
			}
		}
	}
	return out
}

// SRLG is a shared-risk link group: links that fail together.
type SRLG struct {
	Name  string
	Links []int
}

// The IGPs a network can name, and OSPF's maximum link metric (RFC 6987's
// MaxLinkMetric, 0xFFFF), which a router drained with max-metric gives its
// links.
const (
	IGPOSPF       = "ospf"
	IGPISIS       = "isis"
	MaxLinkMetric = 0xFFFF
)
