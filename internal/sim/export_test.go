package sim

// Hooks for the external benchmark package.

// FullN1 is the straightforward N-1 (one full Solve per failure) that the
// incremental N-1 is tested against.
var FullN1 = fullN1

// CheckN1 compares the incremental N-1 of s with a full recomputation of
// every failure, arc by arc.
var CheckN1 = checkN1

// ChainStats returns what ch has done so far: failures from scratch and
// carried over, pairs reused, checked and evaluated.
func ChainStats(ch *N1Chain) (scratch, carried, reused, checked, evaluated int) {
	st := ch.stats
	return st.scratch, st.carried, st.reused, st.checked, st.evaluated
}

// CheckChain runs ch on s and compares its N-1 with a fresh one of s,
// failure by failure and arc by arc, and with full also with a full
// recomputation of every failure.
var CheckChain = checkChain

// ChainWork is the work ch has done so far, in pairCost's unit.
func ChainWork(ch *N1Chain) int64 { return ch.stats.cost }

// ChainBytes is the size of the sums ch keeps.
func ChainBytes(ch *N1Chain) int64 {
	if ch.prev == nil {
		return 0
	}
	return ch.prev.bytes.Load()
}

// PairCosts is the cost of every (destination, failure) pair of the last
// state ch evaluated, per failure: (destination index, cost).
func PairCosts(ch *N1Chain) [][][2]int32 {
	out := make([][][2]int32, len(ch.prev.sums))
	for i, s := range ch.prev.sums {
		for _, p := range s.costs {
			out[i] = append(out[i], [2]int32{p.k, p.cost})
		}
	}
	return out
}

// DestNode is the node of destination index k.
func DestNode(m *Model, k int32) int { return int(m.dests[k]) }
