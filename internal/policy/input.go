package policy

import (
	"encoding/json"
	"math"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// InputVersion is the version of the policy input (docs/policy-input.md).
// It changes only when a field is removed or its meaning changes.
const InputVersion = 1

// Stage says when policies are evaluated.
type Stage string

// Stages: Check for changegate check, validate and review; Apply just
// before a plan runs, where approvals and the change window must hold.
const (
	StageCheck Stage = "check"
	StageApply Stage = "apply"
)

// Approval is one approver's signature over the digests of a plan and
// what it was checked against.
type Approval struct {
	Approver string
	// Identities are who the approval is known to be by (see
	// plans.Identity): the approver's name, and every principal the
	// signing key is listed under in the allowed signers. An approval
	// whose identities hold the plan's author never counts.
	Identities []string
	Roles      []string
	Time       time.Time
	// Digests are what the approval was given for.
	Digests digest.Set
	// Verified is true when the signature checked out against the
	// approver's key.
	Verified bool
	// Denied is true when the approver approved the plan while the gate
	// denied it (approve --denied), as the signed approval says.
	Denied bool
}

// Override is a break-glass override of the gate: the change runs
// although policies deny it. It is explicit (a reason is required),
// recorded in the run's journal, and in the policy input, so a policy can
// refuse it: a denial whose result has "overridable": false stands.
type Override struct {
	Reason string
	User   string
	Time   time.Time
}

// Facts are everything a policy decision is about.
type Facts struct {
	Plan      *plans.Plan
	Network   *topology.Network
	DryRun    *dryrun.Result
	Approvals []Approval
	// Override is set when the operator breaks glass (apply only).
	Override *Override
	Stage    Stage
	Time     time.Time
	// Digests bind the decision to exactly what was checked: the
	// dry-run's (plan, topology, traffic), the engine's Digest and the
	// digest of the inventory the plan runs with
	// (devices.Inventory.Digest; "" when there is none).
	Digests digest.Set
	// HotFloor is the utilisation above which link directions are listed
	// in hot_links (the engine's HotFloor).
	HotFloor float64
	// Drift is the network read and compared with the model before the
	// check (check --live); nil when the network was not read.
	Drift *Drift
}

// Drift is how the network differs from the model (topology.Diff).
type Drift struct {
	Differences []topology.Difference
}

// BuildInput converts the facts into the policy input document described
// in docs/policy-input.md. It builds OPA values directly, without a JSON
// round trip: per-state results of a large network are most of the cost
// of a policy decision otherwise.
func BuildInput(f Facts) ast.Value {
	now := f.Time.UTC()
	res := f.DryRun
	return obj(
		kv("version", ast.IntNumberTerm(InputVersion)),
		kv("stage", str(string(f.Stage))),
		kv("time", str(now.Format(time.RFC3339))),
		kv("time_unix", ast.IntNumberTerm(int(now.Unix()))),
		kv("digests", digestsTerm(f.Digests)),
		kv("hot_floor", num(f.HotFloor)),
		kv("plan", planTerm(f.Plan, f.Network, res)),
		kv("topology", topologyTerm(f.Network)),
		kv("states", statesTerm(res, f.HotFloor)),
		kv("rollback", rollbackTerm(res, f.HotFloor)),
		kv("approvals", approvalsTerm(f.Approvals)),
		kv("override", overrideTerm(f.Override)),
		kv("drift", driftTerm(f.Drift)),
	).Value
}

// driftTerm is input.drift: null when the network was not read, else
// every difference from the model, and how many change forwarding.
func driftTerm(d *Drift) *ast.Term {
	if d == nil {
		return ast.NullTerm()
	}
	diffs := make([]*ast.Term, len(d.Differences))
	forwarding := 0
	for i, x := range d.Differences {
		if x.ChangesForwarding() {
			forwarding++
		}
		diffs[i] = obj(
			kv("kind", str(string(x.Kind))),
			kv("node", str(x.Node)),
			kv("link", str(x.Link)),
			kv("other_link", str(x.OtherLink)),
			kv("from", str(x.From)),
			kv("to", str(x.To)),
			kv("model", str(x.Model)),
			kv("network", str(x.Other)),
			kv("forwarding", boolean(x.ChangesForwarding())),
			kv("text", str(x.String())),
		)
	}
	return obj(
		kv("differences", ast.ArrayTerm(diffs...)),
		kv("forwarding", integer(forwarding)),
	)
}

func overrideTerm(o *Override) *ast.Term {
	if o == nil {
		return ast.NullTerm()
	}
	return obj(
		kv("reason", str(o.Reason)),
		kv("user", str(o.User)),
		kv("time", str(o.Time.UTC().Format(time.RFC3339))),
	)
}

// Term constructors, short because the builders below are long lists.
func str(s string) *ast.Term { return ast.StringTerm(s) }

func num(f float64) *ast.Term { return ast.FloatNumberTerm(f) }

func integer(i int) *ast.Term { return ast.IntNumberTerm(i) }

func boolean(b bool) *ast.Term { return ast.BooleanTerm(b) }

func kv(k string, v *ast.Term) [2]*ast.Term { return [2]*ast.Term{ast.InternedTerm(k), v} }

func obj(items ...[2]*ast.Term) *ast.Term { return ast.ObjectTerm(items...) }

func strs(list []string) *ast.Term {
	ts := make([]*ast.Term, len(list))
	for i, s := range list {
		ts[i] = str(s)
	}
	return ast.ArrayTerm(ts...)
}

func optStr(s *string) *ast.Term {
	if s == nil {
		return ast.NullTerm()
	}
	return str(*s)
}

func planTerm(p *plans.Plan, net *topology.Network, res *dryrun.Result) *ast.Term {
	window := ast.NullTerm()
	if w := p.Window; w != nil {
		window = obj(
			kv("start", str(w.Start.UTC().Format(time.RFC3339))),
			kv("end", str(w.End.UTC().Format(time.RFC3339))),
			kv("timezone", str(w.TimeZone)),
			kv("start_unix", integer(int(w.Start.Unix()))),
			kv("end_unix", integer(int(w.End.Unix()))),
		)
	}
	zones := map[string]string{}
	for _, n := range net.Nodes {
		zones[n.Name] = n.Zone
	}
	ends := map[string][2]string{}
	for _, l := range net.Links {
		ends[l.ID] = [2]string{l.A, l.B}
	}
	steps := make([]*ast.Term, len(p.Steps))
	for i, s := range p.Steps {
		var se *dryrun.StepEffects
		if res != nil && i+1 < len(res.States) {
			se = res.States[i+1].Effects
		}
		steps[i] = stepTerm(i+1, s, se, zones, ends)
	}
	return obj(
		kv("id", str(p.ID)),
		kv("title", str(p.Title)),
		kv("description", str(p.Description)),
		kv("author", str(p.Author)),
		kv("author_identity", str(p.AuthorIdentity())),
		kv("ticket", str(p.Ticket)),
		kv("risk", str(string(p.Risk))),
		kv("window", window),
		kv("file", str(p.File)),
		kv("devices", strs(p.Devices())),
		kv("pre_checks", checksTerm(p.PreChecks)),
		kv("post_checks", checksTerm(p.PostChecks)),
		kv("steps", ast.ArrayTerm(steps...)),
	)
}

func stepTerm(index int, s plans.Step, se *dryrun.StepEffects, zones map[string]string, ends map[string][2]string) *ast.Term {
	// What the step changes is what the dry-run applied: its
	// configuration's effects where it can be read (se), else the
	// plan's declared ones.
	declaredEffects := s.Effects
	source := "declared"
	if se != nil {
		source = se.Source
		s.Effects = dryrun.Effects(se.Applied)
		if se.RollbackSource == "derived" {
			s.Rollback, s.HasRollback = dryrun.Effects(se.Rollback), true
		}
	}
	wave := ast.NullTerm()
	if s.Wave != nil {
		wave = obj(kv("batch", integer(s.Wave.Batch)), kv("max_failures", integer(s.Wave.MaxFailures)))
	}
	nodes, links := touched(s.Effects, ends)
	// The zones a step touches are those of the devices it configures;
	// a model-only step touches the zones of the nodes its effects change.
	zoneSet := map[string]bool{}
	zoneOf := s.Devices
	if len(zoneOf) == 0 {
		zoneOf = nodes
	}
	for _, n := range zoneOf {
		if z := zones[n]; z != "" {
			zoneSet[z] = true
		}
	}
	rbEffects := []plans.Effect{}
	if s.HasRollback {
		rbEffects = s.Rollback
	}
	return obj(
		kv("index", integer(index)),
		kv("name", str(s.Name)),
		kv("line", integer(s.Pos.Line)),
		kv("devices", strs(nonNil(s.Devices))),
		kv("wave", wave),
		kv("config", strs(nonNil(s.Config))),
		kv("changes_config", boolean(len(s.Config) > 0)),
		kv("effects", effectsTerm(s.Effects)),
		kv("effects_source", str(source)),
		kv("declared_effects", effectsTerm(nonNilEffects(declaredEffects))),
		kv("effects_declared", boolean(declaredEffects != nil)),
		kv("not_modelled", notModelledTerm(se)),
		kv("effect_mismatches", mismatchesTerm(se)),
		kv("rollback", obj(
			kv("config", strs(nonNil(s.RollbackConfig))),
			kv("effects", effectsTerm(rbEffects)),
			kv("explicit_effects", boolean(s.HasRollback)),
		)),
		kv("checks", checksTerm(s.Checks)),
		kv("soak_seconds", num(s.Soak.Seconds())),
		kv("nodes", strs(nodes)),
		kv("links", strs(links)),
		kv("zones", strs(sortedSet(zoneSet))),
	)
}

// touched returns the nodes (drained or undrained, and both ends of every
// link changed) and the links that effects change, each sorted.
func touched(effects []plans.Effect, ends map[string][2]string) (nodes, links []string) {
	ns, ls := map[string]bool{}, map[string]bool{}
	for _, e := range effects {
		if e.Node != "" {
			ns[e.Node] = true
		}
		if e.Link != "" {
			ls[e.Link] = true
			if ab, ok := ends[e.Link]; ok {
				ns[ab[0]], ns[ab[1]] = true, true
			}
		}
	}
	return sortedSet(ns), sortedSet(ls)
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilEffects(es []plans.Effect) []plans.Effect {
	if es == nil {
		return []plans.Effect{}
	}
	return es
}

// notModelledTerm lists the configuration lines of a step the model
// cannot follow.
func notModelledTerm(se *dryrun.StepEffects) *ast.Term {
	var ts []*ast.Term
	if se != nil {
		for _, l := range se.NotModelled {
			ts = append(ts, obj(
				kv("device", str(l.Device)),
				kv("text", str(l.Text)),
				kv("line", integer(l.Source.Line)),
				kv("why", str(l.Why)),
				kv("rollback", boolean(l.Rollback)),
			))
		}
	}
	return ast.ArrayTerm(ts...)
}

// mismatchesTerm lists the differences between a step's declared effects
// and its configuration's.
func mismatchesTerm(se *dryrun.StepEffects) *ast.Term {
	var ts []*ast.Term
	if se != nil {
		for _, m := range se.Mismatches {
			var lines []*ast.Term
			for _, a := range append(append([]dryrun.AppliedEffect(nil), m.Configured...), m.Declared...) {
				for _, l := range a.Lines {
					lines = append(lines, integer(l.Source.Line))
				}
				if a.Declared != nil {
					lines = append(lines, integer(a.Declared.Line))
				}
			}
			ts = append(ts, obj(
				kv("msg", str(m.Msg)),
				kv("rollback", boolean(m.Rollback)),
				kv("configured", effectsTerm(dryrun.Effects(m.Configured))),
				kv("declared", effectsTerm(dryrun.Effects(m.Declared))),
				kv("lines", ast.ArrayTerm(lines...)),
			))
		}
	}
	return ast.ArrayTerm(ts...)
}

func effectsTerm(es []plans.Effect) *ast.Term {
	ts := make([]*ast.Term, len(es))
	for i, e := range es {
		items := [][2]*ast.Term{kv("type", str(string(e.Type)))}
		if e.Link != "" {
			items = append(items, kv("link", str(e.Link)))
		}
		if e.Node != "" {
			items = append(items, kv("node", str(e.Node)))
		}
		if e.From != "" {
			items = append(items, kv("from", str(e.From)))
		}
		if e.Type == plans.SetMetric {
			items = append(items, kv("metric", integer(int(e.Metric))))
		}
		if e.Type == plans.SetCapacity {
			items = append(items, kv("capacity_bps", bps(e.CapacityBps)))
		}
		ts[i] = obj(items...)
	}
	return ast.ArrayTerm(ts...)
}

func checksTerm(cs []plans.Check) *ast.Term {
	ts := make([]*ast.Term, len(cs))
	for i, c := range cs {
		ts[i] = obj(
			kv("name", str(c.Name)),
			kv("device", str(c.Device)),
			kv("command", str(c.Command)),
			kv("expect", obj(kv("kind", str(string(c.Expect.Kind))), kv("value", str(c.Expect.Value)))),
			kv("retries", integer(c.Retries)),
			kv("interval_seconds", num(c.Interval.Seconds())),
			kv("timeout_seconds", num(c.Timeout.Seconds())),
			kv("line", integer(c.Pos.Line)),
		)
	}
	return ast.ArrayTerm(ts...)
}

func topologyTerm(net *topology.Network) *ast.Term {
	nodes := make([][2]*ast.Term, len(net.Nodes))
	for i, n := range net.Nodes {
		nodes[i] = kv(n.Name, obj(
			kv("role", str(n.Role)),
			kv("site", str(n.Site)),
			kv("zone", str(n.Zone)),
			kv("drained", boolean(n.Drained)),
		))
	}
	links := make([][2]*ast.Term, len(net.Links))
	for i, l := range net.Links {
		links[i] = kv(l.ID, obj(
			kv("a", str(l.A)),
			kv("b", str(l.B)),
			kv("a_interface", str(l.AInterface)),
			kv("b_interface", str(l.BInterface)),
			kv("capacity_bps", bps(l.CapacityBps)),
			kv("metric_ab", integer(int(l.MetricAB))),
			kv("metric_ba", integer(int(l.MetricBA))),
			kv("up", boolean(l.Up)),
			kv("class", str(l.Class)),
			kv("srlg", strs(nonNil(l.SRLG))),
		))
	}
	return obj(
		kv("name", str(net.Name)),
		kv("igp", str(net.IGP)),
		kv("nodes", obj(nodes...)),
		kv("links", obj(links...)),
	)
}

func statesTerm(res *dryrun.Result, floor float64) *ast.Term {
	ts := make([]*ast.Term, len(res.States))
	// States are built in as many runs as there are processors, each run
	// reusing terms from one state to the next.
	runs := min(runtime.GOMAXPROCS(0), len(res.States))
	var wg sync.WaitGroup
	for r := range runs {
		lo, hi := r*len(ts)/runs, (r+1)*len(ts)/runs
		wg.Go(func() {
			b := newStateBuilder(res.Topology.TotalDemandBps, floor)
			for i := lo; i < hi; i++ {
				var prev *dryrun.State
				if i > 0 {
					prev = &res.States[i-1]
				}
				ts[i] = b.state(&res.States[i], prev)
			}
		})
	}
	wg.Wait()
	return ast.ArrayTerm(ts...)
}

// stateBuilder converts states. Consecutive states of a plan differ in
// few links: the entry of a link direction or of a failure that did not
// change since the previous state reuses its term (terms are immutable),
// which makes the input of a long plan on a large network several times
// cheaper to build.
type stateBuilder struct {
	totalDemand, floor float64
	links              []cachedTerm[linkKey]
	dropped, maxUtil   []cachedTerm[float64]
	names              []cachedTerm[string]
	ids                map[string]*ast.Term
	idents             []identTerms
	refs               map[dryrun.LinkRef]*ast.Term
}

type cachedTerm[K comparable] struct {
	key  K
	term *ast.Term
}

// linkKey is everything a link direction's entry depends on.
type linkKey struct {
	l            dryrun.LinkLoad
	delta        float64
	n1           bool
	n1Worst      float64
	n1Failure    string
	n1HasFailure bool
}

func newStateBuilder(totalDemand, floor float64) *stateBuilder {
	return &stateBuilder{totalDemand: totalDemand, floor: floor, ids: map[string]*ast.Term{}, refs: map[dryrun.LinkRef]*ast.Term{}}
}

// ref returns a shared term for a link direction reference.
func (b *stateBuilder) ref(r *dryrun.LinkRef) *ast.Term {
	if r == nil {
		return ast.NullTerm()
	}
	t, ok := b.refs[*r]
	if !ok {
		t = obj(kv("id", b.str(r.ID)), kv("from", b.str(r.From)), kv("to", b.str(r.To)))
		b.refs[*r] = t
	}
	return t
}

// Keys of the link-direction entries, built once: there are tens of
// thousands of entries in a large network's input.
var (
	keyID          = ast.StringTerm("id")
	keyFrom        = ast.StringTerm("from")
	keyTo          = ast.StringTerm("to")
	keyClass       = ast.StringTerm("class")
	keyUp          = ast.StringTerm("up")
	keyLoad        = ast.StringTerm("load_bps")
	keyCapacity    = ast.StringTerm("capacity_bps")
	keyUtilization = ast.StringTerm("utilization")
	keyDelta       = ast.StringTerm("delta_bps")
	keyN1Worst     = ast.StringTerm("n1_worst_utilization")
	keyN1Failure   = ast.StringTerm("n1_worst_failure")
)

// identTerms are the name terms of one link direction.
type identTerms struct {
	key                 [4]string
	id, from, to, class *ast.Term
}

// ident returns the name terms of link direction i, reused while the
// names stay the same (they do, in every state of one network).
func (b *stateBuilder) ident(i int, l dryrun.LinkLoad) *identTerms {
	if i >= len(b.idents) {
		b.idents = append(b.idents, make([]identTerms, i+1-len(b.idents))...)
	}
	t := &b.idents[i]
	k := [4]string{l.ID, l.From, l.To, l.Class}
	if t.id == nil || t.key != k {
		*t = identTerms{key: k, id: b.str(l.ID), from: b.str(l.From), to: b.str(l.To), class: b.str(l.Class)}
	}
	return t
}

// str returns a shared term for s: names repeat in every state.
func (b *stateBuilder) str(s string) *ast.Term {
	t, ok := b.ids[s]
	if !ok {
		t = ast.StringTerm(s)
		b.ids[s] = t
	}
	return t
}

// cached returns the term for key at index i of cache, building it when
// the key differs from the last one seen there.
func cached[K comparable](cache *[]cachedTerm[K], i int, key K, build func() *ast.Term) *ast.Term {
	if i >= len(*cache) {
		*cache = append(*cache, make([]cachedTerm[K], i+1-len(*cache))...)
	}
	c := &(*cache)[i]
	if c.term == nil || c.key != key {
		c.key, c.term = key, build()
	}
	return c.term
}

// bps is a rate in whole bits per second: cheaper for OPA to build and
// compare than a float, and exact enough for any policy.
func bps(f float64) *ast.Term {
	if math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e18 {
		return num(f)
	}
	return ast.NumberTerm(json.Number(strconv.FormatInt(int64(math.Round(f)), 10)))
}

// frac is a utilisation or other fraction, to 9 decimals.
func frac(f float64) *ast.Term {
	if math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e9 {
		return num(f)
	}
	return ast.NumberTerm(json.Number(strconv.FormatFloat(f, 'f', 9, 64)))
}

func (b *stateBuilder) state(s, prev *dryrun.State) *ast.Term {
	links := make([]*ast.Term, len(s.Links))
	var hot []*ast.Term
	type classMax struct{ util, delta, n1 float64 }
	classes := map[string]*classMax{}
	var n1Links []dryrun.N1Link
	if s.N1 != nil && len(s.N1.Links) == len(s.Links) {
		n1Links = s.N1.Links
	}
	for i, l := range s.Links {
		key := linkKey{l: l}
		if prev != nil && i < len(prev.Links) {
			key.delta = l.LoadBps - prev.Links[i].LoadBps
		}
		if n1Links != nil {
			key.n1, key.n1Worst = true, n1Links[i].WorstUtilization
			if f := n1Links[i].WorstFailure; f != nil {
				key.n1Failure, key.n1HasFailure = *f, true
			}
		}
		t := cached(&b.links, i, key, func() *ast.Term {
			id := b.ident(i, l)
			items := [][2]*ast.Term{
				{keyID, id.id},
				{keyFrom, id.from},
				{keyTo, id.to},
				{keyClass, id.class},
				{keyUp, boolean(l.Up)},
				{keyLoad, bps(l.LoadBps)},
				{keyCapacity, bps(l.CapacityBps)},
				{keyUtilization, frac(l.Utilization)},
				{keyDelta, bps(key.delta)},
			}
			if key.n1 {
				f := ast.NullTerm()
				if key.n1HasFailure {
					f = b.str(key.n1Failure)
				}
				items = append(items, [2]*ast.Term{keyN1Worst, frac(key.n1Worst)}, [2]*ast.Term{keyN1Failure, f})
			}
			return obj(items...)
		})
		links[i] = t
		if l.Utilization > b.floor || (key.n1 && key.n1Worst > b.floor) {
			hot = append(hot, t)
		}
		cm := classes[l.Class]
		if cm == nil {
			cm = &classMax{util: l.Utilization, delta: key.delta, n1: key.n1Worst}
			classes[l.Class] = cm
		}
		cm.util = max(cm.util, l.Utilization)
		cm.delta = max(cm.delta, key.delta)
		cm.n1 = max(cm.n1, key.n1Worst)
	}
	classItems := make([][2]*ast.Term, 0, len(classes))
	for c, cm := range classes {
		items := []([2]*ast.Term){kv("max_utilization", frac(cm.util)), kv("max_delta_bps", bps(cm.delta))}
		if n1Links != nil {
			items = append(items, kv("n1_max_utilization", frac(cm.n1)))
		}
		classItems = append(classItems, [2]*ast.Term{b.str(c), obj(items...)})
	}
	unreachable := make([]*ast.Term, len(s.Unreachable))
	for i, d := range s.Unreachable {
		unreachable[i] = obj(kv("src", b.str(d.Src)), kv("dst", b.str(d.Dst)), kv("rate_bps", bps(d.RateBps)))
	}
	islands := make([]*ast.Term, len(s.Islands))
	for i, is := range s.Islands {
		islands[i] = strs(is)
	}
	movers := make([]*ast.Term, len(s.TopMovers))
	for i, m := range s.TopMovers {
		movers[i] = obj(
			kv("id", b.str(m.ID)), kv("from", b.str(m.From)), kv("to", b.str(m.To)), kv("class", b.str(m.Class)),
			kv("before_bps", bps(m.BeforeBps)), kv("after_bps", bps(m.AfterBps)), kv("delta_bps", bps(m.DeltaBps)),
		)
	}
	moved := 0.0
	if b.totalDemand > 0 {
		moved = s.MovedBps / b.totalDemand
	}
	return obj(
		kv("index", integer(s.Index)),
		kv("step", optStr(s.Step)),
		kv("links", ast.ArrayTerm(links...)),
		kv("hot_links", ast.ArrayTerm(hot...)),
		kv("classes", obj(classItems...)),
		kv("max_utilization", frac(s.MaxUtilization)),
		kv("max_link", b.ref(s.MaxLink)),
		kv("dropped_bps", bps(s.DroppedBps)),
		kv("unreachable", ast.ArrayTerm(unreachable...)),
		kv("components", integer(s.Components)),
		kv("partitioned", boolean(s.Partitioned)),
		kv("islands", ast.ArrayTerm(islands...)),
		kv("moved_bps", bps(s.MovedBps)),
		kv("moved_fraction", frac(moved)),
		kv("top_movers", ast.ArrayTerm(movers...)),
		kv("n1", b.n1(s.N1)),
	)
}

func (b *stateBuilder) n1(n *dryrun.N1) *ast.Term {
	if n == nil {
		return ast.NullTerm()
	}
	// Failures are given as parallel arrays: a state of a large network
	// has thousands, and an object per failure was a third of the cost of
	// the whole input. Numbers that did not change since the previous
	// state reuse their term.
	names := make([]*ast.Term, len(n.Failures))
	dropped := make([]*ast.Term, len(n.Failures))
	maxUtil := make([]*ast.Term, len(n.Failures))
	maxLink := make([]*ast.Term, len(n.Failures))
	maxDropped := 0.0
	for i, f := range n.Failures {
		maxDropped = max(maxDropped, f.DroppedBps)
		names[i] = cached(&b.names, i, f.Failure, func() *ast.Term { return b.str(f.Failure) })
		dropped[i] = cached(&b.dropped, i, f.DroppedBps, func() *ast.Term { return bps(f.DroppedBps) })
		maxUtil[i] = cached(&b.maxUtil, i, f.MaxUtilization, func() *ast.Term { return frac(f.MaxUtilization) })
		maxLink[i] = b.ref(f.MaxLink)
	}
	return obj(
		kv("max_utilization", frac(n.MaxUtilization)),
		kv("max_link", b.ref(n.MaxLink)),
		kv("worst_failure", optStr(n.WorstFailure)),
		kv("max_dropped_bps", bps(maxDropped)),
		kv("failures", obj(
			kv("names", ast.ArrayTerm(names...)),
			kv("dropped_bps", ast.ArrayTerm(dropped...)),
			kv("max_utilization", ast.ArrayTerm(maxUtil...)),
			kv("max_link", ast.ArrayTerm(maxLink...)),
		)),
	)
}

func rollbackTerm(res *dryrun.Result, floor float64) *ast.Term {
	rb := res.Rollback
	if rb == nil {
		return ast.NullTerm()
	}
	steps := make([]*ast.Term, len(rb.Steps))
	for i, s := range rb.Steps {
		steps[i] = obj(
			kv("index", integer(s.Index)),
			kv("step", str(s.Step)),
			kv("explicit", boolean(s.Explicit)),
			kv("restores_previous", boolean(s.RestoresPrevious)),
			kv("differences", strs(nonNil(s.Differences))),
			kv("restores_baseline_from_here", boolean(s.RestoresBaselineFromHere)),
		)
	}
	// A state on the rollback path that the forward path never visited is
	// given in full, with its changes from the state before it on the
	// path (the last forward state for the first).
	b := newStateBuilder(res.Topology.TotalDemandBps, floor)
	var prev *dryrun.State
	if n := len(res.States); n > 0 {
		prev = &res.States[n-1]
	}
	path := make([]*ast.Term, len(rb.Path))
	for i, p := range rb.Path {
		same, st := ast.NullTerm(), ast.NullTerm()
		cur := p.State
		if p.SameAsState != nil {
			same = integer(*p.SameAsState)
			if k := *p.SameAsState; k >= 0 && k < len(res.States) {
				cur = &res.States[k]
			}
		} else if p.State != nil {
			st = b.state(p.State, prev)
		}
		if cur != nil {
			prev = cur
		}
		path[i] = obj(kv("undone", str(p.Undone)), kv("same_as_state", same), kv("state", st))
	}
	return obj(
		kv("steps", ast.ArrayTerm(steps...)),
		kv("restores_baseline", boolean(rb.RestoresBaseline)),
		kv("path", ast.ArrayTerm(path...)),
	)
}

// digestsTerm is {plan, topology, traffic, policy, inventory}, each a
// string ("" for none).
func digestsTerm(d digest.Set) *ast.Term {
	return obj(
		kv("plan", str(d.Plan)),
		kv("topology", str(d.Topology)),
		kv("traffic", str(d.Traffic)),
		kv("policy", str(d.Policy)),
		kv("inventory", str(d.Inventory)),
	)
}

func approvalsTerm(as []Approval) *ast.Term {
	ts := make([]*ast.Term, len(as))
	for i, a := range as {
		t := a.Time.UTC()
		ts[i] = obj(
			kv("approver", str(a.Approver)),
			kv("identities", strs(nonNil(a.Identities))),
			kv("roles", strs(nonNil(a.Roles))),
			kv("time", str(t.Format(time.RFC3339))),
			kv("time_unix", integer(int(t.Unix()))),
			kv("digests", digestsTerm(a.Digests)),
			kv("verified", boolean(a.Verified)),
			kv("denied", boolean(a.Denied)),
		)
	}
	return ast.ArrayTerm(ts...)
}

// The keys of the input's objects are interned, so that building an
// object allocates no key terms.
func init() {
	ast.InternStringTerm("a", "a_interface", "after_bps", "approvals", "approver", "author", "author_identity", "b", "b_interface", "batch", "before_bps", "capacity_bps", "changes_config", "checks", "class", "classes", "command", "components", "config", "delta_bps", "denied", "description", "device", "devices", "differences", "digests", "drained", "drift", "dropped_bps", "dst", "effects", "end", "end_unix", "expect", "explicit", "explicit_effects", "failure", "failures", "file", "forwarding", "from", "hot_floor", "hot_links", "id", "identities", "index", "interval_seconds", "inventory", "islands", "kind", "line", "link", "links", "load_bps", "max_delta_bps", "max_dropped_bps", "max_failures", "max_link", "max_utilization", "metric", "metric_ab", "metric_ba", "model", "moved_bps", "moved_fraction", "n1", "n1_max_utilization", "n1_worst_failure", "n1_worst_utilization", "name", "network", "node", "nodes", "other_link", "partitioned", "path", "plan", "policy", "post_checks", "pre_checks", "rate_bps", "restores_baseline", "restores_baseline_from_here", "restores_previous", "retries", "risk", "role", "roles", "rollback", "same_as_state", "site", "soak_seconds", "src", "srlg", "stage", "start", "start_unix", "state", "states", "step", "steps", "text", "ticket", "time", "time_unix", "timeout_seconds", "timezone", "title", "to", "top_movers", "topology", "traffic", "type", "undone", "unreachable", "up", "utilization", "value", "verified", "version", "wave", "window", "worst_failure", "zone", "zones")
}
