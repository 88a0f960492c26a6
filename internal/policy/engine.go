package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/changegate/changegate/internal/diag"
	"github.com/changegate/changegate/policies"
)

// Options say which policies to load besides the built-in ones, and how
// to tune them.
type Options struct {
	// Dirs are the user's policy directories (or single .rego files),
	// loaded beside the built-in policies. Files named *_test.rego are
	// tests, not policies.
	Dirs []string
	// Disable lists packages not to evaluate, such as
	// "changegate.window". Naming a package that is not loaded is an
	// error, so a typo cannot leave a policy on.
	Disable []string
	// Params override the built-in parameters (data.changegate.params):
	// Params["capacity"]["threshold"] = 0.7, say. Mappings are merged
	// key by key; other values replace the default.
	Params map[string]any
	// NoBuiltins leaves the built-in library out (for testing user
	// policies on their own).
	NoBuiltins bool
	// builtinFS replaces the embedded built-in policies in tests.
	builtinFS fs.FS
}

// Engine holds compiled policies, ready to evaluate. It is safe for
// concurrent use.
type Engine struct {
	packages []*Package
	digest   string
	hotFloor float64
}

// Package is one policy package that has deny, violation or warn rules.
type Package struct {
	// Name is the package path without "data.", such as changegate.capacity.
	Name string
	// File is the file that declares it (the first, when several do).
	File string
	// Title and Description come from the package's METADATA annotation.
	Title, Description string
	// Builtin is true for the built-in library.
	Builtin bool
	rules   []string // result rules it defines, sorted
	query   rego.PreparedEvalQuery
}

// CompileError reports policies that do not parse or compile, each
// problem with its file, line and column.
type CompileError struct {
	Diags diag.Diagnostics
}

func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policies do not compile (%d problems)", len(e.Diags.Errors()))
	for _, d := range e.Diags.Errors() {
		b.WriteString("\n")
		b.WriteString(d.String())
	}
	return b.String()
}

// Load parses and compiles the built-in and user policies in strict mode
// and prepares one query per policy package. Problems in the policies are
// returned as a *CompileError.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	srcs, err := opts.sources(false)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no policies to evaluate: the built-in policies are off and no policy directory was given")
	}

	mods, ds := parse(srcs)
	if ds.HasErrors() {
		return nil, &CompileError{Diags: ds}
	}
	tagged := make(map[string]*ast.Module, len(mods))
	for name, m := range mods {
		tagged[name] = tagResults(m)
	}
	c := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(false)
	c.Compile(tagged)
	if c.Failed() {
		var ds diag.Diagnostics
		addRegoErrors(&ds, "", c.Errors, "fix the policy; policies compile in strict mode (no unused variables or imports, no shadowed input or data)")
		ds.Sort()
		return nil, &CompileError{Diags: ds}
	}

	builtinSet := map[string]bool{}
	for _, s := range srcs {
		builtinSet[s.name] = s.builtin
	}
	pkgs := packagesOf(mods, builtinSet)
	if err := checkDisable(pkgs, opts.Disable); err != nil {
		return nil, err
	}

	params, err := loadParams(opts.builtinFS, opts.NoBuiltins)
	if err != nil {
		return nil, err
	}
	if err := mergeParams(params, opts.Params, pkgs); err != nil {
		return nil, err
	}
	store := inmem.NewFromObject(map[string]any{"changegate": map[string]any{"params": params}})

	disabled := map[string]bool{}
	for _, d := range opts.Disable {
		disabled[d] = true
	}
	e := &Engine{}
	for _, p := range pkgs {
		if disabled[p.Name] {
			continue
		}
		// One query per package, so that helper rules its deny and warn
		// rules share are evaluated once. Each rule is read through a
		// comprehension: a complete rule (`deny := msg if ...`) may be
		// undefined, which must not make the whole query undefined.
		var q []string
		for _, r := range p.rules {
			q = append(q, fmt.Sprintf("%s := [x | x := data.%s.%s]", r, p.Name, r))
		}
		pq, err := rego.New(
			rego.Compiler(c),
			rego.Store(store),
			rego.Query(strings.Join(q, "; ")),
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare policy %s: %w", p.Name, err)
		}
		p.query = pq
		e.packages = append(e.packages, p)
	}
	e.digest = digest(srcs, params, opts.Disable)
	e.hotFloor = hotFloor(params)
	return e, nil
}

// sources reads the built-in policies (unless NoBuiltins) and the user's,
// with or without their tests.
func (opts Options) sources(withTests bool) ([]source, error) {
	var srcs []source
	if !opts.NoBuiltins {
		fsys := opts.builtinFS
		if fsys == nil {
			fsys = policies.FS
		}
		b, err := readFS(fsys, BuiltinPrefix, true, withTests)
		if err != nil {
			return nil, fmt.Errorf("built-in policies: %w", err)
		}
		srcs = append(srcs, b...)
	}
	user, err := readDirs(opts.Dirs, withTests)
	if err != nil {
		return nil, err
	}
	return append(srcs, user...), nil
}

// packagesOf lists the packages that define result rules, sorted by name.
func packagesOf(mods map[string]*ast.Module, builtin map[string]bool) []*Package {
	byName := map[string]*Package{}
	files := make([]string, 0, len(mods))
	for f := range mods {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		m := mods[f]
		name := strings.TrimPrefix(m.Package.Path.String(), "data.")
		rules := map[string]bool{}
		for _, r := range m.Rules {
			if r.Head != nil && len(r.Head.Ref()) == 1 && isResultRule(r.Head.Ref().String()) {
				rules[r.Head.Ref().String()] = true
			}
		}
		p := byName[name]
		if p == nil {
			p = &Package{Name: name, File: f, Builtin: builtin[f]}
			byName[name] = p
		}
		for _, a := range m.Annotations {
			if a.Scope == "package" {
				if p.Title == "" {
					p.Title = a.Title
				}
				if p.Description == "" {
					p.Description = strings.TrimSpace(a.Description)
				}
			}
		}
		for r := range rules {
			if !contains(p.rules, r) {
				p.rules = append(p.rules, r)
			}
		}
	}
	var out []*Package
	for _, p := range byName {
		if len(p.rules) == 0 {
			continue
		}
		sort.Strings(p.rules)
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkDisable(pkgs []*Package, disable []string) error {
	var names []string
	for _, p := range pkgs {
		names = append(names, p.Name)
	}
	for _, d := range disable {
		if contains(names, d) {
			continue
		}
		hint := "policies with rules: " + strings.Join(names, ", ")
		if best, ok := diag.Suggest(d, names); ok {
			hint = fmt.Sprintf("did you mean %q?", best)
		}
		return fmt.Errorf("cannot disable policy %q: no such policy package (%s)", d, hint)
	}
	return nil
}

// Packages returns the packages the engine evaluates, sorted by name.
func (e *Engine) Packages() []*Package { return e.packages }

// Digest is the canonical digest of the policy set: every policy file,
// the parameters after overrides, and the disabled packages. An approval
// binds to it, so changing any policy or parameter needs new approvals.
func (e *Engine) Digest() string { return e.digest }

func digest(srcs []source, params map[string]any, disabled []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "changegate policy set v1\n")
	sorted := append([]source(nil), srcs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, s := range sorted {
		fmt.Fprintf(h, "file %q %d\n", s.name, len(s.data))
		h.Write(s.data)
	}
	p, _ := json.Marshal(params) // maps marshal with sorted keys
	fmt.Fprintf(h, "params %d\n", len(p))
	h.Write(p)
	d := append([]string(nil), disabled...)
	sort.Strings(d)
	fmt.Fprintf(h, "disabled %q\n", d)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// HotFloor is the utilisation above which the input lists link directions
// in hot_links (by their utilisation or their N-1 worst case): the lowest capacity
// threshold among the parameters (capacity.threshold and every
// capacity.class_thresholds value), so that a policy comparing against
// any of those thresholds finds every candidate there without scanning
// every link direction of every state. Without capacity parameters it is
// 0: every loaded direction is hot.
func (e *Engine) HotFloor() float64 { return e.hotFloor }

func hotFloor(params map[string]any) float64 {
	capacity, _ := params["capacity"].(map[string]any)
	floor, found := 0.0, false
	consider := func(v any) {
		n, ok := v.(json.Number)
		if !ok {
			return
		}
		f, err := n.Float64()
		if err != nil {
			return
		}
		if !found || f < floor {
			floor, found = f, true
		}
	}
	consider(capacity["threshold"])
	if ct, ok := capacity["class_thresholds"].(map[string]any); ok {
		for _, v := range ct {
			consider(v)
		}
	}
	if !found || floor < 0 {
		return 0
	}
	return floor
}
