package dryrun

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// Options tune a dry-run.
type Options struct {
	// SkipN1 turns off the N-1 analysis of every state.
	SkipN1 bool
	// TopMovers is how many link directions to list per step (0 or
	// less: none).
	TopMovers int
	// Progress, when set, is called before each state is simulated with
	// its position among the forward states (1-based) and a label.
	Progress func(state, states int, label string)
	// Model, when not nil, is net compiled by sim.Compile, reused instead
	// of compiling net again: callers that dry-run many plans against one
	// network compile it once. It must come from this net, unchanged
	// since (a sim.Model is immutable and safe for concurrent use).
	Model *sim.Model
	// Platforms are the devices' platforms (an inventory's), by device
	// name, for reading the configuration steps send; a device missing
	// here takes its runbook step's platform, else the plan's platform:.
	Platforms map[string]string
	// Digests, when not nil, are net's topology and traffic digests
	// (Network.TopologyDigest and TrafficDigest), reused instead of
	// hashing the network again; the others are ignored. Hashing a large
	// traffic matrix costs more than a steady-state dry-run.
	Digests *digest.Set
}

// Run dry-runs p against net: the baseline, the state after every step,
// and the rollback path. With a nil plan it analyses the network as it is.
// Problems with the plan's references to the network are returned as
// diagnostics (Result is nil when there are errors); err is for
// cancellation and internal failures.
func Run(ctx context.Context, net *topology.Network, p *plans.Plan, opts Options) (*Result, diag.Diagnostics, error) {
	b := newBinder(net)
	var ds diag.Diagnostics
	var effects []StepEffects
	orig := p // the plan as written: its digest, its name
	if p != nil {
		ds = b.check(p)
		if ds.HasErrors() {
			return nil, ds, nil
		}
		// The dry-run simulates what each step's configuration does;
		// the plan's declared effects are assertions about it.
		var dds diag.Diagnostics
		p, effects, dds = (&deriver{net: net, plan: p, platforms: opts.Platforms}).derive()
		ds = append(ds, dds...)
		if ds.HasErrors() {
			return nil, ds, nil
		}
	}
	// The digests (a sort and a hash of every demand) need no model:
	// computed while the model is compiled and solved, they cost no
	// waiting on a machine with a core to spare. Run returns only once
	// they are done, whatever the outcome: net is the caller's again then.
	var digests digest.Set
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { digests = networkDigests(net, opts.Digests) })
	m := opts.Model
	if m == nil {
		var err error
		if m, err = sim.Compile(net); err != nil {
			return nil, ds, fmt.Errorf("compile network: %w", err)
		}
	} else if m.NumArcs() != 2*len(net.Links) {
		return nil, ds, fmt.Errorf("dry-run: Options.Model has %d link directions, the network %d: it was compiled from another network", m.NumArcs(), 2*len(net.Links))
	}
	r := &runner{ctx: ctx, net: net, m: m, b: b, opts: opts}
	res := &Result{
		Version: ResultVersion,
		Topology: TopologyInfo{
			Name: net.Name, Nodes: len(net.Nodes), Links: len(net.Links),
			Demands: len(net.Demands), TotalDemandBps: m.TotalDemand(),
		},
	}

	total := 1
	if p != nil {
		total += len(p.Steps)
	}
	progress := func(i int, label string) {
		if opts.Progress != nil {
			opts.Progress(i+1, total, label)
		}
	}
	progress(0, "baseline")
	base := m.Baseline()
	cur := m.Solve(base)
	st, err := r.describe(0, nil, cur, nil)
	if err != nil {
		return nil, ds, err
	}
	res.States = append(res.States, st)
	wg.Wait()
	res.Digests = digests
	if p == nil {
		return res, ds, nil
	}
	res.Plan = &PlanInfo{ID: p.ID, Title: p.Title, File: p.File, Steps: len(p.Steps)}
	res.Digests.Plan = orig.Digest()

	// Only configs are kept: a state holds a DAG per destination (about
	// 100 MB on a 2,000-node network), so holding all of them would not scale.
	configs := []*sim.Config{base}
	for i, step := range p.Steps {
		if err := ctx.Err(); err != nil {
			return nil, ds, fmt.Errorf("dry-run: %w", err)
		}
		progress(i+1, step.Name)
		c := b.apply(cur.Config, step.Name, step.Effects, &ds)
		next := cur.Apply(c)
		st, err := r.describe(i+1, &p.Steps[i], next, cur)
		if err != nil {
			return nil, ds, err
		}
		st.Effects = &effects[i]
		res.States = append(res.States, st)
		configs = append(configs, c)
		cur = next
	}
	res.Rollback, err = r.rollback(p, configs, cur)
	if err != nil {
		return nil, ds, err
	}
	return res, ds, nil
}

type runner struct {
	ctx  context.Context
	net  *topology.Network
	m    *sim.Model
	b    *binder
	opts Options
	// n1Done holds every N-1 computed so far with its config: a state
	// whose config equals an earlier one (a step undone, the rollback
	// path) has the same N-1, so it is reused instead of recomputed.
	n1Done []n1Result
	// n1Chain carries the N-1 of each state computed to the next one
	// (states are simulated in order, each applied to the one before).
	n1Chain sim.N1Chain
}

type n1Result struct {
	config *sim.Config
	n1     *N1
}

// undo returns the config after rolling back step from c: the plan's
// rollback when it gives one, else the exact inverse of the step's effects
// (inverse holds them, computed against the config before the step).
func (r *runner) undo(step *plans.Step, inverse []plans.Effect, c *sim.Config, ds *diag.Diagnostics) *sim.Config {
	if step.HasRollback {
		return r.b.apply(c, step.Name, step.Rollback, ds)
	}
	return r.b.apply(c, step.Name, inverse, ds)
}

// rollback analyses undoing the plan; last is the state after the last step.
func (r *runner) rollback(p *plans.Plan, configs []*sim.Config, last *sim.State) (*Rollback, error) {
	n := len(p.Steps)
	rb := &Rollback{}
	var quiet diag.Diagnostics // warnings about no-op rollback effects would repeat the forward ones
	inverses := make([][]plans.Effect, n)
	for i := range p.Steps {
		inverses[i] = r.b.inverse(configs[i], p.Steps[i].Effects)
	}
	for i := range p.Steps {
		step := &p.Steps[i]
		after, before := configs[i+1], configs[i]
		got := r.undo(step, inverses[i], after, &quiet)
		e := RollbackStep{Index: i + 1, Step: step.Name, Explicit: step.HasRollback, Differences: r.b.configDiff(before, got)}
		e.RestoresPrevious = len(e.Differences) == 0
		if e.Differences == nil {
			e.Differences = []string{}
		}
		c := after
		for j := i; j >= 0; j-- {
			c = r.undo(&p.Steps[j], inverses[j], c, &quiet)
		}
		e.RestoresBaselineFromHere = c.Equal(configs[0])
		rb.Steps = append(rb.Steps, e)
	}

	// The rollback path of the whole plan, from the last step back. A
	// state equal to a forward one is not described again; the others are
	// simulated in full.
	c, s := configs[n], last
	for j := n - 1; j >= 0; j-- {
		if err := r.ctx.Err(); err != nil {
			return nil, fmt.Errorf("dry-run of the rollback: %w", err)
		}
		step := &p.Steps[j]
		next := r.undo(step, inverses[j], c, &quiet)
		rs := RollbackState{Undone: step.Name}
		ns := s.Apply(next)
		if idx := sameAs(next, configs, j); idx >= 0 {
			rs.SameAsState = &idx
		} else {
			st, err := r.describe(-1, nil, ns, s)
			if err != nil {
				return nil, err
			}
			name := "rollback of " + step.Name
			st.Step = &name
			st.Source = &step.Pos
			rs.State = &st
		}
		rb.Path = append(rb.Path, rs)
		c, s = next, ns
	}
	rb.RestoresBaseline = c.Equal(configs[0])
	return rb, nil
}

// sameAs returns the index of a forward state whose config equals c,
// preferring want (the state before the undone step), or -1.
func sameAs(c *sim.Config, configs []*sim.Config, want int) int {
	if c.Equal(configs[want]) {
		return want
	}
	for i, fc := range configs {
		if c.Equal(fc) {
			return i
		}
	}
	return -1
}

func (r *runner) ref(a int) *LinkRef {
	if a < 0 {
		return nil
	}
	from, to := r.m.ArcEnds(a)
	return &LinkRef{ID: r.net.Links[a/2].ID, From: r.net.Nodes[from].Name, To: r.net.Nodes[to].Name}
}

// describe turns a simulated state into its report form; prev is the
// state before (nil for the baseline).
func (r *runner) describe(index int, step *plans.Step, s, prev *sim.State) (State, error) {
	net, m := r.net, r.m
	st := State{Index: index, Unreachable: []Demand{}, TopMovers: []Mover{}}
	if step != nil {
		name := step.Name
		st.Step = &name
		pos := step.Pos
		st.Source = &pos
	}
	nArcs := m.NumArcs()
	st.Links = make([]LinkLoad, nArcs)
	for a := 0; a < nArcs; a++ {
		from, to := m.ArcEnds(a)
		l := a / 2
		st.Links[a] = LinkLoad{
			ID: net.Links[l].ID, From: net.Nodes[from].Name, To: net.Nodes[to].Name, Class: net.Links[l].Class,
			Up: s.Config.Up[l], LoadBps: s.Load[a], CapacityBps: s.Config.Capacity[l], Utilization: s.Utilization(a),
		}
	}
	u, a := s.MaxUtilization()
	st.MaxUtilization, st.MaxLink = u, r.ref(a)
	st.DroppedBps = s.Dropped
	for _, d := range s.Unreachable() {
		st.Unreachable = append(st.Unreachable, Demand{Src: net.Nodes[d.Src].Name, Dst: net.Nodes[d.Dst].Name, RateBps: d.RateBps})
	}
	comps := s.Components()
	st.Components = len(comps)
	st.Partitioned = len(comps) > 1
	for _, c := range comps[min(1, len(comps)):] {
		names := make([]string, len(c))
		for i, v := range c {
			names[i] = net.Nodes[v].Name
		}
		st.Islands = append(st.Islands, names)
	}
	if prev != nil {
		st.MovedBps, st.TopMovers = r.movers(prev, s)
	}
	if !r.opts.SkipN1 {
		n1, err := r.n1(s)
		if err != nil {
			return st, err
		}
		st.N1 = n1
	}
	return st, nil
}

func (r *runner) movers(prev, s *sim.State) (float64, []Mover) {
	type mv struct {
		arc   int
		delta float64
	}
	var all []mv
	moved := 0.0
	for a := range s.Load {
		d := s.Load[a] - prev.Load[a]
		// Differences below a millionth of a bps are rounding, not traffic.
		if math.Abs(d) < 1e-6 {
			continue
		}
		moved += math.Abs(d)
		all = append(all, mv{a, d})
	}
	sort.SliceStable(all, func(i, j int) bool { return math.Abs(all[i].delta) > math.Abs(all[j].delta) })
	out := []Mover{}
	for _, x := range all[:min(len(all), max(r.opts.TopMovers, 0))] {
		ref := r.ref(x.arc)
		out = append(out, Mover{
			ID: ref.ID, From: ref.From, To: ref.To, Class: r.net.Links[x.arc/2].Class,
			BeforeBps: prev.Load[x.arc], AfterBps: s.Load[x.arc], DeltaBps: x.delta,
		})
	}
	return moved, out
}

func (r *runner) n1(s *sim.State) (*N1, error) {
	for _, done := range r.n1Done {
		if done.config.Equal(s.Config) {
			return done.n1, nil
		}
	}
	failures := r.m.Failures(s.Config)
	res, err := r.n1Chain.N1(r.ctx, s, failures)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(failures))
	for i, f := range failures {
		names[i] = f.String()
	}
	out := &N1{Links: make([]N1Link, len(res.Worst)), Failures: make([]FailureResult, len(failures))}
	worstArc := -1
	for a, u := range res.Worst {
		ref := r.ref(a)
		out.Links[a] = N1Link{ID: ref.ID, From: ref.From, To: ref.To, WorstUtilization: u}
		if f := res.WorstFailure[a]; f >= 0 {
			out.Links[a].WorstFailure = &names[f]
		}
		if worstArc < 0 || u > res.Worst[worstArc] {
			worstArc = a
		}
	}
	if worstArc >= 0 {
		out.MaxUtilization = res.Worst[worstArc]
		out.MaxLink = r.ref(worstArc)
		out.WorstFailure = out.Links[worstArc].WorstFailure
	}
	for i, fr := range res.Results {
		out.Failures[i] = FailureResult{Failure: names[i], DroppedBps: fr.Dropped, MaxUtilization: fr.MaxUtilization, MaxLink: r.ref(fr.MaxArc)}
	}
	r.n1Done = append(r.n1Done, n1Result{config: s.Config, n1: out})
	return out, nil
}

// networkDigests returns the given digests (without a plan's) or computes
// net's.
func networkDigests(net *topology.Network, given *digest.Set) digest.Set {
	if given != nil {
		return digest.Set{Topology: given.Topology, Traffic: given.Traffic}
	}
	return digest.Set{Topology: net.TopologyDigest(), Traffic: net.TrafficDigest()}
}
