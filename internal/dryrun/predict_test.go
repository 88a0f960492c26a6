package dryrun

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/traffic"
	"github.com/changegate/changegate/plans"
)

// The square p1-p2-p4, p1-p3-p4 with a spur p4-p5, all metrics 10.
const predictTopology = `
nodes: [{name: p1}, {name: p2}, {name: p3}, {name: p4}, {name: p5}]
links:
  - {a: p1, b: p2, capacity: 10G, metric: 10}
  - {a: p1, b: p3, capacity: 10G, metric: 10}
  - {a: p2, b: p4, capacity: 10G, metric: 10}
  - {a: p3, b: p4, capacity: 10G, metric: 10}
  - {a: p4, b: p5, capacity: 10G, metric: 10}
`

const predictPlan = `title: predict
steps:
  - name: raise p2-p4 from p2
    effects: [{type: set_metric, link: p2-p4, metric: 100, from: p2}]
  - name: drain p3
    effects: [{type: drain, node: p3}]
  - name: cut p5 off
    effects: [{type: link_down, link: p4-p5}]
  - name: restore all but the cut
    effects: [{type: undrain, node: p3}, {type: set_metric, link: p2-p4, metric: 10}]
`

func parseNet(t testing.TB, src string) *topology.Network {
	t.Helper()
	n, ds := topology.Parse("t.yaml", []byte(src), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return n
}

func parsePlan(t testing.TB, src string) *plans.Plan {
	t.Helper()
	p, ds := plans.Parse("p.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p
}

func TestPredict(t *testing.T) {
	net := parseNet(t, predictTopology)
	pred, err := Predict(context.Background(), net, parsePlan(t, predictPlan), []string{"p1", "p4", "p2", "p1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"p1", "p4", "p2"}; !slices.Equal(pred.Nodes, want) {
		t.Errorf("nodes %v, want %v (as asked, each once)", pred.Nodes, want)
	}
	if len(pred.States) != 5 {
		t.Fatalf("%d states, want 5", len(pred.States))
	}
	none := []string{}
	tests := []struct {
		name       string
		state      int
		node, dest string
		want       []string
	}{
		{"ECMP in the baseline", 0, "p1", "p4", []string{"p2", "p3"}},
		{"ECMP continues past the square", 0, "p1", "p5", []string{"p2", "p3"}},
		{"a direct neighbour", 0, "p1", "p2", []string{"p2"}},
		{"the other direction", 0, "p4", "p1", []string{"p2", "p3"}},
		{"a metric change moves the next hop", 1, "p1", "p4", []string{"p3"}},
		{"only the direction changed", 1, "p4", "p1", []string{"p2", "p3"}},
		{"from p2 itself", 1, "p2", "p4", []string{"p1"}},
		{"a drained node carries no transit", 2, "p1", "p4", []string{"p2"}},
		{"but is reached", 2, "p1", "p3", []string{"p3"}},
		{"p2 around the drained p3", 2, "p2", "p5", []string{"p4"}},
		{"a link down makes p5 unreachable", 3, "p1", "p5", none},
		{"from its other end too", 3, "p4", "p5", none},
		{"ECMP back, p5 still cut off", 4, "p1", "p4", []string{"p2", "p3"}},
		{"still unreachable", 4, "p2", "p5", none},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pred.States[tt.state][tt.node][tt.dest]
			if !ok {
				t.Fatalf("state %d: no prediction %s -> %s", tt.state, tt.node, tt.dest)
			}
			if got == nil || !slices.Equal(got, tt.want) {
				t.Errorf("state %d: %s -> %s via %#v, want %#v", tt.state, tt.node, tt.dest, got, tt.want)
			}
		})
	}
	for k, st := range pred.States {
		for node, dests := range st {
			if _, self := dests[node]; self || len(dests) != len(net.Nodes)-1 {
				t.Errorf("state %d: %s has %d destinations (self included: %v), want every other node", k, node, len(dests), self)
			}
		}
	}
}

func TestPredictorErrors(t *testing.T) {
	net := parseNet(t, predictTopology)
	ctx := context.Background()
	if _, err := NewPredictor(net, parsePlan(t, "title: t\nsteps:\n  - name: a\n    effects: [{type: link_down, link: p9-p4}, {type: drain, node: p33}]\n"), nil); err == nil ||
		!strings.Contains(err.Error(), `unknown link "p9-p4"`) || !strings.Contains(err.Error(), `unknown node "p33"`) {
		t.Errorf("plan naming what the network lacks: %v", err)
	}
	pr, err := NewPredictor(net, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pr.States() != 1 {
		t.Errorf("without a plan: %d states, want 1", pr.States())
	}
	for _, tc := range []struct {
		name  string
		state int
		nodes []string
		ctx   context.Context
		want  string
	}{
		{"unknown node", 0, []string{"p1", "p6", "P2"}, ctx, `predict: unknown node "p6" (did you mean one of: "p1", "p2", "p3", "p4", "p5"?); unknown node "P2" (did you mean "p2"?)`},
		{"state out of range", 1, []string{"p1"}, ctx, "predict: state 1 out of range 0..0"},
		{"negative state", -1, []string{"p1"}, ctx, "out of range"},
		{"cancelled", 0, []string{"p1"}, cancelled(), "context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pr.NextHops(tc.ctx, tc.state, tc.nodes)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// A traffic matrix does not change the prediction, and the prediction is
// the one of the dry-run's states (same binding of the plan).
func TestPredictIgnoresTraffic(t *testing.T) {
	bare := parseNet(t, predictTopology)
	busy := parseNet(t, predictTopology+"demands:\n  - {src: p1, dst: p5, rate: 40G}\n  - {src: p5, dst: p2, rate: 1G}\n")
	p := parsePlan(t, predictPlan)
	a, err := Predict(context.Background(), bare, p, []string{"p1", "p2", "p3", "p4", "p5"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Predict(context.Background(), busy, p, []string{"p1", "p2", "p3", "p4", "p5"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("traffic changed the prediction:\n%s", diff)
	}
}

// TestPredictMatchesBruteForce checks Predict against an independent
// oracle on random networks and random plans: the effects applied by hand
// to a copy of the network, and Bellman-Ford distances toward each
// destination.
func TestPredictMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for trial := range 40 {
		net := randomNet(r, 2+r.IntN(14))
		p := randomPlan(r, net, 1+r.IntN(5))
		names := make([]string, len(net.Nodes))
		for i, nd := range net.Nodes {
			names[i] = nd.Name
		}
		pred, err := Predict(context.Background(), net, p, names)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		cur := cloneNet(net)
		for k := range len(p.Steps) + 1 {
			if k > 0 {
				applyByHand(cur, p.Steps[k-1].Effects)
			}
			want := bruteRoutes(cur)
			if diff := cmp.Diff(want, pred.States[k]); diff != "" {
				t.Fatalf("trial %d, state %d (-brute +Predict):\n%s", trial, k, diff)
			}
		}
	}
}

func randomNet(r *rand.Rand, n int) *topology.Network {
	net := &topology.Network{}
	for i := range n {
		net.Nodes = append(net.Nodes, topology.Node{Name: fmt.Sprintf("n%d", i), Drained: r.IntN(8) == 0})
	}
	add := func(a, b int) {
		m := int64(1 + r.IntN(3))
		l := topology.Link{A: net.Nodes[a].Name, B: net.Nodes[b].Name, CapacityBps: 1e9, MetricAB: m, MetricBA: m, Up: r.IntN(10) != 0}
		if r.IntN(4) == 0 {
			l.MetricBA = int64(1 + r.IntN(3))
		}
		net.Links = append(net.Links, l)
	}
	for i := 1; i < n; i++ {
		add(r.IntN(i), i)
	}
	for range r.IntN(2 * n) {
		if a, b := r.IntN(n), r.IntN(n); a != b {
			add(a, b)
		}
	}
	topology.AssignLinkIDs(net.Links)
	return net
}

func randomPlan(r *rand.Rand, net *topology.Network, steps int) *plans.Plan {
	p := &plans.Plan{Title: "random"}
	for s := range steps {
		st := plans.Step{Name: fmt.Sprintf("s%d", s+1)}
		for range 1 + r.IntN(3) {
			l := net.Links[r.IntN(len(net.Links))]
			nd := net.Nodes[r.IntN(len(net.Nodes))].Name
			var e plans.Effect
			switch r.IntN(6) {
			case 0:
				e = plans.Effect{Type: plans.SetMetric, Link: l.ID, Metric: int64(1 + r.IntN(4))}
			case 1:
				e = plans.Effect{Type: plans.SetMetric, Link: l.ID, Metric: int64(1 + r.IntN(4)), From: []string{l.A, l.B}[r.IntN(2)]}
			case 2:
				e = plans.Effect{Type: plans.LinkDown, Link: l.ID}
			case 3:
				e = plans.Effect{Type: plans.LinkUp, Link: l.ID}
			case 4:
				e = plans.Effect{Type: plans.Drain, Node: nd}
			case 5:
				e = plans.Effect{Type: plans.Undrain, Node: nd}
			}
			st.Effects = append(st.Effects, e)
		}
		p.Steps = append(p.Steps, st)
	}
	return p
}

func cloneNet(n *topology.Network) *topology.Network {
	c := *n
	c.Nodes = slices.Clone(n.Nodes)
	c.Links = slices.Clone(n.Links)
	return &c
}

func applyByHand(n *topology.Network, effects []plans.Effect) {
	for _, e := range effects {
		for i := range n.Links {
			l := &n.Links[i]
			if l.ID != e.Link {
				continue
			}
			switch e.Type {
			case plans.SetMetric:
				if e.From == "" || e.From == l.A {
					l.MetricAB = e.Metric
				}
				if e.From == "" || e.From == l.B {
					l.MetricBA = e.Metric
				}
			case plans.LinkDown:
				l.Up = false
			case plans.LinkUp:
				l.Up = true
			}
		}
		for i := range n.Nodes {
			if n.Nodes[i].Name == e.Node {
				n.Nodes[i].Drained = e.Type == plans.Drain
			}
		}
	}
}

// bruteRoutes computes every node's next hops to every other node from
// per-destination Bellman-Ford distances.
func bruteRoutes(n *topology.Network) Routes {
	type arc struct {
		from, to string
		metric   int64
	}
	var arcs []arc
	for _, l := range n.Links {
		if l.Up {
			arcs = append(arcs, arc{l.A, l.B, l.MetricAB}, arc{l.B, l.A, l.MetricBA})
		}
	}
	drained := map[string]bool{}
	for _, nd := range n.Nodes {
		drained[nd.Name] = nd.Drained
	}
	out := Routes{}
	for _, src := range n.Nodes {
		out[src.Name] = map[string][]string{}
	}
	for _, dst := range n.Nodes {
		t := dst.Name
		usable := func(v string) bool { return v == t || !drained[v] }
		dist := map[string]float64{}
		for _, nd := range n.Nodes {
			dist[nd.Name] = math.Inf(1)
		}
		dist[t] = 0
		for range n.Nodes {
			for _, a := range arcs {
				if usable(a.to) && dist[a.to]+float64(a.metric) < dist[a.from] {
					dist[a.from] = dist[a.to] + float64(a.metric)
				}
			}
		}
		for _, src := range n.Nodes {
			s := src.Name
			if s == t {
				continue
			}
			via := []string{}
			if !math.IsInf(dist[s], 1) {
				for _, a := range arcs {
					if a.from == s && usable(a.to) && dist[a.to]+float64(a.metric) == dist[s] && !slices.Contains(via, a.to) {
						via = append(via, a.to)
					}
				}
			}
			slices.Sort(via)
			out[s][t] = via
		}
	}
	return out
}

// BenchmarkPredict predicts 5 routers' next hops in every state of a
// 20-step plan on Topology Zoo's Kdl (754 nodes, 895 links) with gravity
// traffic between all pairs, against the dry-run of the same plan
// without N-1.
func BenchmarkPredict(b *testing.B) {
	path := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", "Kdl.graphml")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("topology zoo: %v", err)
	}
	net, _, err := importer.GraphML(f, path, importer.GraphMLOptions{DefaultCapacity: 10e9})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	net.Demands = traffic.Gravity(net, 1e12)
	p := randomPlan(rand.New(rand.NewPCG(1, 1)), net, 20)
	nodes := []string{net.Nodes[1].Name, net.Nodes[100].Name, net.Nodes[200].Name, net.Nodes[300].Name, net.Nodes[400].Name}
	ctx := context.Background()
	b.Run("Predict", func(b *testing.B) {
		for b.Loop() {
			if _, err := Predict(ctx, net, p, nodes); err != nil {
				b.Fatal(err)
			}
		}
	})
	pr, err := NewPredictor(net, p, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("NextHops-one-state", func(b *testing.B) {
		for b.Loop() {
			if _, err := pr.NextHops(ctx, 7, nodes); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Run-SkipN1", func(b *testing.B) {
		for b.Loop() {
			if _, _, err := Run(ctx, net, p, Options{SkipN1: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Links gives one next hop per link: the parallel links p1-p2 both
// count, with their ids and the node's own interface where the topology
// names it, and a link taken down is no longer one.
func TestPredictorLinksParallel(t *testing.T) {
	net := parseNet(t, `
nodes: [{name: p1}, {name: p2}, {name: p3}, {name: p4}]
links:
  - {id: a, a: "p1:eth1", b: "p2:eth9", capacity: 10G, metric: 10}
  - {id: b, a: p2, b: p1, capacity: 10G, metric: 10}
  - {a: p1, b: p3, capacity: 10G, metric: 10}
  - {a: p2, b: p4, capacity: 10G, metric: 10}
  - {a: p3, b: p4, capacity: 10G, metric: 10}
`)
	pr, err := NewPredictor(net, parsePlan(t, `title: t
steps:
  - name: one parallel link down
    effects: [{type: link_down, link: a}]
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got, err := pr.Links(ctx, 0, []string{"p1", "p2"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Via{{Node: "p2", Link: "a", Interface: "eth1"}, {Node: "p2", Link: "b"}, {Node: "p3", Link: "p1-p3"}}
	if d := cmp.Diff(want, got["p1"]["p4"]); d != "" {
		t.Errorf("p1 -> p4 at the baseline (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]Via{{Node: "p1", Link: "a", Interface: "eth9"}, {Node: "p1", Link: "b"}}, got["p2"]["p1"]); d != "" {
		t.Errorf("p2 -> p1 at the baseline (-want +got):\n%s", d)
	}
	got, err = pr.Links(ctx, 1, []string{"p1"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Via{{Node: "p2", Link: "b"}}, got["p1"]["p2"]); d != "" {
		t.Errorf("p1 -> p2 with link a down (-want +got):\n%s", d)
	}
	if _, err := pr.Links(ctx, 2, []string{"p1"}); err == nil {
		t.Error("state 2 of a one-step plan: no error")
	}
}
