package cli

import (
	"encoding/json"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
)

const (
	outagePlan = "../../examples/outage-plan.yaml"
	safePlan   = "../../examples/safe-plan.yaml"
)

func TestCheckVerdicts(t *testing.T) {
	out, errs, code := run(t, "check", outagePlan)
	if code != ExitDenied {
		t.Fatalf("outage plan: exit %d, want %d (denied)\n%s%s", code, ExitDenied, out, errs)
	}
	if !strings.HasPrefix(out, "DENIED") || !strings.Contains(out, "capacity: ") || !strings.Contains(out, "(secondary)") {
		t.Errorf("the outage plan's denial must lead with the verdict and name the capacity policy and the secondary link:\n%s", out)
	}
	if !strings.Contains(out, "rule policies/capacity.rego:") {
		t.Errorf("denials must name the rule's file:line:\n%s", out)
	}

	out, errs, code = run(t, "check", safePlan)
	if code != ExitOK {
		t.Fatalf("safe plan: exit %d, want 0 (allowed)\n%s%s", code, out, errs)
	}
	if !strings.HasPrefix(out, "ALLOWED") || strings.Contains(out, "DENY ") {
		t.Errorf("safe plan:\n%s", out)
	}
}

func TestCheckJSON(t *testing.T) {
	out, errs, code := run(t, "check", outagePlan, "--format", "json")
	if code != ExitDenied {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Version int    `json:"version"`
		Verdict string `json:"verdict"`
		Digests struct {
			Plan, Topology, Traffic, Policy string
		} `json:"digests"`
		Summary struct {
			Denials int `json:"denials"`
		} `json:"summary"`
		Results []struct {
			Kind, Policy, File, Msg string
			Line, Step              int
			Source                  struct {
				File string
				Line int
			}
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || doc.Verdict != "denied" || doc.Summary.Denials == 0 || len(doc.Results) == 0 {
		t.Fatalf("document: %+v", doc)
	}
	for _, d := range []string{doc.Digests.Plan, doc.Digests.Topology, doc.Digests.Traffic, doc.Digests.Policy} {
		if !strings.HasPrefix(d, "sha256:") {
			t.Errorf("digest %q", d)
		}
	}
	for _, r := range doc.Results {
		if r.Policy == "" || r.File == "" || r.Line == 0 || r.Msg == "" || r.Source.Line == 0 {
			t.Errorf("result without its rule or plan position: %+v", r)
		}
	}
}

// The CI formats point at the plan line of the step each denial is about.
func TestCheckCIFormats(t *testing.T) {
	out, _, code := run(t, "check", outagePlan, "--format", "github")
	if code != ExitDenied {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "::error file="+outagePlan+",line=") || !strings.Contains(out, "title=changegate.capacity") {
		t.Errorf("github annotations:\n%s", out)
	}

	out, _, code = run(t, "check", outagePlan, "--format", "junit")
	if code != ExitDenied {
		t.Fatalf("exit %d", code)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil || suites.Failures == 0 {
		t.Errorf("junit: %v, %d failures\n%s", err, suites.Failures, out)
	}

	out, _, code = run(t, "check", outagePlan, "--format", "sarif")
	if code != ExitDenied {
		t.Fatalf("exit %d", code)
	}
	var sarif struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
		t.Fatalf("sarif: %v\n%s", err, out)
	}
	for _, r := range sarif.Runs[0].Results {
		if r.Level == "error" && (len(r.Locations) == 0 || r.Locations[0].PhysicalLocation.Region.StartLine == 0) {
			t.Errorf("denial %s without a plan line", r.RuleID)
		}
	}
}

func TestCheckUserPolicies(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "site.rego", `package site

deny contains {"msg": sprintf("step %d touches p2", [s.index]), "step": s.index} if {
	some s in input.plan.steps
	"p2" in s.nodes
}
`)
	out, errs, code := run(t, "check", safePlan, "--policy", dir)
	if code != ExitDenied {
		t.Fatalf("exit %d, want denied by the user policy\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "site: step ") || !strings.Contains(out, filepath.ToSlash(dir)+"/site.rego:3") {
		t.Errorf("user denial must name the policy and its file:line:\n%s", out)
	}
	if !strings.Contains(out, "1 of yours") {
		t.Errorf("header must count the user's policies:\n%s", out)
	}

	// A policy that does not compile: exit 1 with its file and line.
	bad := t.TempDir()
	writeFile(t, bad, "bad.rego", "package bad\n\ndeny contains msg if {\n  msg := nosuch(input.x)\n}\n")
	_, errs, code = run(t, "check", safePlan, "--policy", bad)
	if code != ExitError || !strings.Contains(errs, "bad.rego:4") {
		t.Errorf("exit %d, stderr:\n%s", code, errs)
	}

	// A policy that fails at evaluation time denies (fail closed).
	failing := t.TempDir()
	writeFile(t, failing, "f.rego", "package f\n\ndeny contains \"x\" if {\n  to_number(input.plan.title) > 0\n}\n")
	out, _, code = run(t, "check", safePlan, "--policy", failing)
	if code != ExitDenied || !strings.Contains(out, "failed to evaluate") {
		t.Errorf("exit %d, want a fail-closed denial:\n%s", code, out)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	// Disabling a policy is recorded in the digest and shown.
	cfg := writeFile(t, dir, "changegate.yaml", "policy:\n  disable: [changegate.approvals]\n")
	out, errs, code := run(t, "check", safePlan, "--config", cfg)
	if code != ExitOK || !strings.Contains(out, "disabled by configuration: changegate.approvals") || strings.Contains(out, "approvals:") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	plain, _, _ := run(t, "check", safePlan, "--format", "json")
	disabled, _, _ := run(t, "check", safePlan, "--format", "json", "--config", cfg)
	if policyDigest(t, plain) == policyDigest(t, disabled) {
		t.Error("disabling a policy must change the policy digest")
	}

	// A parameter override changes the outcome: with the capacity
	// threshold for secondary links at 10 (1000%) and nothing barred from
	// them, the outage plan is no longer denied by the capacity policy.
	cfg = writeFile(t, dir, "loose.yaml", "policy:\n  params:\n    capacity:\n      class_thresholds: {secondary: 10}\n      not_for_primary: []\n")
	out, errs, _ = run(t, "check", outagePlan, "--config", cfg)
	if strings.Contains(out, "capacity: ") {
		t.Errorf("capacity override ignored:\n%s%s", out, errs)
	}

	// A misspelt parameter is an error, not a silent no-op.
	cfg = writeFile(t, dir, "typo.yaml", "policy:\n  params:\n    capacity:\n      treshold: 0.5\n")
	_, errs, code = run(t, "check", safePlan, "--config", cfg)
	if code != ExitError || !strings.Contains(errs, `did you mean "threshold"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

func policyDigest(t *testing.T, out string) string {
	t.Helper()
	var doc struct {
		Digests struct{ Policy string } `json:"digests"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Digests.Policy
}

func TestPolicyTestAndList(t *testing.T) {
	out, errs, code := run(t, "policy", "test")
	if code != ExitOK || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("built-in policy tests: exit %d\n%s%s", code, out, errs)
	}
	dir := t.TempDir()
	writeFile(t, dir, "mine_test.rego", "package mine_test\n\ntest_wrong if {\n  1 == 2\n}\n")
	out, _, code = run(t, "policy", "test", dir, "--no-builtins")
	if code != ExitError || !strings.Contains(out, "FAIL  ") || !strings.Contains(out, "0 passed, 1 failed") {
		t.Errorf("exit %d:\n%s", code, out)
	}

	out, errs, code = run(t, "policy", "list")
	if code != ExitOK || !strings.Contains(out, "changegate.capacity") || !strings.Contains(out, "policy digest: sha256:") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
}

func TestCheckGolden(t *testing.T) {
	for _, tt := range []struct {
		golden, plan string
		code         int
	}{
		{"check-outage.txt", outagePlan, ExitDenied},
		{"check-safe.txt", safePlan, ExitOK},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			out, errs, code := run(t, "check", tt.plan)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errs)
			}
			checkGolden(t, tt.golden, out)
		})
	}
}

// A plan's traffic file replaces the topology's demands, and its
// problems are reported with their position.
func TestPlanTrafficFile(t *testing.T) {
	dir := t.TempDir()
	topo := writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml"))
	writeFile(t, dir, "traffic.csv", "src,dst,rate\nebs1,ebs2,1G\n")
	plan := writeFile(t, dir, "plan.yaml", "title: t\ntopology: "+topo+"\ntraffic: traffic.csv\nsteps:\n  - name: drain p1\n    effects: [{type: drain, node: p1}]\n")
	out, errs, code := run(t, "dryrun", plan, "--format", "json", "--n1=false")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Topology struct {
			Demands        int     `json:"demands"`
			TotalDemandBps float64 `json:"total_demand_bps"`
		} `json:"topology"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Topology.Demands != 1 || res.Topology.TotalDemandBps != 1e9 {
		t.Errorf("traffic file not used: %+v", res.Topology)
	}

	writeFile(t, dir, "traffic.csv", "src,dst,rate\nebs1,ebs9,1G\n")
	_, errs, code = run(t, "dryrun", plan, "--n1=false")
	if code != ExitError || !strings.Contains(errs, "traffic.csv:2") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// TestCheckN1AgainstBaseline: on a network that does not survive N-1 as
// it is (a site behind one link), a harmless plan is allowed by default,
// with a warning that the baseline is not N-1 safe; strict mode denies
// it; a plan that makes N-1 worse is denied either way.
func TestCheckN1AgainstBaseline(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "topo.yaml", `name: stub
nodes: [{name: a}, {name: b}, {name: c}, {name: s}]
links:
  - {id: a-b, a: a, b: b, capacity: 10G, metric: 10}
  - {id: b-c, a: b, b: c, capacity: 10G, metric: 10}
  - {id: a-c, a: a, b: c, capacity: 10G, metric: 10}
  - {id: c-s, a: c, b: s, capacity: 10G, metric: 10}
demands:
  - {src: a, dst: s, rate: 1G}
  - {src: a, dst: b, rate: 1G}
`)
	harmless := writeFile(t, dir, "harmless.yaml", "title: t\nauthor: Jane Doe <jane@example.net>\ntopology: topo.yaml\nsteps:\n  - name: cost\n    effects: [{type: set_metric, link: a-b, metric: 15}]\n")
	worse := writeFile(t, dir, "worse.yaml", "title: t\nauthor: Jane Doe <jane@example.net>\ntopology: topo.yaml\nsteps:\n  - name: down\n    effects: [{type: link_down, link: a-c}]\n")
	strict := writeFile(t, dir, "strict.yaml", "policy:\n  params:\n    n1: {only_worse_than_baseline: false}\n")
	const baselineWarning = "baseline: the network as it is does not survive N-1"
	for _, tt := range []struct {
		name, plan string
		args       []string
		code       int
		want       string
	}{
		{"harmless, by default", harmless, nil, ExitOK, baselineWarning},
		{"harmless, strict", harmless, []string{"--config", strict}, ExitDenied, "if link c-s fails"},
		{"worse, by default", worse, nil, ExitDenied, `step 1 "down"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errs, code := run(t, append([]string{"check", tt.plan}, tt.args...)...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d, output containing %q:\n%s%s", code, tt.code, tt.want, out, errs)
			}
			if !strings.Contains(out, baselineWarning) {
				t.Errorf("the verdict does not say the baseline is not N-1 safe:\n%s", out)
			}
		})
	}
}
