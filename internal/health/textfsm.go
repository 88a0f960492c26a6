package health

import (
	"context"
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/changegate/changegate/internal/textfsm"
	"github.com/changegate/changegate/plans"
)

// textFSMMatch is a compiled textfsm expectation: the output is parsed
// with the template into records, and the Rego expression is evaluated
// with output bound to the list of records (text and lines as for json).
type textFSMMatch struct {
	tmpl *textfsm.Template
	expr *regoExpr
}

func compileTextFSM(e plans.Expect) (*textFSMMatch, error) {
	if e.Template == "" {
		return nil, errors.New("expect textfsm has no template")
	}
	t, err := textfsm.Compile(e.Template)
	if err != nil {
		what := "TextFSM template"
		if e.TemplateFile != "" {
			what += " " + e.TemplateFile
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	x, err := compileRego(e.Value)
	if err != nil {
		return nil, err
	}
	return &textFSMMatch{tmpl: t, expr: x}, nil
}

// parsed is what parsing an output with a template gave.
type parsed struct {
	recs []map[string]any
	err  error
}

func (m *textFSMMatch) match(ctx context.Context, out string) (bool, string, error) {
	// gotextfsm takes no context, and compiles each rule's regex for each
	// line: on a long output with a big template it can take seconds.
	// The try does not wait for it past its timeout.
	done := make(chan parsed, 1)
	go func() {
		recs, err := m.tmpl.Parse(out)
		done <- parsed{recs, err}
	}()
	var recs []map[string]any
	var err error
	select {
	case <-ctx.Done():
		err := context.Cause(ctx)
		return false, fmt.Sprintf("the TextFSM template did not finish parsing the output: %v", err), fmt.Errorf("parse the output with the TextFSM template: %w", err)
	case p := <-done:
		recs, err = p.recs, p.err
	}
	if err != nil {
		return false, fmt.Sprintf("the TextFSM template could not parse the output: %v", err), fmt.Errorf("parse the output with the TextFSM template: %w", err)
	}
	list := make([]*ast.Term, len(recs))
	for i, r := range recs {
		v, err := ast.InterfaceToValue(r)
		if err != nil { // records hold only strings, lists and maps of them
			return false, fmt.Sprintf("cannot hand record %d to the expression: %v", i+1, err), fmt.Errorf("record %d: %w", i+1, err)
		}
		list[i] = ast.NewTerm(v)
	}
	summary := recordsParsed(len(recs))
	failPrefix := summary + "; "
	if len(recs) == 0 {
		failPrefix = fmt.Sprintf("the template parsed no records from the output (%s): check that it matches what the command prints; ", linesOf(out))
	}
	passed, reason, err := m.expr.eval(ctx, out, ast.NewArray(list...), failPrefix)
	if passed || err != nil {
		reason = summary + "; " + reason
	}
	return passed, reason, err
}

func recordsParsed(n int) string {
	if n == 1 {
		return "the template parsed 1 record"
	}
	return fmt.Sprintf("the template parsed %d records", n)
}

func linesOf(out string) string {
	n := len(splitLines(out))
	if n == 1 {
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}
