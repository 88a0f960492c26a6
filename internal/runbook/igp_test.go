package runbook

import (
	"context"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

// twoIGPs is a runbook with OSPF and IS-IS forms of its configuration
// and checks, a rollback shared by both, and an IGP metric parameter.
const twoIGPs = `name: t
title: test
platforms: [frr_vtysh, cisco_iosxe]
igps: [ospf, isis]
params:
  - {name: device, type: device}
  - {name: link, type: link, of: device}
  - {name: metric, type: metric, default: 100}
steps:
  - name: "set {{.link}} on {{.device}}"
    device: "{{.device}}"
    effects: [{type: set_metric, link: "{{.link}}", metric: "{{.metric}}", from: "{{.device}}"}]
    config:
      ospf:
        frr_vtysh: "interface eth1\n ip ospf cost {{.metric}}\n"
        cisco_iosxe: "interface Gi1\n ip ospf cost {{.metric}}\n"
      isis:
        frr_vtysh: "interface eth1\n isis metric {{.metric}}\n"
        cisco_iosxe: "interface Gi1\n isis metric {{.metric}}\n"
    rollback_config:
      frr_vtysh: "do write terminal\n"
      cisco_iosxe: "do show running-config\n"
    checks:
      ospf:
        frr_vtysh: [{name: ospf cost, command: show ip ospf interface eth1, expect: {contains: "Cost: {{.metric}}"}}]
        cisco_iosxe: [{name: ospf cost, command: show ip ospf interface Gi1, expect: {contains: "Cost: {{.metric}}"}}]
      isis:
        frr_vtysh: [{name: isis metric, command: show isis interface eth1, expect: {contains: "Metric: {{.metric}}"}}]
        cisco_iosxe: [{name: isis metric, command: show clns interface Gi1, expect: {contains: "Metric: {{.metric}}"}}]
`

// withIGP is the April 2011 network with its igp set to igp.
func withIGP(t *testing.T, igp string) *topology.Network {
	t.Helper()
	n, ds, err := topology.LoadFile(context.Background(), "../../examples/april-2011.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds.Err())
	}
	n.IGP = igp
	return n
}

// The topology's igp chooses the forms; IS-IS when it names none; a
// field given per platform only is the same on both.
func TestRenderIGPForms(t *testing.T) {
	r, ds := Parse("t.yaml", []byte(twoIGPs))
	if r == nil {
		t.Fatal(ds.Err())
	}
	if strings.Join(r.IGPs, ",") != "ospf,isis" {
		t.Fatalf("IGPs %v", r.IGPs)
	}
	params := map[string]string{"device": "p2", "link": "p2-p4"}
	for _, tc := range []struct {
		name, netIGP, igp string
		noNet             bool
		config, check     string
	}{
		{"OSPF topology", "ospf", "", false, "interface eth1\n ip ospf cost 100", "show ip ospf interface eth1"},
		{"IS-IS topology", "isis", "", false, "interface eth1\n isis metric 100", "show isis interface eth1"},
		{"no igp: IS-IS", "", "", false, "interface eth1\n isis metric 100", "show isis interface eth1"},
		{"the topology's IGP given", "ospf", "ospf", false, "interface eth1\n ip ospf cost 100", "show ip ospf interface eth1"},
		{"no topology, IS-IS", "", "isis", true, "interface eth1\n isis metric 100", "show isis interface eth1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := RenderOptions{Platform: "frr_vtysh", Params: params, IGP: tc.igp}
			if !tc.noNet {
				opts.Topology = withIGP(t, tc.netIGP)
			}
			p, ds := r.RenderPlan(opts, PlanMeta{})
			if ds.HasErrors() {
				t.Fatal(ds.Err())
			}
			s := p.Steps[0]
			if got := strings.Join(s.Config, "\n"); got != tc.config {
				t.Errorf("config:\n%s\nwant\n%s", got, tc.config)
			}
			if len(s.Checks) != 1 || s.Checks[0].Command != tc.check {
				t.Errorf("checks %+v, want %q", s.Checks, tc.check)
			}
			if got := strings.Join(s.RollbackConfig, "\n"); got != "do write terminal" {
				t.Errorf("rollback_config, shared by both IGPs: %q", got)
			}
			igp := tc.netIGP
			if igp == "" {
				igp = "isis"
			}
			if want := "for platform frr_vtysh and " + IGPName(igp) + "."; !strings.Contains(p.Description, want) {
				t.Errorf("description %q lacks %q", p.Description, want)
			}
		})
	}
}

func TestParseIGPErrors(t *testing.T) {
	head := "name: t\ntitle: t\nplatforms: [frr_vtysh]\n"
	step := "params: [{name: device, type: device}]\nsteps:\n  - name: x\n    device: \"{{.device}}\"\n    effects: []\n    config:\n"
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"unknown igp", head + "igps: [ospf, isis, iss, ospf]\n" + step + "      frr_vtysh: a\n", []string{
			`t.yaml:4:20: runbook: unknown igp "iss" (hint: did you mean "isis"?)`,
			`t.yaml:4:25: runbook: igp "ospf" listed twice (hint: list each IGP once)`}},
		{"empty", head + "igps: []\n" + step + "      frr_vtysh: a\n", []string{
			`t.yaml:4:1: runbook: igps is empty`}},
		{"forms without igps", head + step + "      isis: {frr_vtysh: a}\n", []string{
			`t.yaml:10:7: step "x": config has a form for igp isis, but the runbook declares no igps (hint: declare the IGPs the runbook has forms for: igps: [ospf, isis])`}},
		{"a form missing", head + "igps: [ospf, isis]\n" + step + "      ospf: {frr_vtysh: a}\n", []string{
			`t.yaml:10:5: step "x": config has no form for igp isis (hint: add isis: with what to send (or check) on IS-IS networks, or remove isis from igps)`}},
		{"a form for an IGP not declared", head + "igps: [ospf]\n" + step + "      ospf: {frr_vtysh: a}\n      isis: {frr_vtysh: b}\n", []string{
			`t.yaml:12:7: step "x": config: isis is not one of the runbook's igps (hint: add isis to igps:, or remove this form)`}},
		{"forms mixed with platforms", head + "igps: [ospf, isis]\n" + step + "      ospf: {frr_vtysh: a}\n      isis: {frr_vtysh: b}\n      frr_vtysh: c\n", []string{
			`t.yaml:13:7: step "x": config mixes IGP forms (ospf) and`}},
		{"a platform missing in a form", head + "igps: [ospf, isis]\n" + step + "      ospf: {frr_vtysh: a}\n      isis: {}\n", []string{
			`t.yaml:12:7: step "x": config (IS-IS) has nothing for platform frr_vtysh`}},
		{"metric bounds", head + "params:\n  - {name: m, type: metric, min: 10, default: 5}\n  - {name: n, type: metric, default: 16777215}\nsteps: [{name: x, effects: []}]\n", []string{
			`t.yaml:5:47: param "m": default: 5 is out of range (hint: give a whole number from 10 to 16777214)`,
			`t.yaml:6:38: param "n": default: 16777215 is out of range (hint: give a whole number from 1 to 16777214)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ds := Parse("t.yaml", []byte(tc.src))
			if r != nil {
				t.Fatal("want no runbook")
			}
			got := ds.Err().Error()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
}

// A metric parameter takes what the IGP rendered for takes on an
// interface.
func TestMetricParam(t *testing.T) {
	r, ds := Parse("t.yaml", []byte(twoIGPs))
	if r == nil {
		t.Fatal(ds.Err())
	}
	for _, tc := range []struct {
		igp, metric, want string
	}{
		{"ospf", "65535", ""},
		{"ospf", "70000", `--param: parameter "metric" (metric): 70000 is out of range (hint: give a whole number from 1 to 65535 (OSPF's interface costs go to 65535))`},
		{"isis", "70000", ""},
		{"isis", "16777214", ""},
		{"isis", "16777215", `--param: parameter "metric" (metric): 16777215 is out of range (hint: give a whole number from 1 to 16777214 (IS-IS wide metrics go to 16777214; 16777215 takes the link out of SPF))`},
		{"isis", "0", `--param: parameter "metric" (metric): 0 is out of range`},
		{"isis", "ten", `--param: parameter "metric" (metric): "ten" is not a whole number`},
	} {
		t.Run(tc.igp+" "+tc.metric, func(t *testing.T) {
			steps, ds := r.Render(RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "p2", "link": "p2-p4", "metric": tc.metric},
				Topology: withIGP(t, tc.igp), Origin: "--param"})
			if tc.want == "" {
				if ds.HasErrors() || len(steps) != 1 || steps[0].Effects[0].Metric <= 0 {
					t.Errorf("%v %+v", ds.Err(), steps)
				}
				return
			}
			if !ds.HasErrors() || !strings.Contains(ds.Err().Error(), tc.want) {
				t.Errorf("got %v, want %q", ds.Err(), tc.want)
			}
		})
	}
}

// Includes: a runbook that includes one with IGP forms declares IGPs, all
// of which the included one has.
func TestIncludeIGPs(t *testing.T) {
	leafSrc := strings.Replace(twoIGPs, "name: t\n", "name: leaf\n", 1)
	leafOSPF := strings.Replace(strings.Replace(leafSrc, "igps: [ospf, isis]", "igps: [ospf]", 1), "name: leaf\n", "name: leafospf\n", 1)
	leafOSPF = leafOSPF[:strings.Index(leafOSPF, "      isis:\n")] + leafOSPF[strings.Index(leafOSPF, "    rollback_config:"):strings.Index(leafOSPF, "      isis:\n        frr_vtysh: [")]
	inc := func(name, igps, sub string) string {
		return "name: " + name + "\ntitle: t\nplatforms: [frr_vtysh, cisco_iosxe]\n" + igps + "params: [{name: device, type: device}]\nsteps:\n  - runbook: " + sub + "\n    params: {device: \"{{.device}}\", link: p2-p4}\n"
	}
	var rs []*Runbook
	for file, src := range map[string]string{"leaf.yaml": leafSrc, "leafospf.yaml": leafOSPF,
		"plain.yaml": inc("plain", "", "leaf"), "both.yaml": inc("both", "igps: [ospf, isis]\n", "leaf"), "wide.yaml": inc("wide", "igps: [ospf, isis]\n", "leafospf")} {
		r, ds := Parse(file, []byte(src))
		if r == nil {
			t.Fatalf("%s: %v", file, ds.Err())
		}
		rs = append(rs, r)
	}
	lib, ds := NewLibrary(rs)
	got := ds.Err().Error()
	for _, w := range []string{
		`plain.yaml:6:14: runbook plain includes runbook leaf, whose configuration depends on the IGP (igps: ospf, isis), but declares no igps`,
		`wide.yaml:7:14: runbook wide includes runbook leafospf, which has no form for igp isis`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if strings.Contains(got, "both.yaml") {
		t.Errorf("both.yaml is fine:\n%s", got)
	}
	both, _ := lib.Get("both")
	for igp, want := range map[string]string{"ospf": "ip ospf cost 100", "isis": "isis metric 100"} {
		steps, ds := both.Render(RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "p2"}, Topology: withIGP(t, igp), Library: lib})
		if ds.HasErrors() || len(steps) != 1 || !strings.Contains(strings.Join(steps[0].Config, "\n"), want) {
			t.Errorf("%s: %v %+v", igp, ds.Err(), steps)
		}
	}
	// Rendering checks the same again: the included runbook has no IS-IS
	// form, whatever the library said.
	wide, _ := lib.Get("wide")
	_, rds := wide.Render(RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "p2"}, Topology: withIGP(t, "isis"), Library: lib})
	if !rds.HasErrors() || !strings.Contains(rds.Err().Error(), "runbook wide includes runbook leafospf, which has no IS-IS form (igps: ospf)") {
		t.Errorf("wide on IS-IS: %v", rds.Err())
	}
}
