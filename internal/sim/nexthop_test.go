package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/topology"
)

// hopNames renders NextHops for one source as "dst:via,via dst:- ...",
// destinations in node order, "-" for unreachable.
func hopNames(net *topology.Network, src int, hops [][]int) string {
	var parts []string
	for t, hs := range hops {
		if t == src {
			continue
		}
		via := "-"
		if hs != nil {
			names := make([]string, len(hs))
			for i, h := range hs {
				names[i] = net.Nodes[h].Name
			}
			via = strings.Join(names, ",")
		}
		parts = append(parts, net.Nodes[t].Name+":"+via)
	}
	return strings.Join(parts, " ")
}

func TestNextHopsSmallNetworks(t *testing.T) {
	// A square a-b-d, a-c-d with a diagonal b-c, and a spur d-e.
	square := func() *topology.Network {
		return &topology.Network{
			Nodes: nodes("a", "b", "c", "d", "e"),
			Links: []topology.Link{
				link("ab", "a", "b", 10, 10), link("ac", "a", "c", 10, 10),
				link("bd", "b", "d", 10, 10), link("cd", "c", "d", 10, 10),
				link("bc", "b", "c", 10, 15), link("de", "d", "e", 10, 1),
			},
		}
	}
	tests := []struct {
		name   string
		change func(n *topology.Network, c *Config)
		src    string
		want   string
	}{
		{"ECMP over both sides of the square", nil, "a",
			"b:b c:c d:b,c e:b,c"},
		{"a metric change moves the next hop", func(n *topology.Network, c *Config) { c.Metric[2*2] = 30 }, "a", // b->d 30
			"b:b c:c d:c e:c"},
		{"metrics are per direction", func(n *topology.Network, c *Config) { c.Metric[2*2+1] = 30 }, "a", // d->b only
			"b:b c:c d:b,c e:b,c"},
		{"the reverse direction sees it", func(n *topology.Network, c *Config) { c.Metric[2*2+1] = 30 }, "d",
			"a:c b:c c:c e:e"},
		{"a drained node carries no transit", func(n *topology.Network, c *Config) { c.Drained[1] = true }, "a",
			"b:b c:c d:c e:c"},
		{"but is still reached", func(n *topology.Network, c *Config) { c.Drained[1] = true }, "c",
			"a:a b:b d:d e:d"},
		{"a drained source forwards its own traffic", func(n *topology.Network, c *Config) { c.Drained[0] = true }, "a",
			"b:b c:c d:b,c e:b,c"},
		{"a link down", func(n *topology.Network, c *Config) { c.Up[0] = false }, "a",
			"b:c c:c d:c e:c"},
		{"unreachable through a cut", func(n *topology.Network, c *Config) { c.Up[5] = false }, "a",
			"b:b c:c d:b,c e:-"},
		{"unreachable behind a drained node", func(n *topology.Network, c *Config) { c.Drained[3] = true }, "a",
			"b:b c:c d:b,c e:-"},
		{"an isolated source reaches nothing", func(n *topology.Network, c *Config) { c.Up[5] = false }, "e",
			"a:- b:- c:- d:-"},
		{"from the far corner", nil, "d",
			"a:b,c b:b c:c e:e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net := square()
			m, err := Compile(net)
			if err != nil {
				t.Fatal(err)
			}
			c := m.Baseline()
			if tt.change != nil {
				tt.change(net, c)
			}
			src := net.NodeIndex()[tt.src]
			got := hopNames(net, src, m.NextHops(c, []int{src})[0])
			if got != tt.want {
				t.Errorf("next hops of %s\n got %s\nwant %s", tt.src, got, tt.want)
			}
		})
	}

	t.Run("parallel links with equal and unequal metrics", func(t *testing.T) {
		net := &topology.Network{
			Nodes: nodes("x", "y", "z"),
			Links: []topology.Link{link("xy", "x", "y", 1, 5), link("xy#2", "x", "y", 1, 5), link("xy#3", "x", "y", 1, 1), link("yz", "y", "z", 1, 1), link("xz", "x", "z", 1, 2)},
		}
		m, _ := Compile(net)
		got := hopNames(net, 0, m.NextHops(m.Baseline(), []int{0})[0])
		if want := "y:y z:y,z"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}

// bruteNextHops is the oracle: Bellman-Ford distances toward each
// destination (the direction Solve works in), then the neighbours of src
// on a shortest path, with the same drained-node rule. It shares no code
// with NextHops.
func bruteNextHops(net *topology.Network, c *Config, src int) [][]int {
	n := len(net.Nodes)
	idx := net.NodeIndex()
	type arc struct {
		from, to int
		metric   int64
	}
	var arcs []arc
	for i, l := range net.Links {
		if c.Up[i] {
			a, b := idx[l.A], idx[l.B]
			arcs = append(arcs, arc{a, b, c.Metric[2*i]}, arc{b, a, c.Metric[2*i+1]})
		}
	}
	out := make([][]int, n)
	for t := 0; t < n; t++ {
		if t == src {
			continue
		}
		usable := func(v int) bool { return v == t || !c.Drained[v] }
		dist := make([]float64, n)
		for i := range dist {
			dist[i] = math.Inf(1)
		}
		dist[t] = 0
		for range n {
			for _, a := range arcs {
				if usable(a.to) && dist[a.to]+float64(a.metric) < dist[a.from] {
					dist[a.from] = dist[a.to] + float64(a.metric)
				}
			}
		}
		if math.IsInf(dist[src], 1) {
			continue
		}
		var hs []int
		for _, a := range arcs {
			if a.from == src && usable(a.to) && dist[a.to]+float64(a.metric) == dist[src] {
				hs = append(hs, a.to)
			}
		}
		slices.Sort(hs)
		out[t] = slices.Compact(hs)
	}
	return out
}

func TestNextHopsMatchBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 60; trial++ {
		nn := 2 + r.IntN(25)
		net := randomNetwork(r, nn, r.IntN(2*nn), 0)
		m, err := Compile(net)
		if err != nil {
			t.Fatal(err)
		}
		c := m.Baseline()
		// Some changes on top, as plan steps make them.
		for k := r.IntN(4); k > 0 && len(c.Up) > 0; k-- {
			l := r.IntN(len(c.Up))
			switch r.IntN(3) {
			case 0:
				c.Metric[2*l+r.IntN(2)] = int64(1 + r.IntN(4))
			case 1:
				c.Up[l] = !c.Up[l]
			case 2:
				c.Drained[r.IntN(nn)] = true
			}
		}
		srcs := make([]int, nn)
		for i := range srcs {
			srcs[i] = i
		}
		got := m.NextHops(c, srcs)
		for _, s := range srcs {
			want := bruteNextHops(net, c, s)
			if diff := cmp.Diff(want, got[s]); diff != "" {
				t.Fatalf("trial %d (%d nodes), source %s (-brute +NextHops):\n%s", trial, nn, net.Nodes[s].Name, diff)
			}
		}
	}
}

// A source with more than 64 neighbours needs more than one word per set.
func TestNextHopsManyNeighbours(t *testing.T) {
	net := &topology.Network{Nodes: nodes("hub", "far")}
	for i := range 150 {
		name := fmt.Sprintf("s%d", i)
		net.Nodes = append(net.Nodes, topology.Node{Name: name})
		net.Links = append(net.Links, link("h"+name, "hub", name, 1, 1), link(name+"f", name, "far", 1, 1+int64(i%2)))
	}
	m, err := Compile(net)
	if err != nil {
		t.Fatal(err)
	}
	hops := m.NextHops(m.Baseline(), []int{0})[0]
	if diff := cmp.Diff(bruteNextHops(net, m.Baseline(), 0), hops); diff != "" {
		t.Fatalf("(-brute +NextHops):\n%s", diff)
	}
	if got := len(hops[1]); got != 75 {
		t.Errorf("hub reaches far over %d next hops, want the 75 with metric 1", got)
	}
}

func BenchmarkNextHops(b *testing.B) {
	net := wanNet(754, 1790)
	m, err := Compile(net)
	if err != nil {
		b.Fatal(err)
	}
	c := m.Baseline()
	srcs := []int{0, 100, 200, 300, 400}
	for b.Loop() {
		m.NextHops(c, srcs)
	}
}

// wanNet is a connected random network of the size of Topology Zoo's
// largest (Kdl: 754 nodes, 895 links) or bigger, without traffic.
func wanNet(nodes, links int) *topology.Network {
	r := rand.New(rand.NewPCG(1, 2))
	net := randomNetwork(r, nodes, links-nodes+1, 0)
	for i := range net.Nodes {
		net.Nodes[i].Drained = false
	}
	return net
}

// NextHopLinks keeps every parallel link of an equal-cost next hop, and
// only the cheapest of unequal ones; NextHops merges them into the
// neighbour.
func TestNextHopLinksParallel(t *testing.T) {
	net := &topology.Network{
		Nodes: nodes("x", "y", "z"),
		Links: []topology.Link{
			arcs("xy", "x", "y", 1, 5), arcs("xy#2", "x", "y", 1, 5), arcs("xy#3", "x", "y", 2, 1),
			arcs("yz", "y", "z", 1, 1), arcs("xz", "x", "z", 2, 2),
		},
	}
	m, err := Compile(net)
	if err != nil {
		t.Fatal(err)
	}
	name := func(ls []int) string {
		var s []string
		for _, l := range ls {
			s = append(s, net.Links[l].ID)
		}
		return strings.Join(s, ",")
	}
	c := m.Baseline()
	tests := []struct {
		name   string
		change func(c *Config)
		src    int
		want   map[string]string // destination -> links
	}{
		{"both equal parallel links, not the dearer third", nil, 0, map[string]string{"y": "xy,xy#2", "z": "xy,xy#2,xz"}},
		{"one parallel link down", func(c *Config) { c.Up[1] = false }, 0, map[string]string{"y": "xy", "z": "xy,xz"}},
		{"from the other end: the cheap third alone", nil, 1, map[string]string{"x": "xy#3", "z": "yz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := c.Clone()
			if tt.change != nil {
				tt.change(cc)
			}
			got := m.NextHopLinks(cc, []int{tt.src})[0]
			for dest, want := range tt.want {
				if g := name(got[net.NodeIndex()[dest]]); g != want {
					t.Errorf("%s -> %s: got links %s, want %s", net.Nodes[tt.src].Name, dest, g, want)
				}
			}
			if got[tt.src] != nil {
				t.Errorf("a route to itself: %v", got[tt.src])
			}
		})
	}
}

// arcs is a link with a metric per direction.
func arcs(id, a, b string, ab, ba int64) topology.Link {
	l := link(id, a, b, 1, ab)
	l.MetricBA = ba
	return l
}
