package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
)

// CheckVersion is the version of the JSON form of a check (CheckDoc).
const CheckVersion = 1

// CheckDoc is the JSON form of a verdict, documented in docs/policies.md
// (Output formats).
type CheckDoc struct {
	// Changegate is the build that wrote the document, as WriteJSON
	// puts it in every JSON document (buildinfo.Info); it is read back
	// but never compared: the digests say what matters. Empty when
	// written: WriteJSON adds it.
	Changegate json.RawMessage `json:"changegate,omitempty"`
	Version    int             `json:"version"`
	// Verdict is "allowed" or "denied".
	Verdict string       `json:"verdict"`
	Stage   policy.Stage `json:"stage"`
	Time    string       `json:"time"`
	// Digests are the digests the verdict is bound to, the inventory ""
	// when there was no inventory to check (printed "none").
	Digests  digest.Set      `json:"digests"`
	Plan     CheckPlanDoc    `json:"plan"`
	Summary  CheckSummaryDoc `json:"summary"`
	Policies []PolicyDoc     `json:"policies"`
	// PolicySettings is what the configuration changed in the policy
	// set: disabled policies, parameters that differ from their defaults.
	PolicySettings PolicySettingsDoc `json:"policy_settings"`
	// ConfigFile is the configuration file the settings came from, ""
	// when there was none (printed "none").
	ConfigFile string      `json:"config_file"`
	Results    []ResultDoc `json:"results"`
}

// PolicySettingsDoc is what the configuration changed in the policy set;
// all of it is in the policy digest.
type PolicySettingsDoc struct {
	// Disabled are the policy packages policy.disable turns off.
	Disabled []string `json:"disabled"`
	// Params are the parameters policy.params sets to other than their
	// defaults.
	Params []policy.Param `json:"params"`
}

// CheckPlanDoc identifies the plan checked.
type CheckPlanDoc struct {
	ID    string `json:"id,omitempty"`
	Title string `json:"title"`
	File  string `json:"file"`
	Steps int    `json:"steps"`
}

// CheckSummaryDoc counts the results.
type CheckSummaryDoc struct {
	Denials  int `json:"denials"`
	Warnings int `json:"warnings"`
}

// PolicyDoc is one policy package that was evaluated.
type PolicyDoc struct {
	Name    string `json:"name"`
	File    string `json:"file"`
	Title   string `json:"title,omitempty"`
	Builtin bool   `json:"builtin"`
}

// ResultDoc is one denial or warning, with where it points in the plan.
type ResultDoc struct {
	policy.Result
	// StepName is the name of the step (empty for plan-level results).
	StepName string `json:"step_name,omitempty"`
	// Source is the position in the plan the result is about: the step,
	// or the top of the plan.
	Source diag.Pos `json:"source"`
}

// CheckDocument builds the JSON form of a verdict.
func CheckDocument(v *gate.Verdict, pkgs []*policy.Package) CheckDoc {
	doc := CheckDoc{
		Version: CheckVersion,
		Verdict: verdictWord(v),
		Stage:   v.Stage,
		Time:    v.Time.UTC().Format(time.RFC3339),
		Digests: v.Digests,
		Plan:    CheckPlanDoc{ID: v.Plan.ID, Title: v.Plan.Title, File: v.Plan.File, Steps: len(v.Plan.Steps)},
		Summary: CheckSummaryDoc{Denials: v.Decision.Count(policy.Deny), Warnings: v.Decision.Count(policy.Warn)},
	}
	for _, p := range pkgs {
		doc.Policies = append(doc.Policies, PolicyDoc{Name: p.Name, File: p.File, Title: p.Title, Builtin: p.Builtin})
	}
	doc.ConfigFile = v.ConfigFile
	doc.PolicySettings = PolicySettingsDoc{Disabled: []string{}, Params: []policy.Param{}}
	doc.PolicySettings.Disabled = append(doc.PolicySettings.Disabled, v.PolicySet.Disabled...)
	doc.PolicySettings.Params = append(doc.PolicySettings.Params, v.PolicySet.Params...)
	doc.Results = []ResultDoc{}
	for _, r := range v.Decision.Results {
		rd := ResultDoc{Result: r, Source: ResultSource(v, r)}
		if r.Step >= 1 && r.Step <= len(v.Plan.Steps) {
			rd.StepName = v.Plan.Steps[r.Step-1].Name
		}
		doc.Results = append(doc.Results, rd)
	}
	return doc
}

// ResultSource is the position in the plan a result points at: its step,
// or the top of the plan for plan-level results.
func ResultSource(v *gate.Verdict, r policy.Result) diag.Pos {
	if r.Step >= 1 && r.Step <= len(v.Plan.Steps) {
		return v.Plan.Steps[r.Step-1].Pos
	}
	p := v.Plan.Pos
	p.File = v.Plan.File
	if p.Line == 0 {
		p.Line = 1
	}
	return p
}

// ConfigName names the configuration file of a verdict: the file, or
// none (the defaults).
func ConfigName(file string) string {
	if file == "" {
		return "none (the defaults)"
	}
	return file
}

func verdictWord(v *gate.Verdict) string {
	if v.Allowed() {
		return "allowed"
	}
	return "denied"
}

// CheckText writes a verdict for people: the verdict first, then every
// denial and warning grouped by step, each with the rule behind it.
func CheckText(w io.Writer, v *gate.Verdict, pkgs []*policy.Package, disabled []string) error {
	ew := &errWriter{w: w}
	title := v.Plan.Title
	if v.Plan.ID != "" {
		title = v.Plan.ID + " " + title
	}
	word := "ALLOWED"
	if !v.Allowed() {
		word = "DENIED"
	}
	d := v.Decision
	ew.printf("%s  %s (%s)\n", word, title, v.Plan.File)
	t := v.DryRun.Topology
	builtin := 0
	for _, p := range pkgs {
		if p.Builtin {
			builtin++
		}
	}
	ew.printf("  %s checked against %s (%s, %s, %s of traffic), N-1 of every state\n",
		plural(len(v.Plan.Steps), "step"), orDash(t.Name), plural(t.Nodes, "node"), plural(t.Links, "link"), rate(t.TotalDemandBps))
	policies := fmt.Sprintf("%d policies", len(pkgs))
	if len(pkgs) == 1 {
		policies = "1 policy"
	}
	ew.printf("  %s: %d built-in, %d of yours", policies, builtin, len(pkgs)-builtin)
	if len(disabled) > 0 {
		ew.printf("; disabled by configuration: %s", strings.Join(disabled, ", "))
	}
	ew.printf("\n")
	ew.printf("  configuration: %s\n", ConfigName(v.ConfigFile))
	if ps := v.PolicySet.Params; len(ps) > 0 {
		ew.printf("  policy parameters set by configuration:\n")
		for _, p := range ps {
			ew.printf("    %s\n", p)
		}
	}
	ew.printf("  %s, %s\n", plural(d.Count(policy.Deny), "denial"), plural(d.Count(policy.Warn), "warning"))

	if by := countByPolicy(d.Results, policy.Deny); by != "" {
		ew.printf("  denied by: %s\n", by)
	}

	// Results are grouped by step; within a step, a rule that fires many
	// times (one per link direction, say) shows its first few results.
	const perRule = 3
	// Steps first, in order; results about the plan as a whole last.
	results := make([]policy.Result, 0, len(d.Results))
	for _, r := range d.Results {
		if r.Step >= 1 {
			results = append(results, r)
		}
	}
	for _, r := range d.Results {
		if r.Step < 1 {
			results = append(results, r)
		}
	}
	step := -1
	shown := map[string]int{}
	for _, r := range results {
		if r.Step != step {
			step = r.Step
			shown = map[string]int{}
			src := ResultSource(v, r)
			if step >= 1 && step <= len(v.Plan.Steps) {
				ew.printf("\nstep %d %q  %s:%d\n", step, v.Plan.Steps[step-1].Name, src.File, src.Line)
			} else {
				ew.printf("\nplan  %s\n", src.File)
			}
		}
		key := fmt.Sprintf("%s %s:%d", r.Kind, r.File, r.Line)
		shown[key]++
		if n := shown[key]; n > perRule {
			if n == perRule+1 {
				more := 0
				for _, x := range results {
					if x.Step == step && fmt.Sprintf("%s %s:%d", x.Kind, x.File, x.Line) == key {
						more++
					}
				}
				ew.printf("        ... and %d more from this rule (--format json lists every one)\n", more-perRule)
			}
			continue
		}
		kind := "DENY"
		if r.Kind == policy.Warn {
			kind = "warn"
		}
		ew.printf("  %s  %s: %s\n", kind, shortPolicy(r.Policy), r.Msg)
		ew.printf("        rule %s\n", ruleLocation(r))
	}
	ew.printf("\ndigests: plan %s\n         topology %s\n         traffic %s\n         policy %s\n         inventory %s\n",
		v.Digests.Plan, v.Digests.Topology, v.Digests.Traffic, v.Digests.Policy, digest.Show(v.Digests.Inventory))
	return ew.err
}

// countByPolicy summarises the results of kind k as "capacity (16),
// n1 (4)", in the order of policy.Rank.
func countByPolicy(rs []policy.Result, k policy.Kind) string {
	var order []string
	n := map[string]int{}
	for _, r := range rs {
		if r.Kind != k {
			continue
		}
		if n[r.Policy] == 0 {
			order = append(order, r.Policy)
		}
		n[r.Policy]++
	}
	sort.SliceStable(order, func(i, j int) bool { return policy.Rank(order[i]) < policy.Rank(order[j]) })
	parts := make([]string, len(order))
	for i, p := range order {
		parts[i] = fmt.Sprintf("%s (%d)", shortPolicy(p), n[p])
	}
	return strings.Join(parts, ", ")
}

// shortPolicy drops the changegate. prefix of built-in policy packages.
func shortPolicy(name string) string {
	return strings.TrimPrefix(name, "changegate.")
}

func ruleLocation(r policy.Result) string {
	if r.Line > 0 {
		return fmt.Sprintf("%s:%d (%s)", r.File, r.Line, r.Policy)
	}
	return fmt.Sprintf("%s (%s)", r.File, r.Policy)
}

// CheckFindings converts a verdict into findings for the CI formats: one
// case per policy, with each denial an error and each warning a warning,
// located at the plan line of the step concerned (or the top of the plan).
func CheckFindings(v *gate.Verdict, pkgs []*policy.Package, version string) *finding.Report {
	rep := &finding.Report{Tool: "changegate", Version: version}
	byPolicy := map[string]int{}
	for _, p := range pkgs {
		rep.Rules = append(rep.Rules, finding.Rule{ID: p.Name, Title: p.Title, Description: p.Description})
		byPolicy[p.Name] = len(rep.Cases)
		rep.Cases = append(rep.Cases, finding.Case{Suite: v.Plan.File, Name: p.Name, File: v.Plan.File})
	}
	// caseOf is the case of a policy; one the configuration disables has
	// none among pkgs.
	caseOf := func(name string) *finding.Case {
		i, ok := byPolicy[name]
		if !ok {
			i = len(rep.Cases)
			byPolicy[name] = i
			rep.Cases = append(rep.Cases, finding.Case{Suite: v.Plan.File, Name: name, File: v.Plan.File})
		}
		return &rep.Cases[i]
	}
	// What the configuration changed is a note on the policy concerned,
	// at the top of the plan.
	top := ResultSource(v, policy.Result{})
	in := ""
	if v.ConfigFile != "" {
		in = " in " + v.ConfigFile
	}
	for _, name := range v.PolicySet.Disabled {
		c := caseOf(name)
		c.Findings = append(c.Findings, finding.Finding{
			Severity: finding.Note, Rule: name, File: top.File, Line: top.Line,
			Message: "policy " + name + " is disabled by configuration (policy.disable" + in + ")",
			Hint:    "apply refuses what it would deny, except with --break-glass",
		})
	}
	for _, p := range v.PolicySet.Params {
		c := caseOf(p.Policy)
		c.Findings = append(c.Findings, finding.Finding{
			Severity: finding.Note, Rule: p.Policy, File: top.File, Line: top.Line,
			Message: "policy parameter set by configuration (policy.params" + in + "): " + p.String(),
		})
	}
	for _, r := range v.Decision.Results {
		c := caseOf(r.Policy)
		sev := finding.Error
		if r.Kind == policy.Warn {
			sev = finding.Warning
		}
		src := ResultSource(v, r)
		c.Findings = append(c.Findings, finding.Finding{
			Severity: sev,
			Rule:     r.Policy,
			Message:  r.Msg,
			Hint:     "policy rule " + ruleLocation(r),
			File:     src.File,
			Line:     src.Line,
			Col:      src.Col,
			Facts:    r.Facts,
		})
	}
	return rep
}
