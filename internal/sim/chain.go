package sim

import (
	"context"
	"runtime"
	"slices"
)

// N1Chain evaluates the N-1 of the states of a plan one after the other,
// carrying results over from each state to the next. A plan step changes
// the DAGs of few destinations and a few arcs and drains; a (destination,
// failure) pair whose DAG is shared with the previous state (State.Apply
// shares it) and whose changed nodes (those whose next hops change or
// whose distance grows) neither were changed by the step nor neighbour a
// node whose drain changed reads exactly what it read before, so it moves
// the same traffic. Every failure present in both states with the same
// links starts from its summed load changes in the previous state; only
// the pairs that can differ are evaluated again, on both states (the old
// result taken away, the new one added). A failure for which that is no
// cheaper than starting afresh, or that is new or changed, is evaluated
// from scratch.
//
// The results have the shape of State.N1's and equal them to within
// rounding (the equivalence tests hold them to 1e-9 relative). The zero
// value is ready to use; a chain is not safe for concurrent use. It keeps
// the per-failure sums of the last state (sparse: the arcs each failure
// changes), so its memory is about that of the N-1's own working set.
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
	return res, nil
}

// n1Carry is what one state's N-1 hands to the next.
type n1Carry struct {
	state    *State
	ix       *n1Index
	failures []Failure
	sums     []failureSum // parallel to failures
	stats    reuseStats
}

// failureSum is one failure's total effect on a state: the change in load
// of every arc its pairs touched, and the demand its pairs newly drop.
type failureSum struct {
	arcs    []int32
	vals    []float64
	dropped float64
}

// reuseStats counts what a chain did, for tests and measurements.
type reuseStats struct {
	scratch   int // failures evaluated from scratch
	carried   int // failures that started from the previous state's sums
	reused    int // pairs whose result carried over
	checked   int // pairs of a shared DAG checked for a change they read
	evaluated int // pair evaluations (a recomputed pair counts twice: old and new)
}

func (r *reuseStats) add(o reuseStats) {
	r.scratch += o.scratch
	r.carried += o.carried
	r.reused += o.reused
	r.checked += o.checked
	r.evaluated += o.evaluated
}

// reuse is what carrying results from prev to a state s needs.
type reuse struct {
	prev    *n1Carry
	changed []bool // per destination: its DAG is not shared with prev
	// inC holds C': the nodes at an end of an arc whose metric or state
	// changed, the nodes whose drain changed, and those nodes' neighbours.
	// A pair of a shared DAG reads only the arcs at its changed nodes and
	// the drains of their neighbours, so it can differ only when one of
	// its changed nodes is in C'.
	inC []bool
	// reach[k*words:(k+1)*words] is a bitset of the nodes downstream of
	// C' in destination k's DAG (C' included), for shared DAGs. A changed
	// node leads along next hops to a failed next-hop arc or the failed
	// node, so a pair reaching none of them within reach cannot meet C'.
	// Nil when C' is empty.
	reach []uint64
	words int
	match []int32 // per failure of s: the same failure in prev, or -1
}

// newReuse returns what carrying prev's results to s needs, or nil when
// nothing can be carried.
func newReuse(prev *n1Carry, s *State, failures []Failure) *reuse {
	if prev == nil || prev.state.Model != s.Model {
		return nil
	}
	m := s.Model
	old, cur := prev.state.eff, s.eff
	ru := &reuse{prev: prev, changed: make([]bool, len(m.dests)), inC: make([]bool, m.nNodes), match: make([]int32, len(failures))}
	for k := range ru.changed {
		ru.changed[k] = s.trees[k] != prev.state.trees[k]
	}

	type key struct {
		kind FailureKind
		name string
	}
	byKey := make(map[key]int32, len(prev.failures))
	for i, f := range prev.failures {
		byKey[key{f.Kind, f.Name}] = int32(i)
	}
	any := false
	for i, f := range failures {
		ru.match[i] = -1
		if j, ok := byKey[key{f.Kind, f.Name}]; ok && prev.failures[j].Node == f.Node && slices.Equal(prev.failures[j].Links, f.Links) {
			ru.match[i] = j
			any = true
		}
	}
	if !any {
		return nil
	}

	drainChanged := make([]bool, m.nNodes)
	for v := range drainChanged {
		if old.Drained[v] != cur.Drained[v] {
			drainChanged[v] = true
			ru.inC[v] = true
		}
	}
	for a := range m.arcTail {
		l := a / 2
		u, w := m.arcTail[a], m.arcHead[a]
		if (old.Up[l] || cur.Up[l]) && (old.Up[l] != cur.Up[l] || old.Metric[a] != cur.Metric[a]) {
			ru.inC[u], ru.inC[w] = true, true
		}
		if drainChanged[u] {
			ru.inC[w] = true
		}
	}
	var cNodes []int32
	for v, in := range ru.inC {
		if in {
			cNodes = append(cNodes, int32(v))
		}
	}
	if len(cNodes) == 0 {
		return ru
	}
	ru.words = (m.nNodes + 63) / 64
	ru.reach = make([]uint64, len(m.dests)*ru.words)
	stacks := make([][]int32, runtime.GOMAXPROCS(0))
	parallel(len(m.dests), func(k, w int) {
		if ru.changed[k] {
			return
		}
		tr := s.trees[k]
		row := ru.reach[k*ru.words : (k+1)*ru.words]
		stack := stacks[w][:0]
		for _, v := range cNodes {
			if tr.dist[v] != inf && row[v>>6]&(1<<(v&63)) == 0 {
				row[v>>6] |= 1 << (v & 63)
				stack = append(stack, v)
			}
		}
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, a := range tr.nh[tr.nhOff[v]:tr.nhOff[v+1]] {
				if x := m.arcHead[a]; row[x>>6]&(1<<(x&63)) == 0 {
					row[x>>6] |= 1 << (x & 63)
					stack = append(stack, x)
				}
			}
		}
		stacks[w] = stack
	})
	return ru
}

// near reports whether a changed node of the pair of destination k (whose
// DAG s shares with the previous state) and sl's failure could be in C':
// whether a failed next-hop arc starts, or the failed node lies,
// downstream of C'.
func (ru *reuse) near(s *State, k int32, sl *slot) bool {
	if ru.reach == nil {
		return false
	}
	row := ru.reach[int(k)*ru.words : (int(k)+1)*ru.words]
	in := func(v int32) bool { return row[v>>6]&(1<<(v&63)) != 0 }
	m, tr, c := s.Model, s.trees[k], s.eff
	t := m.dests[k]
	for _, a := range sl.fArcs {
		if u := m.arcTail[a]; in(u) && isNextHop(tr, c, t, u, m.arcHead[a], c.Metric[a]) {
			return true
		}
	}
	return sl.f.Node >= 0 && in(int32(sl.f.Node))
}
