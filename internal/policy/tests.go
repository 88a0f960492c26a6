package policy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
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
	timeout, memLimit, err := opts.limits()
	if err != nil {
		return nil, err
	}
	srcs, err := opts.sources(ctx, true)
	if err != nil {
		return nil, err
	}
	mods, ds := parse(srcs)
	ds = append(ds, checkUserModules(mods, srcs)...)
	if ds.HasErrors() {
		ds.Sort()
		return nil, &CompileError{Diags: ds}
	}
	defaults, err := loadParams(opts.builtinFS, opts.NoBuiltins)
	if err != nil {
		return nil, err
	}
	builtin := map[string]bool{}
	for _, s := range srcs {
		builtin[s.name] = s.builtin
	}
	params, err := resolveParams(defaults, opts.Params, userPackages(mods, builtin))
	if err != nil {
		return nil, err
	}
	store := inmem.NewFromObject(params.data())
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("run policy tests: %w", err)
	}
	defer store.Abort(ctx, txn)
	// The whole run is bounded by the memory limit; each test by the time
	// limit or 30 s, whichever is longer (a test may evaluate a policy
	// several times).
	var out []*TestResult
	_, err = bounded(ctx, 0, memLimit, func(ctx context.Context) (rego.ResultSet, error) {
		ch, err := tester.NewRunner().
			SetCompiler(ast.NewCompiler().WithStrict(true).WithCapabilities(capabilities())).
			SetStore(store).
			SetModules(mods).
			RaiseBuiltinErrors(true).
			CapturePrintOutput(true).
			SetTimeout(max(timeout, 30*time.Second)).
			RunTests(ctx, txn)
		if err != nil {
			return nil, err
		}
		for r := range ch {
			out = append(out, r)
		}
		return nil, nil
	})
	switch {
	case errors.Is(err, errMemory):
		return nil, fmt.Errorf("run policy tests: they needed more than %s of memory (policy.memory_limit) and were stopped", Bytes(memLimit))
	case err != nil:
		var cds = CompileError{}
		addRegoErrors(&cds.Diags, "", err, "fix the policy or its test; policies compile in strict mode")
		if cds.Diags.HasErrors() {
			return nil, &cds
		}
		return nil, fmt.Errorf("run policy tests: %w", err)
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
