package plans

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/userfile"
)

// textFSMPlan is a plan whose step has one check with the given expect
// lines (indented under expect:, from line 8).
func textFSMPlan(expect ...string) []byte {
	lines := []string{
		"title: t", // 1
		"steps:",   // 2
		"  - name: a",
		"    device: p2",
		"    effects: [{type: drain, node: p2}]",
		"    checks:",
		"      - name: c",
		"        command: show ip ospf neighbor",
		"        expect:", // 9
	}
	for _, e := range expect {
		lines = append(lines, "          "+e)
	}
	return plan(lines...)
}

// parseTextFSM parses as if the plan were testdata/p.yaml, reading
// template files from disk.
func parseTextFSM(data []byte) (*Plan, []string) {
	p, ds := ParseWith("testdata/p.yaml", data, ParseOptions{ReadFile: TemplateReader(context.Background(), "testdata/p.yaml", userfile.Scope{})})
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	return p, got
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestParseTextFSM(t *testing.T) {
	inline := "Value ID (\\S+)\nValue STATE (\\S+)\n\nStart\n  ^${ID}\\s+\\d+\\s+${STATE} -> Record\n"
	tests := []struct {
		name   string
		expect []string
		want   Expect
	}{
		{"template file",
			[]string{"textfsm:", "  template: templates/frr_show_ip_ospf_neighbor.textfsm", "  rego: count(output) >= 2"},
			Expect{Kind: ExpectTextFSM, Value: "count(output) >= 2",
				Template: readTestdata(t, "templates/frr_show_ip_ospf_neighbor.textfsm"), TemplateFile: "templates/frr_show_ip_ospf_neighbor.textfsm"}},
		{"inline template",
			[]string{"textfsm:", "  template_text: |", "    Value ID (\\S+)", "    Value STATE (\\S+)", "", "    Start", "      ^${ID}\\s+\\d+\\s+${STATE} -> Record",
				"  rego: |", "    some r in output", "    r.ID == \"198.18.0.4\""},
			Expect{Kind: ExpectTextFSM, Value: "some r in output\nr.ID == \"198.18.0.4\"\n", Template: inline}},
		{"flow style, rego first",
			[]string{`{textfsm: {rego: 'count(output) == 4', template: templates/frr_show_ip_ospf_neighbor.textfsm}}`},
			Expect{Kind: ExpectTextFSM, Value: "count(output) == 4",
				Template: readTestdata(t, "templates/frr_show_ip_ospf_neighbor.textfsm"), TemplateFile: "templates/frr_show_ip_ospf_neighbor.textfsm"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ds := parseTextFSM(textFSMPlan(tt.expect...))
			if p == nil {
				t.Fatalf("no plan: %v", ds)
			}
			got := p.Steps[0].Checks[0].Expect
			got.Pos = tt.want.Pos
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("expect mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseTextFSMProblems(t *testing.T) {
	const prefix = `step "a" check "c": expect textfsm`
	const fixHint = "(hint: fix the template (TextFSM syntax: https://github.com/google/textfsm/wiki/TextFSM))"
	tests := []struct {
		name   string
		expect []string
		want   string
	}{
		{"missing file",
			[]string{"textfsm:", "  template: templates/nope.textfsm", "  rego: count(output) >= 2"},
			`testdata/p.yaml:11:23: ` + prefix + `: template "templates/nope.textfsm": open testdata/templates/nope.textfsm: no such file or directory ` +
				`(hint: the path is relative to the plan's directory (testdata); check the name, or give the template inline with template_text)`},
		{"bad template file, at its line",
			[]string{"textfsm:", "  template: templates/bad_state.textfsm", "  rego: count(output) >= 2"},
			`testdata/templates/bad_state.textfsm:5:1: ` + prefix + `: template: state Start goes to state Neighbours, which the template does not define (did you mean Neighbors?) ` + fixHint},
		{"bad inline template, at its line in the plan",
			[]string{"textfsm:", "  template_text: |", "    Value ID (\\S+)", "", "    Start", "      ^${IDD} -> Record", "  rego: count(output) >= 2"},
			`testdata/p.yaml:15:15: ` + prefix + `: template_text: the rule uses $IDD, but the template has no Value IDD (did you mean $ID?) ` + fixHint},
		{"bad inline template, quoted",
			[]string{"textfsm:", `  template_text: "Value ID (\\S+)\n\nStart\n^${ID} -> Record\n"`, "  rego: count(output) >= 2"},
			`testdata/p.yaml:11:28: ` + prefix + `: template_text line 4: Missing white space or carat ('^') before rule. ` + fixHint},
		{"inline template with no Start",
			[]string{"textfsm:", "  template_text: |", "    Value ID (\\S+)", "", "    Begin", "      ^${ID} -> Record", "  rego: count(output) >= 2"},
			`testdata/p.yaml:14:15: ` + prefix + `: template_text: the template has no Start state (its first state is Begin) ` + fixHint},
		{"both template and template_text",
			[]string{"textfsm:", "  template: templates/frr_show_ip_ospf_neighbor.textfsm", "  template_text: |", "    Value ID (\\S+)", "", "    Start", "      ^${ID}", "  rego: count(output) >= 2"},
			`testdata/p.yaml:12:13: ` + prefix + ` has both template and template_text (hint: keep one: template names a file (relative to the plan), template_text holds the template itself)`},
		{"no template",
			[]string{"textfsm:", "  rego: count(output) >= 2"},
			`testdata/p.yaml:11:13: ` + prefix + ` names no template (hint: add template: FILE (a TextFSM template file, relative to the plan), or template_text: | with the template)`},
		{"no rego",
			[]string{"textfsm:", "  template: templates/frr_show_ip_ospf_neighbor.textfsm"},
			`testdata/p.yaml:11:13: ` + prefix + `: missing field "rego" (hint: add rego: a Rego expression over output, the list of records the template parsed, such as count(output) >= 2)`},
		{"blank rego",
			[]string{"textfsm:", "  template: templates/frr_show_ip_ospf_neighbor.textfsm", `  rego: " "`},
			`testdata/p.yaml:12:19: ` + prefix + `: rego is empty (hint: give a Rego expression over output, the list of records the template parsed, such as count(output) >= 2)`},
		{"empty textfsm",
			[]string{"textfsm:"},
			`testdata/p.yaml:10:11: ` + prefix + ` is empty (hint: give template: FILE (or template_text: |) and rego: EXPR)`},
		{"textfsm not a mapping",
			[]string{"textfsm: templates/frr_show_ip_ospf_neighbor.textfsm"},
			`testdata/p.yaml:10:20: ` + prefix + ` must be a mapping, found "templates/frr_show_ip_ospf_neighbor.textfsm" (hint: write it as key: value pairs)`},
		{"unknown field",
			[]string{"textfsm:", "  templat: templates/frr_show_ip_ospf_neighbor.textfsm", "  template: templates/frr_show_ip_ospf_neighbor.textfsm", "  rego: count(output) >= 2"},
			`testdata/p.yaml:11:13: ` + prefix + `: unknown field "templat" (hint: did you mean "template"?)`},
		{"textfsm and json",
			[]string{"json: count(output) > 1", "textfsm:", "  template: templates/frr_show_ip_ospf_neighbor.textfsm", "  rego: count(output) >= 2"},
			`testdata/p.yaml:11:11: step "a" check "c": expect has both json and textfsm (hint: keep one: a check tests its output one way; to test it json and textfsm as well, add another check)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, got := parseTextFSM(textFSMPlan(tt.expect...))
			if p != nil {
				t.Errorf("a plan despite errors")
			}
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseReadsNoTemplateFile: Parse touches no file system; a template
// file is an error with the hint ParseOptions gives.
func TestParseReadsNoTemplateFile(t *testing.T) {
	data := textFSMPlan("textfsm:", "  template: templates/frr_show_ip_ospf_neighbor.textfsm", "  rego: count(output) >= 2")
	wantOneError(t, data, `p.yaml:11:23: step "a" check "c": expect textfsm: template file "templates/frr_show_ip_ospf_neighbor.textfsm" cannot be read here `+
		`(hint: give the template inline with template_text: |, or load the plan from its file (plans.LoadFile))`)
	_, ds := ParseWith("p.yaml", data, ParseOptions{NoFileHint: "runbooks take template_text only"})
	if len(ds) != 1 || ds[0].Hint != "runbooks take template_text only" {
		t.Errorf("diagnostics %v, want one with the NoFileHint", ds)
	}
}

// TestParseRenderedTemplateProblem: in a rendered plan, a problem in an
// inline template is at the template, its line in the message.
func TestParseRenderedTemplateProblem(t *testing.T) {
	data := textFSMPlan("textfsm:", "  template_text: |", "    Value ID (\\S+)", "", "    Start", "      ^${IDD} -> Record", "  rego: count(output) >= 2")
	_, ds := ParseWith("p.yaml", data, ParseOptions{Rendered: true})
	want := `p.yaml:11:28: step "a" check "c": expect textfsm: template_text line 4: the rule uses $IDD, but the template has no Value IDD (did you mean $ID?)`
	if len(ds) != 1 || ds[0].Pos.String()+": "+ds[0].Msg != want {
		t.Errorf("diagnostics %v, want\n%s", ds, want)
	}
}

func TestLoadFileReadsTemplates(t *testing.T) {
	p, ds, err := LoadFile(context.Background(), "testdata/good-textfsm-plan.yaml", userfile.Scope{})
	if err != nil || p == nil {
		t.Fatalf("LoadFile: %v, %v", err, ds)
	}
	e := p.PreChecks[0].Expect
	if e.Kind != ExpectTextFSM || e.TemplateFile != "templates/frr_show_ip_ospf_neighbor.textfsm" ||
		e.Template != readTestdata(t, "templates/frr_show_ip_ospf_neighbor.textfsm") {
		t.Errorf("pre-check expect = %+v", e)
	}
	e = p.Steps[0].Checks[0].Expect
	if e.Kind != ExpectTextFSM || e.TemplateFile != "" || !strings.HasPrefix(e.Template, "Value NEIGHBOR_ID") {
		t.Errorf("step check expect = %+v", e)
	}
}

// TestDigestCoversTemplates: the digest hashes the template's text, so
// that changing the file changes it, and moving the file or writing the
// same template inline does not.
func TestDigestCoversTemplates(t *testing.T) {
	dir := t.TempDir()
	tmpl := readTestdata(t, "templates/frr_show_ip_ospf_neighbor.textfsm")
	write := func(name, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	digest := func(name string, expect ...string) string {
		t.Helper()
		write(name, string(textFSMPlan(expect...)))
		p, ds, err := LoadFile(context.Background(), filepath.Join(dir, name), userfile.Scope{})
		if err != nil || p == nil {
			t.Fatalf("LoadFile(context.Background(), %s, userfile.Scope{}): %v, %v", name, err, ds)
		}
		return p.Digest()
	}
	rego := "  rego: count(output) >= 2"
	write("t/ospf.textfsm", tmpl)
	before := digest("plan.yaml", "textfsm:", "  template: t/ospf.textfsm", rego)

	write("t/ospf.textfsm", strings.Replace(tmpl, `Value STATE (\S+)`, `Value STATE (Full\S*)`, 1))
	if after := digest("plan.yaml", "textfsm:", "  template: t/ospf.textfsm", rego); after == before {
		t.Error("changing the template file left the plan digest unchanged")
	}

	write("t/ospf.textfsm", tmpl)
	if again := digest("plan.yaml", "textfsm:", "  template: t/ospf.textfsm", rego); again != before {
		t.Error("the same template gives another digest")
	}
	write("elsewhere/neighbours.textfsm", tmpl)
	if moved := digest("plan.yaml", "textfsm:", "  template: elsewhere/neighbours.textfsm", rego); moved != before {
		t.Error("moving the template file changed the digest")
	}
	lines := []string{"textfsm:", "  template_text: |"}
	for _, l := range strings.Split(strings.TrimSuffix(tmpl, "\n"), "\n") {
		if l == "" {
			lines = append(lines, "")
		} else {
			lines = append(lines, "    "+l)
		}
	}
	if inline := digest("plan.yaml", append(lines, rego)...); inline != before {
		t.Error("the same template inline gives another digest than in a file")
	}
	if other := digest("plan.yaml", "textfsm:", "  template: t/ospf.textfsm", "  rego: count(output) >= 3"); other == before {
		t.Error("changing the expression left the digest unchanged")
	}
}

// TestTextFSMJSON: the JSON form of a check keeps its template and the
// file it came from, and reads back to the same plan.
func TestTextFSMJSON(t *testing.T) {
	p, ds, err := LoadFile(context.Background(), "testdata/good-textfsm-plan.yaml", userfile.Scope{})
	if err != nil || p == nil {
		t.Fatalf("LoadFile: %v, %v", err, ds)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Digest() != p.Digest() {
		t.Error("the JSON round trip changed the digest")
	}
	if diff := cmp.Diff(p.PreChecks[0].Expect, back.PreChecks[0].Expect, cmpopts.IgnoreFields(Expect{}, "Pos")); diff != "" {
		t.Errorf("expect mismatch after the JSON round trip (-want +got):\n%s", diff)
	}
	var doc struct {
		PreChecks []struct {
			Expect map[string]string `json:"expect"`
		} `json:"pre_checks"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	e := doc.PreChecks[0].Expect
	if e["kind"] != "textfsm" || e["template_file"] != "templates/frr_show_ip_ospf_neighbor.textfsm" || !strings.HasPrefix(e["template"], "Value NEIGHBOR_ID") {
		t.Errorf("JSON expect = %v", e)
	}
}
