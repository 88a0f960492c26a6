package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/changegate/changegate/internal/health"
)

// maxOutputLines bounds the output printed under a failed check.
const maxOutputLines = 12

// CheckResults writes health checks run now (changegate device check):
// how many passed, then each check, with the last output of a failed one.
func CheckResults(w io.Writer, title string, results []health.Result, took time.Duration) {
	passed := 0
	for _, r := range results {
		if r.Passed {
			passed++
		}
	}
	fmt.Fprintf(w, "%s: %d of %d checks passed (%s)\n", title, passed, len(results), took.Round(time.Millisecond))
	for _, r := range results {
		verdict := "PASS"
		if !r.Passed {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%s  %s on %s: %s\n", verdict, r.Check, r.Device, r.Reason)
		if r.Passed || len(r.Attempts) == 0 {
			continue
		}
		last := r.Attempts[len(r.Attempts)-1]
		fmt.Fprintf(w, "      command: %s\n", r.Command)
		lines := strings.Split(strings.TrimRight(last.Output, "\n"), "\n")
		if last.Output == "" {
			lines = []string{"(no output)"}
		}
		for i, l := range lines {
			if i == maxOutputLines {
				fmt.Fprintf(w, "      | ... %d more lines (--format json has all of it)\n", len(lines)-i)
				break
			}
			fmt.Fprintf(w, "      | %s\n", l)
		}
	}
}
