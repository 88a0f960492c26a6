package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRadixHeap: pushes interleaved with pops, every key at least the
// last popped (as Dijkstra and the reflow push), negative keys included;
// the heap pops every item once, in non-decreasing key order.
func TestRadixHeap(t *testing.T) {
	for seed := uint64(0); seed < 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 13))
		var h radixHeap
		for round := 0; round < 3; round++ { // reuse after reset
			h.reset()
			last := int64(r.IntN(1000)) - 500
			if seed%3 == 0 {
				last = -1 << 40 // the reflow's keys are negated distances
			}
			var pushed, popped []heapItem
			push := func() {
				k := last + int64(r.IntN([]int{1, 10, 70000}[seed%3]))
				it := heapItem{k, int32(len(pushed))}
				pushed = append(pushed, it)
				h.push(it.key, it.node)
			}
			for range 1 + r.IntN(5) {
				push()
			}
			for h.len() > 0 {
				it := h.pop()
				if it.key < last {
					t.Fatalf("seed %d: popped key %d after %d", seed, it.key, last)
				}
				last = it.key
				popped = append(popped, it)
				if len(pushed) < 2000 {
					for range r.IntN(3) {
						push()
					}
				}
			}
			less := func(a, b heapItem) int { return int(a.node) - int(b.node) }
			slices.SortFunc(pushed, less)
			slices.SortFunc(popped, less)
			if !slices.Equal(pushed, popped) {
				t.Fatalf("seed %d: pushed %d items, popped %d, or not the same ones", seed, len(pushed), len(popped))
			}
		}
	}
}
