package validate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/finding"
)

const topo = `name: tiny
nodes:
  - {name: a}
  - {name: b}
  - {name: c}
links:
  - {id: a-b, a: a, b: b, capacity: 10G, metric: 10}
  - {id: b-c, a: b, b: c, capacity: 10G, metric: 10}
  - {id: a-c, a: a, b: c, capacity: 10G, metric: 10}
demands:
  - {src: a, dst: c, rate: 1G}
`

const runbookDown = `name: down
title: Take a link down
platforms: [frr_vtysh, cisco_iosxe]
params:
  - {name: link, type: link, description: the link}
examples:
  - name: a-b
    topology: topo.yaml
    params: {link: a-b}
steps:
  - name: "down {{.link}}"
    device: a
    effects:
      - {type: link_down, link: "{{.link}}"}
    config:
      frr_vtysh: "shutdown"
      cisco_iosxe: "shutdown"
`

// includer is a runbook whose only step includes the runbook inner.
func includer(name, inner string) string {
	return `name: ` + name + `
title: Include ` + inner + `
platforms: [frr_vtysh, cisco_iosxe]
params:
  - {name: link, type: link, description: the link}
examples:
  - name: a-b
    topology: topo.yaml
    params: {link: a-b}
steps:
  - runbook: ` + inner + `
    params: {link: "{{.link}}"}
`
}

// runbookChecked is a runbook whose step checks that expect (a json
// expectation) holds.
func runbookChecked(expect string) string {
	return strings.Replace(strings.Replace(runbookDown, "name: down", "name: checked", 1), `      cisco_iosxe: "shutdown"
`, `      cisco_iosxe: "shutdown"
    checks:
      frr_vtysh:
        - {name: up, device: a, command: show x, expect: {json: `+expect+`}}
      cisco_iosxe:
        - {name: up, device: a, command: show x, expect: {json: `+expect+`}}
`, 1)
}

const okPolicy = `package acme.ok

deny contains "x" if {
	input.plan.title == "forbidden"
}
`

// corpus writes files (name -> content) under a new directory.
func corpus(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func plan(title, body string) string {
	return "title: " + title + "\ntopology: topo.yaml\nsteps:\n" + body
}

// want is a finding expected in the file named by the test.
type want struct {
	rule      string
	sev       finding.Severity
	line, col int
	msg       string // a part of the message
}

func TestFindings(t *testing.T) {
	tests := []struct {
		name  string
		file  string // the file checked, and where the finding is
		files map[string]string
		want  []want // nil: the file passes
	}{
		{"good plan", "p.yaml", map[string]string{
			"p.yaml": plan("ok", "  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n"),
		}, nil},
		{"good topology", "topo.yaml", map[string]string{}, nil},
		{"good runbook", "down.yaml", map[string]string{"down.yaml": runbookDown}, nil},
		{"good policy", "pol/ok.rego", map[string]string{"pol/ok.rego": okPolicy,
			"pol/ok_test.rego": "package acme.ok_test\n\nimport data.acme.ok\n\ntest_denies if {\n\tok.deny with input as {\"plan\": {\"title\": \"forbidden\"}}\n}\n"}, nil},
		{"malformed YAML", "p.yaml", map[string]string{
			"p.yaml": "title: broken\ntopology: topo.yaml\nsteps: [\n  - name: x\n",
		}, []want{{RulePlanSyntax, finding.Error, 3, 1, "invalid YAML"}}},
		{"unknown field", "p.yaml", map[string]string{
			"p.yaml": plan("typo", "  - name: down\n    efects:\n      - {type: link_down, link: a-c}\n"),
		}, []want{
			{RulePlanSyntax, finding.Error, 4, 5, `missing field "effects"`},
			{RulePlanSyntax, finding.Error, 5, 5, `unknown field "efects"`},
		}},
		{"wrong type", "p.yaml", map[string]string{
			"p.yaml": plan("wrong type", "  - name: metric\n    effects:\n      - {type: set_metric, link: a-c, metric: lots}\n"),
		}, []want{{RulePlanSyntax, finding.Error, 6, 47, `"lots" is not an integer`}}},
		{"unknown link", "p.yaml", map[string]string{
			"p.yaml": plan("unknown link", "  - name: down\n    effects:\n      - {type: link_down, link: a-z}\n"),
		}, []want{{RulePlanReference, finding.Error, 6, 33, `unknown link "a-z"`}}},
		// Reference findings point at the name they are about, not at the
		// step, effect or check that holds it (CI annotations land there).
		{"unknown node", "p.yaml", map[string]string{
			"p.yaml": plan("unknown node", "  - name: drain\n    effects:\n      - {type: drain, node: q}\n"),
		}, []want{{RulePlanReference, finding.Error, 6, 29, `unknown node "q"`}}},
		{"unknown device of a step", "p.yaml", map[string]string{
			"p.yaml": plan("unknown device", "  - name: cfg\n    device: z\n    config: [x]\n    effects: []\n"),
		}, []want{{RulePlanReference, finding.Error, 5, 13, `unknown device "z"`}}},
		{"unknown device in a list", "p.yaml", map[string]string{
			"p.yaml": plan("unknown device", "  - name: cfg\n    devices: [a, zz]\n    config: [x]\n    effects: []\n"),
		}, []want{{RulePlanReference, finding.Error, 5, 18, `unknown device "zz"`}}},
		{"unknown device of a check", "p.yaml", map[string]string{
			"p.yaml": plan("unknown device", "  - name: cfg\n    device: a\n    config: [x]\n    effects: []\n    checks:\n      - {name: up, device: q, command: show x, expect: {contains: y}}\n"),
		}, []want{{RulePlanReference, finding.Error, 9, 28, `unknown device "q"`}}},
		{"from that is not an end of the link", "p.yaml", map[string]string{
			"p.yaml": plan("wrong end", "  - name: metric\n    effects:\n      - {type: set_metric, link: a-b, metric: 5, from: c}\n"),
		}, []want{{RulePlanDryRun, finding.Error, 6, 56, `c is not an end of link a-b`}}},
		// What a plan with syntax errors names is checked in the same pass.
		{"syntax and reference errors together", "p.yaml", map[string]string{
			"p.yaml": plan("both", "  - name: down\n    colour: red\n    effects:\n      - {type: link_down, link: zz}\n"),
		}, []want{{RulePlanSyntax, finding.Error, 5, 5, `unknown field "colour"`}, {RulePlanReference, finding.Error, 7, 33, `unknown link "zz"`}}},
		{"unknown runbook", "p.yaml", map[string]string{
			"p.yaml": "title: t\ntopology: topo.yaml\nplatform: frr_vtysh\nsteps:\n  - runbook: dwn\n    params: {link: a-b}\n",
		}, []want{{RulePlanRunbook, finding.Error, 5, 14, `no runbook "dwn"`}}},
		{"no-op step", "p.yaml", map[string]string{
			"p.yaml": plan("twice", "  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n  - name: again\n    effects:\n      - {type: link_down, link: a-c}\n"),
		}, []want{{RulePlanDryRun, finding.Warning, 9, 9, "changes nothing"}}},
		{"partition", "p.yaml", map[string]string{
			"p.yaml": plan("cut c off", "  - name: cut\n    effects:\n      - {type: link_down, link: a-c}\n      - {type: link_down, link: b-c}\n"),
		}, []want{{RulePlanDryRun, finding.Warning, 4, 5, "cannot be delivered"}}},
		{"missing topology", "p.yaml", map[string]string{
			"p.yaml": "title: t\ntopology: nowhere.yaml\nsteps:\n  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n",
		}, []want{{RulePlanTopology, finding.Error, 2, 11, "does not load"}}},
		{"invalid topology", "bad-topo.yaml", map[string]string{
			"bad-topo.yaml": "name: bad\nnodes:\n  - {name: a}\nlinks:\n  - {id: a-q, a: a, b: q, capacity: 10G}\n",
		}, []want{{RuleTopologyInvalid, finding.Error, 5, 24, `unknown node "q"`}}},
		{"bad runbook template", "badtpl.yaml", map[string]string{
			"badtpl.yaml": strings.Replace(strings.Replace(runbookDown, "name: down", "name: badtpl", 1), `"down {{.link}}"`, `"down {{.link"`, 1),
		}, []want{{RuleRunbookSyntax, finding.Error, 11, 11, "unclosed action"}}},
		{"runbook template fails to render", "badrender.yaml", map[string]string{
			"badrender.yaml": strings.Replace(strings.Replace(runbookDown, "name: down", "name: badrender", 1), `"down {{.link}}"`, `"down {{index .link 5}}"`, 1),
		}, []want{{RuleRunbookRender, finding.Error, 11, 11, "frr_vtysh, cisco_iosxe"}}},
		{"runbook example with unknown link", "down.yaml", map[string]string{
			"down.yaml": strings.Replace(runbookDown, "{link: a-b}", "{link: a-z}", 1),
		}, []want{{RuleRunbookRender, finding.Error, 7, 5, `"a-z" is not a link`}}},
		{"runbook including an unknown runbook", "outer.yaml", map[string]string{
			"outer.yaml": includer("outer", "nosuch"),
		}, []want{{RuleRunbookSyntax, finding.Error, 11, 14, `"nosuch"`}}},
		{"runbook include loop", "ping.yaml", map[string]string{
			"ping.yaml": includer("ping", "pong"),
			"pong.yaml": includer("pong", "ping"),
		}, []want{{RuleRunbookSyntax, finding.Error, 11, 14, "include loop: ping -> pong -> ping"}}},
		{"runbook including another found beside it", "outer.yaml", map[string]string{
			"outer.yaml": includer("outer", "down"),
			"down.yaml":  runbookDown,
		}, nil},
		{"regex check that does not compile", "p.yaml", map[string]string{
			"p.yaml": plan("bad regex", "  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n    checks:\n      - {name: up, device: a, command: show x, expect: {regex: 'a(b'}}\n"),
		}, []want{{RulePlanSyntax, finding.Error, 8, 64, "missing closing )"}}},
		{"Rego check that does not parse", "p.yaml", map[string]string{
			"p.yaml": plan("bad rego", "  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n    checks:\n      - {name: up, device: a, command: show x, expect: {json: 'output.state =='}}\n"),
		}, []want{{RulePlanCheck, finding.Error, 8, 56, `step "down": check "up": parse Rego expression: 1 error occurred: 1:15: rego_parse_error: unexpected eof token`}}},
		{"Rego check naming what does not exist", "p.yaml", map[string]string{
			"p.yaml": "title: t\ntopology: topo.yaml\npre_checks:\n  - name: fetch\n    device: a\n    command: show x\n    expect:\n      json: http.send({}) == 1\nsteps:\n  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n",
		}, []want{{RulePlanCheck, finding.Error, 8, 7, `pre_checks: check "fetch": compile Rego expression: 1 error occurred: 1:1: rego_type_error: undefined function http.send`}}},
		{"Rego check in a plan without a topology", "p.yaml", map[string]string{
			"p.yaml": "title: t\npost_checks:\n  - {name: up, device: a, command: show x, expect: {json: 'foo.bar'}}\nsteps:\n  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n",
		}, []want{
			{RulePlanCheck, finding.Error, 3, 52, `post_checks: check "up": compile Rego expression`},
			{RulePlanTopology, finding.Warning, 1, 1, "names no topology"},
		}},
		{"good checks", "p.yaml", map[string]string{
			"p.yaml": plan("good checks", "  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n    checks:\n      - {name: up, device: a, command: show x, expect: {json: 'count(lines) > 0'}}\n      - {name: re, device: a, command: show x, expect: {regex: '(?m)^up$'}}\n"),
		}, nil},
		{"runbook step", "p.yaml", map[string]string{
			"down.yaml": runbookDown,
			"p.yaml":    "title: t\ntopology: topo.yaml\nplatform: frr_vtysh\nsteps:\n  - runbook: down\n    params: {link: a-b}\n",
		}, nil},
		{"runbook step without a parameter", "p.yaml", map[string]string{
			"down.yaml": runbookDown,
			"p.yaml":    "title: t\ntopology: topo.yaml\nplatform: frr_vtysh\nsteps:\n  - runbook: down\n",
		}, []want{{RulePlanRunbook, finding.Error, 5, 5, `needs parameter "link"`}}},
		{"runbook step whose check does not compile", "p.yaml", map[string]string{
			"checked.yaml": runbookChecked("'output.up =='"),
			"p.yaml":       "title: t\ntopology: topo.yaml\nplatform: frr_vtysh\nsteps:\n  - runbook: checked\n    params: {link: a-b}\n",
		}, []want{{RulePlanCheck, finding.Error, 5, 5, `step "down a-b (runbook checked)": check "up": parse Rego expression`}}},
		{"runbook example whose check does not compile", "checked.yaml", map[string]string{
			"checked.yaml": runbookChecked("'output.up =='"),
		}, []want{
			{RuleRunbookCheck, finding.Error, 20, 58, `example "a-b" on frr_vtysh: step "down a-b": check "up": parse Rego expression`},
			{RuleRunbookCheck, finding.Error, 22, 58, `example "a-b" on cisco_iosxe: step "down a-b": check "up": parse Rego expression`},
		}},
		{"runbook example whose checks compile", "checked.yaml", map[string]string{
			"checked.yaml": runbookChecked("'output.up == true'"),
		}, nil},
		{"policy does not compile", "pol/bad.rego", map[string]string{
			"pol/bad.rego": "package acme.bad\n\ndeny contains msg if {\n\tmsg := unknown_thing\n}\n",
		}, []want{{RulePolicyCompile, finding.Error, 4, 2, "unknown_thing"}}},
		{"failing Rego test", "pol/ok_test.rego", map[string]string{"pol/ok.rego": okPolicy,
			"pol/ok_test.rego": "package acme.ok_test\n\nimport data.acme.ok\n\ntest_wrong if {\n\tcount(ok.deny) == 1 with input as {\"plan\": {\"title\": \"fine\"}}\n}\n"},
			[]want{{RulePolicyTest, finding.Error, 5, 1, "test_wrong failed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"topo.yaml": topo}
			for k, v := range tt.files {
				files[k] = v
			}
			dir := corpus(t, files)
			file := filepath.Join(dir, tt.file)
			res, err := Run(context.Background(), []string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var c *finding.Case
			for i := range res.Cases {
				if res.Cases[i].File == file {
					c = &res.Cases[i]
				}
			}
			if c == nil {
				t.Fatalf("no case for %s; cases: %+v, skipped: %+v", file, res.Cases, res.Skipped)
			}
			if len(c.Findings) != len(tt.want) {
				t.Fatalf("%d findings, want %d: %+v", len(c.Findings), len(tt.want), c.Findings)
			}
			for i, w := range tt.want {
				f := c.Findings[i]
				if f.Rule != w.rule || f.Severity != w.sev || f.File != file || f.Line != w.line || f.Col != w.col || !strings.Contains(f.Message, w.msg) {
					t.Errorf("finding %d = %s %s %s:%d:%d %q\nwant %s %s %s:%d:%d ...%q...",
						i, f.Rule, f.Severity, f.File, f.Line, f.Col, f.Message, w.rule, w.sev, file, w.line, w.col, w.msg)
				}
			}
			for _, cs := range res.Cases {
				for _, f := range cs.Findings {
					if f.File == "" || f.Line <= 0 || f.Col <= 0 {
						t.Errorf("finding without a full location: %+v", f)
					}
				}
			}
		})
	}
}

func TestDiscover(t *testing.T) {
	dir := corpus(t, map[string]string{
		"topo.yaml":               topo,
		"plans/p.yaml":            plan("p", "  - name: s\n    effects:\n      - {type: link_down, link: a-c}\n"),
		"runbooks/down.yaml":      runbookDown,
		"pol/ok.rego":             okPolicy,
		"changegate.yaml":         "policy:\n  dirs: []\n",
		"other.yaml":              "foo: bar\n",
		"flow.yaml":               "{title: flow, steps: []}\n",
		"README.md":               "# not checked\n",
		".hidden/p.yaml":          plan("hidden", ""),
		"testdata/p.yaml":         plan("fixture", ""),
		"plans/testdata/bad.yaml": "title: x\nsteps: [\n",
	})
	files, skipped, err := Discover(context.Background(), []string{dir, filepath.Join(dir, "testdata", "p.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Kind{}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f.Path)
		got[filepath.ToSlash(rel)] = f.Kind
	}
	wantKinds := map[string]Kind{
		"topo.yaml": Topology, "plans/p.yaml": Plan, "runbooks/down.yaml": Runbook,
		"pol/ok.rego": Policy, "flow.yaml": Plan, "testdata/p.yaml": Plan,
	}
	if len(got) != len(wantKinds) {
		t.Errorf("found %v, want %v", got, wantKinds)
	}
	for k, v := range wantKinds {
		if got[k] != v {
			t.Errorf("%s: kind %q, want %q", k, got[k], v)
		}
	}
	var names []string
	for _, s := range skipped {
		rel, _ := filepath.Rel(dir, s.Path)
		names = append(names, filepath.ToSlash(rel))
	}
	if strings.Join(names, " ") != "changegate.yaml other.yaml" {
		t.Errorf("skipped %v, want changegate.yaml and other.yaml", names)
	}
	if _, _, err := Discover(context.Background(), []string{filepath.Join(dir, "nope")}); err == nil {
		t.Error("a path that does not exist was accepted")
	}
}

// TestTopologyLoadedOnce: however many plans name a topology (by different
// spellings of its path), it is loaded and compiled once.
func TestTopologyLoadedOnce(t *testing.T) {
	files := map[string]string{"net/topo.yaml": topo, ".git/HEAD": "ref: refs/heads/main\n"}
	for i := range 20 {
		files["plans/p"+string(rune('a'+i))+".yaml"] = "title: t\ntopology: ../net/../net/topo.yaml\nsteps:\n  - name: s\n    effects:\n      - {type: link_down, link: a-c}\n"
	}
	dir := corpus(t, files)
	v := &validator{}
	fs, _, err := Discover(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Kind == Plan {
			if c := v.plan(context.Background(), f); c.Failed() {
				t.Fatalf("%s: %+v", f.Path, c.Findings)
			}
		}
	}
	if n := len(v.nets.All()); n != 1 {
		t.Errorf("%d networks loaded, want 1", n)
	}
}

func TestExamplesPass(t *testing.T) {
	res, err := Run(context.Background(), []string{"../../examples"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := finding.Report{Cases: res.Cases}
	if r.Failed() {
		t.Errorf("examples/ fails validation: %+v", res.Cases)
	}
	if len(res.Cases) < 3 {
		t.Errorf("%d cases, want the plans and the topology of examples/", len(res.Cases))
	}
}

// TestInventory: the inventory of the configuration is a case of its own,
// every problem at its line, and its file is not listed as skipped.
func TestInventory(t *testing.T) {
	const bad = "defaults:\n  password: hunter2\ndevices:\n  p1: {host: 10.0.0.1, platform: ios}\n  p2: {platform: frr_vtysh}\n"
	tests := []struct {
		name    string
		content string
		want    []want
	}{
		{"good", "devices:\n  a: {host: 10.0.0.1, platform: frr_vtysh}\n", nil},
		{"bad", bad, []want{
			{RuleInventory, finding.Error, 2, 13, "password is written in plain text"},
			{RuleInventory, finding.Error, 4, 34, `unknown platform "ios"`},
			{RuleInventory, finding.Error, 5, 3, "device p2 has no host"},
		}},
		{"warning", "groups:\n  unused: {port: 2222}\ndevices:\n  a: {host: 10.0.0.1, platform: frr_vtysh}\n", []want{
			{RuleInventory, finding.Warning, 2, 3, "group unused is used by no device"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := corpus(t, map[string]string{"topo.yaml": topo, "inventory.yaml": tt.content})
			file := filepath.Join(dir, "inventory.yaml")
			res, err := Run(context.Background(), []string{dir}, Options{Inventory: &Inventory{
				Path: file,
				Load: func() (*devices.Inventory, diag.Diagnostics, error) { return devices.Load(context.Background(), file) },
			}})
			if err != nil {
				t.Fatal(err)
			}
			var c *finding.Case
			for i := range res.Cases {
				if res.Cases[i].File == file {
					c = &res.Cases[i]
				}
			}
			if c == nil || c.Suite != "inventories" {
				t.Fatalf("no inventory case for %s: %+v", file, res.Cases)
			}
			if len(c.Findings) != len(tt.want) {
				t.Fatalf("%d findings, want %d: %+v", len(c.Findings), len(tt.want), c.Findings)
			}
			for i, w := range tt.want {
				f := c.Findings[i]
				if f.Rule != w.rule || f.Severity != w.sev || f.File != file || f.Line != w.line || f.Col != w.col || !strings.Contains(f.Message, w.msg) {
					t.Errorf("finding %d = %s %s %s:%d:%d %q\nwant %s %s %s:%d:%d ...%q...",
						i, f.Rule, f.Severity, f.File, f.Line, f.Col, f.Message, w.rule, w.sev, file, w.line, w.col, w.msg)
				}
			}
			for _, s := range res.Skipped {
				if s.Path == file {
					t.Errorf("the inventory is checked, and listed as skipped: %+v", s)
				}
			}
		})
	}
	// Without the configuration naming it, an inventory under the paths
	// is skipped, with a reason that says how to check it.
	dir := corpus(t, map[string]string{"inventory.yaml": bad})
	res, err := Run(context.Background(), []string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Cases) != 0 || len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0].Reason, "inventory validate") {
		t.Errorf("cases %+v, skipped %+v; want the inventory skipped, naming inventory validate", res.Cases, res.Skipped)
	}
	// An inventory that cannot be read is bad input, not a finding.
	missing := filepath.Join(dir, "nope.yaml")
	_, err = Run(context.Background(), []string{dir}, Options{Inventory: &Inventory{
		Path: missing,
		Load: func() (*devices.Inventory, diag.Diagnostics, error) {
			return devices.Load(context.Background(), missing)
		},
	}})
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Errorf("missing inventory: error %v, want one naming the file", err)
	}
}

// Every rule a finding can carry is described for SARIF.
func TestRulesListed(t *testing.T) {
	described := map[string]bool{}
	for _, r := range Rules() {
		if described[r.ID] {
			t.Errorf("rule %s is described twice", r.ID)
		}
		described[r.ID] = true
	}
	for _, id := range []string{
		RulePlanSyntax, RulePlanTopology, RulePlanReference, RulePlanRunbook, RulePlanCheck, RulePlanDryRun,
		RuleTopologyInvalid, RuleRunbookSyntax, RuleRunbookTopology, RuleRunbookRender, RuleRunbookCheck,
		RuleRunbookDryRun, RulePolicyCompile, RulePolicyTest, RuleInventory,
	} {
		if !described[id] {
			t.Errorf("rule %s is not in Rules()", id)
		}
	}
}
