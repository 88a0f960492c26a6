package apply

import (
	"context"
	"strings"
	"testing"
	"time"
)

// converge retries until the router matches, and when the deadline cuts
// the last try short it reports the last comparison, not the cut.
func TestConverge(t *testing.T) {
	mismatch := Observation{Device: "d", Explanation: "d -> b: the model predicts via a, c; the router forwards via a"}
	cut := Observation{Device: "d", Error: "no answer in time", Explanation: "show ip route json: no answer in time"}
	pass := Observation{Device: "d", Passed: true, Explanation: "forwards as predicted"}
	tests := []struct {
		name  string
		tries []Observation // the last repeats
		want  string        // in the explanation
		error bool          // the result is a read error
		pass  bool
	}{
		{"matches at once", []Observation{pass}, "forwards as predicted", false, true},
		{"converges", []Observation{mismatch, pass}, "(converged after 2 tries)", false, true},
		{"a mismatch that stays", []Observation{mismatch}, "the router forwards via a (still so after", false, false},
		{"the deadline cuts the last try", []Observation{mismatch, mismatch, cut}, "the router forwards via a (still so after 3 tries; the last, cut short by the deadline, read nothing)", false, false},
		{"never read at all", []Observation{cut}, "no answer in time (still so after", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			got := converge(ctx, time.Millisecond, func() Observation {
				o := tt.tries[min(n, len(tt.tries)-1)]
				n++
				// The router answers the tries listed; from the last one on,
				// the deadline has passed by the time the try returns.
				if n >= len(tt.tries) && !o.Passed {
					cancel()
				}
				return o
			})
			if got.Passed != tt.pass || (got.Error != "") != tt.error || !strings.Contains(got.Explanation, tt.want) {
				t.Errorf("got %+v, want passed %v, error %v, explanation with %q", got, tt.pass, tt.error, tt.want)
			}
		})
	}
}
