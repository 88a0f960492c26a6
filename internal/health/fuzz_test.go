package health

import (
	"context"
	"strings"
	"testing"

	"github.com/changegate/changegate/plans"
)

// FuzzEvaluate feeds arbitrary output through the text-to-lines, JSON and
// TextFSM paths: checks must neither panic nor fail to decide, lines must
// put the text back together, and output must be kept whole.
func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{
		"", "\n", "\r\n", "a\nb", "a\r\nb\r\n", ospfText, ospfNeighbors, `{"neighbors": {}}`, `[1, 2]`,
		`{"a": 1} {"b": 2}`, `{"a": 1e400}`, `"\ud800"`, "{\"a\":\"\xff\"}", `{"neighbors": {"x": [{"nbrState": 3}]}}`,
	} {
		f.Add(s)
	}
	checks := []*Check{
		mustCompile(f, check(plans.ExpectJSON, `count([l | some l in lines; contains(l, "Full")]) >= 1`)),
		mustCompile(f, check(plans.ExpectJSON, `count(output.neighbors) >= 1`)),
		mustCompile(f, check(plans.ExpectJSON, `[sprintf("%s is %v", [id, a[0].nbrState]) | some id, a in output.neighbors; a[0].nbrState != "Full/-"] == []`)),
		mustCompile(f, check(plans.ExpectJSON, `some l in lines; startswith(l, "198.18.")`)),
		mustCompile(f, check(plans.ExpectJSON, `count(text) == count(text)`)),
		mustCompile(f, check(plans.ExpectRegex, `^Cost: 500$`)),
		mustCompile(f, textFSMCheck(f, fixture(f, ospfTemplateFile), `[r.NEIGHBOR_ID | some r in output; not startswith(r.STATE, "Full")] == []`)),
		mustCompile(f, textFSMCheck(f, fixture(f, ospfTemplateFile), `count(output) == count(lines)`)),
	}
	f.Add(fixture(f, "frr84_lab_ospf_neighbor.txt"))
	f.Add(fixture(f, "frr84_ospf_neighbor_exstart.txt"))
	f.Fuzz(func(t *testing.T, out string) {
		lines := splitLines(out)
		joined := strings.Join(lines, "\n")
		if norm := strings.TrimSuffix(strings.ReplaceAll(out, "\r\n", "\n"), "\n"); !strings.Contains(out, "\r") && joined != norm {
			t.Fatalf("lines %q do not make up %q", lines, out)
		}
		for _, l := range lines {
			if strings.Contains(l, "\n") {
				t.Fatalf("line %q has a newline", l)
			}
		}
		if v, err := parseJSON(out); err == nil && v == nil && strings.TrimSpace(out) != "null" {
			t.Fatalf("%q parsed to nil", out)
		}
		for _, k := range checks {
			res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: out}}}, "r1")
			if len(res.Attempts) != 1 || res.Attempts[0].Output != out || res.Reason == "" {
				t.Fatalf("%s: %+v", k.Spec().Expect.Value, res)
			}
		}
	})
}
