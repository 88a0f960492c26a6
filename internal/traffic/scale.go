package traffic

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
)

// Peak says which link directions a matrix is scaled against.
type Peak struct {
	// Utilization is the target: the busiest counted link direction runs
	// at this fraction of its capacity (0.5 = 50%) in the steady state.
	Utilization float64
	// MinCapacityBps leaves out links of a lower capacity (a stub's 155M
	// access link on a 10G backbone); 0 counts every link.
	MinCapacityBps float64
	// Classes, when not empty, counts only links of these classes ("" is
	// a link without a class).
	Classes []string
}

// Scaled says what a matrix was scaled to.
type Scaled struct {
	// Factor multiplied every demand.
	Factor float64
	// TotalBps is the sum of the demands after scaling.
	TotalBps float64
	// Link is the busiest counted link, From its direction; it runs at
	// the target utilisation.
	Link, From string
	// CapacityBps is that link's capacity.
	CapacityBps float64
	// MaxUtilization is the busiest direction of all links, counted or
	// not: above the target when a link left out is busier.
	MaxUtilization float64
	// MaxLink, MaxFrom are that direction.
	MaxLink, MaxFrom string
}

// ScaleToPeakUtilization multiplies every demand of net (in place) by one
// factor so that the busiest counted link direction (p) in the steady
// state runs at p.Utilization, and says what it scaled to. Link loads are
// linear in the demands for fixed routing, so one simulation suffices.
// It fails when the target is not positive and finite, when there are no
// demands, or when no counted link carries traffic.
func ScaleToPeakUtilization(net *topology.Network, p Peak) (*Scaled, error) {
	if !(p.Utilization > 0) || math.IsInf(p.Utilization, 0) {
		return nil, fmt.Errorf("peak utilization %v must be a positive number such as 0.5", p.Utilization)
	}
	if len(net.Demands) == 0 {
		return nil, errors.New("scale demands: the network has no demands")
	}
	m, err := sim.Compile(net)
	if err != nil {
		return nil, fmt.Errorf("scale demands: %w", err)
	}
	s := m.Solve(m.Baseline())
	peak, arc := 0.0, -1
	for a := range m.NumArcs() {
		l := net.Links[a/2]
		if l.CapacityBps < p.MinCapacityBps || len(p.Classes) > 0 && !slices.Contains(p.Classes, l.Class) {
			continue
		}
		if u := s.Utilization(a); u > peak {
			peak, arc = u, a
		}
	}
	if !(peak > 0) || math.IsInf(peak, 0) {
		if p.MinCapacityBps > 0 || len(p.Classes) > 0 {
			return nil, errors.New("scale demands: no counted link carries traffic (lower the minimum capacity, or name other link classes)")
		}
		return nil, errors.New("scale demands: no link carries traffic (are the demands between connected nodes?)")
	}
	factor := p.Utilization / peak
	out := &Scaled{Factor: factor}
	for i := range net.Demands {
		net.Demands[i].RateBps *= factor
		out.TotalBps += net.Demands[i].RateBps
	}
	out.Link, out.From, out.CapacityBps = dir(net, m, arc)
	maxU, maxArc := s.MaxUtilization()
	out.MaxUtilization = maxU * factor
	out.MaxLink, out.MaxFrom, _ = dir(net, m, maxArc)
	return out, nil
}

func dir(net *topology.Network, m *sim.Model, arc int) (link, from string, capacity float64) {
	l := net.Links[arc/2]
	f, _ := m.ArcEnds(arc)
	return l.ID, net.Nodes[f].Name, l.CapacityBps
}

// RoundRates rounds every demand rate down to digits significant digits,
// so that a generated matrix is written as people write rates (8.333M,
// not 8.333333333333333e+06k); down, so that a matrix scaled to a peak
// stays at or under it.
func RoundRates(ds []topology.Demand, digits int) {
	for i := range ds {
		ds[i].RateBps = roundDown(ds[i].RateBps, digits)
	}
}

func roundDown(v float64, digits int) float64 {
	if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	exp := int(math.Floor(math.Log10(v))) - (digits - 1)
	mant := math.Floor(v / math.Pow(10, float64(exp)))
	// The double nearest to the decimal mant×10^exp, parsed from its
	// text: 8.333e6 exactly, not 8.332999999999999e6.
	r, err := strconv.ParseFloat(fmt.Sprintf("%.0fe%d", mant, exp), 64)
	if err != nil || r > v {
		return v
	}
	return r
}
