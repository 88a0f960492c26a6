package sim

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
