package sim

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// FailureKind says what fails.
type FailureKind int

const (
	LinkFailure FailureKind = iota
	NodeFailure
	SRLGFailure
)

func (k FailureKind) String() string {
	switch k {
	case NodeFailure:
		return "node"
	case SRLGFailure:
		return "srlg"
	}
	return "link"
}

// Failure is one failure scenario: a link, a node (with all its links and
// its own demands), or a shared-risk group of links.
type Failure struct {
	Kind  FailureKind
	Name  string // link id, node name or SRLG name
	Links []int  // links that go down
	Node  int    // the failed node for NodeFailure, else -1
}

// String is "link:ID", "node:NAME" or "srlg:NAME".
func (f Failure) String() string { return f.Kind.String() + ":" + f.Name }

// Failures lists the single failures of c: every up link, every node, and
// every SRLG with at least one up link, in that order.
func (m *Model) Failures(c *Config) []Failure {
	net := m.Net
	var out []Failure
	for i, l := range net.Links {
		if c.Up[i] {
			out = append(out, Failure{Kind: LinkFailure, Name: l.ID, Links: []int{i}, Node: -1})
		}
	}
	for v, n := range net.Nodes {
		var links []int
		for _, a := range m.outArcs(int32(v)) {
			// Ascending arcs give ascending links; a link from v to
			// itself has both its arcs here.
			if l := int(a / 2); c.Up[l] && (len(links) == 0 || links[len(links)-1] != l) {
				links = append(links, l)
			}
		}
		out = append(out, Failure{Kind: NodeFailure, Name: n.Name, Links: links, Node: v})
	}
	for _, g := range net.SRLGs() {
		var links []int
		for _, i := range g.Links {
			if c.Up[i] {
				links = append(links, i)
			}
		}
		if len(links) > 0 {
			out = append(out, Failure{Kind: SRLGFailure, Name: g.Name, Links: links, Node: -1})
		}
	}
	return out
}

// FailureResult is the outcome of one failure on top of a state.
type FailureResult struct {
	// Dropped is all demand that cannot be delivered with the failure
	// (a failed node's own demands are removed, not dropped).
	Dropped float64
	// MaxUtilization is the highest arc utilisation with the failure, on MaxArc.
	MaxUtilization float64
	MaxArc         int
}

// N1 is the single-failure analysis of a state.
type N1 struct {
	Failures []Failure
	Results  []FailureResult // parallel to Failures
	// Worst[a] is the highest utilisation of arc a over the state itself
	// and every failure; WorstFailure[a] is the index of the failure that
	// causes it (lowest index on ties), or -1 when no failure raises it
	// above the state's own utilisation.
	Worst        []float64
	WorstFailure []int
}

// N1 evaluates every failure in failures (see Model.Failures) on top of s,
// incrementally. It stops early with ctx's error when ctx is cancelled.
func (s *State) N1(ctx context.Context, failures []Failure) (*N1, error) {
	res, _, err := s.n1(ctx, failures, nil, false)
	return res, err
}

// n1 evaluates failures on top of s. With ru, the failures ru matches to
// the previous state start from that state's sums and recompute only the
// pairs whose result can differ. With capture, it also returns every
// failure's summed load changes, for the next state of a chain.
func (s *State) n1(ctx context.Context, failures []Failure, ru *reuse, capture bool) (*N1, *n1Carry, error) {
	m := s.Model
	nArcs := len(m.arcTail)
	ix := s.n1Index()
	res := &N1{Failures: failures, Results: make([]FailureResult, len(failures))}
	var carry *n1Carry
	if capture {
		carry = &n1Carry{state: s, ix: ix, failures: failures, sums: make([]failureSum, len(failures))}
	}

	blocks := s.blocks(failures, ix)
	workers := max(1, min(runtime.GOMAXPROCS(0), len(blocks)))
	ws := make([]*n1Worker, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range ws {
		ws[w] = newN1Worker(s, ix)
		ws[w].ru = ru
		if carry != nil {
			ws[w].capture = carry.sums
			ws[w].carry = carry
		}
		wg.Add(1)
		go func(wk *n1Worker) {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= len(blocks) || ctx.Err() != nil {
					return
				}
				wk.block(failures, blocks[b][0], blocks[b][1], res.Results)
			}
		}(ws[w])
	}
	wg.Wait()
	for _, wk := range ws {
		for _, sl := range wk.slots {
			sl.f, sl.carry = nil, nil
			slotPool.Put(sl)
		}
		wk.slots = nil
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("n-1 analysis: %w", err)
	}
	res.Worst = make([]float64, nArcs)
	res.WorstFailure = make([]int, nArcs)
	for a := 0; a < nArcs; a++ {
		best, bf := s.Utilization(a), -1
		for _, wk := range ws {
			u, f := wk.worst[a], int(wk.worstF[a])
			if f >= 0 && (u > best || (u == best && bf >= 0 && f < bf)) {
				best, bf = u, f
			}
		}
		res.Worst[a], res.WorstFailure[a] = best, bf
	}
	if carry != nil {
		for _, wk := range ws {
			carry.stats.add(wk.stats)
		}
	}
	return res, carry, nil
}

// n1Index holds what every failure evaluation of one state shares.
type n1Index struct {
	arcDestOff []int32 // destinations whose traffic uses arc a as a next hop:
	arcDest    []int32 // arcDest[arcDestOff[a]:arcDestOff[a+1]], ascending
	byUtil     []int32 // up arcs by utilisation, highest first
	droppedSrc []float64
}

func (s *State) n1Index() *n1Index {
	m := s.Model
	nArcs := len(m.arcTail)
	ix := &n1Index{arcDestOff: make([]int32, nArcs+1), droppedSrc: make([]float64, m.nNodes)}
	each := func(f func(k int, a int32)) {
		for k, tr := range s.trees {
			for _, v := range tr.order[min(1, len(tr.order)):] {
				if tr.thru[v] == 0 {
					continue
				}
				for _, a := range tr.nh[tr.nhOff[v]:tr.nhOff[v+1]] {
					f(k, a)
				}
			}
		}
	}
	each(func(_ int, a int32) { ix.arcDestOff[a+1]++ })
	for a := 0; a < nArcs; a++ {
		ix.arcDestOff[a+1] += ix.arcDestOff[a]
	}
	ix.arcDest = make([]int32, ix.arcDestOff[nArcs])
	pos := append([]int32(nil), ix.arcDestOff[:nArcs]...)
	each(func(k int, a int32) { ix.arcDest[pos[a]] = int32(k); pos[a]++ })

	for a := 0; a < nArcs; a++ {
		if s.Config.Up[a/2] {
			ix.byUtil = append(ix.byUtil, int32(a))
		}
	}
	sort.SliceStable(ix.byUtil, func(i, j int) bool {
		return s.Utilization(int(ix.byUtil[i])) > s.Utilization(int(ix.byUtil[j]))
	})
	for k, tr := range s.trees {
		if tr.dropped == 0 {
			continue
		}
		for i := m.dmOff[k]; i < m.dmOff[k+1]; i++ {
			if src := m.dmSrc[i]; tr.dist[src] == inf {
				ix.droppedSrc[src] += m.dmRate[i]
			}
		}
	}
	return ix
}

// Node flags for one (destination, failure) evaluation.
const (
	inA    = 1 << iota // next hops change
	inS                // distance grows (or the node is the failed one)
	queued             // in the reflow's heap
)

type n1Worker struct {
	s  *State // the state under analysis
	m  *Model
	ix *n1Index
	ps *State // the state the current pair is evaluated on (s, or ru's previous state)
	// minus, when not nil, is the previous state's DAG of the current
	// pair's destination: the pair moves the difference in traffic (see
	// thruOf).
	minus *tree

	ru      *reuse       // nil: every failure from scratch
	capture []failureSum // per failure: its sums, for the next state; nil: not kept
	carry   *n1Carry     // what capture belongs to
	stats   reuseStats

	// per node, valid when stamp[v] == cur
	stamp   []uint32
	cur     uint32
	flags   []uint8
	cnt     []int32 // next hops left
	oldCnt  []int32
	newDist []int64
	delta   []float64
	aList   []int32
	sList   []int32
	hops    []int32
	h       radixHeap

	// per arc, valid when arcStamp[a] == acur
	arcStamp []uint32
	acur     uint32
	arcDelta []float64
	touched  []int32
	failed   []bool
	fArcs    []int32 // failed arcs of the current pair's failure

	// per block
	slots     []*slot
	destStamp []uint32
	oldStamp  []uint32 // destStamp for the previous state's pairs
	dcur      uint32
	oldPairs  []int32
	checks    []int32
	cost      []int32 // per destination: a pair's cost in the previous state, or 0
	kCount    []int32 // per destination: pairs in the block
	kPos      []int32 // per destination: index in kList
	kList     []int32 // destinations with pairs, ascending
	kOff      []int32
	pairs     []int32 // slots, grouped by destination

	worst  []float64
	worstF []int32
}

func newN1Worker(s *State, ix *n1Index) *n1Worker {
	m := s.Model
	n, nArcs := m.nNodes, len(m.arcTail)
	w := &n1Worker{
		s: s, m: m, ix: ix, ps: s,
		stamp: make([]uint32, n), flags: make([]uint8, n), cnt: make([]int32, n), oldCnt: make([]int32, n),
		newDist: make([]int64, n), delta: make([]float64, n),
		arcStamp: make([]uint32, nArcs), arcDelta: make([]float64, nArcs), failed: make([]bool, nArcs),
		cost: make([]int32, len(m.dests)), destStamp: make([]uint32, len(m.dests)), oldStamp: make([]uint32, len(m.dests)), kCount: make([]int32, len(m.dests)), kPos: make([]int32, len(m.dests)),
		worst: make([]float64, nArcs), worstF: make([]int32, nArcs),
	}
	for a := range w.worst {
		w.worst[a] = s.Utilization(a)
		w.worstF[a] = -1
	}
	return w
}

// blocks groups consecutive failures so that each group makes about the
// same number of (destination, failure) pairs. A worker evaluates a block
// destination by destination, so each destination's DAG is read from
// memory once per block rather than once per failure. Blocks depend only
// on the inputs, never on the number of workers, so results are the same
// on any machine.
func (s *State) blocks(failures []Failure, ix *n1Index) [][2]int {
	est := make([]int, len(failures))
	total := 0
	for i, f := range failures {
		for _, l := range f.Links {
			for _, a := range [2]int{2 * l, 2*l + 1} {
				est[i] += int(ix.arcDestOff[a+1] - ix.arcDestOff[a])
			}
		}
		est[i]++
		total += est[i]
	}
	budget := min(1<<15, max(1<<10, total/16))
	var out [][2]int
	start, sum := 0, 0
	for i := range failures {
		if sum > 0 && (sum+est[i] > budget || i-start >= maxBlock) {
			out = append(out, [2]int{start, i})
			start, sum = i, 0
		}
		sum += est[i]
	}
	if start < len(failures) {
		out = append(out, [2]int{start, len(failures)})
	}
	return out
}

// maxBlock bounds the failures in one block.
const maxBlock = 256

// slotPool keeps slots, with the room their logs grew to, from one N-1
// to the next: a chain's states, a plan's dry-run.
var slotPool = sync.Pool{New: func() any { return new(slot) }}

// slot is the per-failure state of a block.
type slot struct {
	f       *Failure
	fArcs   []int32
	dests   []int32     // the pairs to evaluate: destination<<2 | op
	logArcs []int32     // per-arc load changes, in destination order
	logVals []float64   //
	base    float64     // the state's dropped demand with the failed node's own removed
	dropped float64     // the pairs' newly dropped demand
	carry   *failureSum // the previous state's sums this failure starts from, or nil
	costs   []pairCost  // the cost of every pair of the failure in the state (when capturing)
}

// What a block does with one (destination, failure) pair: two bits beside
// the pair's destination or slot index.
const (
	opNew   = iota + 1 // evaluate it on the state, add its changes
	opOld              // evaluate it on the previous state, take its changes away
	opDelta            // evaluate it once on the difference in traffic (pairDifference)
)

// block evaluates failures[lo:hi] into results.
func (w *n1Worker) block(failures []Failure, lo, hi int, results []FailureResult) {
	s := w.s
	n := hi - lo
	for len(w.slots) < n {
		w.slots = append(w.slots, slotPool.Get().(*slot))
	}
	// The pairs of each failure, then grouped by destination.
	w.kList = w.kList[:0]
	for i := 0; i < n; i++ {
		sl := w.slots[i]
		w.setup(sl, &failures[lo+i], lo+i)
		for _, p := range sl.dests {
			k := p >> 2
			if w.kCount[k] == 0 {
				w.kList = append(w.kList, k)
			}
			w.kCount[k]++
		}
	}
	slices.Sort(w.kList)
	w.kOff = w.kOff[:0]
	off := int32(0)
	for _, k := range w.kList {
		w.kOff = append(w.kOff, off)
		off += w.kCount[k]
		w.kCount[k] = 0
	}
	w.kOff = append(w.kOff, off)
	if cap(w.pairs) < int(off) {
		w.pairs = make([]int32, off)
	}
	w.pairs = w.pairs[:off]
	for j, k := range w.kList {
		w.kPos[k] = int32(j)
	}
	fill := append([]int32(nil), w.kOff[:len(w.kList)]...)
	for i := 0; i < n; i++ {
		for _, p := range w.slots[i].dests {
			j := w.kPos[p>>2]
			w.pairs[fill[j]] = int32(i)<<2 | p&3
			fill[j]++
		}
	}

	// Destination by destination, every failure that affects it.
	for j, k := range w.kList {
		for _, e := range w.pairs[w.kOff[j]:w.kOff[j+1]] {
			sl := w.slots[e>>2]
			switch e & 3 {
			case opNew:
				w.pair(s, k, sl, 1)
			case opOld:
				w.pair(w.ru.prev.state, k, sl, -1)
			case opDelta:
				w.pairDifference(k, sl)
			}
		}
	}
	for i := 0; i < n; i++ {
		results[lo+i] = w.evaluate(lo+i, w.slots[i])
	}
}

// setup readies sl for failure f (index fi): its failed arcs, the dropped
// demand it starts from, and its pairs.
func (w *n1Worker) setup(sl *slot, f *Failure, fi int) {
	s, m := w.s, w.m
	sl.f, sl.fArcs, sl.dests = f, sl.fArcs[:0], sl.dests[:0]
	sl.logArcs, sl.logVals = sl.logArcs[:0], sl.logVals[:0]
	sl.base, sl.dropped, sl.carry, sl.costs = s.Dropped, 0, nil, sl.costs[:0]
	for _, l := range f.Links {
		sl.fArcs = append(sl.fArcs, int32(2*l), int32(2*l+1))
	}
	if f.Node >= 0 {
		sl.base -= w.ix.droppedSrc[f.Node]
		if k := m.destOf[f.Node]; k >= 0 {
			sl.base -= s.trees[k].dropped
		}
	}
	if w.ru != nil && w.ru.match[fi] >= 0 && w.setupReuse(sl, fi) {
		return
	}
	w.stats.scratch++
	w.eachPair(w.ix, sl, w.destStamp, func(k int32) { sl.dests = append(sl.dests, k<<2|opNew) })
}

// eachPair calls f once for every destination whose traffic the failure of
// sl reaches in the state ix indexes: it uses a failed arc as a next hop, or
// it is the failed node. Those destinations have stamp[k] equal to the
// value it returns.
func (w *n1Worker) eachPair(ix *n1Index, sl *slot, stamp []uint32, f func(k int32)) uint32 {
	w.dcur++
	cur := w.dcur
	for _, a := range sl.fArcs {
		for _, k := range ix.arcDest[ix.arcDestOff[a]:ix.arcDestOff[a+1]] {
			if stamp[k] != cur {
				stamp[k] = cur
				f(k)
			}
		}
	}
	if sl.f.Node >= 0 {
		if k := w.m.destOf[sl.f.Node]; k >= 0 && stamp[k] != cur {
			stamp[k] = cur
			f(k)
		}
	}
	return cur
}

// setupReuse gives sl the previous state's sums of its failure and the
// pairs whose result can differ between the two states: a pair of only one
// state is evaluated on it (taken away when old, added when new); a pair
// of both is reused unless it may read something that differs between
// them (see reuse), in which case readsChange decides, or, when the
// failed arcs start or the failed node lies where the two DAGs differ,
// it is evaluated on both. When that would cost as much as starting from
// scratch (estimated from the pairs' costs in the previous state), it
// leaves sl alone and returns false.
func (w *n1Worker) setupReuse(sl *slot, fi int) bool {
	ru := w.ru
	m := w.m
	node := sl.f.Node
	prev := &ru.prev.sums[ru.match[fi]]
	avg := int64(1)
	for _, p := range prev.costs {
		w.cost[p.k] = p.cost
		avg += int64(p.cost)
	}
	avg /= int64(len(prev.costs) + 1)
	est := func(k int32) int64 {
		if c := w.cost[k]; c > 0 {
			return int64(c)
		}
		return avg
	}
	defer func() {
		for _, p := range prev.costs {
			w.cost[p.k] = 0
		}
	}()

	w.oldPairs = w.oldPairs[:0]
	oc := w.eachPair(ru.prev.ix, sl, w.oldStamp, func(k int32) { w.oldPairs = append(w.oldPairs, k) })
	var plain, work int64
	w.checks = w.checks[:0]
	nc := w.eachPair(w.ix, sl, w.destStamp, func(k int32) {
		plain += est(k)
		self := int(m.dests[k]) == node
		switch {
		case w.oldStamp[k] != oc:
			sl.dests = append(sl.dests, k<<2|opNew)
			work += est(k)
		case ru.changed[k] && (self || ru.differs(k, sl)):
			sl.dests = append(sl.dests, k<<2|opNew, k<<2|opOld)
			work += 2 * est(k)
		case !self && ru.near(k, sl):
			w.checks = append(w.checks, k)
		default:
			sl.costs = append(sl.costs, pairCost{k, int32(est(k))})
		}
	})
	for _, k := range w.oldPairs {
		if w.destStamp[k] != nc {
			sl.dests = append(sl.dests, k<<2|opOld)
			work += est(k)
		}
	}
	if work < plain {
		for _, k := range w.checks {
			switch w.readsChange(k, sl) {
			case readsSame:
				sl.costs = append(sl.costs, pairCost{k, int32(est(k))})
			case readsTraffic:
				sl.dests = append(sl.dests, k<<2|opDelta)
				work += est(k)
			default:
				sl.dests = append(sl.dests, k<<2|opNew, k<<2|opOld)
				work += 2 * est(k)
			}
		}
	}
	if work >= plain {
		sl.dests, sl.costs = sl.dests[:0], sl.costs[:0]
		return false
	}
	sl.carry = prev
	sl.dropped = prev.dropped
	w.stats.reused += len(sl.costs)
	w.stats.carried++
	return true
}

// pair evaluates destination k under sl's failure on state ps and logs
// its load changes and newly dropped demand with sign (1: add, -1: take
// away).
func (w *n1Worker) pair(ps *State, k int32, sl *slot, sign float64) {
	w.ps = ps
	w.beginPair(sl.fArcs)
	dropped := 0.0
	if int(w.m.dests[k]) == sl.f.Node {
		w.aList = w.aList[:0]
		w.removeTree(ps.trees[k])
	} else {
		dropped = w.dest(int(k), int32(sl.f.Node))
	}
	w.endPair(sl, sign)
	sl.dropped += sign * dropped
	w.stats.evaluated++
	w.stats.cost += int64(w.pairCost())
	if sign > 0 && w.capture != nil {
		sl.costs = append(sl.costs, pairCost{k, w.pairCost()})
	}
}

// Whether a pair present in both states reads the same in both
// (readsChange).
const (
	readsSame    = iota // its result carries over
	readsTraffic        // only the traffic at its changed nodes differs: evaluate the difference
	readsOther          // evaluate it on both states
)

// readsChange says whether the pair of destination k and sl's failure,
// present in both states, has a node whose next hops change or whose
// distance grows (computed on the previous state) among the nodes whose
// reads can differ between the states (reuse.xs, xn and xt).
func (w *n1Worker) readsChange(k int32, sl *slot) int {
	prev := w.ru.prev.state
	w.ps = prev
	w.beginPair(sl.fArcs)
	w.cur++
	w.aList = w.aList[:0]
	w.sList = w.sList[:0]
	w.affected(prev.trees[k], w.m.dests[k], int32(sl.f.Node))
	xs, xn, xt := w.ru.row(w.ru.xs, k), w.ru.row(w.ru.xn, k), w.ru.row(w.ru.xt, k)
	res := readsSame
	for _, v := range w.aList { // S is within A
		if has(xs, v) || (w.flags[v]&inS != 0 && has(xn, v)) {
			res = readsOther
			break
		}
		if has(xt, v) {
			res = readsTraffic
		}
	}
	for _, a := range w.fArcs {
		w.failed[a] = false
	}
	w.stats.checked++
	w.stats.cost += int64(len(w.aList) + 1)
	return res
}

// pairDifference adds the new result less the old of the pair of
// destination k and sl's failure when only the traffic at its changed
// nodes differs between the states (readsTraffic): the pair evaluated
// once on the difference in traffic. The demand it drops is the same in
// both states.
func (w *n1Worker) pairDifference(k int32, sl *slot) {
	w.ps = w.s
	w.minus = w.ru.prev.state.trees[k]
	w.beginPair(sl.fArcs)
	w.dest(int(k), int32(sl.f.Node))
	w.endPair(sl, 1)
	w.minus = nil
	w.stats.evaluated++
	w.stats.cost += int64(w.pairCost())
	if w.capture != nil {
		sl.costs = append(sl.costs, pairCost{k, w.pairCost()})
	}
}

func (w *n1Worker) beginPair(fArcs []int32) {
	w.fArcs = fArcs
	for _, a := range fArcs {
		w.failed[a] = true
	}
	w.acur++
	w.touched = w.touched[:0]
}

// endPair moves the pair's load changes, times sign, to the failure's log.
func (w *n1Worker) endPair(sl *slot, sign float64) {
	for _, a := range w.touched {
		sl.logArcs = append(sl.logArcs, a)
		sl.logVals = append(sl.logVals, sign*w.arcDelta[a])
	}
	for _, a := range w.fArcs {
		w.failed[a] = false
	}
}

// evaluate sums a failure's load changes and finds its worst link; arcs
// not changed keep the state's load.
func (w *n1Worker) evaluate(fi int, sl *slot) FailureResult {
	s, ix := w.s, w.ix
	w.acur++
	w.touched = w.touched[:0]
	if c := sl.carry; c != nil {
		for i, a := range c.arcs {
			w.addArc(a, c.vals[i])
		}
	}
	for i, a := range sl.logArcs {
		w.addArc(a, sl.logVals[i])
	}
	if w.capture != nil {
		sum := failureSum{arcs: make([]int32, len(w.touched)), vals: make([]float64, len(w.touched)), dropped: sl.dropped}
		for i, a := range w.touched {
			sum.arcs[i], sum.vals[i] = a, w.arcDelta[a]
		}
		sum.costs = slices.Clone(sl.costs)
		if w.carry.bytes.Add(int64(12*len(sum.arcs)+8*len(sum.costs))) > carryBudget {
			w.capture = nil
			w.carry.full.Store(true)
		} else {
			w.capture[fi] = sum
		}
	}
	for _, a := range sl.fArcs {
		w.failed[a] = true
	}
	r := FailureResult{MaxArc: -1}
	for _, a := range w.touched {
		u := 0.0
		if !w.failed[a] {
			load := s.Load[a] + w.arcDelta[a]
			if load < 0 {
				load = 0 // rounding residue of traffic that all moved away
			}
			u = load / s.Config.Capacity[a/2]
		}
		if r.MaxArc < 0 || u > r.MaxUtilization || (u == r.MaxUtilization && int(a) < r.MaxArc) {
			r.MaxUtilization, r.MaxArc = u, int(a)
		}
		if u > w.worst[a] || (u == w.worst[a] && w.worstF[a] > int32(fi)) {
			w.worst[a], w.worstF[a] = u, int32(fi)
		}
	}
	for _, a := range ix.byUtil {
		if w.arcStamp[a] == w.acur || w.failed[a] {
			continue
		}
		if u := s.Utilization(int(a)); r.MaxArc < 0 || u > r.MaxUtilization || (u == r.MaxUtilization && int(a) < r.MaxArc) {
			r.MaxUtilization, r.MaxArc = u, int(a)
		}
		break
	}
	for _, a := range sl.fArcs {
		w.failed[a] = false
	}
	r.Dropped = max(0, sl.base+sl.dropped)
	return r
}

func (w *n1Worker) addArc(a int32, x float64) {
	if w.arcStamp[a] != w.acur {
		w.arcStamp[a] = w.acur
		w.arcDelta[a] = 0
		w.touched = append(w.touched, a)
	}
	w.arcDelta[a] += x
}

// removeTree subtracts all traffic toward a failed destination.
func (w *n1Worker) removeTree(tr *tree) {
	tr.eachShare(func(a int32, share float64) { w.addArc(a, -share) })
}

// pairCost is the cost of the pair just evaluated: the nodes whose next
// hops it changed and the arcs whose load it changed.
func (w *n1Worker) pairCost() int32 {
	return int32(min(len(w.aList)+len(w.touched)+1, math.MaxInt32))
}

// thruOf is the traffic toward tr's destination at node u that the
// current pair moves: all of it, or with minus the difference from the
// previous state's DAG. A pair's load changes are linear in the traffic
// at its changed nodes, so when only that differs between the states the
// pair's new result less its old one is the pair evaluated on the
// difference.
func (w *n1Worker) thruOf(tr *tree, u int32) float64 {
	if w.minus != nil {
		return tr.thru[u] - w.minus.thru[u]
	}
	return tr.thru[u]
}

// touch makes v's per-evaluation data current.
func (w *n1Worker) touch(v int32) {
	if w.stamp[v] != w.cur {
		w.stamp[v] = w.cur
		w.flags[v] = 0
		w.delta[v] = 0
	}
}

// dest updates destination k for the current failure and returns the
// demand that becomes undeliverable. It works in three phases, each on the
// nodes the failure touches only: affected finds the nodes whose next hops
// change (A) and those whose distance grows (S), redistance gives S its new
// distances, and reflow moves the traffic onto the new DAG.
func (w *n1Worker) dest(k int, failedNode int32) float64 {
	tr := w.ps.trees[k]
	t := w.m.dests[k]
	w.cur++
	w.aList = w.aList[:0]
	w.sList = w.sList[:0]
	w.affected(tr, t, failedNode)
	w.redistance(tr, t, failedNode)
	return w.reflow(k, tr, t, failedNode)
}

// markA puts u in A: its next hops change. Its count of next hops left
// starts at its number of next hops in tr.
func (w *n1Worker) markA(tr *tree, u int32) {
	w.touch(u)
	if w.flags[u]&inA == 0 {
		w.flags[u] |= inA
		n := tr.nhOff[u+1] - tr.nhOff[u]
		w.cnt[u], w.oldCnt[u] = n, n
		w.aList = append(w.aList, u)
	}
}

// markS puts u, already in A, in S: its distance grows.
func (w *n1Worker) markS(u int32) {
	w.flags[u] |= inS
	w.sList = append(w.sList, u)
}

// inS reports whether v is in S in the current evaluation.
func (w *n1Worker) inS(v int32) bool {
	return w.stamp[v] == w.cur && w.flags[v]&inS != 0
}

// newDistOf is v's distance to the destination after the failure: the new
// one for nodes in S, the old one in tr for every other node.
func (w *n1Worker) newDistOf(tr *tree, v int32) int64 {
	if w.inS(v) {
		return w.newDist[v]
	}
	return tr.dist[v]
}

// affected builds A and S for destination t of tree tr: the seeds are the
// nodes whose next hop is a failed arc (and the failed node), and S grows
// to the nodes all of whose next hops lead into S or onto failed arcs.
func (w *n1Worker) affected(tr *tree, t, failedNode int32) {
	m, g, c := w.m, w.ps.adj, w.ps.eff
	// Seeds: nodes whose next hop is a failed arc.
	for _, a := range w.fArcs {
		u, x := m.arcTail[a], m.arcHead[a]
		if isNextHop(tr, c, t, u, x, c.Metric[a]) {
			w.markA(tr, u)
			w.cnt[u]--
		}
	}
	if failedNode >= 0 && tr.dist[failedNode] != inf {
		w.markA(tr, failedNode)
		if w.flags[failedNode]&inS == 0 {
			w.markS(failedNode)
		}
	}
	for _, u := range w.aList {
		if w.cnt[u] == 0 && w.flags[u]&inS == 0 {
			w.markS(u)
		}
	}
	// Grow S: nodes all of whose next hops lead into S or failed arcs.
	for i := 0; i < len(w.sList); i++ {
		x := w.sList[i]
		for j := g.inOff[x]; j < g.inOff[x+1]; j++ {
			if w.failed[g.inArc[j]] {
				continue
			}
			y := g.inTail[j]
			if !isNextHop(tr, c, t, y, x, g.inMetric[j]) {
				continue
			}
			w.markA(tr, y)
			w.cnt[y]--
			if w.cnt[y] == 0 && w.flags[y]&inS == 0 {
				w.markS(y)
			}
		}
	}
}

// redistance sets the new distances of S (inf where the destination is
// no longer reachable), by Dijkstra seeded from the nodes outside S.
func (w *n1Worker) redistance(tr *tree, t, failedNode int32) {
	g, c := w.ps.adj, w.ps.eff
	dist := tr.dist
	h := &w.h
	h.reset()
	for _, x := range w.sList {
		best := int64(inf)
		if x != failedNode {
			for j := g.outOff[x]; j < g.outOff[x+1]; j++ {
				z := g.outHead[j]
				if w.failed[g.outArc[j]] || z == failedNode || dist[z] == inf || (z != t && c.Drained[z]) {
					continue
				}
				if w.inS(z) {
					continue
				}
				best = min(best, dist[z]+g.outMetric[j])
			}
		}
		w.newDist[x] = best
		if best != inf {
			h.push(best, x)
		}
	}
	for h.len() > 0 {
		it := h.pop()
		x := it.node
		if it.key > w.newDist[x] || c.Drained[x] {
			continue
		}
		for j := g.inOff[x]; j < g.inOff[x+1]; j++ {
			y := g.inTail[j]
			if w.failed[g.inArc[j]] || y == failedNode || !w.inS(y) {
				continue
			}
			if nd := it.key + g.inMetric[j]; nd < w.newDist[y] {
				w.newDist[y] = nd
				h.push(nd, y)
			}
		}
	}
}

// reflow moves destination k's traffic onto the new DAG and returns the
// demand that becomes undeliverable: it takes away the old outflow of
// every node whose next hops change, then pushes traffic down the new DAG
// in decreasing distance (the radix heap on negated keys), re-splitting at
// changed nodes and forwarding deltas unchanged elsewhere.
func (w *n1Worker) reflow(k int, tr *tree, t, failedNode int32) float64 {
	m, g, c := w.m, w.ps.adj, w.ps.eff
	h := &w.h
	h.reset()
	// Nodes cut off from the destination only drop their own demand:
	// no traffic reaches them any more, so they never enter the heap.
	dropped := 0.0
	for _, x := range w.sList {
		if x != failedNode && w.newDist[x] == inf {
			w.flags[x] |= queued
			dropped += m.own(k, x)
		}
	}
	enqueue := func(v int32) {
		if v == t || v == failedNode || w.flags[v]&queued != 0 {
			return
		}
		w.flags[v] |= queued
		h.push(-w.newDistOf(tr, v), v)
	}
	for _, u := range w.aList {
		if x := w.thruOf(tr, u); x != 0 {
			hops := tr.nh[tr.nhOff[u]:tr.nhOff[u+1]]
			share := x / float64(len(hops))
			for _, a := range hops {
				w.addArc(a, -share)
				v := m.arcHead[a]
				w.touch(v)
				w.delta[v] -= share
				enqueue(v)
			}
		}
		enqueue(u)
	}
	for h.len() > 0 {
		var hops []int32
		y := h.pop().node
		fl := w.flags[y]
		var total float64
		switch {
		case fl&inA != 0:
			total = w.thruOf(tr, y) + w.delta[y]
			w.hops = w.hops[:0]
			if fl&inS != 0 {
				dy := w.newDist[y]
				for j := g.outOff[y]; j < g.outOff[y+1]; j++ {
					z := g.outHead[j]
					if w.failed[g.outArc[j]] || z == failedNode || (z != t && c.Drained[z]) {
						continue
					}
					if dz := w.newDistOf(tr, z); dz != inf && dz+g.outMetric[j] == dy {
						w.hops = append(w.hops, g.outArc[j])
					}
				}
			} else {
				for _, a := range tr.nh[tr.nhOff[y]:tr.nhOff[y+1]] {
					z := m.arcHead[a]
					if w.failed[a] || w.inS(z) {
						continue
					}
					w.hops = append(w.hops, a)
				}
			}
			hops = w.hops
		default:
			total = w.delta[y]
			hops = tr.nh[tr.nhOff[y]:tr.nhOff[y+1]]
		}
		if total == 0 || len(hops) == 0 {
			continue
		}
		share := total / float64(len(hops))
		for _, a := range hops {
			w.addArc(a, share)
			v := m.arcHead[a]
			w.touch(v)
			w.delta[v] += share
			enqueue(v)
		}
	}
	return dropped
}
