package health

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/changegate/changegate/internal/regocap"
)

// The Rego expression of a json check is evaluated in package
// changegate.health, whose rules output, text and lines read the input
// the check builds from the command's output.
const (
	regoPackage = "changegate.health"
	regoModule  = `package changegate.health

output := input.output

text := input.text

lines := input.lines
`
	// valueVar receives the value of one expression evaluated on its own.
	valueVar = "changegate_health_value"
)

// capabilities are those of every Rego changegate evaluates (no I/O, no
// environment: see regocap), also without the deprecated built-ins and
// trace: an expression reads the output it is given and nothing else.
// (print needs no entry: print statements are compiled out.)
var capabilities = sync.OnceValue(func() *ast.Capabilities {
	return regocap.Capabilities(func(b *ast.Builtin) bool {
		return b.IsDeprecated() || b.Name == "trace"
	})
})

// regoExpr is a compiled Rego expression. When every expression of the
// body stands on its own (no variable shared between expressions), each
// is evaluated as a value so that a failure can say which one is false
// and what its operands were; otherwise the body is one query.
type regoExpr struct {
	src   string
	parts []*regoPart             // each must evaluate to true, in order
	body  *rego.PreparedEvalQuery // set when parts is nil
	uses  map[string]bool         // which of output, text, lines it reads
}

type regoPart struct {
	src      string
	query    rego.PreparedEvalQuery
	operands []operand // for a comparison, its non-constant sides
}

type operand struct {
	src   string
	query rego.PreparedEvalQuery
}

var comparisons = map[string]bool{
	ast.Equal.Name: true, ast.NotEqual.Name: true,
	ast.LessThan.Name: true, ast.LessThanEq.Name: true,
	ast.GreaterThan.Name: true, ast.GreaterThanEq.Name: true,
}

func compileRego(src string) (*regoExpr, error) {
	body, err := ast.ParseBodyWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, fmt.Errorf("parse Rego expression: %w", err)
	}
	e := &regoExpr{src: src, uses: map[string]bool{}}
	ast.WalkVars(body, func(v ast.Var) bool {
		switch v {
		case "output", "text", "lines":
			e.uses[string(v)] = true
		case "input":
			e.uses["output"], e.uses["text"], e.uses["lines"] = true, true, true
		}
		return false
	})

	if !standalone(body) {
		q, err := prepare(body)
		if err != nil {
			return nil, err
		}
		e.body = &q
		return e, nil
	}
	for _, x := range body {
		t := exprTerm(x)
		q, err := prepare(ast.NewBody(assignValue(t, x.Location)))
		if err != nil {
			return nil, err
		}
		p := &regoPart{src: textOf(x.Location, x.String()), query: q}
		if call, ok := x.Terms.([]*ast.Term); ok && comparisons[call[0].String()] {
			for _, side := range call[1:] {
				if ast.IsConstant(side.Value) {
					continue
				}
				oq, err := prepare(ast.NewBody(assignValue(side, side.Location)))
				if err != nil {
					return nil, err
				}
				p.operands = append(p.operands, operand{src: textOf(side.Location, side.String()), query: oq})
			}
		}
		e.parts = append(e.parts, p)
	}
	return e, nil
}

// globals are the names an expression may use that are not its own
// variables.
var globals = map[ast.Var]bool{"output": true, "text": true, "lines": true, "input": true, "data": true}

// standalone reports whether every expression of body can be evaluated
// on its own: a plain term or call (not =, :=, some, every, not or with)
// whose only variables are global names or live inside comprehensions.
func standalone(body ast.Body) bool {
	for _, x := range body {
		if x.Negated || len(x.With) > 0 {
			return false
		}
		switch t := x.Terms.(type) {
		case *ast.Term:
		case []*ast.Term:
			op := t[0].String()
			if op == ast.Equality.Name || op == ast.Assign.Name || op == ast.Member.Name || op == ast.MemberWithKey.Name {
				return false
			}
		default: // some, every
			return false
		}
		vis := ast.NewVarVisitor().WithParams(ast.VarVisitorParams{SkipRefHead: true, SkipRefCallHead: true, SkipClosures: true})
		vis.Walk(x)
		for v := range vis.Vars() {
			if !globals[v] {
				return false
			}
		}
	}
	return true
}

// assignValue is `valueVar := t`, located where t was written so that
// errors point at it.
func assignValue(t *ast.Term, loc *ast.Location) *ast.Expr {
	x := ast.Assign.Expr(ast.VarTerm(valueVar), t)
	x.Location = loc
	return x
}

func exprTerm(x *ast.Expr) *ast.Term {
	switch t := x.Terms.(type) {
	case *ast.Term:
		return t
	case []*ast.Term:
		c := ast.CallTerm(t...)
		c.Location = x.Location
		return c
	}
	panic(fmt.Sprintf("health: no term for expression %v", x))
}

func textOf(loc *ast.Location, fallback string) string {
	if loc != nil && len(loc.Text) > 0 {
		return string(loc.Text)
	}
	return fallback
}

// prepare compiles a query in strict mode, against the health package and
// without the denied built-ins.
func prepare(body ast.Body) (rego.PreparedEvalQuery, error) {
	q, err := rego.New(
		rego.ParsedQuery(body),
		rego.Module("changegate_health.rego", regoModule),
		rego.Package(regoPackage),
		rego.Capabilities(capabilities()),
		rego.SetRegoVersion(ast.RegoV1),
		rego.Strict(true),
		rego.StrictBuiltinErrors(true),
		rego.EnablePrintStatements(false),
	).PrepareForEval(context.Background())
	if err != nil {
		return rego.PreparedEvalQuery{}, fmt.Errorf("compile Rego expression: %w", tidy(err))
	}
	return q, nil
}

// tidy drops the unsafe-variable errors OPA reports on the variables it
// generates (such as the "_" capturing an expression's value), which name
// nothing the user wrote, and sorts the rest.
func tidy(err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return err
	}
	var keep ast.Errors
	for _, e := range errs {
		if e.Code == ast.UnsafeVarErr && (strings.HasSuffix(e.Message, "var _ is unsafe") || strings.Contains(e.Message, "var __")) {
			continue
		}
		keep = append(keep, e)
	}
	if len(keep) == 0 {
		return err
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].Error() < keep[j].Error() })
	return keep
}

// parseJSON parses the whole of text (surrounding white space aside) as
// one JSON value, keeping numbers exact.
func parseJSON(text string) (any, error) {
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	end := d.InputOffset()
	if rest := strings.TrimSpace(text[end:]); rest != "" {
		return nil, fmt.Errorf("text after the JSON value at offset %d: %q", end, cut(rest, maxQuoted))
	}
	return v, nil
}

// splitLines splits text into lines: on \n, each line without its \r,
// and no empty last line for text that ends with a newline.
func splitLines(text string) []string {
	if text == "" {
		return []string{}
	}
	text = strings.TrimSuffix(text, "\n")
	ls := strings.Split(text, "\n")
	for i, l := range ls {
		ls[i] = strings.TrimSuffix(l, "\r")
	}
	return ls
}

// input builds the Rego input: output bound to out (unless nil), text
// and lines to the text; only what the expression reads.
func (e *regoExpr) input(text string, out ast.Value) ast.Value {
	in := ast.NewObject()
	if e.uses["output"] && out != nil {
		in.Insert(ast.StringTerm("output"), ast.NewTerm(out))
	}
	if e.uses["text"] {
		in.Insert(ast.StringTerm("text"), ast.StringTerm(text))
	}
	if e.uses["lines"] {
		ls := splitLines(text)
		terms := make([]*ast.Term, len(ls))
		for i, s := range ls {
			terms[i] = ast.StringTerm(s)
		}
		in.Insert(ast.StringTerm("lines"), ast.ArrayTerm(terms...))
	}
	return in
}

// evalJSON evaluates the expression with output bound to the command's
// output parsed as JSON: undefined, and said so in a failing reason, when
// the output is not JSON (or is JSON OPA cannot hold, such as a number
// too big for it).
func (e *regoExpr) evalJSON(ctx context.Context, text string) (passed bool, reason string, err error) {
	if !e.uses["output"] {
		return e.eval(ctx, text, nil, "")
	}
	v, err := parseJSON(text)
	var out ast.Value
	if err == nil {
		out, err = ast.InterfaceToValue(v)
	}
	if err != nil {
		return e.eval(ctx, text, nil, fmt.Sprintf("the output is not JSON (%v), so output is undefined: ", err))
	}
	return e.eval(ctx, text, out, "")
}

// eval evaluates the expression with output bound to out (undefined
// when nil) and text and lines to the text. err is set when evaluation
// fails (a built-in error, a cancelled context); reason always says why,
// and starts with failPrefix when the expression is not true.
func (e *regoExpr) eval(ctx context.Context, text string, out ast.Value, failPrefix string) (passed bool, reason string, err error) {
	in := e.input(text, out)
	if e.body != nil {
		rs, err := e.body.Eval(ctx, rego.EvalParsedInput(in))
		if err != nil {
			return false, fmt.Sprintf("expression `%s` failed: %v", shown(e.src), err), fmt.Errorf("evaluate expression: %w", err)
		}
		if len(rs) == 0 {
			return false, failPrefix + fmt.Sprintf("expression `%s` is false or undefined", shown(e.src)), nil
		}
		return true, fmt.Sprintf("expression `%s` is true", shown(e.src)), nil
	}
	for _, p := range e.parts {
		v, defined, err := evalValue(ctx, p.query, in)
		if err != nil {
			return false, fmt.Sprintf("expression `%s` failed: %v", shown(p.src), err), fmt.Errorf("evaluate expression: %w", err)
		}
		if defined && v == true {
			continue
		}
		var what string
		switch {
		case !defined:
			what = "undefined"
		case v == false:
			what = "false"
		default:
			what = render(v) + ", not true"
		}
		var facts []string
		for _, o := range p.operands {
			ov, odef, oerr := evalValue(ctx, o.query, in)
			switch {
			case oerr != nil:
				facts = append(facts, fmt.Sprintf("%s fails: %v", o.src, oerr))
			case !odef:
				facts = append(facts, o.src+" is undefined")
			default:
				facts = append(facts, o.src+" is "+render(ov))
			}
		}
		r := fmt.Sprintf("expression `%s` is %s", shown(p.src), what)
		if len(facts) > 0 {
			r += " (" + strings.Join(facts, "; ") + ")"
		}
		return false, failPrefix + r, nil
	}
	return true, fmt.Sprintf("expression `%s` is true", shown(e.src)), nil
}

func evalValue(ctx context.Context, q rego.PreparedEvalQuery, in ast.Value) (any, bool, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(in))
	if err != nil {
		return nil, false, err
	}
	if len(rs) == 0 {
		return nil, false, nil
	}
	// A standalone expression has no free variables: one result.
	return rs[0].Bindings[valueVar], true, nil
}

// maxRendered bounds a value quoted in a reason.
const maxRendered = 200

// render writes a Rego result value as compact JSON (a set as an array),
// cut at maxRendered bytes.
func render(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return cut(strings.TrimSuffix(b.String(), "\n"), maxRendered)
}

// cut shortens s to at most n bytes (on a rune boundary), marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + fmt.Sprintf("… (%d bytes)", len(s))
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// shown is an expression as quoted in a reason: a multi-line body on one
// line, its lines joined by "; " (as Rego reads them).
func shown(src string) string {
	if !strings.Contains(src, "\n") {
		return src
	}
	var parts []string
	for _, l := range strings.Split(src, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}
