package plans

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/golden"
	"github.com/changegate/changegate/userfile"
)

// plan builds a plan file from lines, so that line numbers in tests are easy to read.
func plan(lines ...string) []byte { return []byte(strings.Join(lines, "\n") + "\n") }

// minimal is the head of a valid plan; the steps follow it from line 3.
var minimal = []string{"title: t", "steps:"}

func withSteps(lines ...string) []byte {
	return plan(append(append([]string(nil), minimal...), lines...)...)
}

func TestParseReportsEachProblem(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string // the one diagnostic, as printed
	}{
		{"unknown top-level field",
			plan("title: t", "titel: u", "steps:", "  - {name: a, effects: [{type: drain, node: p1}]}"),
			`p.yaml:2:1: plan: unknown field "titel" (hint: did you mean "title"?)`},
		{"missing title",
			plan("id: X", "steps:", "  - {name: a, effects: [{type: drain, node: p1}]}"),
			`p.yaml:1:1: plan: missing field "title" (hint: add title: a one-line summary of the change)`},
		{"blank title",
			plan(`title: " "`, "steps:", "  - {name: a, effects: [{type: drain, node: p1}]}"),
			`p.yaml:1:8: plan: title is empty (hint: give a one-line summary of the change)`},
		{"missing steps",
			plan("title: t"),
			`p.yaml:1:1: plan: missing field "steps" (hint: add steps: with at least one step)`},
		{"empty steps list",
			plan("title: t", "steps: []"),
			`p.yaml:2:1: plan has no steps (hint: add at least one step under steps:)`},
		{"null steps",
			plan("title: t", "steps:"),
			`p.yaml:2:1: plan has no steps (hint: add at least one step under steps:)`},
		{"steps not a list",
			plan("title: t", "steps: {name: a}"),
			`p.yaml:2:8: plan: steps must be a list, found a mapping (hint: write it as a list (- item))`},
		{"plan not a mapping",
			plan("- a", "- b"),
			`p.yaml:1:1: plan must be a mapping, found a list (hint: write it as key: value pairs)`},
		{"step not a mapping",
			withSteps("  - cost out p2"),
			`p.yaml:3:5: step 1 must be a mapping, found "cost out p2" (hint: write it as key: value pairs)`},
		{"step missing name",
			withSteps("  - effects: [{type: drain, node: p1}]"),
			`p.yaml:3:5: step 1: missing field "name" (hint: add name: a short name, unique within the plan)`},
		{"unknown step field",
			withSteps("  - name: a", "    effect: []", "    effects: [{type: drain, node: p1}]"),
			`p.yaml:4:5: step 1: unknown field "effect" (hint: did you mean "effects"?)`},
		{"duplicate step names",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "  - name: a", "    effects: [{type: undrain, node: p1}]"),
			`p.yaml:5:11: duplicate step name "a" (hint: the first is at line 3; give each step its own name)`},
		{"step with empty effects",
			withSteps("  - name: a", "    effects: []"),
			`p.yaml:4:5: step "a" has no effects (hint: list what the step changes in the model under effects:, such as - {type: link_down, link: p1-p2})`},
		{"step without effects",
			withSteps("  - name: a"),
			`p.yaml:3:5: step "a": missing field "effects" (hint: list what the step changes in the model under effects:, such as - {type: link_down, link: p1-p2}, or give the configuration the step sends (config:), from which the gate derives them)`},
		{"effect not a mapping",
			withSteps("  - name: a", "    effects: [drain p1]"),
			`p.yaml:4:15: step "a" effect 1 must be a mapping, found "drain p1" (hint: write it as key: value pairs)`},
		{"unknown effect type, near a known one",
			withSteps("  - name: a", "    effects:", "      - {type: set_metrc, link: p1-p2, metric: 10}"),
			`p.yaml:5:16: step "a" effect 1: unknown effect type "set_metrc" (hint: did you mean "set_metric"?)`},
		{"unknown effect type, far from all",
			withSteps("  - name: a", "    effects:", "      - {type: reboot, node: p1}"),
			`p.yaml:5:16: step "a" effect 1: unknown effect type "reboot" (hint: known types: set_metric, link_down, link_up, drain, undrain, set_capacity)`},
		{"effect without type",
			withSteps("  - name: a", "    effects:", "      - {link: p1-p2}"),
			`p.yaml:5:9: step "a" effect 1: missing field "type" (hint: add type: one of set_metric, link_down, link_up, drain, undrain, set_capacity)`},
		{"unknown effect field",
			withSteps("  - name: a", "    effects:", "      - type: drain", "        nod: p1", "        node: p1"),
			`p.yaml:6:9: step "a" effect 1: unknown field "nod" (hint: did you mean "node"?)`},
		{"metric on link_down",
			withSteps("  - name: a", "    effects:", "      - {type: link_down, link: p1-p2, metric: 10}"),
			`p.yaml:5:40: step "a" effect 1: link_down does not take "metric" (hint: remove metric: link_down takes link; metric belongs to set_metric, which can be a separate effect)`},
		{"from on link_up",
			withSteps("  - name: a", "    effects:", "      - {type: link_up, link: p1-p2, from: p1}"),
			`p.yaml:5:38: step "a" effect 1: link_up does not take "from" (hint: remove from: link_up takes link; from belongs to set_metric, which can be a separate effect)`},
		{"node on set_metric",
			withSteps("  - name: a", "    effects:", "      - {type: set_metric, link: p1-p2, metric: 10, node: p1}"),
			`p.yaml:5:53: step "a" effect 1: set_metric does not take "node" (hint: remove node: set_metric takes link, metric and optionally from; to change one direction of the link use from: <node>)`},
		{"link on drain",
			withSteps("  - name: a", "    effects:", "      - {type: drain, node: p1, link: p1-p2}"),
			`p.yaml:5:33: step "a" effect 1: drain does not take "link" (hint: remove link: drain takes node; link belongs to set_metric, link_down, link_up, set_capacity, which can be a separate effect)`},
		{"capacity on set_metric",
			withSteps("  - name: a", "    effects:", "      - {type: set_metric, link: p1-p2, metric: 10, capacity: 10G}"),
			`p.yaml:5:53: step "a" effect 1: set_metric does not take "capacity" (hint: remove capacity: set_metric takes link, metric and optionally from; capacity belongs to set_capacity, which can be a separate effect)`},
		{"set_metric without metric",
			withSteps("  - name: a", "    effects:", "      - {type: set_metric, link: p1-p2}"),
			`p.yaml:5:9: step "a" effect 1: set_metric needs "metric" (hint: add metric: a whole number from 1 to 4294967295)`},
		{"set_metric without link",
			withSteps("  - name: a", "    effects:", "      - {type: set_metric, metric: 10}"),
			`p.yaml:5:9: step "a" effect 1: set_metric needs "link" (hint: add link: the id of a link in the topology)`},
		{"drain without node",
			withSteps("  - name: a", "    effects:", "      - {type: drain}"),
			`p.yaml:5:9: step "a" effect 1: drain needs "node" (hint: add node: the name of a node in the topology)`},
		{"set_capacity without capacity",
			withSteps("  - name: a", "    effects:", "      - {type: set_capacity, link: p1-p2}"),
			`p.yaml:5:9: step "a" effect 1: set_capacity needs "capacity" (hint: add capacity: the new capacity of the link, such as 400G)`},
		{"metric zero",
			withSteps("  - name: a", "    effects:", "      - {type: set_metric, link: p1-p2, metric: 0}"),
			`p.yaml:5:49: step "a" effect 1: metric 0 is out of range (hint: use a whole number from 1 to 4294967295; to take a link out of service use link_down)`},
		{"metric above MaxMetric",
			withSteps("  - name: a", "    effects:", "      - {type: set_metric, link: p1-p2, metric: 4294967296}"),
			`p.yaml:5:49: step "a" effect 1: metric 4294967296 is out of range (hint: use a whole number from 1 to 4294967295; to take a link out of service use link_down)`},
		{"metric not a number",
			withSteps("  - name: a", "    effects:", "      - {type: set_metric, link: p1-p2, metric: high}"),
			`p.yaml:5:49: step "a" effect 1: metric: "high" is not an integer (hint: use a whole number such as 10)`},
		{"capacity zero",
			withSteps("  - name: a", "    effects:", "      - {type: set_capacity, link: p1-p2, capacity: 0G}"),
			`p.yaml:5:53: step "a" effect 1: capacity must be greater than zero (hint: to take the link out of service use link_down)`},
		{"capacity not a rate",
			withSteps("  - name: a", "    effects:", "      - {type: set_capacity, link: p1-p2, capacity: fast}"),
			`p.yaml:5:53: step "a" effect 1: capacity: "fast" is not a rate: use a number with an optional unit such as 100G, 2.5G, 400M, 10k or 1000bps (hint: give the new capacity of the link, such as 400G)`},
		{"empty link",
			withSteps("  - name: a", "    effects:", `      - {type: link_down, link: ""}`),
			`p.yaml:5:33: step "a" effect 1: link is empty (hint: give the id of a link in the topology)`},
		{"null rollback",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "    rollback:"),
			`p.yaml:5:5: step "a": rollback is empty (hint: write rollback: [] if the step needs no rollback, or remove rollback to use the exact inverse of the step)`},
		{"bad rollback effect",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "    rollback: [{type: undrain, node: p1, metric: 1}]"),
			`p.yaml:5:42: step "a" rollback effect 1: undrain does not take "metric" (hint: remove metric: undrain takes node; metric belongs to set_metric, which can be a separate effect)`},
		{"rollback not a list",
			withSteps("  - name: a", "    effects: [{type: drain, node: p1}]", "    rollback: {type: undrain, node: p1}"),
			`p.yaml:5:15: step "a": rollback must be a list, found a mapping (hint: write it as a list (- item))`},
		{"duplicate key",
			plan("title: t", "title: u", "steps:", "  - {name: a, effects: [{type: drain, node: p1}]}"),
			`p.yaml:2:1: plan: duplicate key "title" (hint: remove one of them (the first is at line 1))`},
		{"YAML syntax error",
			plan("title: t", "steps: [", "  - {name: a"),
			`p.yaml:2: invalid YAML: did not find expected node content (hint: fix the YAML syntax)`},
		{"second document",
			plan("title: t", "steps:", "  - {name: a, effects: [{type: drain, node: p1}]}", "---", "title: u"),
			`p.yaml:4:1: a second YAML document starts here: one document per file (hint: remove this --- and what follows it, or move that to a file of its own)`},
		{"empty file",
			nil,
			`p.yaml:1: no YAML document found (hint: the file is empty)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantOneError(t, tt.in, tt.want) })
	}
}

func TestParseValidPlan(t *testing.T) {
	in := plan(
		"id: CHG-1",                  // 1
		"title: Upgrade p2",          // 2
		"topology: ../net/topo.yaml", // 3
		"steps:",                     // 4
		"  - name: cost out",         // 5
		"    effects:",               // 6
		"      - {type: set_metric, link: p1-p2, metric: 65535}",           // 7
		"      - type: set_metric",                                         // 8
		"        link: p1-p2",                                              // 9
		"        metric: 1_000",                                            // 10
		"        from: p1",                                                 // 11
		"    rollback:",                                                    // 12
		"      - {type: set_metric, link: p1-p2, metric: 10}",              // 13
		"  - name: work",                                                   // 14
		"    effects:",                                                     // 15
		"      - {type: drain, node: p2}",                                  // 16
		"      - {type: link_down, link: p1-p2}",                           // 17
		"      - {type: set_capacity, link: p1-p2, capacity: 2.5Gbps}",     // 18
		"      - {type: set_capacity, link: p1-p2, capacity: 40000000000}", // 19
		"    rollback: []",                                                 // 20
		"  - name: restore",                                                // 21
		"    effects:",                                                     // 22
		"      - {type: link_up, link: p1-p2}",                             // 23
		"      - {type: undrain, node: p2}",                                // 24
	)
	pos := func(line, col int) diag.Pos { return diag.Pos{File: "dir/p.yaml", Line: line, Col: col} }
	want := &Plan{
		ID: "CHG-1", Title: "Upgrade p2", Topology: "../net/topo.yaml", TopologyPos: pos(3, 11), File: "dir/p.yaml", Pos: pos(1, 1),
		Steps: []Step{
			{Name: "cost out", Pos: pos(5, 5), HasRollback: true,
				Effects: []Effect{
					{Type: SetMetric, Link: "p1-p2", Metric: 65535, Pos: pos(7, 9)},
					{Type: SetMetric, Link: "p1-p2", Metric: 1000, From: "p1", Pos: pos(8, 9)},
				},
				Rollback: []Effect{{Type: SetMetric, Link: "p1-p2", Metric: 10, Pos: pos(13, 9)}},
			},
			{Name: "work", Pos: pos(14, 5), HasRollback: true,
				Effects: []Effect{
					{Type: Drain, Node: "p2", Pos: pos(16, 9)},
					{Type: LinkDown, Link: "p1-p2", Pos: pos(17, 9)},
					{Type: SetCapacity, Link: "p1-p2", CapacityBps: 2.5e9, Pos: pos(18, 9)},
					{Type: SetCapacity, Link: "p1-p2", CapacityBps: 40e9, Pos: pos(19, 9)},
				},
			},
			{Name: "restore", Pos: pos(21, 5),
				Effects: []Effect{
					{Type: LinkUp, Link: "p1-p2", Pos: pos(23, 9)},
					{Type: Undrain, Node: "p2", Pos: pos(24, 9)},
				},
			},
		},
	}
	got, ds := Parse("dir/p.yaml", in)
	if len(ds) != 0 {
		t.Fatalf("unexpected diagnostics: %v", ds)
	}
	// The positions of the names are TestParseFullPlan's.
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Effect{}, "LinkPos", "NodePos", "FromPos")); diff != "" {
		t.Errorf("plan mismatch (-want +got):\n%s", diff)
	}
	if got, want := got.TopologyPath(), filepath.Join("net", "topo.yaml"); got != want {
		t.Errorf("TopologyPath() = %q, want %q", got, want)
	}
}

func TestTopologyPath(t *testing.T) {
	tests := []struct{ file, topology, want string }{
		{"plans/p.yaml", "topo.yaml", "plans/topo.yaml"},
		{"plans/p.yaml", "../t/topo.yaml", "t/topo.yaml"},
		{"p.yaml", "topo.yaml", "topo.yaml"},
		{"-", "topo.yaml", "topo.yaml"},
		{"plans/p.yaml", "/etc/net/topo.yaml", "/etc/net/topo.yaml"},
		{"plans/p.yaml", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file+"+"+tt.topology, func(t *testing.T) {
			p := &Plan{File: tt.file, Topology: tt.topology}
			if got := p.TopologyPath(); got != filepath.FromSlash(tt.want) {
				t.Errorf("TopologyPath() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseReportsAllProblemsAtOnce(t *testing.T) {
	in := plan(
		"titel: t",
		"steps:",
		"  - name: a",
		"    effects:",
		"      - {type: set_metrc, link: p1-p2, metric: 10}",
		"      - {type: set_metric, link: p1-p2, metric: 0}",
		"  - name: a",
		"    effects: []",
		"  - name: b",
		"    effects: [{type: drain}]",
	)
	_, ds := Parse("p.yaml", in)
	var got []string
	for _, d := range ds {
		got = append(got, d.Pos.String())
	}
	want := []string{"p.yaml:1:1", "p.yaml:1:1", "p.yaml:5:16", "p.yaml:6:49", "p.yaml:7:11", "p.yaml:8:5", "p.yaml:10:15"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("positions mismatch (-want +got):\n%s\nall: %v", diff, ds)
	}
}

func TestParseEmptyRollbackIsExplicit(t *testing.T) {
	p, ds := Parse("p.yaml", withSteps(
		"  - name: a", "    effects: [{type: drain, node: p1}]", "    rollback: []",
		"  - name: b", "    effects: [{type: undrain, node: p1}]"))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if !p.Steps[0].HasRollback || len(p.Steps[0].Rollback) != 0 {
		t.Errorf("step a: HasRollback=%v Rollback=%v, want true and empty", p.Steps[0].HasRollback, p.Steps[0].Rollback)
	}
	if p.Steps[1].HasRollback {
		t.Errorf("step b: HasRollback=true without rollback")
	}
}

func TestGoldenDiagnostics(t *testing.T) {
	matches, err := filepath.Glob("testdata/bad-*.yaml")
	if err != nil || len(matches) == 0 {
		t.Fatalf("no testdata/bad-*.yaml: %v", err)
	}
	for _, in := range matches {
		t.Run(filepath.Base(in), func(t *testing.T) {
			p, ds, err := LoadFile(context.Background(), in, userfile.Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if p != nil || !ds.HasErrors() {
				t.Fatalf("LoadFile(context.Background(), %s, userfile.Scope{}) = %v, %v; want nil plan and errors", in, p, ds)
			}
			var b strings.Builder
			for _, d := range ds {
				b.WriteString(d.String())
				b.WriteString("\n")
			}
			golden.Check(t, strings.TrimSuffix(in, ".yaml")+".golden", []byte(b.String()))
		})
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, withSteps("  - {name: a, effects: [{type: drain, node: p1}]}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, withSteps("  - {name: a, effects: []}"), 0o644); err != nil {
		t.Fatal(err)
	}

	p, ds, err := LoadFile(context.Background(), good, userfile.Scope{})
	if err != nil || ds.HasErrors() || p == nil {
		t.Fatalf("LoadFile(context.Background(), good, userfile.Scope{}) = %v, %v, %v", p, ds, err)
	}
	if p.File != good || p.Steps[0].Effects[0].Pos.File != good {
		t.Errorf("File = %q, effect file = %q; want %q", p.File, p.Steps[0].Effects[0].Pos.File, good)
	}

	p, ds, err = LoadFile(context.Background(), bad, userfile.Scope{})
	if err != nil || p != nil || !ds.HasErrors() {
		t.Fatalf("LoadFile(context.Background(), bad, userfile.Scope{}) = %v, %v, %v; want nil plan, errors, no I/O error", p, ds, err)
	}

	_, _, err = LoadFile(context.Background(), filepath.Join(dir, "missing.yaml"), userfile.Scope{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadFile(context.Background(), missing, userfile.Scope{}) error = %v, want one wrapping fs.ErrNotExist", err)
	}
	if !strings.HasPrefix(err.Error(), "read plan "+filepath.Join(dir, "missing.yaml")+": ") {
		t.Errorf("error %q lacks the read plan: context", err)
	}
}

func TestEffectTypes(t *testing.T) {
	for _, et := range EffectTypes() {
		if !et.Valid() {
			t.Errorf("%s is not Valid", et)
		}
	}
	if EffectType("reboot").Valid() {
		t.Error(`"reboot" is Valid`)
	}
	if len(EffectTypes()) != len(effectSpecs) {
		t.Errorf("EffectTypes() lists %d types, effectSpecs has %d", len(EffectTypes()), len(effectSpecs))
	}
}

// wantOneError parses in and checks that it gives no plan and exactly the
// diagnostic want.
func wantOneError(t *testing.T, in []byte, want string) {
	t.Helper()
	p, ds := Parse("p.yaml", in)
	if p != nil {
		t.Errorf("Parse returned a plan despite errors: %+v", p)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	if diff := cmp.Diff([]string{want}, got); diff != "" {
		t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
	}
}

// A step that sends configuration may leave its effects out (nil: the
// gate derives them) or declare that it changes nothing (effects: [],
// empty but not nil); the two hash differently.
func TestEffectsLeftOutOrEmpty(t *testing.T) {
	head := "title: t\nsteps:\n  - name: a\n    device: p1\n    config: [hostname p1]\n"
	left, ds := Parse("p.yaml", []byte(head))
	if ds.HasErrors() || left.Steps[0].Effects != nil {
		t.Fatalf("effects left out: %v, effects %#v", ds, left.Steps[0].Effects)
	}
	empty, ds := Parse("p.yaml", []byte(head+"    effects: []\n"))
	if ds.HasErrors() || empty.Steps[0].Effects == nil || len(empty.Steps[0].Effects) != 0 {
		t.Fatalf("effects: []: %v, effects %#v", ds, empty.Steps[0].Effects)
	}
	if left.Digest() == empty.Digest() {
		t.Error("a plan that leaves its effects to the configuration hashes like one that says it changes nothing")
	}
	if _, ds := Parse("p.yaml", []byte("title: t\nsteps:\n  - name: a\n    device: p1\n")); !ds.HasErrors() {
		t.Error("a step with neither configuration nor effects parses")
	}
}
