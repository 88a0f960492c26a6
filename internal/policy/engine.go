package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/regocap"
	"github.com/changegate/changegate/policies"
)

// Options say which policies to load besides the built-in ones, and how
// to tune them.
type Options struct {
	// Dirs are the user's policy directories (or single .rego files),
	// loaded beside the built-in policies. Files named *_test.rego are
	// tests, not policies. No package of theirs may be in the built-in
	// namespace (changegate and below).
	Dirs []string
	// Disable lists packages not to evaluate, such as
	// "changegate.window". Naming a package that is not loaded is an
	// error, so a typo cannot leave a policy on. A disabled built-in
	// policy is still evaluated, to tell what it would deny: at check a
	// warning, at apply a denial (see Evaluate).
	Disable []string
	// Params are the configuration's policy parameters, by policy: a
	// built-in policy's name (Params["capacity"]["threshold"] = 0.7,
	// merged over its defaults key by key, mappings recursively) or the
	// package path of a user's policy (Params["site.limits"], read by it
	// under data.changegate.user_params.site.limits).
	Params map[string]any
	// NoBuiltins leaves the built-in library out (for testing user
	// policies on their own).
	NoBuiltins bool
	// Timeout bounds the evaluation of each policy package; 0 means
	// DefaultTimeout. A policy that does not finish in time denies.
	Timeout time.Duration
	// MemoryLimit bounds how much the heap may grow while one policy
	// package is evaluated, in bytes; 0 means DefaultMemoryLimit. A
	// policy that needs more is stopped and denies. It is the process's
	// heap that is measured, every few milliseconds: evaluations running
	// at the same time count against each other's limit.
	MemoryLimit int64
	// builtinFS replaces the embedded built-in policies in tests.
	builtinFS fs.FS
}

// Defaults of Options.Timeout and Options.MemoryLimit.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMemoryLimit = 2 << 30
)

// limits returns the time and memory limits, refusing nonsense.
func (opts Options) limits() (time.Duration, int64, error) {
	timeout, mem := opts.Timeout, opts.MemoryLimit
	if timeout < 0 {
		return 0, 0, fmt.Errorf("policy time limit %v: give a positive duration, such as 10s", timeout)
	}
	if mem < 0 {
		return 0, 0, fmt.Errorf("policy memory limit %d bytes: give a positive size, such as 2GiB", mem)
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if mem == 0 {
		mem = DefaultMemoryLimit
	}
	return timeout, mem, nil
}

// Engine holds compiled policies, ready to evaluate. It is safe for
// concurrent use.
type Engine struct {
	packages []*Package
	// disabled are the built-in packages the configuration disables:
	// evaluated only to tell what they would deny.
	disabled []*Package
	set      Set
	hotFloor float64
	timeout  time.Duration
	memLimit int64
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

// Set describes the policy set an engine evaluates: what its digest is
// made of, in a form that can be shown and compared.
type Set struct {
	// Digest is the policy digest (Engine.Digest).
	Digest string `json:"digest"`
	// Files are the digests (sha256:...) of the policy files, by name.
	Files map[string]string `json:"files"`
	// Disabled are the packages the configuration disables, sorted.
	Disabled []string `json:"disabled"`
	// Params are the parameters the configuration sets to other than
	// their defaults, sorted by policy and name.
	Params []Param `json:"params"`
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

// capabilities are the built-in functions policies may call: all but
// those doing I/O or reading the environment.
var capabilities = sync.OnceValue(func() *ast.Capabilities { return regocap.Capabilities(nil) })

// Load parses and compiles the built-in and user policies in strict mode
// and prepares one query per policy package. Problems in the policies
// (a syntax or compile error, a user package in the built-in namespace, a
// call to a built-in function policies may not use) are returned as a
// *CompileError.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	timeout, memLimit, err := opts.limits()
	if err != nil {
		return nil, err
	}
	srcs, err := opts.sources(ctx, false)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no policies to evaluate: the built-in policies are off and no policy directory was given")
	}

	mods, ds := parse(srcs)
	ds = append(ds, checkUserModules(mods, srcs)...)
	if ds.HasErrors() {
		ds.Sort()
		return nil, &CompileError{Diags: ds}
	}
	tagged := make(map[string]*ast.Module, len(mods))
	for name, m := range mods {
		tagged[name] = tagResults(m)
	}
	c := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(false).WithCapabilities(capabilities())
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

	defaults, err := loadParams(opts.builtinFS, opts.NoBuiltins)
	if err != nil {
		return nil, err
	}
	params, err := resolveParams(defaults, opts.Params, userPackages(mods, builtinSet))
	if err != nil {
		return nil, err
	}
	store := inmem.NewFromObject(params.data())

	disabled := map[string]bool{}
	for _, d := range opts.Disable {
		disabled[d] = true
	}
	e := &Engine{timeout: timeout, memLimit: memLimit}
	for _, p := range pkgs {
		if disabled[p.Name] && !p.Builtin {
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
		if disabled[p.Name] {
			e.disabled = append(e.disabled, p)
		} else {
			e.packages = append(e.packages, p)
		}
	}
	e.set = Set{
		Digest:   setDigest(srcs, params, opts.Disable),
		Files:    map[string]string{},
		Disabled: append([]string{}, opts.Disable...),
		Params:   append([]Param{}, params.changed...),
	}
	sort.Strings(e.set.Disabled)
	for _, s := range srcs {
		sum := sha256.Sum256(s.data)
		e.set.Files[s.name] = "sha256:" + hex.EncodeToString(sum[:])
	}
	e.hotFloor = hotFloor(params.builtin)
	return e, nil
}

// userPackages are the paths of the user's packages (those with rules or
// not), by name.
func userPackages(mods map[string]*ast.Module, builtin map[string]bool) map[string]ast.Ref {
	out := map[string]ast.Ref{}
	for f, m := range mods {
		if !builtin[f] {
			out[trimData(m.Package.Path)] = m.Package.Path
		}
	}
	return out
}

// sources reads the built-in policies (unless NoBuiltins) and the user's,
// with or without their tests.
func (opts Options) sources(ctx context.Context, withTests bool) ([]source, error) {
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
	user, err := readDirs(ctx, opts.Dirs, withTests)
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
		if h := diag.DidYouMean(diag.Near(d, names)); h != "" {
			hint = h
		}
		return &UnknownPackageError{Name: d, Hint: hint}
	}
	return nil
}

// UnknownPackageError is a policy.disable entry that names no loaded
// policy package, so that a typo cannot leave a policy on.
type UnknownPackageError struct {
	Name, Hint string
}

func (e *UnknownPackageError) Error() string {
	return fmt.Sprintf("cannot disable policy %q: no such policy package (%s)", e.Name, e.Hint)
}

// Packages returns the packages the engine evaluates, sorted by name:
// not those the configuration disables.
func (e *Engine) Packages() []*Package { return e.packages }

// Digest is the canonical digest of the policy set: every policy file,
// the parameters after the configuration (so every one that differs from
// its default), and the disabled packages. An approval binds to it, so
// changing any policy or parameter needs new approvals.
func (e *Engine) Digest() string { return e.set.Digest }

// Set describes the policy set: its digest, its files' digests, the
// disabled packages and the parameters that differ from their defaults.
func (e *Engine) Set() Set {
	s := e.set
	s.Files = maps.Clone(s.Files)
	s.Disabled = slices.Clone(s.Disabled)
	s.Params = slices.Clone(s.Params)
	return s
}

// setDigest is the Digest of the policy set made of srcs, p and disabled.
func setDigest(srcs []source, p paramSet, disabled []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "changegate policy set v1\n")
	sorted := append([]source(nil), srcs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].name < sorted[j].name })
	for _, s := range sorted {
		fmt.Fprintf(h, "file %q %d\n", s.name, len(s.data))
		h.Write(s.data)
	}
	b, _ := json.Marshal(p.builtin) // maps marshal with sorted keys
	fmt.Fprintf(h, "params %d\n", len(b))
	h.Write(b)
	if len(p.user) > 0 {
		u, _ := json.Marshal(p.user)
		fmt.Fprintf(h, "user params %d\n", len(u))
		h.Write(u)
	}
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

// Changes says how the policy set s differs from was, one phrase each:
// policy files added, removed or changed, packages disabled or enabled,
// parameters changed. Nothing when the digests are the same.
func (s Set) Changes(was Set) []string {
	if s.Digest == was.Digest {
		return nil
	}
	var out []string
	for _, f := range slices.Sorted(maps.Keys(s.Files)) {
		switch old, ok := was.Files[f]; {
		case !ok:
			out = append(out, "policy file "+f+" added")
		case old != s.Files[f]:
			out = append(out, "policy file "+f+" changed")
		}
	}
	for _, f := range slices.Sorted(maps.Keys(was.Files)) {
		if _, ok := s.Files[f]; !ok {
			out = append(out, "policy file "+f+" removed")
		}
	}
	for _, d := range s.Disabled {
		if !slices.Contains(was.Disabled, d) {
			out = append(out, d+" disabled")
		}
	}
	for _, d := range was.Disabled {
		if !slices.Contains(s.Disabled, d) {
			out = append(out, d+" no longer disabled")
		}
	}
	key := func(p Param) string { return p.Policy + "\x00" + p.Name }
	before := map[string]Param{}
	for _, p := range was.Params {
		before[key(p)] = p
	}
	after := map[string]bool{}
	for _, p := range s.Params {
		after[key(p)] = true
		old, ok := before[key(p)]
		switch {
		case !ok && len(p.Default) > 0:
			out = append(out, fmt.Sprintf("%s, was %s", p, p.Default))
		case !ok:
			out = append(out, fmt.Sprintf("%s, was unset", p))
		case string(old.Value) != string(p.Value):
			out = append(out, fmt.Sprintf("%s, was %s", p, old.Value))
		}
	}
	for _, p := range was.Params {
		if after[key(p)] {
			continue
		}
		if len(p.Default) > 0 {
			out = append(out, fmt.Sprintf("%s back to its default %s, was %s", p.Label(), p.Default, p.Value))
		} else {
			out = append(out, fmt.Sprintf("%s unset, was %s", p.Label(), p.Value))
		}
	}
	if len(out) == 0 {
		out = append(out, "the built-in parameters' defaults changed (another changegate version)")
	}
	return out
}
