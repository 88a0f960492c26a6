package health

import (
	"fmt"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/plans"
)

// CompilePlan compiles every health check of p as the executor will
// (Compile): its pre-checks, post-checks and the steps' checks, so that a
// plan is refused when it is read rather than when it runs. A check that
// does not compile (a Rego expression that does not parse or names what
// does not exist; a regular expression, for checks that did not come
// through plans.Parse) is an error at its expectation, else at the check.
func CompilePlan(p *plans.Plan) diag.Diagnostics {
	var ds diag.Diagnostics
	add := func(where string, cs []plans.Check) {
		for _, c := range cs {
			if _, err := Compile(c); err != nil {
				at := c.Expect.Pos
				if at.Line <= 0 {
					at = c.Pos
				}
				ds.Add(at, checkHint(c.Expect.Kind), "%s: %s", where, firstLine(err.Error()))
			}
		}
	}
	add("pre_checks", p.PreChecks)
	add("post_checks", p.PostChecks)
	for _, s := range p.Steps {
		add(fmt.Sprintf("step %q", s.Name), s.Checks)
	}
	return ds
}

func checkHint(k plans.ExpectKind) string {
	switch k {
	case plans.ExpectRegex:
		return "fix the regular expression (Go RE2 syntax: https://pkg.go.dev/regexp/syntax)"
	case plans.ExpectJSON:
		return "fix the Rego expression (v1 syntax) over output, text and lines; docs/health-checks.md shows examples"
	case plans.ExpectTextFSM:
		return "fix the Rego expression (v1 syntax) over output (the records the template parsed), text and lines; docs/health-checks.md shows examples"
	}
	return "docs/health-checks.md describes checks"
}

// firstLine cuts OPA's multi-line messages (the source and a caret
// under it) to their first line, which carries the position and the
// reason, so that every CI format can hold them. When OPA lists several
// errors ("3 errors occurred:"), the first of them is kept too.
func firstLine(s string) string {
	first, rest, ok := strings.Cut(s, "\n")
	if ok && strings.HasSuffix(first, " occurred:") {
		next, _, _ := strings.Cut(rest, "\n")
		return first + " " + strings.TrimSpace(next)
	}
	return first
}
