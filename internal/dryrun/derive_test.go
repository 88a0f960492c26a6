package dryrun

import (
	"context"
	"strings"
	"testing"
)

// deriveNet is a square a-b-c-d-a, each link 10G at metric 10, with the
// interfaces an FRR router names, and traffic a->c.
const deriveNet = `igp: ospf
nodes: [{name: a}, {name: b}, {name: c}, {name: d}]
links:
  - {id: ab, a: "a:eth1", b: "b:eth1", capacity: 10G, metric: 10}
  - {id: bc, a: "b:eth2", b: "c:eth2", capacity: 10G, metric: 10}
  - {id: cd, a: "c:eth3", b: "d:eth3", capacity: 10G, metric: 10}
  - {id: da, a: "d:eth4", b: "a:eth4", capacity: 10G, metric: 20}
demands:
  - {src: a, dst: c, rate: 4G}
`

func derivePlan(steps string) string {
	return "title: t\nplatform: frr_vtysh\nsteps:\n" + steps
}

// got is an applied effect as the tests compare it: its key and where it
// comes from (the device, or "declared").
type got struct{ what, from string }

func appliedOf(se *StepEffects, rollback bool) []got {
	list := se.Applied
	if rollback {
		list = se.Rollback
	}
	var out []got
	for _, a := range list {
		src := "declared"
		if a.Derived {
			src = a.Device
		}
		out = append(out, got{effectKey(a), src})
	}
	return out
}

func TestDerivedEffects(t *testing.T) {
	net := parseNet(t, deriveNet)
	tests := []struct {
		name      string
		plan      string // the plan's head, before its steps (default: platform frr_vtysh)
		steps     string
		platforms map[string]string
		source    string
		want      []got
		rollback  []got
		mismatch  string // the first mismatch's message
		notModel  int    // lines not modelled
		diag      string // an error, when expected
	}{
		{name: "cost from the configuration, no effects declared",
			steps:  "  - name: cost out ab on a\n    device: a\n    config: [interface eth1, \" ip ospf cost 500\"]\n    rollback_config: [interface eth1, \" no ip ospf cost\"]\n",
			source: "derived", want: []got{{"set_metric|ab||a|500", "a"}}, rollback: []got{{"set_metric|ab||a|10", "a"}}},
		{name: "declared effects equal to the configuration's",
			steps:  "  - name: s\n    devices: [a, c]\n    config: [router ospf, \" max-metric router-lsa administrative\"]\n    effects: [{type: drain, node: c}, {type: drain, node: a}]\n",
			source: "derived", want: []got{{"drain||a||0", "a"}, {"drain||c||0", "c"}}},
		{name: "declared effects that are not the configuration's",
			steps:  "  - name: shift\n    devices: [a, c]\n    config: [router ospf, \" max-metric router-lsa administrative\"]\n    effects: [{type: drain, node: b}]\n",
			source: "derived", want: []got{{"drain||a||0", "a"}, {"drain||c||0", "c"}},
			mismatch: `step 1 "shift": its configuration ("max-metric router-lsa administrative" on a and c, line 6) drains a and c; its effects say: drain b (line 7)`},
		{name: "a set_metric of both directions is the two ends' costs",
			steps:  "  - name: s\n    devices: [a, b]\n    config: [interface eth1, \" ip ospf cost 50\"]\n    effects: [{type: set_metric, link: ab, metric: 50}]\n",
			source: "derived", want: []got{{"set_metric|ab||a|50", "a"}, {"set_metric|ab||b|50", "b"}}},
		{name: "a set_metric of both directions sent to one end only",
			steps:  "  - name: s\n    device: a\n    config: [interface eth1, \" ip ospf cost 50\"]\n    effects: [{type: set_metric, link: ab, metric: 50}]\n",
			source: "derived", want: []got{{"set_metric|ab||a|50", "a"}},
			mismatch: `step 1 "s": its configuration ("ip ospf cost 50" on a, line 6) sets the metric of ab from a to 50; its effects say: set_metric ab to 50 (line 7)`},
		{name: "effects: [] says the configuration changes nothing",
			steps:  "  - name: s\n    device: a\n    config: [interface eth4, \" shutdown\"]\n    effects: []\n",
			source: "derived", want: []got{{"link_down|da|||0", "a"}},
			mismatch: `step 1 "s": its configuration ("shutdown" on a, line 6) takes link da down; its effects say it changes nothing`},
		{name: "a declared capacity is kept beside the configuration's effects",
			steps:  "  - name: s\n    device: a\n    config: [interface eth1, \" shutdown\"]\n    rollback_config: [interface eth1, \" no shutdown\"]\n    effects: [{type: set_capacity, link: ab, capacity: 40G}]\n",
			source: "mixed", want: []got{{"link_down|ab|||0", "a"}, {"set_capacity|ab|||0", "declared"}},
			rollback: []got{{"link_up|ab|||0", "a"}, {"set_capacity|ab|||0", "declared"}}},
		{name: "a platform changegate cannot read: the declared effects, and every line not modelled",
			plan:   "title: t\nplatform: vyatta_vyos\nsteps:\n",
			steps:  "  - name: s\n    device: a\n    config: [interface eth1, \" ip ospf cost 500\"]\n    effects: [{type: set_metric, link: ab, from: a, metric: 400}]\n",
			source: "declared", want: []got{{"set_metric|ab||a|400", "declared"}}, notModel: 2},
		{name: "no platform: the declared effects, and every line not modelled",
			plan:   "title: t\nsteps:\n",
			steps:  "  - name: s\n    device: a\n    config: [interface eth1, \" ip ospf cost 500\"]\n    effects: [{type: set_metric, link: ab, from: a, metric: 400}]\n",
			source: "declared", want: []got{{"set_metric|ab||a|400", "declared"}}, notModel: 2},
		{name: "lines the model cannot follow",
			steps:  "  - name: s\n    device: a\n    config: [ip route 198.18.9.0/24 198.18.0.2, interface eth1, \" ip ospf cost 70\"]\n",
			source: "derived", want: []got{{"set_metric|ab||a|70", "a"}}, notModel: 1},
		{name: "an interface that is on no link",
			steps: "  - name: s\n    device: a\n    config: [interface eth9, \" shutdown\"]\n",
			diag:  `p.yaml:6:14: interface "eth9" of a is on no link of the topology, so the gate cannot tell what this line changes (hint: a's interfaces in the topology: eth1, eth4)`},
		{name: "the inventory's platform is not the plan's",
			steps:     "  - name: s\n    device: a\n    config: [interface eth1, \" shutdown\"]\n",
			platforms: map[string]string{"a": "cisco_iosxe"},
			diag:      `p.yaml:5:13: step 1 "s": a is cisco_iosxe in the inventory, but the plan's platform: is frr_vtysh: its configuration is written for another platform (hint: render the step for the device's platform, or correct the inventory)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := derivePlan(tt.steps)
			if tt.plan != "" {
				src = tt.plan + tt.steps
			}
			p := parsePlan(t, src)
			res, ds, err := Run(context.Background(), net, p, Options{SkipN1: true, Platforms: tt.platforms})
			if err != nil {
				t.Fatal(err)
			}
			if tt.diag != "" {
				if !ds.HasErrors() || ds.Errors()[0].String() != tt.diag {
					t.Fatalf("diagnostics %v, want %s", ds, tt.diag)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			se := res.States[1].Effects
			if se == nil {
				t.Fatal("no effects on the step's state")
			}
			if se.Source != tt.source {
				t.Errorf("source %s, want %s", se.Source, tt.source)
			}
			if g := appliedOf(se, false); !sameApplied(g, tt.want) {
				t.Errorf("applied %v, want %v", g, tt.want)
			}
			if tt.rollback != nil {
				if g := appliedOf(se, true); !sameApplied(g, tt.rollback) {
					t.Errorf("rollback %v, want %v", g, tt.rollback)
				}
			}
			var got string
			if len(se.Mismatches) > 0 {
				got = se.Mismatches[0].Msg
			}
			if got != tt.mismatch {
				t.Errorf("mismatch %q\nwant     %q", got, tt.mismatch)
			}
			if len(se.NotModelled) != tt.notModel {
				t.Errorf("%d lines not modelled, want %d: %+v", len(se.NotModelled), tt.notModel, se.NotModelled)
			}
		})
	}
}

func sameApplied(a, b []got) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// What the dry-run simulates is the configuration, not the declaration:
// a step whose effects say it costs out da while its configuration costs
// out ab moves the traffic as the configuration does.
func TestTheConfigurationIsSimulated(t *testing.T) {
	net := parseNet(t, deriveNet)
	p := parsePlan(t, derivePlan("  - name: s\n    device: a\n    config: [interface eth1, \" ip ospf cost 500\"]\n    effects: [{type: set_metric, link: da, from: a, metric: 500}]\n"))
	res, ds, err := Run(context.Background(), net, p, Options{SkipN1: true})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	st := res.States[1]
	// a->c: ab costs 500 now, so the traffic goes a-d-c (20+10 < 500+10).
	if u := linkUtil(t, st, "ab", "a"); u != 0 {
		t.Errorf("ab a->b at %v after ab is costed out, want 0", u)
	}
	if u := linkUtil(t, st, "da", "a"); u != 0.4 {
		t.Errorf("da a->d at %v, want 0.4 (the 4G demand)", u)
	}
	if len(st.Effects.Mismatches) != 1 || !strings.Contains(st.Effects.Mismatches[0].Msg, "set_metric da from a to 500") {
		t.Errorf("mismatches %+v", st.Effects.Mismatches)
	}
	// The predictor, which apply compares the routers with, follows the
	// configuration too.
	pr, err := NewPredictor(net, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	routes, err := pr.NextHops(context.Background(), 1, []string{"a"})
	if err != nil {
		t.Fatal(err)
	}
	if got := routes["a"]["c"]; len(got) != 1 || got[0] != "d" {
		t.Errorf("a's next hops to c after the step: %v, want [d]", got)
	}
}
