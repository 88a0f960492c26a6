package sim

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/changegate/changegate/internal/topology"
)

// This file holds the test oracles: a brute-force solver written
// independently of Solve, and the straightforward full recomputation of
// a failure that the incremental N-1 must equal.

// bruteLoads computes per-arc loads by Bellman-Ford distances and, for each
// demand separately, recursive even splitting over next hops. It shares no
// code with Solve.
func bruteLoads(net *topology.Network) (load []float64, dropped float64) {
	idx := net.NodeIndex()
	n := len(net.Nodes)
	load = make([]float64, 2*len(net.Links))
	type arc struct {
		id, from, to int
		metric       int64
	}
	var arcs []arc
	for i, l := range net.Links {
		if !l.Up {
			continue
		}
		a, b := idx[l.A], idx[l.B]
		arcs = append(arcs, arc{2 * i, a, b, l.MetricAB}, arc{2*i + 1, b, a, l.MetricBA})
	}
	usable := func(v, t int) bool { return v == t || !net.Nodes[v].Drained }
	for _, d := range net.Demands {
		s, t := idx[d.Src], idx[d.Dst]
		if s == t || d.RateBps <= 0 {
			continue
		}
		dist := make([]float64, n)
		for i := range dist {
			dist[i] = math.Inf(1)
		}
		dist[t] = 0
		for iter := 0; iter < n; iter++ {
			for _, a := range arcs {
				if usable(a.to, t) && dist[a.to]+float64(a.metric) < dist[a.from] {
					dist[a.from] = dist[a.to] + float64(a.metric)
				}
			}
		}
		if math.IsInf(dist[s], 1) {
			dropped += d.RateBps
			continue
		}
		var push func(v int, x float64)
		push = func(v int, x float64) {
			if v == t {
				return
			}
			var hops []arc
			for _, a := range arcs {
				if a.from == v && usable(a.to, t) && dist[a.to]+float64(a.metric) == dist[v] {
					hops = append(hops, a)
				}
			}
			for _, a := range hops {
				load[a.id] += x / float64(len(hops))
				push(a.to, x/float64(len(hops)))
			}
		}
		push(s, d.RateBps)
	}
	return load, dropped
}

// withFailure returns a copy of net with the failure applied the simple
// way: its links down and, for a node, the node's demands removed.
func withFailure(net *topology.Network, c *Config, f Failure) *topology.Network {
	cp := *net
	cp.Nodes = append([]topology.Node(nil), net.Nodes...)
	cp.Links = append([]topology.Link(nil), net.Links...)
	for i := range cp.Links {
		cp.Links[i].Up = c.Up[i]
		cp.Links[i].MetricAB, cp.Links[i].MetricBA = c.Metric[2*i], c.Metric[2*i+1]
		cp.Links[i].CapacityBps = c.Capacity[i]
	}
	for i := range cp.Nodes {
		cp.Nodes[i].Drained = c.Drained[i]
	}
	for _, l := range f.Links {
		cp.Links[l].Up = false
	}
	if f.Node >= 0 {
		name := net.Nodes[f.Node].Name
		cp.Demands = nil
		for _, d := range net.Demands {
			if d.Src != name && d.Dst != name {
				cp.Demands = append(cp.Demands, d)
			}
		}
	}
	return &cp
}

// fullN1 is the straightforward N-1: one complete Solve per failure, with
// the failed links down (and, for a node, the network rebuilt without the
// node's demands).
func fullN1(s *State, failures []Failure) []*State {
	out := make([]*State, len(failures))
	for i, f := range failures {
		if f.Node < 0 {
			c := s.Config.Clone()
			for _, l := range f.Links {
				c.Up[l] = false
			}
			out[i] = s.Model.Solve(c)
			continue
		}
		fn := withFailure(s.Model.Net, s.Config, f)
		m, err := Compile(fn)
		if err != nil {
			panic(err)
		}
		out[i] = m.Solve(m.Baseline())
	}
	return out
}

// randomNetwork builds a connected random network with small metrics (so
// equal-cost paths are common), parallel links, SRLGs, some drained nodes,
// some down links and random demands.
func randomNetwork(r *rand.Rand, nodes, extraLinks int, demandFrac float64) *topology.Network {
	net := &topology.Network{Name: "random"}
	for i := 0; i < nodes; i++ {
		net.Nodes = append(net.Nodes, topology.Node{Name: fmt.Sprintf("n%d", i), Drained: r.IntN(10) == 0})
	}
	addLink := func(a, b int) {
		m1 := int64(1 + r.IntN(3))
		m2 := m1
		if r.IntN(4) == 0 {
			m2 = int64(1 + r.IntN(3))
		}
		l := topology.Link{
			ID: fmt.Sprintf("l%d", len(net.Links)), A: net.Nodes[a].Name, B: net.Nodes[b].Name,
			CapacityBps: float64(1+r.IntN(10)) * 1e9, MetricAB: m1, MetricBA: m2, Up: r.IntN(15) != 0,
		}
		if r.IntN(5) == 0 {
			l.SRLG = []string{fmt.Sprintf("g%d", r.IntN(3))}
		}
		net.Links = append(net.Links, l)
	}
	for i := 1; i < nodes; i++ {
		addLink(r.IntN(i), i)
	}
	for i := 0; i < extraLinks; i++ {
		a, b := r.IntN(nodes), r.IntN(nodes)
		if a != b {
			addLink(a, b)
		}
	}
	for s := 0; s < nodes; s++ {
		for t := 0; t < nodes; t++ {
			if s != t && r.Float64() < demandFrac {
				net.Demands = append(net.Demands, topology.Demand{
					Src: net.Nodes[s].Name, Dst: net.Nodes[t].Name, RateBps: float64(1+r.IntN(1000)) * 1e6,
				})
			}
		}
	}
	return net
}
