package cli

import (
	"regexp"
	"strings"
	"testing"
)

// TestReviewMarkdown pins the review of both examples (golden files,
// -update rewrites them) and checks that the same inputs give the same
// bytes and that every step has its line and its details.
func TestReviewMarkdown(t *testing.T) {
	isolate(t)
	for _, tc := range []struct{ golden, plan string }{
		{"review-outage.md", "../../examples/outage-plan.yaml"},
		{"review-safe.md", "../../examples/safe-plan.yaml"},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			out, errs, code := run(t, "review", tc.plan)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			again, _, _ := run(t, "review", tc.plan)
			if again != out {
				t.Error("two reviews of the same inputs differ")
			}
			lines := len(regexp.MustCompile(`(?m)^\| \d+ \| `).FindAllString(out, -1))
			if got := strings.Count(out, "<details><summary>Step "); got != lines || lines == 0 {
				t.Errorf("%d step details for %d step lines", got, lines)
			}
			checkGolden(t, tc.golden, out)
		})
	}
	if _, errs, code := run(t, "review", "../../examples/safe-plan.yaml", "--format", "html"); code != 1 || !strings.Contains(errs, "only markdown") {
		t.Errorf("html: exit %d %s", code, errs)
	}
}
