package plans

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/changegate/changegate/internal/textfsm"
)

func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"testdata/*.yaml", "../examples/*.yaml"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	if len(seeds) == 0 {
		f.Fatal("no seed files")
	}
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// Small plans with the fields of the full format, so that mutations
	// reach each of them quickly.
	for _, s := range []string{
		"title: t\nrisk: low\nwindow: {start: 2024-05-01T22:00, end: 2024-05-01 23:00:00, timezone: Europe/Paris}\nsteps:\n  - {name: a, device: r1, config: [x], effects: []}\n",
		"title: t\nwindow: {start: 2024-05-01T22:00:00Z, end: 2024-05-02T00:00:00+02:00}\nsteps:\n  - {name: a, effects: [{type: drain, node: r1}]}\n",
		"title: t\nsteps:\n  - name: a\n    devices: [r1, r2]\n    wave: {batch: 2, max_failures: 1}\n    config: |\n      a\n       b\n    rollback_config: [c]\n    effects: []\n    soak: 1m30s\n",
		"title: t\npre_checks: [{name: c, device: r1, command: x, expect: {regex: 'a|b'}, retries: 1, interval: 1s, timeout: 2s}]\nsteps:\n  - {name: a, device: r1, effects: [{type: drain, node: r1}], checks: [{name: c, command: x, expect: {json: output.ok}}]}\n",
		"title: t\ntraffic: t.csv\ninventory: i.yaml\npost_checks: [{name: c, device: r1, command: x, expect: {contains: y}}]\nsteps:\n  - {name: a, effects: [{type: drain, node: r1}], soak: 0}\n",
		"title: t\npre_checks:\n  - name: c\n    device: r1\n    command: x\n    expect:\n      textfsm:\n        template_text: |\n          Value ID (\\S+)\n          Value List L (\\d+)\n\n          Start\n            ^${ID} $L -> Record\n        rego: count(output) > 0\nsteps:\n  - {name: a, effects: [{type: drain, node: r1}]}\n",
		"title: t\nsteps:\n  - {name: a, device: r1, effects: [], config: [x], checks: [{name: c, command: x, expect: {textfsm: {template: t.textfsm, rego: output}}}]}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ds := Parse("f.yaml", data)
		if (p == nil) != ds.HasErrors() {
			t.Fatalf("plan nil = %v, but HasErrors = %v: %v", p == nil, ds.HasErrors(), ds)
		}
		for _, d := range ds {
			if d.Pos.File != "f.yaml" || d.Msg == "" {
				t.Fatalf("diagnostic without file or message: %#v", d)
			}
		}
		// A partial parse reports the same problems, and its plan (as far
		// as it parsed) can be checked for what it names without panicking.
		partial, pds := ParseWith("f.yaml", data, ParseOptions{Partial: true})
		if len(pds) != len(ds) {
			t.Fatalf("partial parse: %d diagnostics, want the %d of Parse", len(pds), len(ds))
		}
		if partial != nil {
			_ = partial.CheckReferences(nil, nil)
		}
		if p == nil {
			return
		}
		checkPlan(t, p)
		// CheckReferences never panics, and finds nothing when everything is known.
		links, nodes := map[string]bool{}, map[string]bool{}
		for _, s := range p.Steps {
			for _, e := range append(append([]Effect(nil), s.Effects...), s.Rollback...) {
				links[e.Link], nodes[e.Node], nodes[e.From] = true, true, true
			}
		}
		for _, d := range p.Devices() {
			nodes[d] = true
		}
		if ds := p.CheckReferences(links, nodes); len(ds) != 0 {
			t.Fatalf("CheckReferences with every name known: %v", ds)
		}
		_ = p.CheckReferences(nil, nil)
		// The JSON form round-trips to the same digest.
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var back Plan
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("JSON does not read back: %v\n%s", err, data)
		}
		if back.Digest() != p.Digest() {
			t.Fatalf("JSON round trip changed the digest:\n%s", data)
		}
	})
}

// checkPlan fails t unless p, parsed without errors, keeps every promise
// of the format.
func checkPlan(t *testing.T, p *Plan) {
	t.Helper()
	if p.Title == "" || len(p.Steps) == 0 {
		t.Fatalf("valid plan without title or steps: %+v", p)
	}
	if p.Risk != "" && !p.Risk.Valid() {
		t.Fatalf("invalid risk %q", p.Risk)
	}
	if w := p.Window; w != nil && (!w.End.After(w.Start) || w.TimeZone == "" || w.Start.Location().String() != w.TimeZone) {
		t.Fatalf("invalid window: %+v", w)
	}
	for _, c := range append(append([]Check(nil), p.PreChecks...), p.PostChecks...) {
		if c.Device == "" {
			t.Fatalf("plan-level check without device: %+v", c)
		}
	}
	checkChecks(t, p.PreChecks)
	checkChecks(t, p.PostChecks)
	names := map[string]bool{}
	for _, s := range p.Steps {
		if s.Name == "" || names[s.Name] || s.Effects == nil || len(s.Effects) == 0 && len(s.Config) == 0 {
			t.Fatalf("invalid step in a valid plan: %+v", s)
		}
		names[s.Name] = true
		if !s.HasRollback && len(s.Rollback) > 0 {
			t.Fatalf("rollback without HasRollback: %+v", s)
		}
		for _, e := range append(append([]Effect(nil), s.Effects...), s.Rollback...) {
			checkEffect(t, e)
		}
		sorted := slices.Clone(s.Devices)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(s.Devices) || slices.Contains(s.Devices, "") {
			t.Fatalf("repeated or empty devices: %q", s.Devices)
		}
		if len(s.Config) > 0 && len(s.Devices) == 0 || len(s.RollbackConfig) > 0 && len(s.Config) == 0 {
			t.Fatalf("configuration without devices, or rollback_config without config: %+v", s)
		}
		if w := s.Wave; w != nil && (w.Batch < 1 || w.Batch > len(s.Devices) || w.MaxFailures < 0) {
			t.Fatalf("invalid wave %+v for %d devices", w, len(s.Devices))
		}
		if s.Soak < 0 {
			t.Fatalf("negative soak: %v", s.Soak)
		}
		for _, c := range s.Checks {
			if c.Device == "" && len(s.Devices) == 0 {
				t.Fatalf("step check with no device to run on: %+v", c)
			}
		}
		checkChecks(t, s.Checks)
	}
	all := p.Devices()
	if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Fatalf("Devices() not sorted and unique: %q", all)
	}
}

func checkChecks(t *testing.T, cs []Check) {
	t.Helper()
	names := map[string]bool{}
	for _, c := range cs {
		if c.Name == "" || names[c.Name] || c.Command == "" || !c.Expect.Kind.Valid() || c.Expect.Value == "" ||
			c.Retries < 0 || c.Interval < 0 || c.Timeout <= 0 {
			t.Fatalf("invalid check in a valid plan: %+v", c)
		}
		names[c.Name] = true
		if c.Expect.Kind == ExpectRegex {
			if _, err := regexp.Compile(c.Expect.Value); err != nil {
				t.Fatalf("regex that does not compile: %v", err)
			}
		}
		if (c.Expect.Kind == ExpectTextFSM) != (c.Expect.Template != "") || c.Expect.TemplateFile != "" {
			t.Fatalf("template of a parsed check (no file read): %+v", c.Expect)
		}
		if c.Expect.Kind == ExpectTextFSM {
			if _, err := textfsm.Compile(c.Expect.Template); err != nil {
				t.Fatalf("template that does not compile: %v", err)
			}
		}
	}
}

func checkEffect(t *testing.T, e Effect) {
	t.Helper()
	ok := true
	switch e.Type {
	case SetMetric:
		ok = e.Link != "" && e.Node == "" && e.Metric >= 1 && e.Metric <= 1<<32-1 && e.CapacityBps == 0
	case LinkDown, LinkUp:
		ok = e.Link != "" && e.Node == "" && e.From == "" && e.Metric == 0 && e.CapacityBps == 0
	case Drain, Undrain:
		ok = e.Node != "" && e.Link == "" && e.From == "" && e.Metric == 0 && e.CapacityBps == 0
	case SetCapacity:
		ok = e.Link != "" && e.Node == "" && e.From == "" && e.Metric == 0 && e.CapacityBps > 0
	default:
		ok = false
	}
	if !ok {
		t.Fatalf("invalid effect in a valid plan: %+v", e)
	}
}
