package report

import (
	"fmt"
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
			var reqs []labelReq
			for i, l := range nw.Links {
				if i%4 == 0 {
					reqs = append(reqs, labelReq{Text: l.ID + " 23% → 70%", Link: &[2]vec{lay.At[l.A], lay.At[l.B]}})
				}
			}
			for _, nd := range nw.Nodes {
				reqs = append(reqs, labelReq{Text: nd.Name, Node: lay.At[nd.Name]})
			}
			for _, o := range labelOverlaps(placeLabels(lay, edgesOf(nw), reqs)) {
				t.Errorf("labels %q and %q overlap", o[0], o[1])
			}
		})
	}
}
