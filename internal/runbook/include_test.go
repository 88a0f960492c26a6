package runbook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/runbooks"
	"github.com/changegate/changegate/userfile"
)

// leaf is a runbook of one step with configuration for platforms.
func leaf(name, platforms string) string {
	var config []string
	for _, p := range strings.Split(platforms, ", ") {
		config = append(config, p+": \"router ospf\"")
	}
	return fmt.Sprintf(`name: %s
title: t
platforms: [%s]
params:
  - {name: device, type: device}
steps:
  - name: "%s {{.device}}"
    device: "{{.device}}"
    effects: [{type: drain, node: "{{.device}}"}]
    config: {%s}
`, name, platforms, name, strings.Join(config, ", "))
}

// includer is a runbook whose only step includes each of targets (line
// 7 onwards, two lines per include: the runbook value of the first
// include is at line 7, column 14, the next at line 9, and so on).
func includer(name, platforms string, targets ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ntitle: t\nplatforms: [%s]\nparams:\n  - {name: device, type: device}\nsteps:\n", name, platforms)
	for _, t := range targets {
		fmt.Fprintf(&b, "  - runbook: %s\n    params: {device: \"{{.device}}\"}\n", t)
	}
	return b.String()
}

// loadDir writes files (name -> content) into a directory and loads it
// as the user's runbooks, without built-in ones.
func loadDir(t *testing.T, files map[string]string) (*Library, diag.Diagnostics, string) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib, ds, err := Load(context.Background(), nil, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	return lib, ds, dir
}

// deepChain returns n+1 runbooks d0 -> d1 -> ... -> dn, dn a leaf.
func deepChain(n int) map[string]string {
	files := map[string]string{}
	for i := 0; i < n; i++ {
		files[fmt.Sprintf("d%d.yaml", i)] = includer(fmt.Sprintf("d%d", i), "frr_vtysh", fmt.Sprintf("d%d", i+1))
	}
	files[fmt.Sprintf("d%d.yaml", n)] = leaf(fmt.Sprintf("d%d", n), "frr_vtysh")
	return files
}

type at struct {
	file      string
	line, col int
	msg       string
}

// TestIncludeLoadErrors: Load checks every include across the library and
// reports each problem at the include step's runbook: value.
func TestIncludeLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []at
	}{
		{"unknown runbook", map[string]string{
			"router-drain.yaml": leaf("router-drain", "frr_vtysh"),
			"a.yaml":            includer("a", "frr_vtysh", "router-drian"),
		}, []at{{"a.yaml", 7, 14, `runbook a includes runbook "router-drian", which does not exist (hint: did you mean "router-drain"?)`}}},
		{"platform not supported", map[string]string{
			"b.yaml": leaf("b", "frr_vtysh"),
			"a.yaml": includer("a", "frr_vtysh, nokia_srl", "b"),
		}, []at{{"a.yaml", 7, 14, `runbook a includes runbook b, which has no configuration for platform nokia_srl`}}},
		{"unknown parameter", map[string]string{
			"b.yaml": leaf("b", "frr_vtysh"),
			"a.yaml": strings.Replace(includer("a", "frr_vtysh", "b"), "{device:", "{devce:", 1),
		}, []at{
			{"a.yaml", 8, 14, `include b: runbook b has no parameter "devce" (hint: did you mean "device"?)`},
			{"a.yaml", 7, 14, `include b: runbook b needs parameter "device"`},
		}},
		{"2-cycle", map[string]string{
			"router-x.yaml": includer("router-x", "frr_vtysh", "router-y"),
			"router-y.yaml": includer("router-y", "frr_vtysh", "leaf", "router-x"),
			"leaf.yaml":     leaf("leaf", "frr_vtysh"),
		}, []at{
			{"router-x.yaml", 7, 14, "include loop: router-x -> router-y -> router-x"},
			{"router-y.yaml", 9, 14, "include loop: router-y -> router-x -> router-y"},
		}},
		{"self-include", map[string]string{
			"a.yaml": includer("a", "frr_vtysh", "a"),
		}, []at{{"a.yaml", 7, 14, "include loop: a -> a"}}},
		{"too deep", deepChain(MaxIncludeDepth + 1), []at{
			{"d0.yaml", 7, 14, "includes nest 17 deep, more than 16: d0 -> d1 -> "},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds, dir := loadDir(t, tt.files)
			errs := ds.Errors()
			if len(errs) != len(tt.want) {
				t.Errorf("%d errors, want %d:\n%v", len(errs), len(tt.want), ds.Err())
			}
			for _, w := range tt.want {
				found := false
				for _, d := range errs {
					if d.Pos == (diag.Pos{File: filepath.Join(dir, w.file), Line: w.line, Col: w.col}) && strings.Contains(d.String(), w.msg) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %s:%d:%d: %s in:\n%v", w.file, w.line, w.col, w.msg, ds.Err())
				}
			}
		})
	}
	// A chain exactly MaxIncludeDepth deep is fine.
	if _, ds, _ := loadDir(t, deepChain(MaxIncludeDepth)); len(ds) > 0 {
		t.Errorf("a chain %d deep: %v", MaxIncludeDepth, ds.Err())
	}
}

// TestIncludeRenderErrors: rendering checks again what Load checks (a
// runbook may be rendered from a library with problems, or parsed on its
// own), so that no input recurses without bound, and reports problems of
// the included runbook's parameters at the include.
func TestIncludeRenderErrors(t *testing.T) {
	files := map[string]string{
		"leaf.yaml":    leaf("leaf", "frr_vtysh"),
		"self.yaml":    includer("self", "frr_vtysh", "self"),
		"x.yaml":       includer("x", "frr_vtysh", "y"),
		"y.yaml":       includer("y", "frr_vtysh", "x"),
		"srl.yaml":     includer("srl", "frr_vtysh, nokia_srl", "leaf"),
		"missing.yaml": includer("missing", "frr_vtysh", "leef"),
		"tmpl.yaml":    strings.Replace(includer("tmpl", "frr_vtysh", "leaf"), `"{{.device}}"`, `"{{.devce}}"`, 1),
	}
	for name, src := range deepChain(MaxIncludeDepth + 1) {
		files[name] = src
	}
	lib, lds, dir := loadDir(t, files)
	// A template over a parameter the runbook does not have is refused
	// when the runbook is read, and the runbook left out.
	if got, want := lds.Err().Error(), filepath.Join(dir, "tmpl.yaml")+`:8:22: template: .devce is not a parameter of the runbook (hint: did you mean .device?)`; !strings.Contains(got, want) {
		t.Errorf("load: missing %q in:\n%s", want, got)
	}
	tests := []struct {
		runbook, platform string
		params            map[string]string
		want              at
	}{
		{"self", "frr_vtysh", nil, at{"self.yaml", 7, 14, "include loop: self -> self"}},
		{"x", "frr_vtysh", nil, at{"y.yaml", 7, 14, "include loop: x -> y -> x (runbook y, included by x at "}},
		{"srl", "nokia_srl", nil, at{"srl.yaml", 7, 14, `runbook srl includes runbook leaf, which has no configuration for platform "nokia_srl"`}},
		{"missing", "frr_vtysh", nil, at{"missing.yaml", 7, 14, `runbook missing includes runbook "leef", which does not exist (hint: did you mean one of: "leaf", "self"?)`}},
		{"d0", "frr_vtysh", nil, at{"d16.yaml", 7, 14, "includes nest more than 16 deep: d0 -> d1 -> "}},
		{"srl", "frr_vtysh", map[string]string{"device": "p9"}, at{"--param", 0, 0, `"p9" is not a node`}},
	}
	for _, tt := range tests {
		t.Run(tt.runbook+"/"+tt.platform, func(t *testing.T) {
			r, err := lib.Get(tt.runbook)
			if err != nil {
				t.Fatal(err)
			}
			params := tt.params
			if params == nil {
				params = map[string]string{"device": "p2"}
			}
			steps, ds := r.Render(RenderOptions{Platform: tt.platform, Params: params, Topology: net(t), Origin: "--param"})
			if steps != nil || !ds.HasErrors() {
				t.Fatalf("want an error, got %v", steps)
			}
			file := tt.want.file
			if tt.want.line > 0 {
				file = filepath.Join(dir, file)
			}
			want := diag.Pos{File: file, Line: tt.want.line, Col: tt.want.col}
			for _, d := range ds.Errors() {
				if d.Pos == want && strings.Contains(d.String(), tt.want.msg) {
					return
				}
			}
			t.Errorf("missing %v: %s in:\n%v", want, tt.want.msg, ds.Err())
		})
	}

	// A bad value of an included runbook's parameter is reported where
	// the include gives it.
	r, ds := Parse("bad.yaml", []byte(strings.Replace(includer("bad", "frr_vtysh", "leaf"), `"{{.device}}"`, `"p{{.device}}"`, 1)))
	if r == nil {
		t.Fatal(ds.Err())
	}
	_, ds = r.Render(RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "p2"}, Topology: net(t), Library: lib})
	if got := ds.Err().Error(); !strings.Contains(got, `bad.yaml:8:22: include leaf: parameter "device" (device): "pp2" is not a node of the topology`) {
		t.Errorf("bad included parameter:\n%s", got)
	}
	// A library of parsed runbooks (as a validator builds) renders it.
	leafRB, _ := Parse("leaf.yaml", []byte(leaf("leaf", "frr_vtysh")))
	ok, _ := Parse("ok.yaml", []byte(includer("ok", "frr_vtysh", "leaf")))
	own, ds := NewLibrary([]*Runbook{leafRB, ok})
	if len(ds) > 0 {
		t.Fatal(ds.Err())
	}
	if steps, ds := ok.Render(RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "p2"}, Library: own}); len(steps) != 1 || steps[0].Name != "leaf p2" {
		t.Errorf("NewLibrary: %v %v", steps, ds.Err())
	}
	if _, ds := NewLibrary([]*Runbook{ok}); !strings.Contains(ds.Err().Error(), `ok.yaml:7:14: runbook ok includes runbook "leaf", which does not exist`) {
		t.Errorf("NewLibrary without leaf: %v", ds.Err())
	}
	// Parsed alone, without a library, an include cannot be rendered.
	_, ds = r.Render(RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "p2"}})
	if got := ds.Err().Error(); !strings.Contains(got, `bad.yaml:7:14: runbook bad includes runbook "leaf", but there is no library`) {
		t.Errorf("no library:\n%s", got)
	}
}

// TestIncludeParseErrors: what one file can tell about its includes.
func TestIncludeParseErrors(t *testing.T) {
	head := "name: t\ntitle: t\nplatforms: [frr_vtysh]\nparams:\n  - {name: device, type: device}\nsteps:\n"
	tests := []struct {
		name, steps, want string
	}{
		{"other fields", "  - runbook: leaf\n    device: \"{{.device}}\"\n", `t.yaml:8:5: step 1: a step that includes runbook "leaf" does not take "device"`},
		{"unknown field", "  - runbook: leaf\n    parms: {}\n", `t.yaml:8:5: step 1: unknown field "parms" (hint: did you mean "params"?)`},
		{"params a list", "  - runbook: leaf\n    params: [device]\n", `t.yaml:8:13: step 1: params must be a mapping, found a list`},
		{"param a mapping", "  - runbook: leaf\n    params: {device: {a: b}}\n", `t.yaml:8:22: step 1: params: device must be a scalar value, found a mapping`},
		{"param template", "  - runbook: leaf\n    params: {device: \"{{.device\"}\n", `t.yaml:8:22: template: `},
		{"templated name", "  - runbook: \"{{.device}}\"\n", `t.yaml:7:14: step 1: the included runbook's name cannot be a template`},
		{"params without runbook", "  - name: a\n    effects: []\n    params: {}\n", `t.yaml:9:5: step "a": params without runbook`},
		{"as without for_each", "  - runbook: leaf\n    as: l\n", `t.yaml:8:5: step 1: as without for_each`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ds := Parse("t.yaml", []byte(head+tt.steps))
			if r != nil {
				t.Fatal("want nil runbook")
			}
			if got := ds.Err().Error(); !strings.Contains(got, tt.want) {
				t.Errorf("missing %q in:\n%s", tt.want, got)
			}
		})
	}
	r, ds := Parse("t.yaml", []byte(head+"  - name: \"all {{.l.id}}\"\n    for_each: links_of .device\n    as: l\n    runbook: leaf\n    params: {device: \"{{.l.peer}}\", n: 5}\n"))
	if r == nil {
		t.Fatal(ds.Err())
	}
	inc := r.Steps[0].Include
	if inc == nil || inc.Runbook != "leaf" || inc.Params["device"] != "{{.l.peer}}" || inc.Params["n"] != "5" || inc.Pos.Line != 10 || r.Steps[0].As != "l" {
		t.Errorf("include: %+v", inc)
	}
	if got := r.Includes(); len(got) != 1 || got[0] != "leaf" {
		t.Errorf("Includes() = %v", got)
	}
}

// TestIncludeSameSteps: the built-in router-maintenance-drain, composed
// of link-metric and router-drain, renders the same steps as the runbook
// with those steps written out (testdata/flat), for every example (each
// on its topology: OSPF and IS-IS) and platform.
func TestIncludeSameSteps(t *testing.T) {
	lib, ds, err := Load(context.Background(), runbooks.FS, nil)
	if err != nil || len(ds) > 0 {
		t.Fatal(err, ds.Err())
	}
	composite, err := lib.Get("router-maintenance-drain")
	if err != nil {
		t.Fatal(err)
	}
	if got := composite.Includes(); strings.Join(got, ",") != "link-metric,router-drain" {
		t.Fatalf("router-maintenance-drain includes %v", got)
	}
	flat, _, err := LoadFile(context.Background(), "testdata/flat/router-maintenance-drain.yaml")
	if err != nil || flat == nil {
		t.Fatal(err)
	}
	if len(flat.Includes()) != 0 {
		t.Fatal("the flat runbook includes others")
	}
	for _, ex := range composite.Examples {
		exNet, ds, err := topology.LoadFile(context.Background(), filepath.Join("../../runbooks", ex.Topology), userfile.Scope{})
		if err != nil || ds.HasErrors() {
			t.Fatal(err, ds.Err())
		}
		for _, platform := range composite.Platforms {
			opts := RenderOptions{Platform: platform, Params: ex.Params, Topology: exNet}
			got, ds := composite.Render(opts)
			if ds.HasErrors() {
				t.Fatalf("%s on %s: %v", ex.Name, platform, ds.Err())
			}
			want, ds := flat.Render(opts)
			if ds.HasErrors() {
				t.Fatalf("%s on %s: flat: %v", ex.Name, platform, ds.Err())
			}
			if diff := cmp.Diff(want, got, cmpopts.IgnoreTypes(diag.Pos{})); diff != "" {
				t.Errorf("%s on %s (-flat +composite):\n%s", ex.Name, platform, diff)
			}
			// The configuration of an included step is located in the
			// included runbook; its name, given by the include, in the
			// composite.
			if len(got) < 2 || got[0].Effects[0].Pos.File != "runbooks/link-metric.yaml" || got[len(got)-1].Pos.File != "runbooks/router-drain.yaml" {
				t.Errorf("positions: first effect at %v, last step at %v", got[0].Effects[0].Pos, got[len(got)-1].Pos)
			}
		}
	}
}

// TestIncludeNames: an include with a name names the one step it renders
// to, or prefixes the names of several; includes nest.
func TestIncludeNames(t *testing.T) {
	two := strings.Replace(leaf("two", "frr_vtysh"), "steps:\n", "steps:\n  - {name: \"first {{.device}}\", effects: [{type: drain, node: \"{{.device}}\"}]}\n", 1)
	files := map[string]string{
		"one.yaml": leaf("one", "frr_vtysh"),
		"two.yaml": two,
		"mid.yaml": includer("mid", "frr_vtysh", "two"),
		"top.yaml": `name: top
title: t
platforms: [frr_vtysh]
params:
  - {name: device, type: device}
steps:
  - {name: "only {{.device}}", runbook: one, params: {device: "{{.device}}"}}
  - {name: "pre", runbook: mid, params: {device: "{{.device}}"}}
  - {name: "peer {{.l.peer}}", for_each: links_of .device, as: l, runbook: one, params: {device: "{{.l.peer}}"}}
`,
	}
	lib, ds, _ := loadDir(t, files)
	if len(ds) > 0 {
		t.Fatal(ds.Err())
	}
	r, _ := lib.Get("top")
	steps, ds := r.Render(RenderOptions{Params: map[string]string{"device": "p2"}, Topology: net(t)})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	var names []string
	for _, s := range steps {
		names = append(names, s.Name)
	}
	want := "only p2|pre: first p2|pre: two p2|peer ebs1|peer edge1|peer p1|peer p4"
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("names:\n got %s\nwant %s", got, want)
	}
}

// TestExpandComposite: a plan step naming a composite runbook expands
// into the included runbooks' steps, located at the plan's step.
func TestExpandComposite(t *testing.T) {
	lib, net := expandSetup(t)
	p := parsePlan(t, `title: maintenance on p4
platform: juniper_junos
steps:
  - name: maint
    runbook: router-maintenance-drain
    params: {device: p4, metric: 1000}
`)
	e, ds := Expand(p, lib, net)
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	var names []string
	for _, s := range e.Steps {
		names = append(names, s.Name)
		if s.FromRunbook == nil || s.FromRunbook.Name != "router-maintenance-drain" || s.Pos.File != "plan.yaml" || s.Pos.Line != 4 {
			t.Errorf("step %q: from %+v at %v", s.Name, s.FromRunbook, s.Pos)
		}
	}
	if len(e.Steps) < 3 || names[0] != "maint: cost out p2-p4 on p4" || names[len(names)-1] != "maint: drain p4" {
		t.Errorf("names: %q", names)
	}
	for _, n := range names[:len(names)-1] {
		if !strings.HasPrefix(n, "maint: cost out ") {
			t.Errorf("names: %q", names)
		}
	}
	first := e.Steps[0]
	if cfg := strings.Join(first.Config, "\n"); !strings.Contains(cfg, "metric 1000") || first.Effects[0].Type != plans.SetMetric {
		t.Errorf("first step: %+v", first)
	}
}
