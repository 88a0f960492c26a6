package plans

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/userfile"
)

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

func TestCheckReferences(t *testing.T) {
	links := set("p1-p2", "p2-p3", "s1-s2")
	nodes := set("p1", "p2", "p3", "s1", "s2")
	tests := []struct {
		name   string
		effect string
		want   []string
	}{
		{"known link and from", "{type: set_metric, link: p1-p2, metric: 5, from: p1}", nil},
		{"known node", "{type: drain, node: p2}", nil},
		{"link typo", "{type: link_down, link: p1-p3}",
			[]string{`p.yaml:5:33: step "a" effect 1: unknown link "p1-p3" (hint: did you mean one of: "p1-p2", "p2-p3"?)`}},
		{"link far from all", "{type: link_up, link: core-uplink-7}",
			[]string{`p.yaml:5:31: step "a" effect 1: unknown link "core-uplink-7" (hint: known links: p1-p2, p2-p3, s1-s2)`}},
		{"node typo", "{type: undrain, node: p9}",
			[]string{`p.yaml:5:31: step "a" effect 1: unknown node "p9" (hint: did you mean one of: "p1", "p2", "p3"?)`}},
		{"from unknown", "{type: set_metric, link: p1-p2, metric: 5, from: router-one}",
			[]string{`p.yaml:5:58: step "a" effect 1: from: unknown node "router-one" (hint: known nodes: p1, p2, p3, s1, s2)`}},
		{"link and from both unknown", "{type: set_metric, link: x, metric: 5, from: y}",
			[]string{
				`p.yaml:5:34: step "a" effect 1: unknown link "x" (hint: known links: p1-p2, p2-p3, s1-s2)`,
				`p.yaml:5:54: step "a" effect 1: from: unknown node "y" (hint: known nodes: p1, p2, p3, s1, s2)`,
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := Parse("p.yaml", withSteps("  - name: a", "    effects:", "      - "+tt.effect))
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			var got []string
			for _, d := range p.CheckReferences(links, nodes) {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckReferencesCoversRollbacks(t *testing.T) {
	p, ds := Parse("p.yaml", withSteps(
		"  - name: a",
		"    effects: [{type: drain, node: p1}]",
		"    rollback: [{type: undrain, node: p7}]"))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	got := p.CheckReferences(set("p1-p2"), set("p1", "p2"))
	if len(got) != 1 || got[0].Pos.Line != 5 || !strings.Contains(got[0].Msg, `step "a" rollback effect 1: unknown node "p7"`) {
		t.Errorf("got %v, want one error for the rollback at line 5", got)
	}
}

func TestCheckReferencesLargeTopologyHint(t *testing.T) {
	links := map[string]bool{}
	for _, l := range strings.Fields("aa-bb cc-dd ee-ff gg-hh ii-jj kk-ll mm-nn oo-pp qq-rr") {
		links[l] = true
	}
	p, ds := Parse("p.yaml", withSteps("  - name: a", "    effects: [{type: link_down, link: zzzzzzzzzz}]"))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	got := p.CheckReferences(links, nil)
	want := "no link of that name in the topology (it has 9); `changegate topology show` lists them"
	if len(got) != 1 || got[0].Hint != want {
		t.Errorf("got %v, want hint %q", got, want)
	}
}

// exampleTopology reads the link ids (with endpoints) and node names of a
// topology file in the documented format, enough to check the example
// plans' references without the topology package's loader.
func exampleTopology(t *testing.T, path string) (links map[string][2]string, nodes map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Nodes []struct{ Name string }
		Links []struct{ ID, A, B string }
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	links, nodes = map[string][2]string{}, map[string]bool{}
	for _, n := range doc.Nodes {
		nodes[n.Name] = true
	}
	for _, l := range doc.Links {
		a, _, _ := strings.Cut(l.A, ":")
		b, _, _ := strings.Cut(l.B, ":")
		if !nodes[a] || !nodes[b] {
			t.Errorf("%s: link %s has an unknown endpoint", path, l.ID)
		}
		links[l.ID] = [2]string{a, b}
	}
	return links, nodes
}

func TestExamplePlans(t *testing.T) {
	for _, name := range []string{"outage-plan.yaml", "safe-plan.yaml"} {
		t.Run(name, func(t *testing.T) {
			p, ds, err := LoadFile(context.Background(), filepath.Join("..", "examples", name), userfile.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 0 || p == nil {
				t.Fatalf("diagnostics: %v", ds)
			}
			topo := p.TopologyPath()
			if topo != filepath.Join("..", "examples", "april-2011.yaml") {
				t.Fatalf("TopologyPath() = %q", topo)
			}
			links, nodes := exampleTopology(t, topo)
			known := map[string]bool{}
			for id := range links {
				known[id] = true
			}
			if ds := p.CheckReferences(known, nodes); len(ds) != 0 {
				t.Errorf("references: %v", ds)
			}
			for _, s := range p.Steps {
				for _, e := range append(append([]Effect(nil), s.Effects...), s.Rollback...) {
					if ends := links[e.Link]; e.From != "" && e.From != ends[0] && e.From != ends[1] {
						t.Errorf("%s: from %s is not an endpoint of %s", e.Pos, e.From, e.Link)
					}
				}
			}
		})
	}
}

func TestCheckReferencesDevices(t *testing.T) {
	nodes := set("p1", "p2", "p3", "s1", "s2")
	p, ds := Parse("p.yaml", plan(
		"title: t",    // 1
		"pre_checks:", // 2
		"  - {name: pre, device: p3, command: x, expect: {contains: y}}",       // 3
		"  - {name: pre typo, device: p33, command: x, expect: {contains: y}}", // 4
		"steps:", // 5
		"  - name: one",
		"    devices: [p1, p9, core-router-7]", // 7
		"    effects: [{type: drain, node: p1}]",
		"    checks:",
		"      - {name: on the step's devices, command: x, expect: {contains: y}}",
		"      - {name: on a neighbour, device: s4, command: x, expect: {contains: y}}", // 11
		"  - name: two", // 12
		"    device: s9",
		"    effects: [{type: drain, node: p1}]",
		"post_checks:",
		"  - {name: post, device: s22, command: x, expect: {contains: y}}", // 16
	))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var got []string
	for _, d := range p.CheckReferences(set("p1-p2"), nodes) {
		got = append(got, d.String())
	}
	want := []string{
		`p.yaml:4:30: pre_checks check "pre typo": unknown device "p33" (hint: did you mean "p3"?)`,
		`p.yaml:7:19: step "one": unknown device "p9" (hint: did you mean one of: "p1", "p2", "p3"?)`,
		`p.yaml:7:23: step "one": unknown device "core-router-7" (hint: a device is a node of the topology; known nodes: p1, p2, p3, s1, s2)`,
		`p.yaml:11:40: step "one" check "on a neighbour": unknown device "s4" (hint: did you mean one of: "s1", "s2"?)`,
		`p.yaml:13:13: step "two": unknown device "s9" (hint: did you mean one of: "s1", "s2"?)`,
		`p.yaml:16:26: post_checks check "post": unknown device "s22" (hint: did you mean "s2"?)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// TestFullPlanReferences checks the complete example plan (docs/plans.md)
// against the example network.
func TestFullPlanReferences(t *testing.T) {
	p, ds, err := LoadFile(context.Background(), "testdata/good-full-plan.yaml", userfile.Scope{})
	if err != nil || len(ds) != 0 {
		t.Fatal(err, ds)
	}
	links, nodes := exampleTopology(t, filepath.Join("..", "examples", "april-2011.yaml"))
	known := map[string]bool{}
	for id := range links {
		known[id] = true
	}
	if ds := p.CheckReferences(known, nodes); len(ds) != 0 {
		t.Errorf("references: %v", ds)
	}
}
