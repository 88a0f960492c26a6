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
