package health

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/plans"
)

// The examples in docs/health-checks.md, over the fixtures.
func TestDocExamples(t *testing.T) {
	tests := []struct {
		fixture, expr string
		passed        bool
	}{
		{"frr_ospf_neighbor.json", `count(output.neighbors) >= 2`, true},
		{"frr_ospf_neighbor.json", `startswith(output.neighbors["198.18.0.2"][0].nbrState, "Full")`, true},
		{"frr_ospf_neighbor_exstart.json", `[sprintf("%s is %s", [id, a.nbrState]) | some id, adjs in output.neighbors; some a in adjs; not startswith(a.nbrState, "Full")] == []`, false},
		{"frr_ospf_neighbor.json", `{"198.18.0.2", "198.18.0.3"} - {id | some id, adjs in output.neighbors; some a in adjs; startswith(a.nbrState, "Full")} == set()`, true},
		{"frr_ip_route.json", `[r | some r in output["198.18.0.4/32"]; r.selected == true] != []`, true},
		{"frr_ip_route.json", `some r in output["198.18.0.4/32"]; r.selected; r.protocol == "ospf"; r.metric == 20`, true},
		{"frr_ip_route.json", `{nh.ip | some r in output["198.18.0.4/32"]; r.selected == true; some nh in r.nexthops; nh.fib == true} == {"198.18.1.1", "198.18.1.3"}`, true},
		{"frr_ip_route.json", `not "198.18.1.3" in {nh.ip | some nh in output["198.18.0.4/32"][_].nexthops}`, false},
		{"ping_ok.txt", `[l | some l in lines; contains(l, "Down")] == []`, true},
		{"ping_ok.txt", "count([l | some l in lines; regex.match(`^64 bytes from 198\\.18\\.0\\.4`, l)]) == 3", true},
		{"ping_ok.txt", `contains(text, "0% packet loss")`, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			out, err := os.ReadFile(filepath.Join("testdata", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			k := mustCompile(t, check(plans.ExpectJSON, tt.expr))
			res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: string(out)}}}, "r1")
			if res.Passed != tt.passed {
				t.Errorf("passed = %v: %s", res.Passed, res.Reason)
			}
		})
	}
}

// The TextFSM section of docs/health-checks.md shows the template of
// testdata, the recorded output, and reasons the checks give over it:
// each must be what the code does.
func TestDocTextFSM(t *testing.T) {
	data, err := os.ReadFile("../../docs/health-checks.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	tmpl := fixture(t, ospfTemplateFile)
	if !strings.Contains(doc, "```textfsm\n"+tmpl+"```\n") {
		t.Errorf("docs/health-checks.md does not show testdata/%s as it is", ospfTemplateFile)
	}
	if out := fixture(t, "frr84_lab_ospf_neighbor.txt"); !strings.Contains(doc, "```text\n"+strings.TrimSuffix(out, "\n")+"```\n") {
		t.Error("docs/health-checks.md does not show testdata/frr84_lab_ospf_neighbor.txt as it is")
	}
	tests := []struct {
		fixture, expr string
		passed        bool
		reason        string // shown in the docs, when not empty
	}{
		{"frr84_lab_ospf_neighbor.txt", `count([r | some r in output; startswith(r.STATE, "Full")]) >= 2`, true,
			"the template parsed 4 records; expression `count([r | some r in output; startswith(r.STATE, \"Full\")]) >= 2` is true (attempt 1 of 1)"},
		{"frr84_lab_ospf_neighbor.txt", `[sprintf("%s is %s", [r.NEIGHBOR_ID, r.STATE]) | some r in output; not startswith(r.STATE, "Full")] == []`, true, ""},
		{"frr84_ospf_neighbor_exstart.txt", `[sprintf("%s is %s", [r.NEIGHBOR_ID, r.STATE]) | some r in output; not startswith(r.STATE, "Full")] == []`, false,
			"the template parsed 4 records; expression `[sprintf(\"%s is %s\", [r.NEIGHBOR_ID, r.STATE]) | some r in output; not startswith(r.STATE, \"Full\")] == []` is false ([sprintf(\"%s is %s\", [r.NEIGHBOR_ID, r.STATE]) | some r in output; not startswith(r.STATE, \"Full\")] is [\"198.18.0.4 is ExStart/-\",\"198.18.0.9 is Init/-\"])"},
		{"frr84_lab_ospf_neighbor.txt", `some r in output; r.NEIGHBOR_ID == "198.18.0.4"; startswith(r.INTERFACE, "cg-p2:"); startswith(r.STATE, "Full")`, true, ""},
		{"frr84_lab_ospf_neighbor.txt", "count(output) == count([l | some l in lines; regex.match(`^198\\.18\\.`, l)])", true, ""},
		{"frr84_lab_ospf_neighbor.txt", `count(output) >= 5`, false,
			"the template parsed 4 records; expression `count(output) >= 5` is false (count(output) is 4)"},
		{"frr84_lab_ospf_neighbor.json", `count(output) >= 2`, false,
			"the template parsed no records from the output (100 lines): check that it matches what the command prints; expression `count(output) >= 2` is false (count(output) is 0)"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if !strings.Contains(doc, tt.expr) {
				t.Errorf("the expression is not in the docs")
			}
			k := mustCompile(t, textFSMCheck(t, tmpl, tt.expr))
			res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: fixture(t, tt.fixture)}}}, "p1")
			if res.Passed != tt.passed {
				t.Errorf("passed = %v: %s", res.Passed, res.Reason)
			}
			if tt.reason != "" && res.Reason != tt.reason {
				t.Errorf("reason:\n%s\nwant\n%s", res.Reason, tt.reason)
			}
			if tt.reason != "" && !strings.Contains(doc, tt.reason) {
				t.Errorf("the docs do not show the reason %s", tt.reason)
			}
		})
	}
}
