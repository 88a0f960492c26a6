package digest

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var set = Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd", Inventory: "sha256:ee"}

// TestGet: every name gets its own digest, and Names are the JSON keys.
func TestGet(t *testing.T) {
	var fields map[string]string
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if len(fields) != len(Names()) {
		t.Errorf("JSON has %d digests, Names %d", len(fields), len(Names()))
	}
	for _, n := range Names() {
		if got := set.Get(n); got == "" || got != fields[string(n)] {
			t.Errorf("Get(%s) = %q, the JSON says %q", n, got, fields[string(n)])
		}
	}
	if got := set.Get("runbooks"); got != "" {
		t.Errorf("Get of an unknown name = %q", got)
	}
}

func TestDiff(t *testing.T) {
	with := func(n Name, d string) Set {
		s := set
		switch n {
		case Plan:
			s.Plan = d
		case Topology:
			s.Topology = d
		case Traffic:
			s.Traffic = d
		case Policy:
			s.Policy = d
		case Inventory:
			s.Inventory = d
		}
		return s
	}
	twoChanged := with(Topology, "sha256:b2")
	twoChanged.Policy = "sha256:d2"
	tests := []struct {
		name             string
		was, now         Set
		want             []Change
		withoutInventory bool
	}{
		{"same", set, set, nil, false},
		{"two changed, in the order of Names", set, twoChanged,
			[]Change{{Topology, "sha256:bb", "sha256:b2"}, {Policy, "sha256:dd", "sha256:d2"}}, false},
		{"approved without an inventory, runs with one", with(Inventory, ""), set,
			[]Change{{Inventory, "", "sha256:ee"}}, true},
		{"approved with an inventory, runs without", set, with(Inventory, ""),
			[]Change{{Inventory, "sha256:ee", ""}}, false},
		{"another inventory", set, with(Inventory, "sha256:e2"),
			[]Change{{Inventory, "sha256:ee", "sha256:e2"}}, false},
		{"no plan recorded is not without an inventory", with(Plan, ""), set,
			[]Change{{Plan, "", "sha256:aa"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Diff(tt.was, tt.now)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("Diff (-want +got):\n%s", diff)
			}
			for _, c := range got {
				if c.WithoutInventory() != tt.withoutInventory {
					t.Errorf("%+v: WithoutInventory %v, want %v", c, c.WithoutInventory(), tt.withoutInventory)
				}
			}
		})
	}
}

// TestJSON: the two forms of a Set (docs/dryrun.md, docs/approvals.md,
// docs/policies.md), and both read back.
func TestJSON(t *testing.T) {
	tests := []struct {
		name string
		s    Set
		want string
	}{
		{"bound", set, `{"plan":"sha256:aa","topology":"sha256:bb","traffic":"sha256:cc","policy":"sha256:dd","inventory":"sha256:ee"}`},
		{"bound without an inventory", Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd"},
			`{"plan":"sha256:aa","topology":"sha256:bb","traffic":"sha256:cc","policy":"sha256:dd","inventory":""}`},
		{"a dry-run's", Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc"},
			`{"plan":"sha256:aa","topology":"sha256:bb","traffic":"sha256:cc"}`},
		{"a dry-run's without a plan", Set{Topology: "sha256:bb", Traffic: "sha256:cc"},
			`{"topology":"sha256:bb","traffic":"sha256:cc"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range []any{tt.s, &tt.s} {
				b, err := json.Marshal(v)
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != tt.want {
					t.Errorf("Marshal(%T) = %s, want %s", v, b, tt.want)
				}
			}
			var got Set
			if err := json.Unmarshal([]byte(tt.want), &got); err != nil {
				t.Fatal(err)
			}
			if got != tt.s {
				t.Errorf("read back %+v, want %+v", got, tt.s)
			}
		})
	}
}

func TestShow(t *testing.T) {
	if got := Show(""); got != None {
		t.Errorf("Show(\"\") = %q, want %q", got, None)
	}
	if got := Show("sha256:1"); got != "sha256:1" {
		t.Errorf("Show(sha256:1) = %q", got)
	}
}
