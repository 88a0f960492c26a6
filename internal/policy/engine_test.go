package policy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
)

// testFS is a small built-in library for testing the engine on its own.
func testFS() fstest.MapFS {
	return fstest.MapFS{
		"params.yaml": {Data: []byte("changegate:\n  params:\n    limits:\n      max: 10\n      classes: {gold: 1}\n")},
		"limits.rego": {Data: []byte(`# METADATA
# title: Limits
# description: Values must stay under the limit.
package changegate.limits

deny contains {"msg": sprintf("value %d over %d", [v, lim]), "step": i} if {
	lim := data.changegate.params.limits.max
	some i, v in input.values
	v > lim
}

warn contains "values are empty" if {
	count(input.values) == 0
}

violation contains "negative value" if {
	some v in input.values
	v < 0
}
`)},
		"limits_test.rego": {Data: []byte(`package changegate.limits_test

import data.changegate.limits

test_over if {
	count(limits.deny) == 1 with input as {"values": [11]}
}

test_under if {
	count(limits.deny) == 0 with input as {"values": [10]}
}
`)},
	}
}

func load(t *testing.T, opts Options) *Engine {
	t.Helper()
	if opts.builtinFS == nil && !opts.NoBuiltins {
		opts.builtinFS = testFS()
	}
	e, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func eval(t *testing.T, e *Engine, input map[string]any) *Decision {
	t.Helper()
	v, err := ast.InterfaceToValue(input)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Evaluate(context.Background(), v, StageCheck)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestResultsNameTheirRule(t *testing.T) {
	e := load(t, Options{})
	d := eval(t, e, map[string]any{"values": []any{5, 12, -1}})
	want := []Result{
		{Kind: Deny, Policy: "changegate.limits", File: "policies/limits.rego", Line: 16, Msg: "negative value"},
		{Kind: Deny, Policy: "changegate.limits", File: "policies/limits.rego", Line: 6, Msg: "value 12 over 10", Step: 1},
	}
	if diff := cmp.Diff(want, d.Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if !d.Denied() || d.Count(Deny) != 2 || d.Count(Warn) != 0 {
		t.Errorf("Denied %v, %d denials, %d warnings", d.Denied(), d.Count(Deny), d.Count(Warn))
	}

	d = eval(t, e, map[string]any{"values": []any{}})
	if d.Denied() || d.Count(Warn) != 1 || d.Results[0].Msg != "values are empty" || d.Results[0].Line != 12 {
		t.Errorf("empty input: %+v", d.Results)
	}
}

func TestPackageMetadata(t *testing.T) {
	e := load(t, Options{})
	ps := e.Packages()
	if len(ps) != 1 || ps[0].Title != "Limits" || ps[0].Description != "Values must stay under the limit." || !ps[0].Builtin {
		t.Fatalf("packages: %+v", ps)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCompileErrorsHaveFileAndLine(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		want      string
	}{
		{"syntax", "package mine\n\ndeny contains msg if {\n  msg := \n}\n", 5, "rego_parse_error"},
		{"v0 syntax", "package mine\n\ndeny[msg] {\n  msg := \"x\"\n}\n", 3, "rego_parse_error"},
		{"unused variable (strict)", "package mine\n\ndeny contains \"x\" if {\n  some v\n  input.a == 1\n}\n", 4, "rego_compile_error"},
		{"unknown function", "package mine\n\ndeny contains \"x\" if {\n  nosuch(input.a)\n}\n", 4, "rego_type_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"mine.rego": tt.src})
			_, err := Load(context.Background(), Options{Dirs: []string{dir}, builtinFS: testFS()})
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a CompileError", err)
			}
			ds := ce.Diags.Errors()
			if len(ds) == 0 {
				t.Fatal("no diagnostics")
			}
			d := ds[0]
			if !strings.HasSuffix(d.Pos.File, "mine.rego") || d.Pos.Line != tt.line || !strings.Contains(d.Msg, tt.want) {
				t.Errorf("got %s, want mine.rego:%d with %s", d, tt.line, tt.want)
			}
		})
	}
}

func TestEvaluationErrorFailsClosed(t *testing.T) {
	dir := writeFiles(t, map[string]string{"mine.rego": `package mine

deny contains "never" if {
	to_number(input.s) > 1000
}

warn contains msg if {
	msg := "fine"
	input.s
}
`})
	e := load(t, Options{Dirs: []string{dir}})
	d := eval(t, e, map[string]any{"s": "not a number", "values": []any{}})
	var found bool
	for _, r := range d.Results {
		if r.Policy == "mine" {
			found = true
			if r.Kind != Deny || !r.EvalError || !strings.Contains(r.Msg, "failed to evaluate") || !strings.Contains(r.Msg, "to_number") {
				t.Errorf("got %+v, want a denial carrying the error", r)
			}
		}
	}
	if !found || !d.Denied() {
		t.Fatalf("an evaluation error must deny; got %+v", d.Results)
	}
}

func TestUserPoliciesBesideBuiltins(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"sub/site.rego":      "package site\n\ndeny contains \"too many\" if count(input.values) > 2\n",
		"sub/site_test.rego": "package site_test\n\ntest_x if true\n",
		"README.md":          "not a policy",
	})
	e := load(t, Options{Dirs: []string{dir}})
	var names []string
	for _, p := range e.Packages() {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"changegate.limits", "site"}, names); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	d := eval(t, e, map[string]any{"values": []any{1, 2, 3}})
	if len(d.Results) != 1 || d.Results[0].Policy != "site" || d.Results[0].File != filepath.ToSlash(dir)+"/sub/site.rego" || d.Results[0].Line != 3 {
		t.Errorf("results: %+v", d.Results)
	}
}

func TestEmptyPolicyDirIsAnError(t *testing.T) {
	dir := writeFiles(t, map[string]string{"notes.txt": "x"})
	_, err := Load(context.Background(), Options{Dirs: []string{dir}, builtinFS: testFS()})
	if err == nil || !strings.Contains(err.Error(), "no .rego files") {
		t.Fatalf("got %v", err)
	}
	_, err = Load(context.Background(), Options{Dirs: []string{filepath.Join(dir, "missing")}, builtinFS: testFS()})
	if err == nil {
		t.Fatal("a missing directory must be an error")
	}
}

// A disabled built-in policy is still evaluated: its denials are
// warnings at check and denials at apply, marked Disabled; its warnings
// are dropped. A disabled policy of the user's is not evaluated.
func TestDisable(t *testing.T) {
	user := writeFiles(t, map[string]string{
		"a.rego": "package a\n\nwarn contains \"a\" if true\n",
		"b.rego": "package b\n\ndeny contains \"b\" if true\n",
	})
	e := load(t, Options{Disable: []string{"changegate.limits", "b"}, Dirs: []string{user}})
	if got := len(e.Packages()); got != 1 || e.Packages()[0].Name != "a" {
		t.Errorf("evaluated packages: %+v", e.Packages())
	}
	input, err := ast.InterfaceToValue(map[string]any{"values": []any{100}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		stage  Stage
		kind   Kind
		prefix string
	}{
		{StageCheck, Warn, "policy disabled by configuration would deny: "},
		{StageApply, Deny, "policy disabled by configuration denies: "},
	} {
		d, err := e.Evaluate(context.Background(), input, tt.stage)
		if err != nil {
			t.Fatal(err)
		}
		want := []Result{
			{Kind: tt.kind, Policy: "changegate.limits", File: "policies/limits.rego", Line: 6, Msg: tt.prefix + "value 100 over 10", Disabled: true},
			{Kind: Warn, Policy: "a", File: filepath.ToSlash(user) + "/a.rego", Line: 3, Msg: "a"},
		}
		if tt.kind == Warn {
			want[0], want[1] = want[1], want[0]
		}
		if diff := cmp.Diff(want, d.Results); diff != "" {
			t.Errorf("%s: results (-want +got):\n%s", tt.stage, diff)
		}
		if d.Denied() != (tt.stage == StageApply) {
			t.Errorf("%s: denied %v", tt.stage, d.Denied())
		}
	}

	_, err = Load(context.Background(), Options{Disable: []string{"changegate.limit"}, builtinFS: testFS()})
	if err == nil || !strings.Contains(err.Error(), `did you mean "changegate.limits"`) {
		t.Errorf("got %v", err)
	}
}

func TestParamOverrides(t *testing.T) {
	e := load(t, Options{Params: map[string]any{"limits": map[string]any{"max": 100}}})
	if d := eval(t, e, map[string]any{"values": []any{50}}); d.Denied() {
		t.Errorf("override ignored: %+v", d.Results)
	}
	e = load(t, Options{Params: map[string]any{"limits": map[string]any{"max": 40}}})
	if d := eval(t, e, map[string]any{"values": []any{50}}); !d.Denied() {
		t.Error("lower limit did not deny")
	}

	for _, tt := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"limit": map[string]any{"max": 1}}, `did you mean "limits"?`},
		{map[string]any{"limits": map[string]any{"maxx": 1}}, `no parameter "maxx"; did you mean "max"?`},
		{map[string]any{"limits": 3}, "give a mapping"},
	} {
		_, err := Load(context.Background(), Options{Params: tt.params, builtinFS: testFS()})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: got %v, want %q", tt.params, err, tt.want)
		}
	}
}

func TestParamMapsMergeKeyByKey(t *testing.T) {
	defaults, err := loadParams(testFS(), false)
	if err != nil {
		t.Fatal(err)
	}
	params, err := resolveParams(defaults, map[string]any{"limits": map[string]any{"classes": map[string]any{"silver": 2}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := jsonValue(params.builtin["limits"])
	want, _ := jsonValue(map[string]any{"max": 10, "classes": map[string]any{"gold": 1, "silver": 2}})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged params (-want +got):\n%s", diff)
	}
}

func TestDigest(t *testing.T) {
	base := load(t, Options{}).Digest()
	if again := load(t, Options{}).Digest(); again != base {
		t.Error("digest is not stable")
	}
	changed := testFS()
	changed["limits.rego"] = &fstest.MapFile{Data: append(append([]byte(nil), changed["limits.rego"].Data...), '\n')}
	for name, opts := range map[string]Options{
		"source":  {builtinFS: changed},
		"params":  {Params: map[string]any{"limits": map[string]any{"max": 11}}},
		"disable": {Disable: []string{"changegate.limits"}, Dirs: []string{writeFiles(t, map[string]string{"a.rego": "package a\n\nwarn contains \"a\" if true\n"})}},
	} {
		if d := load(t, opts).Digest(); d == base {
			t.Errorf("changing the %s does not change the digest", name)
		}
	}
	// Tests are not part of the policy set.
	noTests := testFS()
	delete(noTests, "limits_test.rego")
	if d := load(t, Options{builtinFS: noTests}).Digest(); d != base {
		t.Error("a test file changed the policy digest")
	}
}

func TestRunTests(t *testing.T) {
	dir := writeFiles(t, map[string]string{"mine_test.rego": "package mine_test\n\ntest_fails if {\n  1 == 2\n}\n"})
	rs, err := RunTests(context.Background(), Options{builtinFS: testFS(), Dirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range rs {
		got[r.Package+"."+r.Name] = r.Pass()
	}
	want := map[string]bool{
		"data.changegate.limits_test.test_over":  true,
		"data.changegate.limits_test.test_under": true,
		"data.mine_test.test_fails":              false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("test results (-want +got):\n%s", diff)
	}
}

// Complete rules are read too: a boolean deny denies when true, and
// results sort with the built-in policies first and, within a rule, the
// worst utilisation first.
func TestCompleteRulesAndOrder(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.rego": "package a\n\ndeny := input.flag\n",
		"b.rego": `package b

warn contains {"msg": sprintf("u %v", [u]), "utilization": u} if {
	some u in input.values
}
`,
	})
	e := load(t, Options{Dirs: []string{dir}, Params: map[string]any{"limits": map[string]any{"max": 1000}}})
	d := eval(t, e, map[string]any{"flag": true, "values": []any{0.5, 2, 1}})
	var got []string
	for _, r := range d.Results {
		got = append(got, r.Policy+" "+r.Msg)
	}
	want := []string{"a deny is true", "b u 2", "b u 1", "b u 0.5"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	d = eval(t, e, map[string]any{"flag": false, "values": []any{}})
	if d.Denied() {
		t.Errorf("deny := false denied: %+v", d.Results)
	}
}

// An undefined complete rule reports nothing and does not hide the
// package's other rules.
func TestUndefinedCompleteRule(t *testing.T) {
	dir := writeFiles(t, map[string]string{"c.rego": `package c

deny := "flagged" if input.flag

warn contains "always" if true
`})
	e := load(t, Options{Dirs: []string{dir}})
	d := eval(t, e, map[string]any{"values": []any{}})
	for _, r := range d.Results {
		if r.Policy == "c" && r.Kind == Deny {
			t.Errorf("undefined deny reported: %+v", r)
		}
	}
	if !strings.Contains(compact(d.Results), `"msg":"always"`) {
		t.Errorf("warn hidden: %+v", d.Results)
	}
	d = eval(t, e, map[string]any{"values": []any{}, "flag": true})
	if !d.Denied() {
		t.Errorf("defined deny not reported: %+v", d.Results)
	}
}
