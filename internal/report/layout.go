package report

import (
	"cmp"
	"maps"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/layout"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"

	"github.com/changegate/changegate/internal/topology"
)

// The picture's geometry, in SVG pixels. Node names and link labels are
// written in a monospace font, so that their width is known here: a
// character is 0.6 em wide in every common monospace font (DejaVu Sans
// Mono, Liberation Mono, Courier), labelCharW leaves some room above it.
const (
	layoutW      = 720.0 // the picture's width
	layoutMargin = 34.0  // room between the outermost nodes and the edge
	nodeR        = 6.0   // a node's radius
	nodeGap      = 30.0  // the least distance between two nodes' centres
	linkGap      = 13.0  // the least distance between a node and a link not its own
	labelFont    = 11.0  // the labels' font size
	labelCharW   = 6.8   // the width of one character at labelFont, with room
	labelH       = 14.0  // a label's height
)

// vec is a point of the picture.
type vec struct{ X, Y float64 }

func (a vec) sub(b vec) vec       { return vec{a.X - b.X, a.Y - b.Y} }
func (a vec) add(b vec) vec       { return vec{a.X + b.X, a.Y + b.Y} }
func (a vec) scale(f float64) vec { return vec{a.X * f, a.Y * f} }
func (a vec) length() float64     { return math.Hypot(a.X, a.Y) }
func (a vec) dist(b vec) float64  { return a.sub(b).length() }
func (a vec) norm() vec           { return a.scale(1 / a.length()) }

// box is a rectangle of the picture: a label's.
type box struct{ X0, Y0, X1, Y1 float64 }

func (b box) overlaps(c box) bool      { return b.X0 < c.X1 && c.X0 < b.X1 && b.Y0 < c.Y1 && c.Y0 < b.Y1 }
func (b box) inside(w, h float64) bool { return b.X0 >= 0 && b.Y0 >= 0 && b.X1 <= w && b.Y1 <= h }

// segDist is the distance from p to the segment a-b, and the point of
// the segment nearest to p.
func segDist(p, a, b vec) (float64, vec) {
	ab := b.sub(a)
	l2 := ab.X*ab.X + ab.Y*ab.Y
	t := 0.0
	if l2 > 0 {
		t = math.Max(0, math.Min(1, ((p.X-a.X)*ab.X+(p.Y-a.Y)*ab.Y)/l2))
	}
	q := a.add(ab.scale(t))
	return p.dist(q), q
}

// segHitsBox says whether the segment a-b crosses or lies in b (Liang-Barsky).
func segHitsBox(a, b vec, r box) bool {
	t0, t1 := 0.0, 1.0
	d := b.sub(a)
	for _, c := range [4][2]float64{{-d.X, a.X - r.X0}, {d.X, r.X1 - a.X}, {-d.Y, a.Y - r.Y0}, {d.Y, r.Y1 - a.Y}} {
		p, q := c[0], c[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// netLayout is where a picture puts the nodes of a network: its size and
// each node's centre. The same network gives the same layout.
type netLayout struct {
	W, H float64
	At   map[string]vec
}

// edge is a link as the layout sees it: its two nodes.
type edge struct{ A, B string }

// layoutNetwork places the nodes of n (all of them, or those of keep when
// keep is not nil, with the links between them):
//
//   - nodes with a position keep their geography: west to east and north
//     to south, each axis mapped half by value and half by rank, so that
//     a site of a few hundred metres among sites kilometres apart is not a
//     dot, and the map's order holds;
//   - nodes without one are placed among their neighbours with positions
//     (each at the mean of its neighbours, repeated until it settles);
//   - when no node of a connected part of the network has a position, the
//     part is laid out by gonum's IsomapR2, a stress layout (classical
//     multidimensional scaling of the hop distances between nodes): the
//     picture's distances follow the network's, deterministically;
//
// then nodes are moved apart until no two are closer than nodeGap and no
// node lies within linkGap of a link not its own (separate).
func layoutNetwork(n *topology.Network, keep map[string]bool) netLayout {
	var names []string
	geo := map[string]*topology.Position{}
	for _, nd := range n.Nodes {
		if keep != nil && !keep[nd.Name] {
			continue
		}
		names = append(names, nd.Name)
		if nd.Position != nil {
			geo[nd.Name] = nd.Position
		}
	}
	var edges []edge
	for _, l := range n.Links {
		if keep != nil && (!keep[l.A] || !keep[l.B]) || l.A == l.B {
			continue
		}
		edges = append(edges, edge{l.A, l.B})
	}
	h := math.Max(360, math.Min(560, 300+6*float64(len(names))))
	lay := netLayout{W: layoutW, H: h, At: map[string]vec{}}
	if len(names) == 0 {
		return lay
	}
	unit := map[string]vec{} // positions in [0,1]²
	for name, p := range geoUnit(geo) {
		unit[name] = p
	}
	parts := components(names, edges)
	var free [][]string // parts without any position
	for _, part := range parts {
		if !slices.ContainsFunc(part, func(s string) bool { return geo[s] != nil }) {
			free = append(free, part)
		}
	}
	if len(geo) > 0 {
		placeAmongNeighbours(names, edges, unit, geo)
	}
	// Parts without positions: side by side along the bottom when there
	// is a map above them, else across the whole picture.
	if len(free) > 0 {
		top := 0.0
		if len(geo) > 0 {
			top = 0.8
		}
		total := 0.0
		for _, part := range free {
			total += math.Sqrt(float64(len(part)))
		}
		x := 0.0
		for _, part := range free {
			w := math.Sqrt(float64(len(part))) / total
			for name, p := range isomap(part, edges) {
				unit[name] = vec{x + p.X*w, top + p.Y*(1-top)}
			}
			x += w
		}
	}
	for _, name := range names {
		u := unit[name]
		lay.At[name] = vec{layoutMargin + u.X*(lay.W-2*layoutMargin), layoutMargin + u.Y*(lay.H-2*layoutMargin)}
	}
	separate(names, edges, lay)
	return lay
}

// geoUnit maps positions into [0,1]², west to east and north to south:
// each axis half by value (longitudes scaled by the cosine of the mean
// latitude) and half by rank among the distinct values.
func geoUnit(geo map[string]*topology.Position) map[string]vec {
	out := map[string]vec{}
	if len(geo) == 0 {
		return out
	}
	lat := 0.0
	for _, name := range slices.Sorted(maps.Keys(geo)) { // in one order: a sum's last bits depend on it
		lat += geo[name].Lat
	}
	// Degrees: a degree of longitude is cos(latitude) of one of
	// latitude. Other coordinates (a plane) are taken as they are.
	k := math.Cos(lat / float64(len(geo)) * math.Pi / 180)
	for _, p := range geo {
		if math.Abs(p.Lat) > 90 || math.Abs(p.Lon) > 180 {
			k = 1
		}
	}
	xs, ys := map[string]float64{}, map[string]float64{}
	for name, p := range geo {
		xs[name], ys[name] = p.Lon*k, -p.Lat
	}
	ux, uy := axisUnit(xs), axisUnit(ys)
	for name := range geo {
		out[name] = vec{ux[name], uy[name]}
	}
	return out
}

// axisUnit maps values into [0,1], half by value and half by rank; 0.5
// for all when they are all the same.
func axisUnit(v map[string]float64) map[string]float64 {
	var distinct []float64
	for _, x := range v {
		distinct = append(distinct, x)
	}
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	out := map[string]float64{}
	lo, hi := distinct[0], distinct[len(distinct)-1]
	for name, x := range v {
		if hi == lo {
			out[name] = 0.5
			continue
		}
		if math.IsInf(hi-lo, 0) { // coordinates too far apart for a float64: by rank alone
			out[name] = float64(r0(distinct, x)) / float64(len(distinct)-1)
			continue
		}
		r, _ := slices.BinarySearch(distinct, x)
		out[name] = geoByValue*(x-lo)/(hi-lo) + (1-geoByValue)*float64(r)/float64(len(distinct)-1)
	}
	return out
}

// placeAmongNeighbours puts every node without a position at the mean of
// its neighbours' places, starting from the middle of the nodes with one
// and repeating (Tutte's barycentric placement: the nodes with positions
// stay where they are). Nodes of parts without positions are left alone.
func placeAmongNeighbours(names []string, edges []edge, unit map[string]vec, geo map[string]*topology.Position) {
	adj := adjacency(edges)
	var mid vec
	for _, name := range slices.Sorted(maps.Keys(geo)) {
		mid = mid.add(unit[name])
	}
	mid = mid.scale(1 / float64(len(geo)))
	var movable []string
	for _, name := range names {
		if geo[name] == nil {
			movable = append(movable, name)
			unit[name] = mid
		}
	}
	for range 200 {
		for _, name := range movable {
			var sum vec
			for _, m := range adj[name] {
				sum = sum.add(unit[m])
			}
			if len(adj[name]) > 0 {
				unit[name] = sum.scale(1 / float64(len(adj[name])))
			}
		}
	}
}

// adjacency lists each node's neighbours, in name order.
func adjacency(edges []edge) map[string][]string {
	adj := map[string][]string{}
	for _, e := range edges {
		adj[e.A] = append(adj[e.A], e.B)
		adj[e.B] = append(adj[e.B], e.A)
	}
	for k := range adj {
		slices.Sort(adj[k])
		adj[k] = slices.Compact(adj[k])
	}
	return adj
}

// orderedGraph is a gonum graph whose nodes come in id order, so that a
// layout over it is the same every time (a simple graph's come in map
// order).
type orderedGraph struct{ *simple.UndirectedGraph }

func (g orderedGraph) Nodes() graph.Nodes {
	ns := graph.NodesOf(g.UndirectedGraph.Nodes())
	sort.Slice(ns, func(i, j int) bool { return ns[i].ID() < ns[j].ID() })
	return iterator.NewOrderedNodes(ns)
}

// gonumGraph is the network of names as a gonum graph, node i being
// names[i]; only the edges between names are in it.
func gonumGraph(names []string, edges []edge) orderedGraph {
	g := simple.NewUndirectedGraph()
	id := map[string]int64{}
	for i, name := range names {
		id[name] = int64(i)
		g.AddNode(simple.Node(i))
	}
	for _, e := range edges {
		a, okA := id[e.A]
		b, okB := id[e.B]
		if okA && okB && a != b {
			g.SetEdge(g.NewEdge(simple.Node(a), simple.Node(b)))
		}
	}
	return orderedGraph{g}
}

// components are the connected parts of the network, each in name order,
// the largest first (then by their first name).
func components(names []string, edges []edge) [][]string {
	sorted := slices.Sorted(slices.Values(names))
	g := gonumGraph(sorted, edges)
	var out [][]string
	for _, c := range topo.ConnectedComponents(g) {
		part := make([]string, len(c))
		for i, nd := range c {
			part[i] = sorted[nd.ID()]
		}
		slices.Sort(part)
		out = append(out, part)
	}
	slices.SortFunc(out, func(a, b []string) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a[0], b[0]))
	})
	return out
}

// isomap lays out one connected part with gonum's IsomapR2, scaled into
// [0,1]² (each axis filling it: the first is the layout's widest). A part of one or two nodes, or
// one the scaling cannot place in two dimensions (a path), is laid out
// on a line.
func isomap(part []string, edges []edge) map[string]vec {
	out := map[string]vec{}
	g := gonumGraph(part, edges)
	pos := make([]vec, len(part))
	placed := false
	if len(part) > 2 {
		o := layout.NewOptimizerR2(g, layout.IsomapR2{}.Update)
		for o.Update() {
		}
		placed = true
		for i := range part {
			c := o.Coord2(int64(i))
			if math.IsNaN(c.X) || math.IsNaN(c.Y) || math.IsInf(c.X, 0) || math.IsInf(c.Y, 0) {
				placed = false
				break
			}
			pos[i] = vec{c.X, c.Y}
		}
		if placed {
			lo, hi := bounds(pos)
			placed = hi.X-lo.X > 1e-9 || hi.Y-lo.Y > 1e-9
		}
	}
	if !placed {
		// Along a line, in the order of a walk from the first node.
		order := walk(part, edges)
		for i, name := range order {
			pos[slices.Index(part, name)] = vec{float64(i), 0.5 * float64(i%2)}
		}
	}
	lo, hi := bounds(pos)
	fit := func(v, lo, hi float64) float64 {
		if hi-lo < 1e-9 {
			return 0.5
		}
		return (v - lo) / (hi - lo)
	}
	for i, name := range part {
		out[name] = vec{fit(pos[i].X, lo.X, hi.X), fit(pos[i].Y, lo.Y, hi.Y)}
	}
	return out
}

// walk is the nodes of a part in breadth-first order from its first.
func walk(part []string, edges []edge) []string {
	adj := adjacency(edges)
	seen := map[string]bool{part[0]: true}
	order := []string{part[0]}
	for i := 0; i < len(order); i++ {
		for _, m := range adj[order[i]] {
			if !seen[m] && slices.Contains(part, m) {
				seen[m] = true
				order = append(order, m)
			}
		}
	}
	for _, name := range part {
		if !seen[name] {
			order = append(order, name)
		}
	}
	return order
}

func bounds(ps []vec) (lo, hi vec) {
	lo, hi = vec{math.Inf(1), math.Inf(1)}, vec{math.Inf(-1), math.Inf(-1)}
	for _, p := range ps {
		lo = vec{math.Min(lo.X, p.X), math.Min(lo.Y, p.Y)}
		hi = vec{math.Max(hi.X, p.X), math.Max(hi.Y, p.Y)}
	}
	return lo, hi
}

// separate moves nodes, in name order and a little at a time, until no
// two are closer than nodeGap and none lies within linkGap of a link it
// is not an end of, or until a bounded number of rounds has passed (then
// some conflicts may remain: conflicts reports them). Two nodes in the
// same place are pushed apart in a direction given by their order, not
// by chance.
func separate(names []string, edges []edge, lay netLayout) {
	sorted := slices.Sorted(slices.Values(names))
	clamp := func(p vec) vec {
		return vec{
			math.Max(layoutMargin/2, math.Min(lay.W-layoutMargin/2, p.X)),
			math.Max(layoutMargin/2, math.Min(lay.H-layoutMargin/2, p.Y)),
		}
	}
	for round := range 400 {
		moved := false
		for i, a := range sorted {
			for _, b := range sorted[i+1:] {
				pa, pb := lay.At[a], lay.At[b]
				d := pa.dist(pb)
				if d >= nodeGap {
					continue
				}
				var dir vec
				if d > 1e-6 {
					dir = pa.sub(pb).norm()
				} else {
					ang := float64(i+round) * 2.399963 // the golden angle
					dir = vec{math.Cos(ang), math.Sin(ang)}
				}
				push := (nodeGap - d) / 2 * 1.05
				lay.At[a] = clamp(pa.add(dir.scale(push)))
				lay.At[b] = clamp(pb.sub(dir.scale(push)))
				moved = true
			}
		}
		for i, name := range sorted {
			for _, e := range edges {
				if e.A == name || e.B == name {
					continue
				}
				p, a, b := lay.At[name], lay.At[e.A], lay.At[e.B]
				d, q := segDist(p, a, b)
				if d >= linkGap {
					continue
				}
				var dir vec
				if d > 1e-6 {
					dir = p.sub(q).norm()
				} else {
					ab := b.sub(a)
					dir = vec{-ab.Y, ab.X}
					if dir.length() == 0 {
						dir = vec{0, 1}
					}
					dir = dir.norm()
					if (i+round)%2 == 1 {
						dir = dir.scale(-1)
					}
				}
				// Move the node most of the way, the link's ends a little
				// the other way: a node pressed against the picture's
				// edge still gets clear.
				deficit := linkGap - d + 0.5
				lay.At[name] = clamp(p.add(dir.scale(deficit * 0.75)))
				lay.At[e.A] = clamp(a.sub(dir.scale(deficit * 0.25)))
				lay.At[e.B] = clamp(b.sub(dir.scale(deficit * 0.25)))
				moved = true
			}
		}
		if !moved {
			return
		}
	}
	repair(sorted, edges, lay, clamp)
}

// repair moves each node still too close to another node or to a link
// not its own to the nearest place, in rings around it, where it and its
// links are clear of everything (fits): the passes of separate can leave
// a node caught between links that push it back and forth.
func repair(sorted []string, edges []edge, lay netLayout, clamp func(vec) vec) {
	adj := adjacency(edges)
	for range 3 {
		bad := map[string]bool{}
		for _, c := range conflicts(lay, edges) {
			bad[c.Node] = true
		}
		if len(bad) == 0 {
			return
		}
		for _, name := range sorted {
			if !bad[name] || fits(name, lay.At[name], lay, edges, adj) {
				continue
			}
			from := lay.At[name]
		search:
			for r := 4.0; r <= lay.W; r += 4 {
				for k := range 24 {
					ang := float64(k) * math.Pi / 12
					p := from.add(vec{math.Cos(ang) * r, math.Sin(ang) * r})
					if p != clamp(p) {
						continue
					}
					if fits(name, p, lay, edges, adj) {
						lay.At[name] = p
						break search
					}
				}
			}
		}
	}
}

// fits says whether node name at p is clear of every other node and of
// every link not its own, and its links at p pass no other node.
func fits(name string, p vec, lay netLayout, edges []edge, adj map[string][]string) bool {
	for other, q := range lay.At {
		if other != name && p.dist(q) < nodeGap {
			return false
		}
	}
	for _, e := range edges {
		if e.A == name || e.B == name {
			continue
		}
		if d, _ := segDist(p, lay.At[e.A], lay.At[e.B]); d < linkGap {
			return false
		}
	}
	for _, m := range adj[name] {
		for other, q := range lay.At {
			if other == name || other == m {
				continue
			}
			if d, _ := segDist(q, p, lay.At[m]); d < linkGap {
				return false
			}
		}
	}
	return true
}

// conflict is a node too close to another node or to a link not its own.
type conflict struct {
	Node, Other string // Other is a node, or a link as "a-b"
	Dist        float64
}

// conflicts are the nodes of lay closer than nodeGap to another node
// (less a pixel) or than linkGap to a link not their own.
func conflicts(lay netLayout, edges []edge) []conflict {
	var out []conflict
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range lay.At {
			if !yield(k) {
				return
			}
		}
	})
	for i, a := range names {
		for _, b := range names[i+1:] {
			if d := lay.At[a].dist(lay.At[b]); d < nodeGap-1 {
				out = append(out, conflict{a, b, d})
			}
		}
		for _, e := range edges {
			if e.A == a || e.B == a {
				continue
			}
			pa, okA := lay.At[e.A]
			pb, okB := lay.At[e.B]
			if !okA || !okB {
				continue
			}
			if d, _ := segDist(lay.At[a], pa, pb); d < linkGap-1 {
				out = append(out, conflict{a, e.A + "-" + e.B, d})
			}
		}
	}
	return out
}

// geoByValue is the share of a coordinate's value in where a node with a
// position is drawn; the rest is its rank (axisUnit).
const geoByValue = 0.3

// r0 is the rank of x among the sorted distinct values.
func r0(distinct []float64, x float64) int {
	r, _ := slices.BinarySearch(distinct, x)
	return r
}
