package dryrun

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// Routes is the forwarding the model predicts in one state, for some
// nodes: node -> destination node -> the neighbours the node forwards to
// that destination through (all equal-cost next hops, sorted by name).
// Every node of the network other than the node itself is a destination;
// its list is empty (not nil) when the node cannot reach it.
type Routes map[string]map[string][]string

// Predictor predicts, for any state of a plan's dry-run (0 the baseline,
// k the state after step k, as Result.States), the IGP next hops of any
// nodes: what apply compares the routers' forwarding with after each
// step. Building it binds the plan to the network once; each query costs
// one shortest-path computation per node asked for, whatever the size of
// the traffic matrix. A Predictor is immutable and safe for concurrent
// use.
type Predictor struct {
	net     *topology.Network
	m       *sim.Model
	configs []*sim.Config // per state
	index   map[string]int
	names   []string // node names, for "did you mean"
}

// NewPredictor binds p (nil for the network as it is) to net as Run does,
// with the devices' platforms as Run's Options.Platforms: the states are
// the same as Run's forward states, each step's effects those of its
// configuration. A plan that names what the network lacks is an error
// listing every problem (run the dry-run or validate first for
// positioned diagnostics).
func NewPredictor(net *topology.Network, p *plans.Plan, platforms map[string]string) (*Predictor, error) {
	b := newBinder(net)
	if p != nil {
		ds := b.check(p)
		if !ds.HasErrors() {
			var dds diag.Diagnostics
			p, _, dds = (&deriver{net: net, plan: p, platforms: platforms}).derive()
			ds = append(ds, dds...)
		}
		if ds.HasErrors() {
			return nil, fmt.Errorf("predict: plan does not fit the network: %w", ds.Errors().Err())
		}
	}
	// Forwarding does not depend on the traffic: compile without it, so a
	// large traffic matrix costs nothing here.
	m, err := sim.Compile(&topology.Network{Name: net.Name, IGP: net.IGP, Nodes: net.Nodes, Links: net.Links})
	if err != nil {
		return nil, fmt.Errorf("predict: compile network: %w", err)
	}
	pr := &Predictor{net: net, m: m, configs: []*sim.Config{m.Baseline()}, index: net.NodeIndex()}
	for _, nd := range net.Nodes {
		pr.names = append(pr.names, nd.Name)
	}
	if p != nil {
		var ignored diag.Diagnostics // warnings (no-op effects) are the dry-run's to report
		for _, st := range p.Steps {
			last := pr.configs[len(pr.configs)-1]
			pr.configs = append(pr.configs, b.apply(last, st.Name, st.Effects, &ignored))
		}
	}
	return pr, nil
}

// States is the number of states: the baseline plus one per step.
func (pr *Predictor) States() int { return len(pr.configs) }

// NextHops returns the predicted next hops of nodes in state (0 the
// baseline, k after step k). An unknown node or a state out of range is
// an error; ctx is checked between nodes' computations.
func (pr *Predictor) NextHops(ctx context.Context, state int, nodes []string) (Routes, error) {
	srcs, err := pr.sources(ctx, state, nodes)
	if err != nil {
		return nil, err
	}
	hops := pr.m.NextHops(pr.configs[state], srcs)
	out := make(Routes, len(srcs))
	for i, s := range srcs {
		dests := make(map[string][]string, len(pr.net.Nodes)-1)
		for t, hs := range hops[i] {
			if t == s {
				continue
			}
			via := make([]string, len(hs))
			for j, h := range hs {
				via[j] = pr.net.Nodes[h].Name
			}
			slices.Sort(via)
			dests[pr.net.Nodes[t].Name] = via
		}
		out[pr.net.Nodes[s].Name] = dests
	}
	return out, nil
}

// sources checks a request for state's next hops of nodes and returns
// the nodes' indexes.
func (pr *Predictor) sources(ctx context.Context, state int, nodes []string) ([]int, error) {
	if state < 0 || state >= len(pr.configs) {
		return nil, fmt.Errorf("predict: state %d out of range 0..%d (0 is the baseline, k the state after step k)", state, len(pr.configs)-1)
	}
	srcs, err := pr.resolve(nodes)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return srcs, nil
}

// Via is one next hop the model predicts: the link a node forwards on
// and the neighbour at its other end.
type Via struct {
	// Node is the neighbour the link leads to.
	Node string `json:"node"`
	// Link is the link's id in the topology.
	Link string `json:"link"`
	// Interface is the node's own interface on the link, as the topology
	// names it ("" when it names none).
	Interface string `json:"interface,omitempty"`
}

// LinkRoutes is Routes by link: node -> destination node -> the links the
// node forwards to that destination on (all equal-cost next hops, each
// parallel link once, sorted by neighbour, then link id). Every node of
// the network other than the node itself is a destination; its list is
// empty (not nil) when the node cannot reach it.
type LinkRoutes map[string]map[string][]Via

// Links returns the predicted next hops of nodes in state by link, so
// that parallel links to one neighbour each count (see NextHops for the
// errors).
func (pr *Predictor) Links(ctx context.Context, state int, nodes []string) (LinkRoutes, error) {
	srcs, err := pr.sources(ctx, state, nodes)
	if err != nil {
		return nil, err
	}
	links := pr.m.NextHopLinks(pr.configs[state], srcs)
	out := make(LinkRoutes, len(srcs))
	for i, s := range srcs {
		self := pr.net.Nodes[s].Name
		dests := make(map[string][]Via, len(pr.net.Nodes)-1)
		for t, ls := range links[i] {
			if t == s {
				continue
			}
			via := make([]Via, len(ls))
			for j, li := range ls {
				l := pr.net.Links[li]
				v := Via{Node: l.B, Link: l.ID, Interface: l.AInterface}
				if l.A != self {
					v = Via{Node: l.A, Link: l.ID, Interface: l.BInterface}
				}
				via[j] = v
			}
			slices.SortFunc(via, func(a, b Via) int {
				if c := strings.Compare(a.Node, b.Node); c != 0 {
					return c
				}
				return strings.Compare(a.Link, b.Link)
			})
			dests[pr.net.Nodes[t].Name] = via
		}
		out[self] = dests
	}
	return out, nil
}

// resolve maps node names to indices, each once, reporting every unknown
// name.
func (pr *Predictor) resolve(nodes []string) ([]int, error) {
	var srcs []int
	var unknown []string
	seen := make(map[int]bool, len(nodes))
	for _, name := range nodes {
		i, ok := pr.index[name]
		switch {
		case !ok:
			msg := fmt.Sprintf("unknown node %q", name)
			if h := diag.DidYouMean(diag.Near(name, pr.names)); h != "" {
				msg += " (" + h + ")"
			}
			unknown = append(unknown, msg)
		case !seen[i]:
			seen[i] = true
			srcs = append(srcs, i)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("predict: %s", strings.Join(unknown, "; "))
	}
	return srcs, nil
}

// Prediction is the forwarding of some nodes in every forward state of a
// plan. Its JSON form is not part of the dry-run's documented result.
type Prediction struct {
	// Nodes are the nodes predicted for, as asked, each once.
	Nodes []string `json:"nodes"`
	// States has one entry per state: index 0 is the baseline, index k
	// the state after step k.
	States []Routes `json:"states"`
	// Links are States by link (Predictor.Links), index for index.
	Links []LinkRoutes `json:"links"`
}

// Predict returns the next hops of nodes in every state of p's dry-run
// against net (p nil: the baseline only). See Predictor for querying one
// state at a time.
func Predict(ctx context.Context, net *topology.Network, p *plans.Plan, nodes []string) (*Prediction, error) {
	pr, err := NewPredictor(net, p, nil)
	if err != nil {
		return nil, err
	}
	srcs, err := pr.resolve(nodes)
	if err != nil {
		return nil, err
	}
	out := &Prediction{Nodes: make([]string, len(srcs))}
	for i, s := range srcs {
		out.Nodes[i] = net.Nodes[s].Name
	}
	for k := range pr.States() {
		r, err := pr.NextHops(ctx, k, out.Nodes)
		if err != nil {
			return nil, err
		}
		out.States = append(out.States, r)
		l, err := pr.Links(ctx, k, out.Nodes)
		if err != nil {
			return nil, err
		}
		out.Links = append(out.Links, l)
	}
	return out, nil
}
