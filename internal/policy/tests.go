package policy

import (
	"context"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestResult is the outcome of one Rego unit test (a rule named test_*).
type TestResult = tester.Result

// RunTests runs the Rego unit tests of the built-in policies (unless
// opts.NoBuiltins) and of the user's policy directories, with the
// parameters after opts.Params, the way `opa test` does. Policies that do
// not parse or compile give a *CompileError.
func RunTests(ctx context.Context, opts Options) ([]*TestResult, error) {
	srcs, err := opts.sources(true)
	if err != nil {
		return nil, err
	}
	mods, ds := parse(srcs)
	if ds.HasErrors() {
		return nil, &CompileError{Diags: ds}
	}
	params, err := loadParams(opts.builtinFS, opts.NoBuiltins)
	if err != nil {
		return nil, err
	}
	var pkgs []*Package
	for _, m := range mods {
		pkgs = append(pkgs, &Package{Name: trimData(m.Package.Path)})
	}
	if err := mergeParams(params, opts.Params, pkgs); err != nil {
		return nil, err
	}
	store := inmem.NewFromObject(map[string]any{"changegate": map[string]any{"params": params}})
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("run policy tests: %w", err)
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithStrict(true)).
		SetStore(store).
		SetModules(mods).
		RaiseBuiltinErrors(true).
		CapturePrintOutput(true).
		SetTimeout(30*time.Second).
		RunTests(ctx, txn)
	if err != nil {
		var cds = CompileError{}
		addRegoErrors(&cds.Diags, "", err, "fix the policy or its test; policies compile in strict mode")
		if cds.Diags.HasErrors() {
			return nil, &cds
		}
		return nil, fmt.Errorf("run policy tests: %w", err)
	}
	var out []*TestResult
	for r := range ch {
		out = append(out, r)
	}
	return out, nil
}

func trimData(r ast.Ref) string {
	s := r.String()
	if len(s) > 5 && s[:5] == "data." {
		return s[5:]
	}
	return s
}
