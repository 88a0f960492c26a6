package policy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
	"github.com/changegate/changegate/userfile"
)

// schemaPath is the JSON Schema of the policy input (docs/policy-input.md).
const schemaPath = "../../docs/policy-input.schema.json"

// compileInputSchema compiles the schema; compiling also checks it
// against the draft 2020-12 meta-schema. Formats (date-time) are asserted.
func compileInputSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	return sch
}

// A small network and plan that cover what the examples may not: a
// model-only step, a node without a zone, a link without a class, an
// explicit rollback that leads where the forward path never went (a
// rollback path state in full), a partition with unreachable traffic, and
// a plan without risk or window. The negative tests mutate its input, so
// that they do not depend on the examples.
const (
	schemaInlineTopology = `name: schema-test
nodes:
  - {name: a, role: router, site: s1, zone: z1}
  - {name: b, role: router, site: s1, zone: z2}
  - {name: c}
links:
  - {id: a-b, a: "a:e1", b: "b:e1", capacity: 100G, metric: 10, class: core, srlg: [duct]}
  - {id: b-c, a: b, b: c, capacity: 10G, metric: 10}
  - {id: a-c, a: "a:e2", b: c, capacity: 10G, metric: 10, class: core, srlg: [duct]}
demands:
  - {src: a, dst: c, rate: 5G}
  - {src: c, dst: a, rate: 1G}
`
	schemaInlinePlan = `title: inline plan for the schema test
pre_checks:
  - name: a is up
    device: a
    command: show version
    expect: {contains: uptime}
steps:
  - name: drain b
    effects:
      - {type: drain, node: b}
    rollback:
      - {type: set_metric, link: a-c, metric: 700}
  - name: cut c off
    device: a
    config: ["interface e2", " shutdown"]
    effects:
      - {type: link_down, link: a-c}
      - {type: link_down, link: b-c}
    checks:
      - name: e2 is down
        command: show interface e2
        expect: {contains: down}
        timeout: 2s
      - name: no OSPF neighbour on e2
        command: show ip ospf neighbor
        expect:
          textfsm:
            template_text: |
              Value NEIGHBOR_ID (\S+)
              Value INTERFACE (\S+)

              Start
                ^${NEIGHBOR_ID}\s+\d+\s+\S+\s+\S+\s+\S+\s+\S+\s+${INTERFACE} -> Record
            rego: '[r | some r in output; startswith(r.INTERFACE, "e2:")] == []'
`
)

// schemaFixture is a plan and its network, ready to dry-run.
type schemaFixture struct {
	plan *plans.Plan
	net  *topology.Network
}

// schemaLoadPlan loads a plan and its topology: topoPath, or else the
// one the plan names.
func schemaLoadPlan(t *testing.T, path, topoPath string) schemaFixture {
	t.Helper()
	p, ds, err := plans.LoadFile(context.Background(), path, userfile.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("load %s: %v", path, ds.Err())
	}
	if topoPath == "" {
		topoPath = p.TopologyPath()
	}
	net, ds, err := topology.LoadFile(context.Background(), topoPath, userfile.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("load %s: %v", topoPath, ds.Err())
	}
	return schemaFixture{plan: p, net: net}
}

func schemaInlineFixture(t *testing.T) schemaFixture {
	t.Helper()
	net, ds := topology.Parse("inline-topology.yaml", []byte(schemaInlineTopology), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatalf("inline topology: %v", ds.Err())
	}
	p, ds := plans.Parse("inline-plan.yaml", []byte(schemaInlinePlan))
	if ds.HasErrors() {
		t.Fatalf("inline plan: %v", ds.Err())
	}
	return schemaFixture{plan: p, net: net}
}

func schemaDigest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func schemaApprovals() []Approval {
	return []Approval{
		{Approver: "jane", Identities: []string{"jane", "jane@example.net"}, Roles: []string{"network", "storage"}, Time: time.Date(2011, 4, 20, 18, 0, 0, 0, time.UTC), Verified: true},
		{Approver: "john", Time: time.Date(2011, 4, 20, 15, 0, 0, 0, time.FixedZone("EDT", -4*3600))},
	}
}

// schemaInput dry-runs f and builds its policy input, as JSON: converted
// from the OPA value, encoded, then decoded as jsonschema expects (numbers
// as json.Number), so that numbers are checked as BuildInput wrote them.
func schemaInput(t *testing.T, f schemaFixture, opts dryrun.Options, stage Stage, approvals []Approval, hotFloor float64) []byte {
	t.Helper()
	res, ds, err := dryrun.Run(context.Background(), f.net, f.plan, opts)
	if err != nil {
		t.Fatal(err)
	}
	if ds.HasErrors() {
		t.Fatalf("dry-run: %v", ds.Err())
	}
	// Apply-stage inputs run with an inventory; check-stage ones have
	// none (its digest is "").
	inventory := ""
	if stage == StageApply {
		inventory = schemaDigest("inventory")
	}
	digests := res.Digests
	digests.Policy, digests.Inventory = schemaDigest("policy"), inventory
	for i := range approvals {
		approvals[i].Digests = digests
	}
	var override *Override
	if stage == StageApply { // apply-stage inputs carry a break-glass override
		override = &Override{Reason: "bridge down, CHG-1", User: "jane@host", Time: time.Date(2011, 4, 21, 0, 31, 0, 0, time.UTC)}
	}
	var drift *Drift
	if stage == StageCheck { // check-stage inputs carry the network read (check --live)
		drift = &Drift{Differences: []topology.Difference{
			{Kind: topology.MetricDif, Link: "l1", From: "a", To: "b", Model: "10", Other: "77"},
			{Kind: topology.CapacityDif, Link: "l1", OtherLink: "a-b", Model: "10G", Other: "40G"},
			{Kind: topology.NodeExtra, Node: "x"},
		}}
	}
	v := BuildInput(Facts{
		Plan: f.plan, Network: f.net, DryRun: res, Approvals: approvals, Stage: stage, Override: override, Drift: drift,
		Time:    time.Date(2011, 4, 21, 0, 30, 0, 0, time.FixedZone("EDT", -4*3600)),
		Digests: digests, HotFloor: hotFloor,
	})
	x, err := ast.JSON(v)
	if err != nil {
		t.Fatalf("input to JSON: %v", err)
	}
	data, err := json.Marshal(x)
	if err != nil {
		t.Fatalf("encode input: %v", err)
	}
	return data
}

func schemaDecode(t *testing.T, data []byte) any {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode input: %v", err)
	}
	return doc
}

// schemaAt returns the value at path (object keys and array indexes) in doc.
func schemaAt(t *testing.T, doc any, path ...any) any {
	t.Helper()
	v := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%v: not an object at %q", path, k)
			}
			if v, ok = m[k]; !ok {
				t.Fatalf("%v: no key %q", path, k)
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("%v: no element %d", path, k)
			}
			v = a[k]
		}
	}
	return v
}

// schemaFailures returns the n1.failures of every state of doc with an
// N-1 analysis, and checks what the schema cannot: that their parallel
// arrays have one entry per failure each.
func schemaFailures(t *testing.T, doc any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for i, s := range schemaAt(t, doc, "states").([]any) {
		if s.(map[string]any)["n1"] == nil {
			continue
		}
		f := schemaAt(t, s, "n1", "failures").(map[string]any)
		n := len(f["names"].([]any))
		for _, k := range []string{"dropped_bps", "max_utilization", "max_link"} {
			if got := len(f[k].([]any)); got != n {
				t.Errorf("states[%d].n1.failures: %d %s for %d names", i, got, k, n)
			}
		}
		out = append(out, f)
	}
	return out
}

func TestSchemaAcceptsInputs(t *testing.T) {
	sch := compileInputSchema(t)
	// The examples are shared with other tests and change; these load
	// whatever they hold.
	safe := schemaLoadPlan(t, "../../examples/safe-plan.yaml", "")
	outage := schemaLoadPlan(t, "../../examples/outage-plan.yaml", "")
	// good-full-plan names a topology beside it that is not there; it is
	// written for the example network.
	full := schemaLoadPlan(t, "../../plans/testdata/good-full-plan.yaml", "../../examples/april-2011.yaml")
	inline := schemaInlineFixture(t)

	tests := []struct {
		name      string
		f         schemaFixture
		opts      dryrun.Options
		stage     Stage
		approvals []Approval
		hotFloor  float64
	}{
		{"safe/n1/check", safe, dryrun.Options{TopMovers: 5}, StageCheck, nil, 0.8},
		{"safe/no-n1/apply/approved", safe, dryrun.Options{SkipN1: true}, StageApply, schemaApprovals(), 0.8},
		{"outage/n1/apply/approved", outage, dryrun.Options{TopMovers: 3}, StageApply, schemaApprovals(), 0.5},
		{"outage/no-n1/check", outage, dryrun.Options{SkipN1: true, TopMovers: 5}, StageCheck, nil, 0},
		{"full/n1/check", full, dryrun.Options{TopMovers: 5}, StageCheck, nil, 0.8},
		{"full/no-n1/apply/approved", full, dryrun.Options{SkipN1: true}, StageApply, schemaApprovals(), 0.8},
		{"inline/n1/check", inline, dryrun.Options{TopMovers: 5}, StageCheck, nil, 0},
		{"inline/no-n1/apply/approved", inline, dryrun.Options{SkipN1: true}, StageApply, schemaApprovals(), 0.3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := schemaDecode(t, schemaInput(t, tt.f, tt.opts, tt.stage, tt.approvals, tt.hotFloor))
			if err := sch.Validate(doc); err != nil {
				t.Fatalf("the input does not match %s:\n%v", schemaPath, err)
			}
			// Check that the case holds what its name says.
			if got := len(schemaAt(t, doc, "approvals").([]any)); got != len(tt.approvals) {
				t.Errorf("approvals: got %d, want %d", got, len(tt.approvals))
			}
			for i, s := range schemaAt(t, doc, "states").([]any) {
				if n1 := s.(map[string]any)["n1"]; (n1 == nil) != tt.opts.SkipN1 {
					t.Errorf("states[%d].n1 = %v with SkipN1 %v", i, n1, tt.opts.SkipN1)
				}
			}
			if got := schemaAt(t, doc, "stage"); got != string(tt.stage) {
				t.Errorf("stage = %v, want %s", got, tt.stage)
			}
			if tt.stage == StageCheck {
				if got := schemaAt(t, doc, "drift", "forwarding"); got != json.Number("2") && got != 2.0 {
					t.Errorf("drift.forwarding = %v (%T), want 2", got, got)
				}
			} else if d := schemaAt(t, doc, "drift"); d != nil {
				t.Errorf("drift = %v, want null", d)
			}
			schemaFailures(t, doc)
		})
	}

	// What the inputs above must hold between them, so that every part of
	// the schema met a real value.
	t.Run("coverage", func(t *testing.T) {
		if full.plan.Window == nil {
			t.Error("good-full-plan.yaml has no window")
		}
		if inline.plan.Window != nil || inline.plan.Risk != "" {
			t.Error("the inline plan should have no window and no risk")
		}
		waves := false
		effects, kinds := map[plans.EffectType]bool{}, map[plans.ExpectKind]bool{}
		for _, f := range []schemaFixture{safe, outage, full, inline} {
			checks := slices.Concat(f.plan.PreChecks, f.plan.PostChecks)
			for _, s := range f.plan.Steps {
				for _, e := range slices.Concat(s.Effects, s.Rollback) {
					effects[e.Type] = true
				}
				checks = append(checks, s.Checks...)
				waves = waves || s.Wave != nil
			}
			for _, c := range checks {
				kinds[c.Expect.Kind] = true
			}
		}
		if !waves {
			t.Error("no step with a wave")
		}
		for _, e := range plans.EffectTypes() {
			if !effects[e] {
				t.Errorf("no %s effect", e)
			}
		}
		for _, k := range plans.ExpectKinds() {
			if !kinds[k] {
				t.Errorf("no %s check", k)
			}
		}

		// n1.failures: every kind of failure, one that drops traffic,
		// and a busiest direction and none.
		seen := map[string]bool{}
		for _, f := range []schemaFixture{safe, outage, full, inline} {
			for _, fs := range schemaFailures(t, schemaDecode(t, schemaInput(t, f, dryrun.Options{}, StageCheck, nil, 0))) {
				for _, n := range fs["names"].([]any) {
					kind, _, _ := strings.Cut(n.(string), ":")
					seen[kind] = true
				}
				for _, d := range fs["dropped_bps"].([]any) {
					seen["dropping"] = seen["dropping"] || d.(json.Number).String() != "0"
				}
				for _, l := range fs["max_link"].([]any) {
					seen["max_link null"] = seen["max_link null"] || l == nil
					seen["max_link"] = seen["max_link"] || l != nil
				}
			}
		}
		for _, k := range []string{"link", "node", "srlg", "dropping", "max_link null", "max_link"} {
			if !seen[k] {
				t.Errorf("no n1 failure with %s", k)
			}
		}

		// The author's identity is the e-mail of "Name <email>", and ""
		// without an author.
		safeDoc := schemaDecode(t, schemaInput(t, safe, dryrun.Options{SkipN1: true}, StageCheck, nil, 0))
		if got := schemaAt(t, safeDoc, "plan", "author_identity"); safe.plan.Author != "Jane Doe <jane@example.net>" || got != "jane@example.net" {
			t.Errorf("author %q: author_identity %v", safe.plan.Author, got)
		}
		doc := schemaDecode(t, schemaInput(t, inline, dryrun.Options{}, StageCheck, nil, 0))
		if got := schemaAt(t, doc, "plan", "author_identity"); got != "" {
			t.Errorf("no author: author_identity %v", got)
		}
		full := false
		for _, p := range schemaAt(t, doc, "rollback", "path").([]any) {
			full = full || p.(map[string]any)["state"] != nil
		}
		if !full {
			t.Error("the inline plan's rollback path has no state in full")
		}
		if !schemaAt(t, doc, "states", 2, "partitioned").(bool) {
			t.Error("the inline plan should partition the network")
		}
		if _, ok := schemaAt(t, doc, "states", 0, "classes").(map[string]any)[""]; !ok {
			t.Error("the inline network should have a link without a class")
		}
	})
}

func TestSchemaRejects(t *testing.T) {
	sch := compileInputSchema(t)
	inline := schemaInlineFixture(t)
	withN1 := schemaInput(t, inline, dryrun.Options{TopMovers: 5}, StageApply, schemaApprovals(), 0)
	withoutN1 := schemaInput(t, inline, dryrun.Options{SkipN1: true}, StageCheck, nil, 0)

	type mutation func(t *testing.T, doc any)
	set := func(v any, path ...any) mutation {
		return func(t *testing.T, doc any) {
			parent := schemaAt(t, doc, path[:len(path)-1]...)
			switch k := path[len(path)-1].(type) {
			case string:
				parent.(map[string]any)[k] = v
			case int:
				parent.([]any)[k] = v
			}
		}
	}
	del := func(path ...any) mutation {
		return func(t *testing.T, doc any) {
			delete(schemaAt(t, doc, path[:len(path)-1]...).(map[string]any), path[len(path)-1].(string))
		}
	}
	tests := []struct {
		name   string
		base   []byte
		mutate mutation
		// at is the JSON pointer of the value the schema must blame.
		at string
	}{
		// Unknown keys.
		{"unknown top-level key", withN1, set(true, "extra"), ""},
		{"unknown plan key", withN1, set("topology.yaml", "plan", "topology"), "/plan"},
		{"unknown step key", withN1, set("5m", "plan", "steps", 0, "soak"), "/plan/steps/0"},
		{"unknown check key", withN1, set("5s", "plan", "pre_checks", 0, "interval"), "/plan/pre_checks/0"},
		{"unknown topology node key", withN1, set(nil, "topology", "nodes", "a", "position"), "/topology/nodes/a"},
		{"unknown link direction key", withN1, set(json.Number("0"), "states", 1, "links", 0, "loss_bps"), "/states/1/links/0"},
		{"unknown failures key", withN1, set([]any{}, "states", 0, "n1", "failures", "links"), "/states/0/n1/failures"},
		{"unknown approval key", withN1, set("x", "approvals", 0, "signature"), "/approvals/0"},
		{"n1 field without N-1", withoutN1, set(json.Number("0.5"), "states", 0, "links", 0, "n1_worst_utilization"), "/states/0/links/0/n1_worst_utilization"},
		{"field a drain does not use", withN1, set("a-b", "plan", "steps", 0, "effects", 0, "link"), "/plan/steps/0/effects/0/link"},

		// Missing required keys.
		{"missing time_unix", withN1, del("time_unix"), ""},
		{"missing policy digest", withN1, del("digests", "policy"), "/digests"},
		{"missing inventory digest", withN1, del("digests", "inventory"), "/digests"},
		{"missing author identity", withN1, del("plan", "author_identity"), "/plan"},
		{"missing approval identities", withN1, del("approvals", 0, "identities"), "/approvals/0"},
		{"missing step zones", withN1, del("plan", "steps", 0, "zones"), "/plan/steps/0"},
		{"missing check line", withN1, del("plan", "steps", 1, "checks", 0, "line"), "/plan/steps/1/checks/0"},
		{"missing node drained", withN1, del("topology", "nodes", "c", "drained"), "/topology/nodes/c"},
		{"missing state n1", withN1, del("states", 2, "n1"), "/states/2"},
		{"missing n1 field with N-1", withN1, del("states", 1, "links", 3, "n1_worst_failure"), "/states/1/links/3"},
		{"missing class n1 maximum with N-1", withN1, del("states", 0, "classes", "core", "n1_max_utilization"), "/states/0/classes/core"},
		{"set_metric without metric", withN1, del("plan", "steps", 0, "rollback", "effects", 0, "metric"), "/plan/steps/0/rollback/effects/0"},
		{"missing rollback path state", withN1, del("rollback", "path", 0, "state"), "/rollback/path/0"},
		{"missing failures max_link", withN1, del("states", 1, "n1", "failures", "max_link"), "/states/1/n1/failures"},

		// Wrong types and values.
		{"version as a string", withN1, set("1", "version"), "/version"},
		{"unknown stage", withN1, set("deploy", "stage"), "/stage"},
		{"time not in UTC", withN1, set("2011-04-21T00:30:00-04:00", "time"), "/time"},
		{"fractional time_unix", withN1, set(json.Number("1303360200.5"), "time_unix"), "/time_unix"},
		{"fractional load", withN1, set(json.Number("1.5"), "states", 1, "links", 0, "load_bps"), "/states/1/links/0/load_bps"},
		{"utilisation as a string", withN1, set("0.35", "states", 1, "max_utilization"), "/states/1/max_utilization"},
		{"unknown risk", withN1, set("critical", "plan", "risk"), "/plan/risk"},
		{"window as a string", withN1, set("tonight", "plan", "window"), "/plan/window"},
		{"wave as a number", withN1, set(json.Number("2"), "plan", "steps", 1, "wave"), "/plan/steps/1/wave"},
		{"unknown effect type", withN1, set("reboot", "plan", "steps", 0, "effects", 0, "type"), "/plan/steps/0/effects/0/type"},
		{"unknown expect kind", withN1, set("equals", "plan", "pre_checks", 0, "expect", "kind"), "/plan/pre_checks/0/expect/kind"},
		{"drained as a string", withN1, set("no", "topology", "nodes", "a", "drained"), "/topology/nodes/a/drained"},
		{"baseline with a step", withN1, set("baseline", "states", 0, "step"), "/states/0/step"},
		{"state without its step", withN1, set(nil, "states", 1, "step"), "/states/1/step"},
		{"bad failure name", withN1, set("a-b", "states", 0, "n1", "failures", "names", 0), "/states/0/n1/failures/names/0"},
		{"failures as a list", withN1, set([]any{map[string]any{
			"failure": "link:a-b", "dropped_bps": json.Number("0"), "max_utilization": json.Number("0.05"),
			"max_link": map[string]any{"id": "a-c", "from": "a", "to": "c"},
		}}, "states", 0, "n1", "failures"), "/states/0/n1/failures"},
		{"fractional failure drop", withN1, set(json.Number("1.5"), "states", 1, "n1", "failures", "dropped_bps", 0), "/states/1/n1/failures/dropped_bps/0"},
		{"negative failure drop", withN1, set(json.Number("-1"), "states", 1, "n1", "failures", "dropped_bps", 1), "/states/1/n1/failures/dropped_bps/1"},
		{"failure utilisation as a string", withN1, set("0.35", "states", 2, "n1", "failures", "max_utilization", 0), "/states/2/n1/failures/max_utilization/0"},
		{"failure max_link as a link id", withN1, set("a-b", "states", 0, "n1", "failures", "max_link", 0), "/states/0/n1/failures/max_link/0"},
		{"bad digest", withN1, set("md5:00", "approvals", 0, "digests", "plan"), "/approvals/0/digests/plan"},
		{"inventory digest written none", withN1, set("none", "digests", "inventory"), "/digests/inventory"},
		{"identities null", withN1, set(nil, "approvals", 1, "identities"), "/approvals/1/identities"},
		{"roles null", withN1, set(nil, "approvals", 1, "roles"), "/approvals/1/roles"},
		{"n1 as false", withoutN1, set(false, "states", 0, "n1"), "/states/0/n1"},
		{"approvals null", withoutN1, set(nil, "approvals"), "/approvals"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := schemaDecode(t, tt.base)
			if err := sch.Validate(doc); err != nil {
				t.Fatalf("the input before the change is rejected:\n%v", err)
			}
			tt.mutate(t, doc)
			err := sch.Validate(doc)
			if err == nil {
				t.Fatal("the schema accepts it")
			}
			var verr *jsonschema.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("not a validation error: %v", err)
			}
			if locs := schemaErrorLocations(verr); !slices.Contains(locs, tt.at) {
				t.Errorf("rejected at %q, want %q:\n%v", locs, tt.at, err)
			}
		})
	}
}

// schemaErrorLocations returns the JSON pointers of the values that the
// leaves of a validation error blame.
func schemaErrorLocations(e *jsonschema.ValidationError) []string {
	if len(e.Causes) == 0 {
		var b strings.Builder
		for _, tok := range e.InstanceLocation {
			b.WriteString("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(tok))
		}
		return []string{b.String()}
	}
	var out []string
	for _, c := range e.Causes {
		out = append(out, schemaErrorLocations(c)...)
	}
	return out
}

// TestSchemaIsStrict keeps the schema strict and documented as it grows:
// every object schema closes its properties (additionalProperties false,
// or the schema of the values of a map), and every property has a
// description. Conditional parts (if, then, else, allOf) only refine
// properties declared elsewhere and are left out.
func TestSchemaIsStrict(t *testing.T) {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any, refining bool)
	walk = func(path string, v any, refining bool) {
		switch v := v.(type) {
		case map[string]any:
			_, hasRef := v["$ref"]
			_, hasProps := v["properties"]
			_, hasAdditional := v["additionalProperties"]
			typ := v["type"]
			isObject := typ == "object"
			if list, ok := typ.([]any); ok {
				isObject = slices.Contains(list, any("object"))
			}
			if !refining && !hasRef && (hasProps || isObject) && !hasAdditional {
				t.Errorf("%s: an object schema without additionalProperties", path)
			}
			if props, ok := v["properties"].(map[string]any); ok && !refining {
				for k, p := range props {
					if _, ok := p.(map[string]any)["description"]; !ok {
						t.Errorf("%s/properties/%s: no description", path, k)
					}
				}
			}
			for k, c := range v {
				walk(path+"/"+k, c, refining || k == "if" || k == "then" || k == "else" || k == "allOf")
			}
		case []any:
			for i, c := range v {
				walk(path+"/"+strconv.Itoa(i), c, refining)
			}
		}
	}
	walk("", doc, false)
}
