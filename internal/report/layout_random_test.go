package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

// randomNet is a connected random network of n nodes (a random tree,
// then extra links), a share of them with positions, from a fixed seed.
func randomNet(seed uint64, n int, geoShare float64) *topology.Network {
	r := rand.New(rand.NewPCG(seed, 1))
	net := &topology.Network{}
	for i := range n {
		nd := topology.Node{Name: fmt.Sprintf("n%02d", i)}
		if r.Float64() < geoShare {
			nd.Position = &topology.Position{Lat: 35 + 25*r.Float64(), Lon: -10 + 40*r.Float64()}
		}
		net.Nodes = append(net.Nodes, nd)
	}
	seen := map[[2]int]bool{}
	link := func(a, b int) {
		if a == b || seen[[2]int{a, b}] || seen[[2]int{b, a}] {
			return
		}
		seen[[2]int{a, b}] = true
		net.Links = append(net.Links, topology.Link{ID: fmt.Sprintf("n%02d-n%02d", a, b), A: fmt.Sprintf("n%02d", a), B: fmt.Sprintf("n%02d", b)})
	}
	for i := 1; i < n; i++ {
		link(r.IntN(i), i)
	}
	for range n / 2 {
		link(r.IntN(n), r.IntN(n))
	}
	return net
}

// TestLayoutRandom: random networks of 8 to 60 nodes, with all, some or
// no positions, are laid out without a node on another or on a link not
// its own, and their labels without overlaps.
func TestLayoutRandom(t *testing.T) {
	for seed := range uint64(24) {
		n := 8 + int(seed*13%53)
		share := []float64{0, 0.5, 0.9, 1}[seed%4]
		t.Run(fmt.Sprintf("seed %d, %d nodes, %.0f%% with positions", seed, n, share*100), func(t *testing.T) {
			nw := randomNet(seed, n, share)
			lay := layoutNetwork(nw, nil)
			for _, c := range conflicts(lay, edgesOf(nw)) {
				t.Errorf("%s is %.1f from %s", c.Node, c.Dist, c.Other)
			}
			reqs := testLabels(nw, lay, 4, " 23% → 70%")
			for _, o := range labelOverlaps(placeLabels(lay, edgesOf(nw), reqs)) {
				t.Errorf("labels %q and %q overlap", o[0], o[1])
			}
		})
	}
}

// FuzzLayout: whatever the network (nodes with and without positions,
// shared positions, parallel links, self-loops, parts), the layout and
// the labels finish, place every node inside the picture, and give no
// NaN.
func FuzzLayout(f *testing.F) {
	f.Add([]byte{3, 0, 1, 1, 2, 2, 0}, uint8(5))
	f.Add([]byte{9, 9, 9, 9, 0, 0, 1, 1}, uint8(0))
	f.Add([]byte{}, uint8(255))
	f.Add([]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, uint8(85))
	f.Fuzz(func(t *testing.T, data []byte, geo uint8) {
		n := 1 + len(data)%20
		nw := &topology.Network{}
		for i := range n {
			nd := topology.Node{Name: fmt.Sprintf("n%d", i)}
			if geo>>(i%8)&1 == 1 {
				b := byte(i)
				if i < len(data) {
					b = data[i]
				}
				nd.Position = &topology.Position{Lat: float64(b%16) - 8, Lon: float64(b/16) * 0.001}
			}
			nw.Nodes = append(nw.Nodes, nd)
		}
		for i := 0; i+1 < len(data); i += 2 {
			a, b := int(data[i])%n, int(data[i+1])%n
			nw.Links = append(nw.Links, topology.Link{ID: fmt.Sprintf("l%d", i), A: fmt.Sprintf("n%d", a), B: fmt.Sprintf("n%d", b)})
		}
		lay := layoutNetwork(nw, nil)
		var reqs []labelReq
		for _, nd := range nw.Nodes {
			p, ok := lay.At[nd.Name]
			if !ok || math.IsNaN(p.X) || math.IsNaN(p.Y) || p.X < 0 || p.Y < 0 || p.X > lay.W || p.Y > lay.H {
				t.Fatalf("%s at %v (placed %v) in a %vx%v picture", nd.Name, p, ok, lay.W, lay.H)
			}
			reqs = append(reqs, labelReq{Text: nd.Name, Node: p})
		}
		for _, p := range placeLabels(lay, edgesOf(nw), reqs) {
			if math.IsNaN(p.Box.X0) || math.IsNaN(p.Box.Y0) {
				t.Fatalf("label %q at %v", p.Text, p.Box)
			}
		}
	})
}
