package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// Kind is what a result does to the change.
type Kind string

// Result kinds: a denial blocks the change; a warning is shown to
// reviewers. Rules named violation count as deny, as in conftest.
const (
	Deny Kind = "deny"
	Warn Kind = "warn"
)

// Result is one denial or warning.
type Result struct {
	Kind Kind `json:"kind"`
	// Policy is the package, such as changegate.capacity.
	Policy string `json:"policy"`
	// File and Line locate the rule that produced the result.
	File string `json:"file"`
	Line int    `json:"line"`
	// Msg is the message of the rule.
	Msg string `json:"msg"`
	// Step is the 1-based index of the step the result is about; 0 for
	// the plan as a whole.
	Step int `json:"step,omitempty"`
	// Facts are the other fields of the rule's result object.
	Facts map[string]any `json:"facts,omitempty"`
	// EvalError is true when the policy failed to evaluate; the result is
	// then a denial (the gate fails closed).
	EvalError bool `json:"eval_error,omitempty"`
}

// Decision is the outcome of every policy over one input.
type Decision struct {
	// Results are sorted: by step (plan-level first), kind (deny first),
	// policy, rule line and message.
	Results []Result `json:"results"`
}

// Unoverridable returns the denials a break-glass override cannot
// override: those whose result says "overridable": false, and policies
// that failed to evaluate.
func (d *Decision) Unoverridable() []Result {
	var out []Result
	for _, r := range d.Results {
		if r.Kind != Deny {
			continue
		}
		if v, ok := r.Facts["overridable"].(bool); (ok && !v) || r.EvalError {
			out = append(out, r)
		}
	}
	return out
}

// Denied reports whether any result is a denial.
func (d *Decision) Denied() bool {
	for _, r := range d.Results {
		if r.Kind == Deny {
			return true
		}
	}
	return false
}

// Count returns the number of results of kind k.
func (d *Decision) Count(k Kind) int {
	n := 0
	for _, r := range d.Results {
		if r.Kind == k {
			n++
		}
	}
	return n
}

// Evaluate runs every policy over input (see BuildInput). A policy that
// fails to evaluate (a built-in function error, a conflict, a timeout)
// yields a denial carrying the error: the gate fails closed. The error
// return is only for a cancelled context.
func (e *Engine) Evaluate(ctx context.Context, input ast.Value) (*Decision, error) {
	d := &Decision{}
	for _, p := range e.packages {
		rs, err := p.query.Eval(ctx, rego.EvalParsedInput(input))
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err == nil && len(rs) != 1 {
			err = fmt.Errorf("the query gave %d results instead of one", len(rs))
		}
		if err != nil {
			// Fail closed: a policy that cannot be evaluated denies.
			d.Results = append(d.Results, Result{
				Kind: Deny, Policy: p.Name, File: p.File, EvalError: true,
				Msg: fmt.Sprintf("policy %s failed to evaluate, so the change is denied: %v", p.Name, err),
			})
			continue
		}
		for _, rule := range p.rules {
			kind := Deny
			if rule == ruleWarn {
				kind = Warn
			}
			// The binding is [] for an undefined rule, [value] otherwise.
			vals, _ := rs[0].Bindings[rule].([]any)
			for _, v := range vals {
				d.Results = append(d.Results, p.results(kind, v)...)
			}
		}
	}
	sort.SliceStable(d.Results, func(i, j int) bool {
		a, b := d.Results[i], d.Results[j]
		if a.Step != b.Step {
			return a.Step < b.Step
		}
		if a.Kind != b.Kind {
			return a.Kind == Deny
		}
		if a.Policy != b.Policy {
			ra, rb := Rank(a.Policy), Rank(b.Policy)
			if ra != rb {
				return ra < rb
			}
			return a.Policy < b.Policy
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if ua, ub := utilization(a), utilization(b); ua != ub {
			return ua > ub
		}
		return a.Msg < b.Msg
	})
	return d, nil
}

// results decodes the values of one result rule. Values are tagged with
// the line of their rule (see tagResults); a rule that is not a set (a
// complete `deny := ...`) is read as a list of values.
func (p *Package) results(kind Kind, v any) []Result {
	var items []any
	switch t := v.(type) {
	case []any:
		items = t
	case nil:
		return nil
	case bool:
		if !t {
			return nil // a complete rule `deny := false` denies nothing
		}
		items = []any{fmt.Sprintf("%s is true", kind)}
	default:
		items = []any{t}
	}
	out := make([]Result, 0, len(items))
	for _, it := range items {
		r := Result{Kind: kind, Policy: p.Name, File: p.File}
		if m, ok := it.(map[string]any); ok {
			if line, ok := m[tagLine].(json.Number); ok {
				if n, err := line.Int64(); err == nil {
					r.Line = int(n)
				}
				it = m[tagValue]
			}
		}
		switch t := it.(type) {
		case string:
			r.Msg = t
		case map[string]any:
			r.Facts = map[string]any{}
			for k, x := range t {
				switch k {
				case "msg":
					if s, ok := x.(string); ok {
						r.Msg = s
						continue
					}
				case "step":
					if n, ok := x.(json.Number); ok {
						if i, err := n.Int64(); err == nil {
							r.Step = int(i)
							continue
						}
					}
				}
				r.Facts[k] = x
			}
			if len(r.Facts) == 0 {
				r.Facts = nil
			}
			if r.Msg == "" {
				r.Msg = fmt.Sprintf("%s result without a msg: %s", kind, compact(t))
			}
		default:
			r.Msg = compact(t)
		}
		out = append(out, r)
	}
	return out
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// builtinOrder ranks the built-in policies by how much their results say
// about a change, so that reports lead with overloads and outages.
var builtinOrder = []string{
	"changegate.capacity", "changegate.reachability", "changegate.n1", "changegate.rollback",
	"changegate.health", "changegate.blast_radius", "changegate.window", "changegate.approvals",
}

// Rank orders policies in reports: the built-in ones as builtinOrder,
// then every other package.
func Rank(name string) int {
	for i, n := range builtinOrder {
		if n == name {
			return i
		}
	}
	return len(builtinOrder)
}

// utilization is a result's "utilization" fact, or -1: within one rule,
// the worst overload comes first.
func utilization(r Result) float64 {
	if n, ok := r.Facts["utilization"].(json.Number); ok {
		if f, err := n.Float64(); err == nil {
			return f
		}
	}
	return -1
}
