package traffic

import (
	"math"

	"github.com/changegate/changegate/internal/topology"
)

// Uniform returns one demand for every ordered pair of distinct nodes,
// all with the same rate, summing to total bps. Nodes without links get
// demands too (which then cannot be delivered); use Gravity to leave them
// out. It returns nil when the network has fewer than two nodes or total
// is not a positive finite rate.
func Uniform(net *topology.Network, total float64) []topology.Demand {
	n := len(net.Nodes)
	if n < 2 || !validTotal(total) {
		return nil
	}
	rate := total / float64(n*(n-1))
	out := make([]topology.Demand, 0, n*(n-1))
	for _, s := range net.Nodes {
		for _, d := range net.Nodes {
			if s.Name != d.Name {
				out = append(out, topology.Demand{Src: s.Name, Dst: d.Name, RateBps: rate})
			}
		}
	}
	return out
}

// Gravity returns a demand for every ordered pair of distinct nodes that
// both have links, with rate(s, d) proportional to degree(s) * degree(d)
// and the rates summing to total bps. A node's degree counts its links
// that are up (each parallel link separately; links that loop back to
// their own node or name unknown nodes are not counted). Nodes of degree
// 0 get no demands. It returns nil when fewer than two nodes have links
// or total is not a positive finite rate.
func Gravity(net *topology.Network, total float64) []topology.Demand {
	if !validTotal(total) {
		return nil
	}
	deg := degrees(net)
	// The sum over ordered pairs s != d of deg(s)*deg(d), exactly.
	var sum, sumSq int64
	for _, k := range deg {
		sum += k
		sumSq += k * k
	}
	pairs := sum*sum - sumSq
	if pairs <= 0 {
		return nil
	}
	var out []topology.Demand
	for i, s := range net.Nodes {
		if deg[i] == 0 {
			continue
		}
		for j, d := range net.Nodes {
			if i == j || deg[j] == 0 {
				continue
			}
			rate := total * float64(deg[i]*deg[j]) / float64(pairs)
			out = append(out, topology.Demand{Src: s.Name, Dst: d.Name, RateBps: rate})
		}
	}
	return out
}

// degrees returns the number of up links at each node, in node order, as
// Gravity counts them.
func degrees(net *topology.Network) []int64 {
	idx := net.NodeIndex()
	deg := make([]int64, len(net.Nodes))
	for _, l := range net.Links {
		a, okA := idx[l.A]
		b, okB := idx[l.B]
		if !l.Up || !okA || !okB || a == b {
			continue
		}
		deg[a]++
		deg[b]++
	}
	return deg
}

func validTotal(total float64) bool {
	return total > 0 && !math.IsInf(total, 0)
}
