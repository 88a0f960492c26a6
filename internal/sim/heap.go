package sim

import "math/bits"

// nodeHeap is a binary min-heap of (key, node) pairs ordered by key, then
// node index, so that pop order is fully determined by the keys (trees and
// sums come out bit-identical whichever way they were reached). Stale
// entries are skipped by the callers (lazy deletion).
type nodeHeap []heapItem

type heapItem struct {
	key  int64
	node int32
}

func (a heapItem) less(b heapItem) bool {
	return a.key < b.key || (a.key == b.key && a.node < b.node)
}

func (h *nodeHeap) push(key int64, v int32) {
	*h = append(*h, heapItem{key, v})
	s := *h
	i := len(s) - 1
	it := s[i]
	for i > 0 {
		p := (i - 1) / 2
		if !it.less(s[p]) {
			break
		}
		s[i] = s[p]
		i = p
	}
	s[i] = it
}

func (h *nodeHeap) pop() heapItem {
	s := *h
	top := s[0]
	last := s[len(s)-1]
	s = s[:len(s)-1]
	*h = s
	n := len(s)
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s[c+1].less(s[c]) {
			c++
		}
		if !s[c].less(last) {
			break
		}
		s[i] = s[c]
		i = c
	}
	s[i] = last
	return top
}

// radixHeap is a monotone min-priority queue of (key, node) pairs: every
// key pushed is at least the last key popped (Dijkstra's order, and the
// reflow's order by decreasing distance, both with metrics of at least
// 1). Buckets hold the items by the highest bit in which their key
// differs from the last key popped; a pop empties the lowest non-empty
// bucket into lower ones around its least key. Items with equal keys pop
// in an order fixed by the pushes (last pushed first), so a given
// sequence of pushes always pops the same way.
type radixHeap struct {
	last    uint64
	n       int
	full    uint64 // bit b-1 set: buckets[b] is not empty (b >= 1)
	buckets [65][]heapItem
}

// radixKey maps a key to an unsigned value of the same order.
func radixKey(k int64) uint64 { return uint64(k) ^ 1<<63 }

func (h *radixHeap) bucket(k int64) int {
	x := radixKey(k) ^ h.last
	if x == 0 {
		return 0
	}
	return 64 - bits.LeadingZeros64(x)
}

func (h *radixHeap) reset() {
	if h.n > 0 {
		for i := range h.buckets {
			h.buckets[i] = h.buckets[i][:0]
		}
	}
	h.last, h.n, h.full = 0, 0, 0
}

func (h *radixHeap) len() int { return h.n }

// push adds v with key k; k must not be below the last key popped.
func (h *radixHeap) push(k int64, v int32) {
	b := h.bucket(k)
	h.buckets[b] = append(h.buckets[b], heapItem{k, v})
	if b > 0 {
		h.full |= 1 << (b - 1)
	}
	h.n++
}

func (h *radixHeap) pop() heapItem {
	if len(h.buckets[0]) == 0 {
		i := bits.TrailingZeros64(h.full) + 1
		items := h.buckets[i]
		least := radixKey(items[0].key)
		for _, it := range items[1:] {
			least = min(least, radixKey(it.key))
		}
		h.last = least
		h.full &^= 1 << (i - 1)
		for _, it := range items {
			b := h.bucket(it.key)
			h.buckets[b] = append(h.buckets[b], it)
			if b > 0 {
				h.full |= 1 << (b - 1)
			}
		}
		h.buckets[i] = items[:0]
	}
	b0 := h.buckets[0]
	it := b0[len(b0)-1]
	h.buckets[0] = b0[:len(b0)-1]
	h.n--
	return it
}
