package health

import (
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/plans"
)

// CompilePlan reports every check that does not compile at its
// expectation, with the first of OPA's errors.
func TestCompilePlan(t *testing.T) {
	at := func(line int) diag.Pos { return diag.Pos{File: "p.yaml", Line: line, Col: 17} }
	check := func(name string, kind plans.ExpectKind, value string, line int) plans.Check {
		return plans.Check{Name: name, Device: "a", Command: "show x", Expect: plans.Expect{Kind: kind, Value: value, Pos: at(line)}}
	}
	p := &plans.Plan{
		PreChecks: []plans.Check{check("fine", plans.ExpectJSON, "output.up == true", 3)},
		Steps: []plans.Step{{Name: "s", Checks: []plans.Check{
			check("unparsable", plans.ExpectJSON, "count(output.neighbors >= ", 9),
			check("unknown function", plans.ExpectJSON, "kount(output) > 1", 12),
		}}},
		PostChecks: []plans.Check{check("bad regex", plans.ExpectRegex, "(", 20)},
	}
	ds := CompilePlan(p)
	want := []string{
		`p.yaml:9:17: step "s": check "unparsable": parse Rego expression: 3 errors occurred: 1:26: rego_parse_error: unexpected eof token`,
		`p.yaml:12:17: step "s": check "unknown function": `,
		`p.yaml:20:17: post_checks: check "bad regex": regex: `,
	}
	if len(ds) != len(want) {
		t.Fatalf("got %d diagnostics, want %d:\n%v", len(ds), len(want), ds)
	}
	ds.Sort()
	for i, w := range want {
		if !strings.HasPrefix(ds[i].String(), w) {
			t.Errorf("diagnostic %d:\n got %s\nwant %s...", i, ds[i], w)
		}
	}
}
