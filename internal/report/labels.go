package report

import (
	"math"
	"unicode/utf8"
)

// labelReq is a text to write on a picture: beside a link (the label of
// its utilisation) or beside a node (its name).
type labelReq struct {
	Text string
	// Link is the labelled link's ends; nil for a node's label.
	Link *[2]vec
	// Node is the named node's centre, for a node's label.
	Node vec
}

// placed is where a label is written: its box, and the point a leader
// line joins it to when it had to go away from what it labels (Leader).
type placed struct {
	Text   string
	Box    box
	Leader bool
	From   vec
}

// labelSize is the box a label of text takes.
func labelSize(text string) (w, h float64) {
	return float64(utf8.RuneCountInString(text))*labelCharW + 2, labelH
}

// placeLabels places each label, in order, where it overlaps no other
// label and no node and stays inside the picture: near what it labels,
// preferring places that cross fewest links (a link label beside its
// link, at its middle first; a node's name right of it first). One that
// finds no place nearby goes farther away, joined by a leader line. The
// same requests give the same places.
func placeLabels(lay netLayout, edges []edge, reqs []labelReq) []placed {
	var taken []box
	for _, p := range lay.At {
		taken = append(taken, box{p.X - nodeR - 1, p.Y - nodeR - 1, p.X + nodeR + 1, p.Y + nodeR + 1})
	}
	free := func(b box) bool {
		if !b.inside(lay.W, lay.H) {
			return false
		}
		for _, t := range taken {
			if b.overlaps(t) {
				return false
			}
		}
		return true
	}
	crossings := func(b box) int {
		n := 0
		for _, e := range edges {
			a, okA := lay.At[e.A]
			c, okB := lay.At[e.B]
			if okA && okB && segHitsBox(a, c, b) {
				n++
			}
		}
		return n
	}
	out := make([]placed, len(reqs))
	for i, r := range reqs {
		w, h := labelSize(r.Text)
		at := func(c vec) box { return box{c.X - w/2, c.Y - h/2, c.X + w/2, c.Y + h/2} }
		var near []vec   // centres, best first
		var points []vec // for a link label, the point of the link each is beside
		anchor := r.Node
		if r.Link != nil {
			a, b := r.Link[0], r.Link[1]
			anchor = a.add(b).scale(0.5)
			d := b.sub(a)
			n := vec{0, -1}
			if d.length() > 0 {
				n = vec{-d.Y, d.X}.norm()
			}
			// The box's half extent along the normal.
			ext := math.Abs(n.X)*w/2 + math.Abs(n.Y)*h/2
			for _, t := range []float64{0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8} {
				p := a.add(d.scale(t))
				for _, off := range []float64{3, 10, 20} {
					for _, side := range []float64{1, -1} {
						near = append(near, p.add(n.scale(side*(off+ext))))
						points = append(points, p)
					}
				}
			}
		} else {
			p := r.Node
			g := nodeR + 3
			near = append(near,
				vec{p.X + g + w/2, p.Y}, vec{p.X - g - w/2, p.Y},
				vec{p.X, p.Y - g - h/2}, vec{p.X, p.Y + g + h/2},
				vec{p.X + g + w/2, p.Y - g}, vec{p.X + g + w/2, p.Y + g},
				vec{p.X - g - w/2, p.Y - g}, vec{p.X - g - w/2, p.Y + g},
			)
		}
		best, bestScore := box{}, math.Inf(1)
		for j, c := range near {
			b := at(c)
			if !free(b) {
				continue
			}
			if s := float64(crossings(b))*40 + float64(j)*0.01; s < bestScore {
				best, bestScore = b, s
				if points != nil {
					anchor = points[j]
				}
			}
		}
		leader := false
		if math.IsInf(bestScore, 1) {
			// Farther away, around what it labels, joined by a line.
			for rad := 24.0; rad <= 2*(lay.W+lay.H) && math.IsInf(bestScore, 1); rad += 12 {
				for k := range 24 {
					ang := float64(k) * math.Pi / 12
					b := at(anchor.add(vec{math.Cos(ang) * (rad + w/2), math.Sin(ang) * (rad + h/2)}))
					if !free(b) {
						continue
					}
					if s := float64(crossings(b)) * 40; s < bestScore {
						best, bestScore = b, s
					}
				}
			}
			leader = !math.IsInf(bestScore, 1)
		}
		if math.IsInf(bestScore, 1) {
			// No free place in the whole picture: at its anchor.
			best = at(anchor)
		}
		// A link's label not right beside its link is joined to it.
		if r.Link != nil && boxDist(best, anchor) > 8 {
			leader = true
		}
		taken = append(taken, best)
		out[i] = placed{Text: r.Text, Box: best, Leader: leader, From: anchor}
	}
	return out
}

// labelOverlaps are the pairs of placed labels that overlap.
func labelOverlaps(ps []placed) [][2]string {
	var out [][2]string
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			if ps[i].Box.overlaps(ps[j].Box) {
				out = append(out, [2]string{ps[i].Text, ps[j].Text})
			}
		}
	}
	return out
}

// boxDist is the distance from p to the nearest point of b (0 inside).
func boxDist(b box, p vec) float64 {
	return p.dist(b.clampPoint(p))
}

// clampPoint is the point of b nearest to p.
func (b box) clampPoint(p vec) vec {
	return vec{math.Max(b.X0, math.Min(b.X1, p.X)), math.Max(b.Y0, math.Min(b.Y1, p.Y))}
}
