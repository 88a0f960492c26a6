package runbooks_test

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/devconfig"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/runbooks"
	"github.com/changegate/changegate/userfile"
)

// The built-in runbooks that the product promises.
var required = []string{"link-metric", "interface-state", "router-drain", "router-undrain", "router-maintenance-drain"}

func library(t *testing.T) *runbook.Library {
	t.Helper()
	lib, ds, err := runbook.Load(context.Background(), runbooks.FS, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) > 0 {
		t.Fatalf("built-in runbooks have problems:\n%v", ds.Err())
	}
	return lib
}

func TestRequiredRunbooks(t *testing.T) {
	lib := library(t)
	for _, name := range required {
		r, err := lib.Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Examples) == 0 {
			t.Errorf("%s has no examples", name)
		}
		if len(r.Platforms) != len(runbook.Platforms()) {
			t.Errorf("%s supports %v, want every platform", name, r.Platforms)
		}
		// Every runbook whose configuration depends on the IGP has OSPF
		// and IS-IS forms, and an example on a topology of each.
		if name == "interface-state" {
			if len(r.IGPs) != 0 {
				t.Errorf("%s has igps %v; shutting an interface does not depend on the IGP", name, r.IGPs)
			}
			continue
		}
		if strings.Join(r.IGPs, ",") != "ospf,isis" {
			t.Errorf("%s has forms for %v, want ospf and isis", name, r.IGPs)
		}
		igps := map[string]bool{}
		for _, ex := range r.Examples {
			igps[exampleNet(t, ex).IGP] = true
		}
		if !igps["ospf"] || !igps["isis"] {
			t.Errorf("%s: examples on %v, want an OSPF and an IS-IS topology", name, igps)
		}
	}
}

// exampleNet loads the topology of a runbook example.
func exampleNet(t *testing.T, ex runbook.Example) *topology.Network {
	t.Helper()
	net, ds, err := topology.LoadFile(context.Background(), filepath.Join(".", ex.Topology), userfile.Scope{}) // relative to this directory
	if err != nil || ds.HasErrors() {
		t.Fatalf("example %q: topology: %v %v", ex.Name, err, ds.Err())
	}
	return net
}

// igpWords are what the configuration of each IGP names, on every
// platform: "ip ospf cost", "router isis 1", "protocols isis ...".
var igpWords = map[string]*regexp.Regexp{"ospf": regexp.MustCompile(`(?i)\bospf\b`), "isis": regexp.MustCompile(`(?i)\bisis\b`)}

// TestIGPForms renders every example of every built-in runbook for every
// IGP it has forms for (the example's topology, its igp set to each) and
// every platform: the configuration, rollback and checks are the IGP's
// (they name it and not the other), the steps are the same on every IGP
// but for them (names, devices, effects, rollback effects, soak), and
// each rendering dry-runs.
func TestIGPForms(t *testing.T) {
	lib := library(t)
	for _, r := range lib.All() {
		igps := r.IGPs
		if len(igps) == 0 {
			igps = runbook.IGPs() // renders the same on any
		}
		for _, ex := range r.Examples {
			base := exampleNet(t, ex)
			for _, platform := range r.Platforms {
				var first []plans.Step
				for _, igp := range igps {
					t.Run(r.Name+"/"+ex.Name+"/"+platform+"/"+igp, func(t *testing.T) {
						net := *base
						net.IGP = igp
						p, ds := r.RenderPlan(runbook.RenderOptions{Platform: platform, Params: ex.Params, Topology: &net}, runbook.PlanMeta{})
						if ds.HasErrors() || p == nil {
							t.Fatalf("render: %v", ds.Err())
						}
						for _, s := range p.Steps {
							var text []string
							text = append(append(text, s.Config...), s.RollbackConfig...)
							for _, c := range s.Checks {
								text = append(text, c.Command)
							}
							all := strings.Join(text, "\n")
							for other, re := range igpWords {
								switch {
								case len(r.IGPs) == 0 && re.MatchString(all):
									t.Errorf("step %q names %s, but %s does not depend on the IGP:\n%s", s.Name, other, r.Name, all)
								case len(r.IGPs) > 0 && other == igp && !re.MatchString(strings.Join(s.Config, "\n")):
									t.Errorf("step %q: the %s form's configuration does not name %s:\n%s", s.Name, igp, igp, all)
								case len(r.IGPs) > 0 && other != igp && re.MatchString(all):
									t.Errorf("step %q: the %s form names %s:\n%s", s.Name, igp, other, all)
								}
							}
						}
						if first == nil {
							first = p.Steps
						} else {
							strip := cmpopts.IgnoreFields(plans.Step{}, "Config", "RollbackConfig", "Checks")
							if diff := cmp.Diff(first, p.Steps, cmpopts.IgnoreTypes(diag.Pos{}), strip); diff != "" {
								t.Errorf("the steps differ from the %s form's but for their configuration and checks (-%s +%s):\n%s", igps[0], igps[0], igp, diff)
							}
						}
						if _, ds, err := dryrun.Run(context.Background(), &net, p, dryrun.Options{SkipN1: true}); err != nil || ds.HasErrors() {
							t.Fatalf("dry-run: %v %v", err, ds.Err())
						}
					})
				}
			}
		}
	}
}

// TestDerivedEffects reads what every rendered step sends, on the
// platforms internal/devconfig interprets, for every IGP: the lines of
// config do what the step's effects declare, and those of
// rollback_config what its rollback declares (the inverse of the effects
// when it declares none).
func TestDerivedEffects(t *testing.T) {
	lib := library(t)
	for _, r := range lib.All() {
		igps := r.IGPs
		if len(igps) == 0 {
			igps = runbook.IGPs()
		}
		for _, ex := range r.Examples {
			base := exampleNet(t, ex)
			for _, platform := range devconfig.Platforms() {
				if !r.Supports(platform) {
					continue
				}
				in, _ := devconfig.For(platform)
				for _, igp := range igps {
					t.Run(r.Name+"/"+ex.Name+"/"+platform+"/"+igp, func(t *testing.T) {
						net := *base
						net.IGP = igp
						steps, ds := r.Render(runbook.RenderOptions{Platform: platform, Params: ex.Params, Topology: &net})
						if ds.HasErrors() {
							t.Fatalf("render: %v", ds.Err())
						}
						for _, s := range steps {
							target := devconfig.Target{Device: s.Devices[0], Net: &net}
							for _, c := range []struct {
								what  string
								lines []string
								want  []plans.Effect
							}{{"config", s.Config, s.Effects}, {"rollback_config", s.RollbackConfig, rollbackOf(s)}} {
								res := in.Interpret(target, lines(c.lines))
								if res.Diags.HasErrors() {
									t.Errorf("step %q %s: %v", s.Name, c.what, res.Diags.Err())
								}
								for _, l := range res.NotModelled() {
									t.Errorf("step %q %s: line %q is not modelled: %s", s.Name, c.what, l.Line.Text, l.Why)
								}
								var got []plans.Effect
								for _, d := range res.Effects {
									got = append(got, d.Effect)
								}
								if diff := cmp.Diff(c.want, got, cmpopts.IgnoreTypes(diag.Pos{}), cmpopts.EquateEmpty()); diff != "" {
									t.Errorf("step %q %s: derived effects differ from the declared ones (-declared +derived):\n%s\n%s", s.Name, c.what, diff, strings.Join(c.lines, "\n"))
								}
							}
						}
					})
				}
			}
		}
	}
}

func lines(text []string) []devconfig.Line {
	out := make([]devconfig.Line, len(text))
	for i, s := range text {
		out[i] = devconfig.Line{Text: s, Pos: diag.Pos{File: "rendered", Line: i + 1}}
	}
	return out
}

// rollbackOf is what a step's rollback does to the model: its declared
// rollback, or the inverse of its effects (for the effect types the
// built-in runbooks declare without a rollback).
func rollbackOf(s plans.Step) []plans.Effect {
	if s.HasRollback {
		return s.Rollback
	}
	inverse := map[plans.EffectType]plans.EffectType{plans.Drain: plans.Undrain, plans.Undrain: plans.Drain, plans.LinkDown: plans.LinkUp, plans.LinkUp: plans.LinkDown}
	var out []plans.Effect
	for i := len(s.Effects) - 1; i >= 0; i-- {
		e := s.Effects[i]
		e.Type = inverse[e.Type]
		out = append(out, e)
	}
	return out
}

// TestIGPRefused: a runbook is never rendered for an IGP it has no form
// for; a runbook with forms for both needs to be told which.
func TestIGPRefused(t *testing.T) {
	lib := library(t)
	isis := exampleNet(t, runbook.Example{Topology: "../examples/lab-isis/topology.yaml"})
	drain, err := lib.Get("router-drain")
	if err != nil {
		t.Fatal(err)
	}
	ospfOnly, ds := runbook.Parse("ospf-drain.yaml", []byte(`name: ospf-drain
title: an OSPF-only drain
platforms: [frr_vtysh]
igps: [ospf]
params: [{name: device, type: device}]
steps:
  - name: "drain {{.device}}"
    device: "{{.device}}"
    effects: [{type: drain, node: "{{.device}}"}]
    config:
      ospf: {frr_vtysh: "router ospf\n max-metric router-lsa administrative\n"}
`))
	if ospfOnly == nil {
		t.Fatal(ds.Err())
	}
	for _, tc := range []struct {
		name string
		r    *runbook.Runbook
		opts runbook.RenderOptions
		want string
	}{
		{"an OSPF runbook on an IS-IS topology", ospfOnly, runbook.RenderOptions{Params: map[string]string{"device": "d"}, Topology: isis},
			"--param: runbook ospf-drain has no IS-IS form (igps: ospf), and the topology's igp is isis (hint: render it for a network that runs OSPF, or add IS-IS forms to it (igps: [ospf, isis]))"},
		{"both forms, no topology, no IGP", drain, runbook.RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "d"}},
			"--param: runbook router-drain has forms for OSPF and IS-IS: say which IGP the network runs (hint: give the topology (its igp chooses the form) or the IGP (ospf or isis))"},
		{"an IGP the topology does not run", drain, runbook.RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "d"}, Topology: isis, IGP: "ospf"},
			"--param: rendering for OSPF, but the topology's igp is isis: the configuration would be for an IGP the network does not run"},
		{"an unknown IGP", drain, runbook.RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "d"}, IGP: "ospff"},
			`--param: unknown IGP "ospff" (hint: did you mean "ospf"?)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Origin = "--param"
			steps, ds := tc.r.Render(tc.opts)
			if steps != nil || !ds.HasErrors() || !strings.Contains(ds.Err().Error(), tc.want) {
				t.Errorf("got %d steps and\n%v\nwant an error with\n%s", len(steps), ds.Err(), tc.want)
			}
		})
	}
	// Without a topology, the IGP chooses.
	steps, ds := drain.Render(runbook.RenderOptions{Platform: "frr_vtysh", Params: map[string]string{"device": "d"}, IGP: "isis"})
	if ds.HasErrors() || len(steps) != 1 || strings.Join(steps[0].Config, "\n") != "router isis 1\n set-overload-bit" {
		t.Errorf("router-drain for IS-IS without a topology: %v %+v", ds.Err(), steps)
	}
}

// TestExamples renders every example of every built-in runbook for every
// platform the runbook claims, parses the written plan and dry-runs it
// against the example's topology.
func TestExamples(t *testing.T) {
	lib := library(t)
	for _, r := range lib.All() {
		for _, ex := range r.Examples {
			net := exampleNet(t, ex)
			for _, platform := range r.Platforms {
				t.Run(r.Name+"/"+ex.Name+"/"+platform, func(t *testing.T) {
					p, ds := r.RenderPlan(runbook.RenderOptions{Platform: platform, Params: ex.Params, Topology: net},
						runbook.PlanMeta{Topology: ex.Topology})
					if ds.HasErrors() || p == nil {
						t.Fatalf("render: %v", ds.Err())
					}
					for _, s := range p.Steps {
						if len(s.Config) == 0 || len(s.RollbackConfig) == 0 || len(s.Checks) == 0 || len(s.Devices) != 1 {
							t.Errorf("step %q: config %d lines, rollback %d lines, %d checks, devices %v", s.Name, len(s.Config), len(s.RollbackConfig), len(s.Checks), s.Devices)
						}
					}
					var buf bytes.Buffer
					if err := runbook.WritePlan(&buf, p); err != nil {
						t.Fatal(err)
					}
					back, ds := plans.Parse("rendered.yaml", buf.Bytes())
					if ds.HasErrors() || len(ds) > 0 {
						t.Fatalf("rendered plan does not parse cleanly: %v\n%s", ds, buf.String())
					}
					ignorePos := cmpopts.IgnoreTypes(diag.Pos{})
					if diff := cmp.Diff(p.Steps, back.Steps, ignorePos); diff != "" {
						t.Errorf("steps differ after render -> YAML -> plans.Parse (-rendered +parsed):\n%s\n%s", diff, buf.String())
					}
					res, ds, err := dryrun.Run(context.Background(), net, back, dryrun.Options{SkipN1: true})
					if err != nil || ds.HasErrors() || res == nil {
						t.Fatalf("dry-run: %v %v", err, ds.Err())
					}
				})
			}
		}
	}
}
