package plans

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/userfile"
)

// compileSchema compiles plan.schema.json (which also checks it against
// the draft 2020-12 meta-schema).
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("plan.schema.json: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	const url = "https://raw.githubusercontent.com/changegate/changegate/main/plans/plan.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compile plan.schema.json: %v", err)
	}
	return sch
}

// yamlToJSON reads YAML as an editor's schema validator does: decoded
// into plain values (maps with string keys, lists, scalars), then as JSON.
// Timestamps stay the text they are written as (YAML 1.2, which editors
// use, has no timestamp type; yaml.v3 would make them time.Time).
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("YAML: %v", err)
	}
	var untag func(n *yaml.Node)
	untag = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!timestamp" {
			n.Tag = "!!str"
		}
		for _, c := range n.Content {
			untag(c)
		}
	}
	untag(&doc)
	var v any
	if err := doc.Decode(&v); err != nil {
		t.Fatalf("YAML: %v", err)
	}
	js, err := json.Marshal(jsonValue(v))
	if err != nil {
		t.Fatalf("to JSON: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func jsonValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonValue(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = jsonValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonValue(x)
		}
		return out
	}
	return v
}

// TestSchemaAcceptsValidPlans validates every valid plan of the tests and
// the examples against the schema.
func TestSchemaAcceptsValidPlans(t *testing.T) {
	sch := compileSchema(t)
	var files []string
	for _, pattern := range []string{"testdata/good-*.yaml", "../examples/*plan*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("only %d plans found: %v", len(files), files)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, ds, err := LoadFile(context.Background(), f, userfile.Scope{}); err != nil || ds.HasErrors() {
				t.Fatalf("not a valid plan: %v %v", err, ds)
			}
			if err := sch.Validate(yamlToJSON(t, data)); err != nil {
				t.Errorf("schema rejects a valid plan: %v", err)
			}
		})
	}
}

// TestSchemaRejects has one invalid plan per rule the schema expresses;
// the parser must reject each of them too.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	const step = "  - {name: a, effects: [{type: drain, node: p1}]}"
	top := func(lines ...string) string { return strings.Join(append(lines, "steps:", step), "\n") }
	steps := func(lines ...string) string { return "title: t\nsteps:\n" + strings.Join(lines, "\n") }
	checks := func(check string) string {
		return steps("  - name: a", "    device: p1", "    effects: [{type: drain, node: p1}]", "    checks: ["+check+"]")
	}
	effect := func(e string) string { return steps("  - {name: a, effects: [" + e + "]}") }
	tests := []struct{ name, plan string }{
		{"missing title", "steps:\n" + step},
		{"blank title", top(`title: " "`)},
		{"missing steps", "title: t"},
		{"no steps", "title: t\nsteps: []"},
		{"unknown top-level field", top("title: t", "titel: t")},
		{"risk not low, medium or high", top("title: t", "risk: critical")},
		{"description not text", top("title: t", "description: [a]")},
		{"window without end", top("title: t", "window: {start: 2024-05-01T22:00}")},
		{"window unknown field", top("title: t", "window: {start: 2024-05-01T22:00, end: 2024-05-01T23:00, tz: UTC}")},
		{"window time not a time", top("title: t", "window: {start: tonight, end: 2024-05-01T23:00}")},
		{"window date only", top("title: t", "window: {start: 2024-05-01, end: 2024-05-01T23:00}")},
		{"window in Local", top("title: t", "window: {start: 2024-05-01T22:00, end: 2024-05-01T23:00, timezone: Local}")},
		{"pre-check without device", top("title: t", "pre_checks: [{name: c, command: x, expect: {contains: y}}]")},
		{"post_checks not a list", top("title: t", "post_checks: {name: c}")},
		{"unknown step field", steps("  - {name: a, effect: [], effects: [{type: drain, node: p1}]}")},
		{"step without name", steps("  - {effects: [{type: drain, node: p1}]}")},
		{"step without effects", steps("  - {name: a}")},
		{"step with no effects and no config", steps("  - {name: a, effects: []}")},
		{"step with null effects", steps("  - {name: a, device: p1, config: [x], effects: }")},
		{"device and devices", steps("  - {name: a, device: p1, devices: [p2], effects: [{type: drain, node: p1}]}")},
		{"empty devices", steps("  - {name: a, devices: [], effects: [{type: drain, node: p1}]}")},
		{"devices as a string", steps("  - {name: a, devices: p1, effects: [{type: drain, node: p1}]}")},
		{"device twice", steps("  - {name: a, devices: [p1, p1], effects: [{type: drain, node: p1}]}")},
		{"wave with device", steps("  - {name: a, device: p1, wave: {batch: 1}, effects: [{type: drain, node: p1}]}")},
		{"wave batch 0", steps("  - {name: a, devices: [p1], wave: {batch: 0}, effects: [{type: drain, node: p1}]}")},
		{"wave negative max_failures", steps("  - {name: a, devices: [p1], wave: {max_failures: -1}, effects: [{type: drain, node: p1}]}")},
		{"wave unknown field", steps("  - {name: a, devices: [p1], wave: {size: 1}, effects: [{type: drain, node: p1}]}")},
		{"config without device", steps("  - {name: a, config: [x], effects: []}")},
		{"empty config", steps("  - {name: a, device: p1, config: [], effects: [{type: drain, node: p1}]}")},
		{"blank config", steps(`  - {name: a, device: p1, config: " ", effects: [{type: drain, node: p1}]}`)},
		{"config as a mapping", steps("  - {name: a, device: p1, config: {a: b}, effects: [{type: drain, node: p1}]}")},
		{"config line with a line break", steps(`  - {name: a, device: p1, config: ["a\nb"], effects: []}`)},
		{"config block with a carriage return", steps(`  - {name: a, device: p1, config: "a\r\nb", effects: []}`)},
		{"rollback_config without config", steps("  - {name: a, device: p1, rollback_config: [x], effects: [{type: drain, node: p1}]}")},
		{"null rollback", steps("  - name: a", "    effects: [{type: drain, node: p1}]", "    rollback:")},
		{"soak without unit", steps("  - {name: a, effects: [{type: drain, node: p1}], soak: 30}")},
		{"soak not a duration", steps("  - {name: a, effects: [{type: drain, node: p1}], soak: 5 minutes}")},
		{"negative soak", steps("  - {name: a, effects: [{type: drain, node: p1}], soak: -5m}")},
		{"check without name", checks("{command: x, expect: {contains: y}}")},
		{"check without command", checks("{name: c, expect: {contains: y}}")},
		{"check without expect", checks("{name: c, command: x}")},
		{"check unknown field", checks("{name: c, command: x, expect: {contains: y}, retry: 1}")},
		{"expect with no test", checks("{name: c, command: x, expect: {}}")},
		{"expect with two tests", checks("{name: c, command: x, expect: {contains: y, regex: y}}")},
		{"expect unknown test", checks("{name: c, command: x, expect: {equals: y}}")},
		{"expect empty text", checks(`{name: c, command: x, expect: {contains: ""}}`)},
		{"textfsm without rego", checks("{name: c, command: x, expect: {textfsm: {template: t.textfsm}}}")},
		{"textfsm without template", checks("{name: c, command: x, expect: {textfsm: {rego: 'count(output) > 0'}}}")},
		{"textfsm with template and template_text", checks(`{name: c, command: x, expect: {textfsm: {template: t.textfsm, template_text: "Value X (a)\n\nStart\n  ^${X}\n", rego: 'count(output) > 0'}}}`)},
		{"textfsm unknown field", checks("{name: c, command: x, expect: {textfsm: {template: t.textfsm, rego: 'count(output) > 0', regex: a}}}")},
		{"textfsm blank rego", checks(`{name: c, command: x, expect: {textfsm: {template: t.textfsm, rego: " "}}}`)},
		{"textfsm not a mapping", checks("{name: c, command: x, expect: {textfsm: t.textfsm}}")},
		{"negative retries", checks("{name: c, command: x, expect: {contains: y}, retries: -1}")},
		{"interval not a duration", checks("{name: c, command: x, expect: {contains: y}, interval: soon}")},
		{"zero timeout", checks("{name: c, command: x, expect: {contains: y}, timeout: 0s}")},
		{"step check without a device to run on", steps("  - {name: a, effects: [{type: drain, node: p1}], checks: [{name: c, command: x, expect: {contains: y}}]}")},
		{"effect without type", effect("{link: p1-p2}")},
		{"unknown effect type", effect("{type: reboot, node: p1}")},
		{"unknown effect field", effect("{type: drain, node: p1, nod: p1}")},
		{"set_metric without metric", effect("{type: set_metric, link: p1-p2}")},
		{"metric on link_down", effect("{type: link_down, link: p1-p2, metric: 10}")},
		{"node on set_metric", effect("{type: set_metric, link: p1-p2, metric: 10, node: p1}")},
		{"from on drain", effect("{type: drain, node: p1, from: p2}")},
		{"metric 0", effect("{type: set_metric, link: p1-p2, metric: 0}")},
		{"metric above the maximum", effect("{type: set_metric, link: p1-p2, metric: 4294967296}")},
		{"metric not a number", effect("{type: set_metric, link: p1-p2, metric: high}")},
		{"capacity 0", effect("{type: set_capacity, link: p1-p2, capacity: 0G}")},
		{"capacity not a rate", effect("{type: set_capacity, link: p1-p2, capacity: 400Q}")},
		{"negative capacity", effect("{type: set_capacity, link: p1-p2, capacity: -1}")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.plan + "\n")
			if _, ds := Parse("p.yaml", data); !ds.HasErrors() {
				t.Fatalf("the parser accepts it; the case does not break a rule:\n%s", data)
			}
			if err := sch.Validate(yamlToJSON(t, data)); err == nil {
				t.Errorf("the schema accepts it:\n%s", data)
			}
		})
	}
}

// TestSchemaAgreesOnEffects builds every effect type with every field,
// and checks that the schema and the parser accept the same ones.
func TestSchemaAgreesOnEffects(t *testing.T) {
	sch := compileSchema(t)
	values := map[string]string{"link": "p1-p2", "node": "p1", "from": "p1", "metric": "10", "capacity": "40G"}
	for _, et := range EffectTypes() {
		spec := effectSpecs[et]
		for _, drop := range append([]string{""}, spec.required...) {
			for _, extra := range append([]string{""}, effectFields...) {
				fields := []string{"type: " + string(et)}
				for _, f := range effectFields {
					wanted := f == extra
					for _, r := range spec.required {
						wanted = wanted || f == r && f != drop
					}
					if wanted {
						fields = append(fields, f+": "+values[f])
					}
				}
				src := "title: t\nsteps:\n  - {name: a, effects: [{" + strings.Join(fields, ", ") + "}]}\n"
				_, ds := Parse("p.yaml", []byte(src))
				err := sch.Validate(yamlToJSON(t, []byte(src)))
				if ds.HasErrors() != (err != nil) {
					t.Errorf("%s: parser errors %v, schema error %v", src, ds, err)
				}
			}
		}
	}
}

// TestSchemaAgreesOnScalars checks that the patterns of the schema accept
// the durations, timeouts, rates and times the parser accepts, and no others.
func TestSchemaAgreesOnScalars(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		field  string
		plan   func(v string) string
		values []string
	}{
		{"soak", func(v string) string {
			return "title: t\nsteps:\n  - {name: a, effects: [{type: drain, node: p1}], soak: " + v + "}\n"
		}, []string{"0", "0s", "30s", "5m", "1h30m", "1.5h", ".5s", "1.s", "300ms", "10us", "10µs", "5ns", "+5m", "1h0m0s",
			"30", "5 m", "5min", "-5m", "-0s", "s", "1d", "'5m'", "''", "1e3s", "0x10s"}},
		{"timeout", func(v string) string {
			return "title: t\nsteps:\n  - {name: a, device: p1, effects: [{type: drain, node: p1}], checks: [{name: c, command: x, expect: {contains: y}, timeout: " + v + "}]}\n"
		}, []string{"30s", "0.5s", "1m", "0s", "0", "0h0m", "00s", "-1s", "1h0m"}},
		{"capacity", func(v string) string {
			return "title: t\nsteps:\n  - {name: a, effects: [{type: set_capacity, link: p1-p2, capacity: " + v + "}]}\n"
		}, []string{"400G", "2.5G", "400Mbps", "10k", "1e9", "1_000", "40000000000", "1.5 Gbps", "2tb/s", "7T", "1bps",
			"0", "0G", "0.0M", "-1G", "400Q", "G", "fast", "1e-3"}},
		{"window start", func(v string) string {
			return "title: t\nwindow: {start: " + v + ", end: 2030-01-01T00:00:00Z}\nsteps:\n  - {name: a, effects: [{type: drain, node: p1}]}\n"
		}, []string{"2024-05-01T22:00", "2024-05-01 22:00", "2024-05-01T22:00:00", "2024-05-01 22:00:00", "2024-05-01T22:00:00Z",
			"2024-05-01T22:00:00+02:00", "2024-05-01T22:00:00.5-07:00", "'2024-05-01T22:00'",
			"2024-05-01", "22:00", "2024-05-01T22", "2024-5-1T22:00", "2024-05-01T22:00+02:00", "tonight", "2024-05-01t22:00"}},
	}
	for _, tt := range tests {
		for _, v := range tt.values {
			src := tt.plan(v)
			_, ds := Parse("p.yaml", []byte(src))
			err := sch.Validate(yamlToJSON(t, []byte(src)))
			if ds.HasErrors() != (err != nil) {
				t.Errorf("%s %s: parser errors %v, schema error %v", tt.field, v, ds, err)
			}
		}
	}
}
