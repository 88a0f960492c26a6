package runbook

import (
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
)

// uplinkDescription has a string parameter that reaches the device in a
// configuration line, as the runbook of issue 12 did.
const uplinkDescription = `name: uplink-description
title: describe an interface
platforms: [frr_vtysh]
params:
  - {name: device, type: device}
  - {name: interface, type: interface}
  - {name: description, type: string}
steps:
  - name: "describe {{.interface}} on {{.device}}"
    device: "{{.device}}"
    effects: []
    config:
      frr_vtysh: |
        interface {{.interface}}
         description {{.description}}
`

// injection is the value of issue 12: through the template above it
// became seven lines that FRR accepted.
const injection = "uplink\n end\n clear ip ospf process\n configure terminal\n hostname PWNED"

const injectionMsg = `parameter "description" (string): "uplink\n end\n clear ip ospf "… holds U+000A LINE FEED, a control character, at offset 6 (and 3 more)`

func uplinkLibrary(t *testing.T) (*Runbook, *Library) {
	t.Helper()
	r, ds := Parse("runbooks/uplink-description.yaml", []byte(uplinkDescription))
	if r == nil {
		t.Fatal(ds.Err())
	}
	lib, ds := NewLibrary([]*Runbook{r})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	return r, lib
}

// TestRenderRefusesInjectedLines: the injection given as --param is
// refused at the flag, naming the character and its offset, and nothing
// is rendered.
func TestRenderRefusesInjectedLines(t *testing.T) {
	r, _ := uplinkLibrary(t)
	params := map[string]string{"device": "p1", "interface": "eth1", "description": injection}
	p, ds := r.RenderPlan(RenderOptions{Params: params, Topology: net(t), Origin: "--param"}, PlanMeta{})
	if p != nil {
		t.Fatalf("rendered a plan: %+v", p.Steps)
	}
	errs := ds.Errors()
	if len(errs) != 1 || errs[0].Pos != (diag.Pos{File: "--param"}) || errs[0].Msg != injectionMsg {
		t.Fatalf("got %v\nwant --param: %s", ds, injectionMsg)
	}

	// A value without line breaks renders to the two lines of the template.
	params["description"] = "uplink to p2"
	p, ds = r.RenderPlan(RenderOptions{Params: params, Topology: net(t), Origin: "--param"}, PlanMeta{})
	if p == nil {
		t.Fatal(ds.Err())
	}
	if got := p.Steps[0].Config; len(got) != 2 || got[1] != " description uplink to p2" {
		t.Errorf("config = %q", got)
	}
}

// TestExpandRefusesInjectedLines: the injection written in a plan is
// refused at the value in the plan, and the plan does not expand.
func TestExpandRefusesInjectedLines(t *testing.T) {
	_, lib := uplinkLibrary(t)
	src := "title: t\nsteps:\n  - runbook: uplink-description\n    params:\n      device: p1\n      interface: eth1\n" +
		`      description: "` + strings.ReplaceAll(injection, "\n", `\n`) + "\"\n"
	p := parsePlan(t, src)
	e, ds := Expand(p, lib, net(t))
	if e != nil {
		t.Fatalf("expanded: %+v", e.Steps)
	}
	errs := ds.Errors()
	want := diag.Pos{File: "plan.yaml", Line: 7, Col: 20}
	if len(errs) != 1 || errs[0].Pos != want || errs[0].Msg != injectionMsg {
		t.Fatalf("got %v\nwant %s: %s", ds, want, injectionMsg)
	}
}

// TestRenderChecksEveryParameterType: a carriage return, a bidirectional
// control or a look-alike letter is refused in a parameter of any type,
// before the value is looked up in the topology.
func TestRenderChecksEveryParameterType(t *testing.T) {
	r, _ := uplinkLibrary(t)
	tests := []struct {
		name, param, value, want string
	}{
		{"carriage return in a string", "description", "uplink\r", `parameter "description" (string): "uplink\r" holds U+000D CARRIAGE RETURN`},
		{"bidi override in a string", "description", "up\u202Ekinl", `parameter "description" (string): "up\u202ekinl" holds U+202E RIGHT-TO-LEFT OVERRIDE`},
		{"Cyrillic in a device", "device", "р1", ""}, // a whole-Cyrillic name is one script: unknown node
		{"Cyrillic a in an interface", "interface", "eth1а", `parameter "interface" (interface): "eth1а" holds U+0430 CYRILLIC SMALL LETTER A`},
		{"zero-width space in a device", "device", "p\u200B1", `parameter "device" (device): "p\u200b1" holds U+200B ZERO WIDTH SPACE`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := map[string]string{"device": "p1", "interface": "eth1", "description": "x"}
			params[tt.param] = tt.value
			steps, ds := r.Render(RenderOptions{Params: params, Topology: net(t), Origin: "--param"})
			if steps != nil || !ds.HasErrors() {
				t.Fatalf("rendered %+v", steps)
			}
			got := ds.Errors()[0].String()
			want := tt.want
			if want == "" {
				want = `"р1" is not a node of the topology`
			}
			if !strings.Contains(got, want) {
				t.Errorf("got %s\nwant %s", got, want)
			}
		})
	}
}

// TestRenderedConfigIsCheckedToo: what the runbook itself writes is
// checked like a plan: a carriage return in a rendered configuration
// line is refused at the runbook.
func TestRenderedConfigIsCheckedToo(t *testing.T) {
	src := strings.Replace(uplinkDescription, "      frr_vtysh: |\n        interface {{.interface}}\n         description {{.description}}\n",
		"      frr_vtysh: \"interface {{.interface}}\\r\\n description {{.description}}\\n\"\n", 1)
	r, ds := Parse("runbooks/uplink-description.yaml", []byte(src))
	if r == nil {
		t.Fatal(ds.Err())
	}
	steps, ds := r.Render(RenderOptions{Params: map[string]string{"device": "p1", "interface": "eth1", "description": "x"}, Topology: net(t)})
	if steps != nil {
		t.Fatalf("rendered %+v", steps)
	}
	want := `runbooks/uplink-description.yaml:13:18: rendered step "describe eth1 on p1": config line 1: "interface eth1\r" holds U+000D CARRIAGE RETURN, a control character, at offset 14`
	if got := ds.Errors(); len(got) != 1 || !strings.HasPrefix(got[0].String(), want) {
		t.Errorf("got %v\nwant %s", ds, want)
	}
}
