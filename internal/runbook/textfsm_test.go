package runbook

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/plans"
)

// textFSMRunbook has one step whose frr_vtysh check is a textfsm check
// with the given lines under textfsm: (from line 14).
func textFSMRunbook(lines ...string) string {
	head := `name: t
title: test
platforms: [frr_vtysh]
params:
  - {name: device, type: device}
steps:
  - name: "check {{.device}}"
    device: "{{.device}}"
    config: {frr_vtysh: "router ospf"}
    effects: []
    checks:
      frr_vtysh:
        - name: neighbours Full
          command: show ip ospf neighbor
          expect:
            textfsm:
`
	for _, l := range lines {
		head += "              " + l + "\n"
	}
	return head
}

// A runbook's textfsm check gives its template inline: it renders, and
// the rendered check holds the template.
func TestRenderTextFSMInline(t *testing.T) {
	src := textFSMRunbook(
		"template_text: |",
		"  Value ID (\\S+)",
		"  Value STATE (\\S+)",
		"",
		"  Start",
		"    ^${ID}\\s+\\d+\\s+${STATE} -> Record",
		`rego: '[r | some r in output; not startswith(r.STATE, "Full")] == []'`,
	)
	r, ds := Parse("t.yaml", []byte(src))
	if r == nil {
		t.Fatal(ds.Err())
	}
	p, ds := r.RenderPlan(RenderOptions{Params: map[string]string{"device": "p2"}, Topology: net(t)}, PlanMeta{})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	e := p.Steps[0].Checks[0].Expect
	want := "Value ID (\\S+)\nValue STATE (\\S+)\n\nStart\n  ^${ID}\\s+\\d+\\s+${STATE} -> Record\n"
	if e.Kind != plans.ExpectTextFSM || e.Template != want || e.TemplateFile != "" {
		t.Fatalf("rendered expect = %+v", e)
	}
	if e.Pos.File != "t.yaml" || e.Pos.Line != 16 {
		t.Errorf("expect position %v, want t.yaml:16", e.Pos)
	}

	// WritePlan writes it inline, and it reads back the same.
	var b bytes.Buffer
	if err := WritePlan(&b, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "template_text: |") {
		t.Errorf("the template is not written as a block:\n%s", b.String())
	}
	back, ds := plans.Parse("back.yaml", b.Bytes())
	if back == nil {
		t.Fatalf("the written plan does not parse: %v\n%s", ds, b.String())
	}
	if diff := cmp.Diff(p.Steps[0].Checks[0], back.Steps[0].Checks[0], cmpopts.IgnoreFields(plans.Check{}, "Pos"), cmpopts.IgnoreFields(plans.Expect{}, "Pos")); diff != "" {
		t.Errorf("check mismatch after WritePlan (-rendered +read back):\n%s", diff)
	}
}

// A runbook's textfsm check cannot name a template file: the runbook
// has no directory of its own once embedded, and the rendered plan none
// at all. It is an error at the runbook's line.
func TestRenderTextFSMFileRefused(t *testing.T) {
	src := textFSMRunbook(
		"template: templates/frr_show_ip_ospf_neighbor.textfsm",
		"rego: count(output) >= 2",
	)
	r, ds := Parse("t.yaml", []byte(src))
	if r == nil {
		t.Fatal(ds.Err())
	}
	_, ds = r.RenderPlan(RenderOptions{Params: map[string]string{"device": "p2"}, Topology: net(t)}, PlanMeta{})
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{`t.yaml:17:25: rendered step "check p2" check "neighbours Full": expect textfsm: template file "templates/frr_show_ip_ospf_neighbor.textfsm" cannot be read here ` +
		`(hint: a runbook's check gives its TextFSM template inline, as template_text: |; template files are not read for runbooks)`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
	}
}

// A problem in a runbook's inline template is reported at the template
// in the runbook, with its line in the template.
func TestRenderTextFSMBadTemplate(t *testing.T) {
	src := textFSMRunbook(
		"template_text: |",
		"  Value ID (\\S+)",
		"",
		"  Start",
		"    ^${IDD} -> Record",
		"rego: count(output) >= 2",
	)
	r, ds := Parse("t.yaml", []byte(src))
	if r == nil {
		t.Fatal(ds.Err())
	}
	_, ds = r.RenderPlan(RenderOptions{Params: map[string]string{"device": "p2"}, Topology: net(t)}, PlanMeta{})
	var got []string
	for _, d := range ds {
		got = append(got, d.Pos.String()+": "+d.Msg)
	}
	want := []string{`t.yaml:17:30: rendered step "check p2" check "neighbours Full": expect textfsm: template_text line 4: the rule uses $IDD, but the template has no Value IDD (did you mean $ID?)`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics mismatch (-want +got):\n%s", diff)
	}
}
