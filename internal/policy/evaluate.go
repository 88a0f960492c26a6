package policy

import (
	"context"
	"encoding/json"
	"errors"
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
	// EvalError is true when the policy failed to evaluate (or was
	// stopped by the time or memory limit); the result is then a denial
	// (the gate fails closed).
	EvalError bool `json:"eval_error,omitempty"`
	// Disabled is true for a denial of a built-in policy the
	// configuration disables (policy.disable): a warning at check, a
	// denial at apply (see Evaluate).
	Disabled bool `json:"disabled,omitempty"`
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

// The messages of a disabled policy's denials begin with these: at
// apply, where they deny, and at check, where they warn.
const (
	DisabledDenies    = "policy disabled by configuration denies: "
	DisabledWouldDeny = "policy disabled by configuration would deny: "
)

// Evaluate runs every policy over input (see BuildInput) at stage. A
// policy that fails to evaluate (a built-in function error, a conflict)
// or that is stopped by the time or memory limit yields a denial carrying
// why: the gate fails closed. The error return is only for a cancelled
// context.
//
// A built-in policy the configuration disables is evaluated too, and
// each of its denials is kept, marked Disabled, as a warning at
// StageCheck and as a denial at StageApply: turning a policy off makes
// check quiet about it, but never lets apply run what it denies without
// a break-glass override. Its warnings are dropped.
func (e *Engine) Evaluate(ctx context.Context, input ast.Value, stage Stage) (*Decision, error) {
	d := &Decision{}
	for _, p := range e.packages {
		rs, err := e.eval(ctx, p, input)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		d.Results = append(d.Results, p.decode(rs, err, e)...)
	}
	for _, p := range e.disabled {
		rs, err := e.eval(ctx, p, input)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for _, r := range p.decode(rs, err, e) {
			if r.Kind != Deny {
				continue
			}
			r.Disabled = true
			if stage == StageApply {
				r.Msg = DisabledDenies + r.Msg
			} else {
				r.Kind = Warn
				r.Msg = DisabledWouldDeny + r.Msg
			}
			d.Results = append(d.Results, r)
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

// evalErr is a policy evaluation that failed, with the rule it was in
// when that is known.
type evalErr struct {
	err   error
	where string
}

// eval evaluates one package under the engine's limits. The user's
// packages are traced, cheaply, so that one stopped by a limit can name
// its rule; the built-in ones are not, to keep them fast.
func (e *Engine) eval(ctx context.Context, p *Package, input ast.Value) (rego.ResultSet, *evalErr) {
	var tr *ruleTracer
	opts := []rego.EvalOption{rego.EvalParsedInput(input)}
	if !p.Builtin {
		tr = &ruleTracer{}
		opts = append(opts, rego.EvalQueryTracer(tr))
	}
	rs, err := bounded(ctx, e.timeout, e.memLimit, func(ctx context.Context) (rego.ResultSet, error) {
		return p.query.Eval(ctx, opts...)
	})
	if err == nil && len(rs) != 1 {
		err = fmt.Errorf("the query gave %d results instead of one", len(rs))
	}
	if err != nil {
		return nil, &evalErr{err: err, where: tr.where()}
	}
	return rs, nil
}

// decode turns the result of evaluating p into results; a failed
// evaluation is one denial saying why (fail closed).
func (p *Package) decode(rs rego.ResultSet, failed *evalErr, e *Engine) []Result {
	if failed != nil {
		return []Result{{
			Kind: Deny, Policy: p.Name, File: p.File, EvalError: true,
			Msg: e.failure(p, failed),
		}}
	}
	var out []Result
	for _, rule := range p.rules {
		kind := Deny
		if rule == ruleWarn {
			kind = Warn
		}
		// The binding is [] for an undefined rule, [value] otherwise.
		vals, _ := rs[0].Bindings[rule].([]any)
		for _, v := range vals {
			out = append(out, p.results(kind, v)...)
		}
	}
	return out
}

// failure says why p failed to evaluate, and that the change is denied.
func (e *Engine) failure(p *Package, f *evalErr) string {
	in := ""
	if f.where != "" {
		in = "; it was in " + f.where
	}
	switch {
	case errors.Is(f.err, errTimeout):
		return fmt.Sprintf("policy %s did not finish within the time limit of %v (policy.timeout) and was stopped%s, so the change is denied", p.Name, e.timeout, in)
	case errors.Is(f.err, errMemory):
		return fmt.Sprintf("policy %s needed more than %s of memory (policy.memory_limit) and was stopped%s, so the change is denied", p.Name, Bytes(e.memLimit), in)
	}
	return fmt.Sprintf("policy %s failed to evaluate, so the change is denied: %v", p.Name, f.err)
}

// Bytes renders a size as "2GiB", "512MiB" or "1000B".
func Bytes(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d%s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%dB", n)
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
	"changegate.drift", "changegate.capacity", "changegate.reachability", "changegate.n1", "changegate.rollback",
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
