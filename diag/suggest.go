package diag

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxSuggested is how many names a "did you mean" hint lists; more close
// names are counted ("and 3 more").
const MaxSuggested = 5

// Near returns the candidates that s is plausibly a typo of, for a "did
// you mean" hint (DidYouMean). A candidate is close when it is at most
// max(2, len(s)/3) edits (insertions, deletions, substitutions, swaps of
// two adjacent characters) from s,
// len counted in characters, or one edit when s has at most 3 characters
// (two edits leave a short name at most one character of s: p9 is not a
// typo of s1). Near never picks one of several about equally close
// names:
//
//   - no candidate is close: nil;
//   - a candidate equals s (a caller compares lowered names, say): that
//     one alone;
//   - otherwise the close candidates within one edit of the closest one:
//     a single name when it is clearly closest ("capacty" among capacity
//     and class), else all of them (p7 among p1 ... p6 gives the six; p1-p4
//     among p1-p2, p1-p3 and p2-p4 gives the three).
//
// The result is ordered by distance, then by name, without duplicates.
func Near(s string, candidates []string) []string {
	limit := max(2, utf8.RuneCountInString(s)/3)
	if utf8.RuneCountInString(s) <= 3 {
		limit = 1
	}
	type near struct {
		name string
		d    int
	}
	var found []near
	best := limit + 1
	seen := make(map[string]bool, len(candidates))
	for _, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		d := editDistance(s, c)
		if d > limit {
			continue
		}
		found = append(found, near{c, d})
		best = min(best, d)
	}
	if len(found) == 0 {
		return nil
	}
	within := best + 1
	if best == 0 {
		within = 0 // s itself, found by a looser comparison: nothing else competes
	}
	slices.SortFunc(found, func(a, b near) int {
		if a.d != b.d {
			return a.d - b.d
		}
		return strings.Compare(a.name, b.name)
	})
	var out []string
	for _, c := range found {
		if c.d <= within {
			out = append(out, c.name)
		}
	}
	return out
}

// DidYouMean is the hint for the names Near found, each quoted:
// `did you mean "p1"?` for one name, `did you mean one of: "p1-p2",
// "p1-p3"?` for several (at most MaxSuggested, then how many more), and
// "" for none. Every "did you mean" hint is worded by it or DidYouMeanAs.
func DidYouMean(names []string) string { return DidYouMeanAs(names, strconv.Quote) }

// DidYouMeanAs is DidYouMean with each name written by show instead of
// quoted: a template field as ".metric", a TextFSM value as "$Name".
func DidYouMeanAs(names []string, show func(string) string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return "did you mean " + show(names[0]) + "?"
	}
	shown := make([]string, 0, min(len(names), MaxSuggested))
	for _, n := range names[:min(len(names), MaxSuggested)] {
		shown = append(shown, show(n))
	}
	more := ""
	if len(names) > MaxSuggested {
		more = fmt.Sprintf(" (and %d more)", len(names)-MaxSuggested)
	}
	return "did you mean one of: " + strings.Join(shown, ", ") + more + "?"
}

// editDistance is the optimal string alignment distance between a and b:
// the fewest insertions, deletions, substitutions and swaps of two
// adjacent characters (mtu for mut is one edit), no character edited
// twice.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j]; three rows kept.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
