package sim_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
)

// clos builds a 3-tier Clos: pods of ToRs fully meshed to their pod's
// aggregation switches, and aggregation switch j of every pod connected to
// spine plane j. Demands run between every pair of ToRs.
func clos(pods, tors, aggs, spinesPerPlane int, demandBps float64) *topology.Network {
	net := &topology.Network{Name: fmt.Sprintf("clos-%dx%dx%d", pods, tors, aggs)}
	add := func(name, role string) { net.Nodes = append(net.Nodes, topology.Node{Name: name, Role: role}) }
	link := func(a, b string, capG float64) {
		net.Links = append(net.Links, topology.Link{ID: a + "-" + b, A: a, B: b, CapacityBps: capG * 1e9, MetricAB: 1, MetricBA: 1, Up: true})
	}
	for j := 0; j < aggs; j++ {
		for s := 0; s < spinesPerPlane; s++ {
			add(fmt.Sprintf("spine%d-%d", j, s), "spine")
		}
	}
	var torNames []string
	for p := 0; p < pods; p++ {
		for j := 0; j < aggs; j++ {
			agg := fmt.Sprintf("agg%d-%d", p, j)
			add(agg, "agg")
			for s := 0; s < spinesPerPlane; s++ {
				link(agg, fmt.Sprintf("spine%d-%d", j, s), 400)
			}
		}
		for i := 0; i < tors; i++ {
			tor := fmt.Sprintf("tor%d-%d", p, i)
			add(tor, "tor")
			torNames = append(torNames, tor)
			for j := 0; j < aggs; j++ {
				link(tor, fmt.Sprintf("agg%d-%d", p, j), 100)
			}
		}
	}
	net.Demands = make([]topology.Demand, 0, len(torNames)*(len(torNames)-1))
	for _, s := range torNames {
		for _, d := range torNames {
			if s != d {
				net.Demands = append(net.Demands, topology.Demand{Src: s, Dst: d, RateBps: demandBps})
			}
		}
	}
	return net
}

// wan builds a random geographic WAN: routers on a plane, each linked to
// its nearest neighbours until the link budget is spent (plus a ring for
// connectivity), metrics from distance, and demands between every pair
// with gravity-like random rates.
func wan(routers, links int, seed uint64) *topology.Network {
	r := rand.New(rand.NewPCG(seed, 7))
	net := &topology.Network{Name: fmt.Sprintf("wan-%d", routers)}
	xs, ys := make([]float64, routers), make([]float64, routers)
	weight := make([]float64, routers)
	for i := 0; i < routers; i++ {
		xs[i], ys[i] = r.Float64(), r.Float64()
		weight[i] = 0.2 + r.ExpFloat64()
		net.Nodes = append(net.Nodes, topology.Node{Name: fmt.Sprintf("r%d", i)})
	}
	seen := map[[2]int]bool{}
	add := func(a, b int) bool {
		if a == b || seen[[2]int{min(a, b), max(a, b)}] {
			return false
		}
		seen[[2]int{min(a, b), max(a, b)}] = true
		d := math.Hypot(xs[a]-xs[b], ys[a]-ys[b])
		capG := []float64{10, 40, 100, 100, 400}[r.IntN(5)]
		net.Links = append(net.Links, topology.Link{
			ID: fmt.Sprintf("r%d-r%d", a, b), A: net.Nodes[a].Name, B: net.Nodes[b].Name,
			CapacityBps: capG * 1e9, MetricAB: 1 + int64(d*1000), MetricBA: 1 + int64(d*1000), Up: true,
			SRLG: []string{fmt.Sprintf("conduit-%d", len(net.Links)%(links/4))},
		})
		return true
	}
	for i := 0; i < routers; i++ {
		add(i, (i+1)%routers)
	}
	type cand struct {
		a, b int
		d    float64
	}
	var cands []cand
	for i := 0; i < routers; i++ {
		var near []cand
		for j := 0; j < routers; j++ {
			if i != j {
				near = append(near, cand{i, j, math.Hypot(xs[i]-xs[j], ys[i]-ys[j])})
			}
		}
		sort.Slice(near, func(x, y int) bool { return near[x].d < near[y].d })
		cands = append(cands, near[:12]...)
	}
	sort.Slice(cands, func(x, y int) bool { return cands[x].d < cands[y].d })
	for _, c := range cands {
		if len(net.Links) >= links {
			break
		}
		add(c.a, c.b)
	}
	net.Demands = make([]topology.Demand, 0, routers*(routers-1))
	for s := 0; s < routers; s++ {
		for d := 0; d < routers; d++ {
			if s != d {
				net.Demands = append(net.Demands, topology.Demand{Src: net.Nodes[s].Name, Dst: net.Nodes[d].Name, RateBps: 1e6 * weight[s] * weight[d]})
			}
		}
	}
	return net
}

// plan20 derives a deterministic 20-step change sequence from the busiest
// links and nodes of the baseline: cost-outs, link downs, drains and
// their reversals, the shape of real maintenance.
func plan20(m *sim.Model) []*sim.Config {
	base := m.Solve(m.Baseline())
	type arcLoad struct {
		link int
		load float64
	}
	var busy []arcLoad
	for a, l := range base.Load {
		busy = append(busy, arcLoad{a / 2, l})
	}
	sort.SliceStable(busy, func(i, j int) bool { return busy[i].load > busy[j].load })
	var picks []int
	seen := map[int]bool{}
	for _, b := range busy {
		if !seen[b.link] {
			seen[b.link] = true
			picks = append(picks, b.link)
		}
		if len(picks) == 10 {
			break
		}
	}
	c := m.Baseline()
	var out []*sim.Config
	for i := 0; i < 20; i++ {
		c = c.Clone()
		l := picks[(i/2)%len(picks)]
		switch i % 4 {
		case 0: // cost out
			c.Metric[2*l], c.Metric[2*l+1] = 65535, 65535
		case 1: // cost back in
			c.Metric[2*l], c.Metric[2*l+1] = m.Net.Links[l].MetricAB, m.Net.Links[l].MetricBA
		case 2: // drain a busy node
			a, _ := m.ArcEnds(2 * l)
			c.Drained[a] = true
		case 3: // undrain it, and take a link down
			a, _ := m.ArcEnds(2 * picks[((i-1)/2)%len(picks)])
			c.Drained[a] = false
			c.Up[picks[(i+3)%len(picks)]] = false
		}
		out = append(out, c)
	}
	return out
}
