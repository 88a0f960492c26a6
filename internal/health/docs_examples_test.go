package health

import (
	"context"
	"os"
	"path/filepath"
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
