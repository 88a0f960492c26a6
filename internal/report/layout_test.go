package report

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// net builds a network: nodes "name" or "name@lat,lon", links "a-b".
func net(nodes []string, links ...string) *topology.Network {
	n := &topology.Network{}
	for _, s := range nodes {
		var name string
		var lat, lon float64
		if k, err := fmt.Sscanf(s, "%1s@%f,%f", &name, &lat, &lon); err == nil && k == 3 {
			n.Nodes = append(n.Nodes, topology.Node{Name: name, Position: &topology.Position{Lat: lat, Lon: lon}})
			continue
		}
		n.Nodes = append(n.Nodes, topology.Node{Name: s})
	}
	for _, l := range links {
		var a, b string
		for i := range l {
			if l[i] == '-' {
				a, b = l[:i], l[i+1:]
				break
			}
		}
		n.Links = append(n.Links, topology.Link{ID: l, A: a, B: b, Up: true})
	}
	return n
}

// grid is a w×h grid network without positions.
func grid(w, h int) *topology.Network {
	n := &topology.Network{}
	name := func(x, y int) string { return fmt.Sprintf("g%d_%d", x, y) }
	for y := range h {
		for x := range w {
			n.Nodes = append(n.Nodes, topology.Node{Name: name(x, y)})
			if x > 0 {
				n.Links = append(n.Links, topology.Link{ID: name(x-1, y) + "-" + name(x, y), A: name(x-1, y), B: name(x, y)})
			}
			if y > 0 {
				n.Links = append(n.Links, topology.Link{ID: name(x, y-1) + "-" + name(x, y), A: name(x, y-1), B: name(x, y)})
			}
		}
	}
	return n
}

func loadTopology(t *testing.T, path string) *topology.Network {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, ds := topology.Parse(filepath.Base(path), data, topology.ParseOptions{})
	if n == nil {
		t.Fatalf("%s: %v", path, ds)
	}
	return n
}

// geant is Topology Zoo's Geant2012: 40 nodes, 3 of them without a
// position; nil when the data is not there.
func geant(t *testing.T) *topology.Network {
	t.Helper()
	f, err := os.Open("../../../shared/data/topology-zoo/graphml/Geant2012.graphml")
	if err != nil {
		return nil
	}
	defer f.Close()
	n, _, err := importer.GraphML(f, "Geant2012.graphml", importer.GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func edgesOf(n *topology.Network) []edge {
	var out []edge
	for _, l := range n.Links {
		out = append(out, edge{l.A, l.B})
	}
	return out
}

// TestLayout: whatever the network, the layout puts every node inside
// the picture, no two nodes on each other, no node on a link not its own,
// and gives the same positions every time.
func TestLayout(t *testing.T) {
	star := []string{"hub"}
	var spokes []string
	for i := range 12 {
		star = append(star, fmt.Sprintf("s%02d", i))
		spokes = append(spokes, fmt.Sprintf("hub-s%02d", i))
	}
	cases := []struct {
		name string
		n    *topology.Network
	}{
		{"april-2011 (all positions, two compact sites)", loadTopology(t, "../../examples/april-2011.yaml")},
		// The reported failure: a node exactly on the line between two
		// others that are linked.
		{"a node on a link's straight line", net([]string{"a@0,0", "b@0,1", "c@0,2"}, "a-c", "a-b")},
		{"same position twice", net([]string{"a@1,1", "b@1,1", "c@2,2"}, "a-b", "b-c", "a-c")},
		{"no positions: a star", net(star, spokes...)},
		{"no positions: a path", net([]string{"a", "b", "c", "d", "e"}, "a-b", "b-c", "c-d", "d-e")},
		{"no positions: a 6x5 grid", grid(6, 5)},
		{"no positions: two parts and a lone node", net([]string{"a", "b", "c", "d", "e", "f", "z"}, "a-b", "b-c", "c-a", "d-e", "e-f")},
		{"some positions", net([]string{"a@50,0", "b@50,10", "c@40,5", "x", "y"}, "a-b", "b-c", "c-a", "x-a", "x-b", "y-c")},
		{"plane coordinates, far apart", net([]string{"a@1e308,-1e308", "b@-1e308,1e308", "c@500,400", "d@-500,-400"}, "a-b", "b-c", "c-d")},
		{"one node", net([]string{"a"})},
		{"two nodes", net([]string{"a", "b"}, "a-b")},
	}
	if g := geant(t); g != nil {
		cases = append(cases, struct {
			name string
			n    *topology.Network
		}{"Geant2012 (3 of 40 without positions)", g})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lay := layoutNetwork(tc.n, nil)
			if len(lay.At) != len(tc.n.Nodes) {
				t.Fatalf("%d nodes placed of %d", len(lay.At), len(tc.n.Nodes))
			}
			for name, p := range lay.At {
				if p.X < nodeR || p.Y < nodeR || p.X > lay.W-nodeR || p.Y > lay.H-nodeR || math.IsNaN(p.X) || math.IsNaN(p.Y) {
					t.Errorf("%s at %v: outside the %vx%v picture", name, p, lay.W, lay.H)
				}
			}
			for _, c := range conflicts(lay, edgesOf(tc.n)) {
				t.Errorf("%s is %.1f from %s", c.Node, c.Dist, c.Other)
			}
			if d := cmp.Diff(lay, layoutNetwork(tc.n, nil)); d != "" {
				t.Errorf("two layouts of the same network differ:\n%s", d)
			}
		})
	}
}

// TestLayoutKeepsGeography: nodes with positions stay west of the nodes
// east of them and north of those south of them, wherever the map order
// is clear (the separation moves nodes by a few pixels), and nodes
// without positions are placed near their neighbours.
func TestLayoutKeepsGeography(t *testing.T) {
	for _, n := range []*topology.Network{loadTopology(t, "../../examples/april-2011.yaml"), geant(t)} {
		if n == nil {
			continue
		}
		t.Run(n.Name, func(t *testing.T) {
			lay := layoutNetwork(n, nil)
			geo := map[string]*topology.Position{}
			for _, nd := range n.Nodes {
				if nd.Position != nil {
					geo[nd.Name] = nd.Position
				}
			}
			unit := geoUnit(geo)
			for a, pa := range unit {
				for b, pb := range unit {
					if pb.X-pa.X > 0.1 && lay.At[b].X <= lay.At[a].X {
						t.Errorf("%s is east of %s on the map, not in the picture", b, a)
					}
					if pb.Y-pa.Y > 0.1 && lay.At[b].Y <= lay.At[a].Y {
						t.Errorf("%s is south of %s on the map, not in the picture", b, a)
					}
				}
			}
			// Without a position: nearer its neighbours than the
			// picture's mean distance between nodes.
			adj := adjacency(edgesOf(n))
			var mean float64
			var pairs int
			for a, pa := range lay.At {
				for b, pb := range lay.At {
					if a < b {
						mean += pa.dist(pb)
						pairs++
					}
				}
			}
			mean /= float64(pairs)
			for _, nd := range n.Nodes {
				if nd.Position != nil || len(adj[nd.Name]) == 0 {
					continue
				}
				var d float64
				for _, m := range adj[nd.Name] {
					d += lay.At[nd.Name].dist(lay.At[m])
				}
				if d /= float64(len(adj[nd.Name])); d > mean/2 {
					t.Errorf("%s (no position) is %.0f from its neighbours on average; nodes are %.0f apart", nd.Name, d, mean)
				}
			}
		})
	}
}

// TestPlaceLabels: labels overlap neither each other nor nodes, stay in
// the picture, and are placed the same way every time; a link's label
// is beside its link or joined to it by a leader line.
func TestPlaceLabels(t *testing.T) {
	cases := []*topology.Network{loadTopology(t, "../../examples/april-2011.yaml"), grid(6, 5)}
	if g := geant(t); g != nil {
		cases = append(cases, g)
	}
	for _, n := range cases {
		t.Run(fmt.Sprintf("%s %d nodes", n.Name, len(n.Nodes)), func(t *testing.T) {
			lay := layoutNetwork(n, nil)
			reqs := testLabels(n, lay, 3, " 23% → 70%, N-1 700%")
			ps := placeLabels(lay, edgesOf(n), reqs)
			for _, o := range labelOverlaps(ps) {
				t.Errorf("labels %q and %q overlap", o[0], o[1])
			}
			for _, p := range ps {
				if !p.Box.inside(lay.W, lay.H) {
					t.Errorf("%q at %v: outside the picture", p.Text, p.Box)
				}
				for name, at := range lay.At {
					if boxDist(p.Box, at) < nodeR {
						t.Errorf("%q at %v covers node %s at %v", p.Text, p.Box, name, at)
					}
				}
			}
			for i, r := range reqs {
				if r.Link != nil && !ps[i].Leader {
					if d, _ := segDist(ps[i].Box.clampPoint(ps[i].From), r.Link[0], r.Link[1]); d > 8 {
						t.Errorf("%q is %.0f from its link without a leader line", r.Text, d)
					}
				}
			}
			if d := cmp.Diff(ps, placeLabels(lay, edgesOf(n), reqs)); d != "" {
				t.Errorf("two placements differ:\n%s", d)
			}
		})
	}
}

// TestSegmentGeometry pins the geometry the layout and labels rely on.
func TestSegmentGeometry(t *testing.T) {
	for _, tc := range []struct {
		p, a, b vec
		want    float64
	}{
		{vec{0, 1}, vec{-1, 0}, vec{1, 0}, 1},
		{vec{3, 4}, vec{0, 0}, vec{0, 0}, 5},
		{vec{2, 0}, vec{-1, 0}, vec{1, 0}, 1},
		{vec{0, 0}, vec{-1, 0}, vec{1, 0}, 0},
	} {
		if got, _ := segDist(tc.p, tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("segDist(%v, %v-%v) = %v, want %v", tc.p, tc.a, tc.b, got, tc.want)
		}
	}
	r := box{0, 0, 10, 10}
	for _, tc := range []struct {
		a, b vec
		want bool
	}{
		{vec{-5, 5}, vec{15, 5}, true},
		{vec{-5, -5}, vec{-1, 20}, false},
		{vec{2, 2}, vec{3, 3}, true},
		{vec{-5, 11}, vec{15, 11}, false},
		{vec{-5, 0}, vec{5, 20}, true},
	} {
		if got := segHitsBox(tc.a, tc.b, r); got != tc.want {
			t.Errorf("segHitsBox(%v-%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestPictureScope: a network of more than pictureMaxNodes nodes is
// drawn around what the plan touches (its devices, the links it changes
// and labels, their neighbours), at most pictureMaxNodes nodes, and the
// note says what is left out; a smaller one is drawn whole.
func TestPictureScope(t *testing.T) {
	big := grid(15, 10) // 150 nodes
	v := &gate.Verdict{
		Network: big,
		Plan: &plans.Plan{Steps: []plans.Step{
			{Name: "one", Devices: []string{"g0_0"}, Effects: []plans.Effect{{Type: plans.LinkDown, Link: "g0_0-g1_0"}}},
			{Name: "two", Devices: []string{"g14_9"}},
		}},
		DryRun: &dryrun.Result{States: make([]dryrun.State, 3)},
	}
	labels := [][]pictureLink{{{ID: "g5_5-g6_5"}}, nil}
	keep, note := pictureScope(v, labels)
	for _, want := range []string{"g0_0", "g1_0", "g5_5", "g6_5", "g14_9", "g0_1", "g5_4"} {
		if !keep[want] {
			t.Errorf("%s is not drawn", want)
		}
	}
	if len(keep) != pictureMaxNodes {
		t.Errorf("%d nodes drawn, want %d", len(keep), pictureMaxNodes)
	}
	if want := "The pictures show 60 of the 150 nodes: the 5 nodes the plan configures or changes or whose links they label, and the 55 nodes nearest them; 90 nodes and"; !strings.HasPrefix(note, want) {
		t.Errorf("note %q, want it to start with %q", note, want)
	}
	lay := layoutNetwork(big, keep)
	if len(lay.At) != len(keep) {
		t.Errorf("%d nodes placed, %d kept", len(lay.At), len(keep))
	}
	var kept []edge
	for _, e := range edgesOf(big) {
		if keep[e.A] && keep[e.B] {
			kept = append(kept, e)
		}
	}
	for _, c := range conflicts(lay, kept) {
		t.Errorf("%s is %.1f from %s", c.Node, c.Dist, c.Other)
	}

	// A plan that configures more nodes than a picture has room for:
	// the first pictureMaxNodes, and the note names some of the others.
	var many []string
	for x := range 10 {
		for y := range 10 {
			many = append(many, fmt.Sprintf("g%d_%d", x, y))
		}
	}
	v.Plan.Steps[1].Devices = many
	keep, note = pictureScope(v, labels)
	if len(keep) != pictureMaxNodes || !keep["g0_0"] || !keep["g1_0"] || keep["g9_9"] {
		t.Errorf("%d nodes kept (g0_0 %v, g1_0 %v, g9_9 %v)", len(keep), keep["g0_0"], keep["g1_0"], keep["g9_9"])
	}
	if want := "The pictures show 60 of the 150 nodes: the first 60 nodes the plan configures or changes or whose links they label (40 more are left out, among them g6_0, g6_1, g6_2, g6_3, g6_4); 90 nodes and"; !strings.HasPrefix(note, want) {
		t.Errorf("note %q, want it to start with %q", note, want)
	}

	v.Network = grid(6, 5)
	if keep, note := pictureScope(v, labels); keep != nil || note != "" {
		t.Errorf("a network of 30 nodes is not drawn whole: %v %q", keep, note)
	}
}

// testLabels asks for a label on every every-th link of n (its id and
// suffix), then for every node's name.
func testLabels(n *topology.Network, lay netLayout, every int, suffix string) []labelReq {
	var reqs []labelReq
	for i, l := range n.Links {
		if i%every == 0 {
			reqs = append(reqs, labelReq{Text: l.ID + suffix, Link: &[2]vec{lay.At[l.A], lay.At[l.B]}})
		}
	}
	for _, nd := range n.Nodes {
		reqs = append(reqs, labelReq{Text: nd.Name, Node: lay.At[nd.Name]})
	}
	return reqs
}
