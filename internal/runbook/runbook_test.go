package runbook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

const good = `name: t
title: test
platforms: [frr_vtysh, cisco_iosxe]
params:
  - {name: device, type: device}
  - {name: link, type: link, of: device}
  - {name: interface, type: interface, of: device, default: "{{iface .link .device}}"}
  - {name: metric, type: int, min: 1, max: 65535, default: 100}
  - {name: state, type: enum, values: [down, up], default: down}
steps:
  - name: "set {{.link}} on {{.device}}"
    device: "{{.device}}"
    effects: [{type: set_metric, link: "{{.link}}", metric: "{{.metric}}", from: "{{.device}}"}]
    config:
      frr_vtysh: |
        interface {{.interface}}
         ip ospf cost {{.metric}}
      cisco_iosxe: |
        interface {{.interface}}
         ip ospf cost {{.metric}}
`

func net(t *testing.T) *topology.Network {
	t.Helper()
	n, ds, err := topology.LoadFile(context.Background(), "../../examples/april-2011.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds.Err())
	}
	return n
}

func TestRenderGood(t *testing.T) {
	r, ds := Parse("t.yaml", []byte(good))
	if r == nil {
		t.Fatal(ds.Err())
	}
	steps, ds := r.Render(RenderOptions{Platform: "cisco_iosxe", Params: map[string]string{"device": "p2", "link": "p2-p4"}, Topology: net(t)})
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	if len(steps) != 1 || steps[0].Name != "set p2-p4 on p2" || strings.Join(steps[0].Config, "|") != "interface cg-p4| ip ospf cost 100" || steps[0].Effects[0].Metric != 100 {
		t.Fatalf("got %+v", steps)
	}
	if p := steps[0].Effects[0].Pos; p.File != "t.yaml" || p.Line != 13 {
		t.Errorf("effect position %v, want t.yaml:13", p)
	}
	// Names are at the template that gives them, in the runbook.
	for what, got := range map[string]diag.Pos{
		"t.yaml:12:13": steps[0].DevicePos["p2"],
		"t.yaml:13:40": steps[0].Effects[0].LinkPos,
		"t.yaml:13:82": steps[0].Effects[0].FromPos,
	} {
		if got.String() != what {
			t.Errorf("name at %v, want %s", got, what)
		}
	}
}

// TestParseErrors: a bad runbook gives every problem at once, each at its
// position, with a hint.
func TestParseErrors(t *testing.T) {
	bad := `name: other
title: test
platforms: [frr_vtysh, cisco_iosx]
params:
  - {name: device, type: devce}
  - {name: metric, type: int, min: 1, max: 10, default: 20}
  - {name: s, type: enum}
  - {name: device, type: string}
steps:
  - name: "a {{.device"
    device: "{{.device}}"
    efects: []
    config:
      cisco_iosxe: x
examples:
  - {name: e, topology: x.yaml, params: {devic: p2}}
`
	r, ds := Parse("dir/t.yaml", []byte(bad))
	if r != nil {
		t.Fatal("want nil runbook")
	}
	want := []string{
		`dir/t.yaml:1:7: runbook: name "other" does not match the file name "t"`,
		`dir/t.yaml:3:24: runbook: unknown platform "cisco_iosx" (hint: did you mean one of: "cisco_iosxe", "cisco_iosxr"?)`,
		`dir/t.yaml:5:26: param "device": unknown type "devce" (hint: did you mean "device"?)`,
		`dir/t.yaml:6:57: param "metric": default: 20 is out of range (hint: give a whole number from 1 to 10)`,
		`dir/t.yaml:7:5: param "s": an enum needs "values"`,
		`dir/t.yaml:8:12: duplicate parameter "device"`,
		`dir/t.yaml:10:5: step "a {{.device": missing field "effects"`,
		`dir/t.yaml:10:11: template: `,
		`dir/t.yaml:12:5: step 1: unknown field "efects" (hint: did you mean "effects"?)`,
		`dir/t.yaml:13:5: step "a {{.device": config has nothing for platform frr_vtysh`,
		`dir/t.yaml:16:42: example "e": params: unknown field "devic" (hint: did you mean "device"?)`,
	}
	got := ds.Err().Error()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
}

func TestParamErrors(t *testing.T) {
	r, ds := Parse("t.yaml", []byte(good))
	if r == nil {
		t.Fatal(ds.Err())
	}
	tests := []struct {
		name   string
		params map[string]string
		want   []string
	}{
		{"missing", map[string]string{"link": "p2-p4"}, []string{`--param: runbook t needs parameter "device" (hint: give device=VALUE (device))`}},
		{"unknown node", map[string]string{"device": "p22", "link": "p2-p4"}, []string{`parameter "device" (device): "p22" is not a node of the topology (hint: did you mean "p2"?)`}},
		{"link not of device", map[string]string{"device": "p1", "link": "p2-p4"}, []string{`link "p2-p4" does not end at p1 (parameter device)`}},
		{"bad interface", map[string]string{"device": "p2", "link": "p2-p4", "interface": "eth9"}, []string{`"eth9" is not an interface of p2 (parameter device)`}},
		{"range", map[string]string{"device": "p2", "link": "p2-p4", "metric": "0"}, []string{`parameter "metric" (int): 0 is out of range (hint: give a whole number from 1 to 65535)`}},
		{"enum", map[string]string{"device": "p2", "link": "p2-p4", "state": "dwn"}, []string{`did you mean "down"?`}},
		{"unknown param", map[string]string{"device": "p2", "link": "p2-p4", "metrc": "5"}, []string{`runbook t has no parameter "metrc" (hint: did you mean "metric"?)`}},
		{"a long value is quoted clipped", map[string]string{"device": "p2", "link": "p2-p4", "interface": "eth" + strings.Repeat("x", 100)},
			[]string{`parameter "interface" (interface): "eth` + strings.Repeat("x", 45) + `…" is not an interface of p2`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, ds := r.Render(RenderOptions{Platform: "frr_vtysh", Params: tt.params, Topology: net(t), Origin: "--param"})
			if steps != nil || !ds.HasErrors() {
				t.Fatalf("want errors, got %v", steps)
			}
			got := ds.Err().Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
		})
	}
	if _, ds := r.Render(RenderOptions{Platform: "nokia_srl", Params: map[string]string{"device": "p2"}}); !strings.Contains(ds.Err().Error(), `no configuration for platform "nokia_srl"`) {
		t.Errorf("unsupported platform: %v", ds.Err())
	}
}

// TestRenderErrors: execution errors point at the scalar in the runbook,
// and plan errors in the rendered steps at the runbook's node.
func TestRenderErrors(t *testing.T) {
	src := `name: t
title: test
platforms: [frr_vtysh]
params:
  - {name: device, type: device}
steps:
  - name: "drain {{.devic}}"
    effects: [{type: drain, node: "{{.device}}"}]
  - name: x
    effects: [{type: drain, node: "{{.device}}", metric: 5}]
  - name: "each"
    for_each: links_of .device
    as: l
    effects: [{type: link_down, link: "{{.l.id}}"}]
`
	// A field that is not a parameter is refused when the runbook is
	// read; rendering would fail on it (missingkey=error).
	if _, ds := Parse("t.yaml", []byte(src)); !strings.Contains(ds.Err().Error(), `t.yaml:7:11: template: .devic is not a parameter of the runbook (hint: did you mean .device?)`) {
		t.Errorf("parse: %v", ds.Err())
	}
	src = strings.Replace(src, "{{.devic}}", "{{.device}}", 1)
	r, ds := Parse("t.yaml", []byte(src))
	if r == nil {
		t.Fatal(ds.Err())
	}
	_, ds = r.Render(RenderOptions{Params: map[string]string{"device": "p2"}})
	got := ds.Err().Error()
	for _, w := range []string{
		`t.yaml:12:15: for_each: <links_of .device>: error calling links_of: links_of needs the topology`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	r.Steps = r.Steps[1:2]
	_, ds = r.Render(RenderOptions{Params: map[string]string{"device": "p2"}})
	if got := ds.Err().Error(); !strings.Contains(got, `t.yaml:10:50: rendered step "x" effect 1: drain does not take "metric"`) {
		t.Errorf("plan error not at the runbook:\n%s", got)
	}
}

func TestLoadDirs(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("name: bad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, ds, err := Load(context.Background(), os.DirFS(dir), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	got := ds.Err().Error()
	for _, w := range []string{`runbook "t" is defined twice`, `bad.yaml:1:1: runbook: missing field "title"`} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if r, err := lib.Get("t"); err != nil || r.Source != Builtin {
		t.Errorf("Get: %v %v", r, err)
	}
	if _, err := lib.Get("u"); err == nil || !strings.Contains(err.Error(), `did you mean "t"?`) {
		t.Errorf("Get(u): %v", err)
	}
}

// A template may use the runbook's parameters, and in a step with
// for_each its item; any other field of the data is refused at its
// position when the runbook is read. The dot inside range and with is
// not the data.
func TestTemplateFields(t *testing.T) {
	head := "name: t\ntitle: t\nplatforms: [frr_vtysh]\nparams:\n  - {name: device, type: device}\n  - {name: metric, type: int}\nsteps:\n"
	tests := []struct {
		name, steps, want string
	}{
		{"parameters", `  - {name: "{{.device}} {{.metric}} {{$.device}}", device: "{{.device}}", effects: []}` + "\n", ""},
		{"the item of for_each", `  - {name: "{{.l.id}}", for_each: links_of .device, as: l, effects: []}` + "\n", ""},
		{"range and with change the dot", `  - {name: "{{range links_of .device}}{{.id}}{{end}}{{with .device}}{{.x}}{{end}}", effects: []}` + "\n", ""},
		{"a misspelt parameter", `  - {name: "cost {{.metrc}}", effects: []}` + "\n",
			`t.yaml:8:12: template: .metrc is not a parameter of the runbook (hint: did you mean .metric?)`},
		{"through $", `  - {name: "{{$.devize}}", effects: []}` + "\n",
			`t.yaml:8:12: template: .devize is not a parameter of the runbook (hint: did you mean .device?)`},
		{"in an if", `  - {name: "{{if .verbose}}v{{end}}", effects: []}` + "\n",
			`t.yaml:8:12: template: .verbose is not a parameter of the runbook (hint: the parameters are device, metric)`},
		{"the item of another step", `  - {name: "{{.l.id}}", for_each: links_of .device, as: l, effects: []}` + "\n" + `  - {name: "{{.l}}", effects: []}` + "\n",
			`t.yaml:9:12: template: .l is not a parameter of the runbook (hint: the parameters are device, metric)`},
		{"the item in its own for_each", `  - {name: x, for_each: links_of .l, as: l, effects: []}` + "\n",
			`t.yaml:8:25: template: .l is not a parameter of the runbook (hint: the parameters are device, metric)`},
		{"per platform", "  - name: x\n    effects: []\n    device: \"{{.device}}\"\n    config:\n      frr_vtysh: |\n        interface eth1\n         ip ospf cost {{.cost}}\n",
			`t.yaml:14: template: .cost is not a parameter of the runbook`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Parse("t.yaml", []byte(head+tt.steps))
			var got []string
			for _, d := range ds.Errors() {
				got = append(got, d.String())
			}
			if tt.want == "" {
				if len(got) > 0 {
					t.Errorf("unexpected errors:\n%s", strings.Join(got, "\n"))
				}
				return
			}
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("got:\n%s\nwant %s...", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}
