package sim

import (
	"context"
	"math/bits"
	"runtime"
	"slices"
	"sync/atomic"
)

// N1Chain evaluates the N-1 of the states of a plan one after the other,
// carrying results over from each state to the next. Every failure present
// in both states with the same links starts from its summed load changes
// in the previous state. A (destination, failure) pair whose evaluation
// reads nothing the step changed (the arcs and drains it touched, the
// part of the destination's DAG that differs, or the traffic entering its
// changed nodes) keeps its result; the others are evaluated again on both
// states, the old result taken away and the new one added, or once on
// the difference when only the traffic entering their changed nodes
// differs (see reuse). A failure for which that would cost more than
// starting afresh (judged from its pairs' costs in the previous state),
// or that is new or has other links, is evaluated from scratch.
//
// The results have the shape of State.N1's and equal them to within
// rounding (the equivalence tests hold them to 1e-9 relative). The zero
// value is ready to use; a chain is not safe for concurrent use. It keeps
// the per-failure sums of the last state (sparse: the arcs each failure
// changes, and a cost per pair), at most carryBudget bytes of them.
type N1Chain struct {
	prev  *n1Carry
	stats reuseStats
}

// N1 evaluates failures (see Model.Failures) on top of s, reusing what
// carries over from the state of the previous call. s may be any state
// of the same Model; the more DAGs it shares with the previous one (it
// was derived from it by Apply), the more is reused. It stops early with
// ctx's error when ctx is cancelled; the next call then starts afresh.
func (ch *N1Chain) N1(ctx context.Context, s *State, failures []Failure) (*N1, error) {
	ru := newReuse(ch.prev, s, failures)
	res, carry, err := s.n1(ctx, failures, ru, true)
	if err != nil {
		ch.prev = nil
		return nil, err
	}
	ch.prev = carry
	ch.stats.add(carry.stats)
	if carry.full.Load() {
		ch.prev = nil
	}
	return res, nil
}

// n1Carry is what one state's N-1 hands to the next.
type n1Carry struct {
	state    *State
	ix       *n1Index
	failures []Failure
	sums     []failureSum // parallel to failures
	stats    reuseStats
	bytes    atomic.Int64 // the size of sums
	full     atomic.Bool  // sums outgrew carryBudget: incomplete, not to be carried
}

// carryBudget bounds the memory a chain keeps per state (and takes while
// computing the next one's): past it, the next state starts afresh. A
// failure's sums take 12 bytes per arc it changes and 8 per destination
// it affects; Topology Zoo's Kdl needs 37 MiB, Cogentco 2.4 MiB.
var carryBudget int64 = 1 << 30 // a variable for tests

// failureSum is one failure's total effect on a state: the change in load
// of every arc its pairs touched, and the demand its pairs newly drop.
type failureSum struct {
	arcs    []int32
	vals    []float64
	dropped float64
	costs   []pairCost // every pair of the failure, with its cost (pairCost) when last evaluated
}

// pairCost is the cost of evaluating the pair of destination k with a
// failure, for choosing between carrying a failure over and starting
// afresh.
type pairCost struct {
	k, cost int32
}

// reuseStats counts what a chain did, for tests and measurements.
type reuseStats struct {
	scratch   int // failures evaluated from scratch
	carried   int // failures that started from the previous state's sums
	reused    int // pairs whose result carried over
	checked   int // pairs of a shared DAG checked for a change they read
	evaluated int // pair evaluations (a recomputed pair counts twice: old and new)
	// cost is the work of the evaluations and checks in pairCost's
	// unit (nodes whose next hops change plus arcs whose load changes):
	// a measure of the N-1's work independent of the machine.
	cost int64
}

func (r *reuseStats) add(o reuseStats) {
	r.scratch += o.scratch
	r.carried += o.carried
	r.reused += o.reused
	r.checked += o.checked
	r.evaluated += o.evaluated
	r.cost += o.cost
}

// reuse is what carrying results from the previous state (prev) to a
// state s needs.
//
// A (destination k, failure f) pair reads, besides the failure: the arcs
// at its changed nodes (A: next hops change; S, within A: distance grows)
// and the drains of their neighbours; the distances of S's neighbours and
// whether those neighbours use S; the next hops and traffic of A; and the
// next hops and distances of every node downstream of A, or of a detour
// out of S, in k's DAG, along which it forwards the change. Let D_k be
// the nodes whose distance or next hops differ between the two DAGs of k
// (none when s shares the DAG), and U_k the nodes of D_k and those
// upstream of them in the previous DAG (whose traffic, or a detour's,
// flows through D_k). The pair reads the same in both states when no
// failed arc starts in D_k, the failed node is not in it, and, with A and
// S computed on the previous state:
//
//   - no node of A is in U_k (xs);
//   - no node of S is in C' (the nodes at an end of an arc whose metric or
//     state changed, whose drain changed, or that neighbour one) or
//     neighbours U_k (xn): only S reads arcs, drains and neighbours'
//     distances; the rest of A reads only its next hops and traffic.
//
// Its changed nodes, their arcs, next hops and neighbours' distances are
// then the same, and neither A's old next hops nor a detour lead into
// D_k. Its result carries over when no node of A has a different traffic
// toward k either (xt); when only that differs, its result is linear in
// that traffic and the change is the pair evaluated once on the
// difference (n1Worker.pairDifference).
type reuse struct {
	prev    *n1Carry
	changed []bool // per destination: its DAG is not shared with prev
	// Bitsets over nodes, words per destination (see row): xs, xn and xt
	// as above, d is D_k, and reach holds the nodes downstream of xs, xn
	// and xt in the previous DAG (them included). A node of A leads along
	// next hops to a failed next-hop arc or the failed node, so a pair
	// reaching none of those within reach needs no check (reuse.near).
	xs, xn, xt, d, reach []uint64
	words                int
	match                []int32 // per failure of s: the same failure in prev, or -1
}

func (ru *reuse) row(bits []uint64, k int32) []uint64 {
	return bits[int(k)*ru.words : (int(k)+1)*ru.words]
}

func has(row []uint64, v int32) bool { return row[v>>6]&(1<<(v&63)) != 0 }

func set(row []uint64, v int32) { row[v>>6] |= 1 << (v & 63) }

// newReuse returns what carrying prev's results to s needs, or nil when
// nothing can be carried.
func newReuse(prev *n1Carry, s *State, failures []Failure) *reuse {
	if prev == nil || prev.state.Model != s.Model {
		return nil
	}
	m := s.Model
	ps := prev.state
	old, cur := ps.eff, s.eff
	ru := &reuse{prev: prev, changed: make([]bool, len(m.dests)), match: make([]int32, len(failures))}
	for k := range ru.changed {
		ru.changed[k] = s.trees[k] != ps.trees[k]
	}

	type key struct {
		kind FailureKind
		name string
	}
	byKey := make(map[key]int32, len(prev.failures))
	for i, f := range prev.failures {
		byKey[key{f.Kind, f.Name}] = int32(i)
	}
	matched := false
	for i, f := range failures {
		ru.match[i] = -1
		if j, ok := byKey[key{f.Kind, f.Name}]; ok && prev.failures[j].Node == f.Node && slices.Equal(prev.failures[j].Links, f.Links) {
			ru.match[i] = j
			matched = true
		}
	}
	if !matched {
		return nil
	}

	// C': what the step changed, and the neighbours of changed drains.
	inC := make([]bool, m.nNodes)
	drainChanged := make([]bool, m.nNodes)
	for v := range drainChanged {
		if old.Drained[v] != cur.Drained[v] {
			drainChanged[v] = true
			inC[v] = true
		}
	}
	for a, u := range m.arcTail {
		w := m.arcHead[a]
		l := a / 2
		if (old.Up[l] || cur.Up[l]) && (old.Up[l] != cur.Up[l] || old.Metric[a] != cur.Metric[a]) {
			inC[u], inC[w] = true, true
		}
		if drainChanged[u] {
			inC[w] = true
		}
	}
	var cNodes []int32
	for v, in := range inC {
		if in {
			cNodes = append(cNodes, int32(v))
		}
	}

	ru.words = (m.nNodes + 63) / 64
	n := len(m.dests) * ru.words
	ru.xs, ru.xn, ru.xt = make([]uint64, n), make([]uint64, n), make([]uint64, n)
	ru.d, ru.reach = make([]uint64, n), make([]uint64, n)
	workers := runtime.GOMAXPROCS(0)
	stacks := make([][]int32, workers)
	seen := make([][]uint64, workers)
	parallel(len(m.dests), func(k, wk int) {
		x, xn, xt := ru.row(ru.xs, int32(k)), ru.row(ru.xn, int32(k)), ru.row(ru.xt, int32(k))
		d, reach := ru.row(ru.d, int32(k)), ru.row(ru.reach, int32(k))
		for _, v := range cNodes {
			set(xn, v)
		}
		ot := ps.trees[k]
		stack := stacks[wk][:0]
		if ru.changed[k] {
			nt := s.trees[k]
			for v := int32(0); v < int32(m.nNodes); v++ {
				if ot.dist[v] != nt.dist[v] || !sameHops(ot, nt, v) {
					set(d, v)
					stack = append(stack, v)
				} else if ot.thru[v] != nt.thru[v] {
					set(xt, v)
				}
			}
			// Upstream of D_k in the previous DAG.
			if seen[wk] == nil {
				seen[wk] = make([]uint64, ru.words)
			}
			up := seen[wk]
			copy(up, d)
			t := m.dests[k]
			g := ps.adj
			for len(stack) > 0 {
				v := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				set(x, v)
				// Neighbours over every link, up or down, in either state.
				for _, a := range m.outArcs(v) {
					set(xn, m.arcHead[a])
				}
				for i := g.inOff[v]; i < g.inOff[v+1]; i++ {
					y := g.inTail[i]
					if !has(up, y) && isNextHop(ot, old, t, y, v, g.inMetric[i]) {
						set(up, y)
						stack = append(stack, y)
					}
				}
			}
		}
		// Downstream of X_k in the previous DAG.
		for i, word := range x {
			word |= xn[i] | xt[i]
			for word != 0 {
				v := int32(i*64 + bits.TrailingZeros64(word))
				word &= word - 1
				if ot.dist[v] != inf {
					set(reach, v)
					stack = append(stack, v)
				}
			}
		}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, a := range ot.nh[ot.nhOff[v]:ot.nhOff[v+1]] {
				if w := m.arcHead[a]; !has(reach, w) {
					set(reach, w)
					stack = append(stack, w)
				}
			}
		}
		stacks[wk] = stack
	})
	return ru
}

// sameHops reports whether v has the same next hops in a and b.
func sameHops(a, b *tree, v int32) bool {
	ha, hb := a.nh[a.nhOff[v]:a.nhOff[v+1]], b.nh[b.nhOff[v]:b.nhOff[v+1]]
	if len(ha) != len(hb) {
		return false
	}
	for _, x := range ha {
		if !slices.Contains(hb, x) {
			return false
		}
	}
	return true
}

// near reports whether the pair of destination k and sl's failure could
// have a node of A in X_k: whether, in the previous state, a failed
// next-hop arc starts, or the failed node lies, downstream of X_k.
func (ru *reuse) near(k int32, sl *slot) bool {
	reach := ru.row(ru.reach, k)
	ps := ru.prev.state
	m, tr, c := ps.Model, ps.trees[k], ps.eff
	t := m.dests[k]
	for _, a := range sl.fArcs {
		if u := m.arcTail[a]; has(reach, u) && isNextHop(tr, c, t, u, m.arcHead[a], c.Metric[a]) {
			return true
		}
	}
	return sl.f.Node >= 0 && has(reach, int32(sl.f.Node))
}

// differs reports whether a failed arc of sl starts, or its failed node
// lies, where destination k's two DAGs differ (D_k): the pair's seeds may
// differ, so it is evaluated on both states.
func (ru *reuse) differs(k int32, sl *slot) bool {
	d := ru.row(ru.d, k)
	m := ru.prev.state.Model
	for _, a := range sl.fArcs {
		if has(d, m.arcTail[a]) {
			return true
		}
	}
	return sl.f.Node >= 0 && has(d, int32(sl.f.Node))
}
