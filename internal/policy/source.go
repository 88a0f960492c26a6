package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/regocap"
	"github.com/changegate/changegate/userfile"
)

// BuiltinPrefix is prepended to the names of the built-in policy files,
// so that reports point at them where they live in the repository.
const BuiltinPrefix = "policies/"

// source is one Rego file.
type source struct {
	name    string // as shown to users
	data    []byte
	builtin bool
}

// isTest reports whether a file holds Rego unit tests, which are run by
// `changegate policy test` and never evaluated as policies.
func isTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// readFS returns every .rego file in fsys (recursively), sorted by name;
// tests are included only when withTests is true.
func readFS(fsys fs.FS, prefix string, builtin, withTests bool) ([]source, error) {
	var out []source
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || path.Ext(p) != ".rego" || (!withTests && isTest(p)) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out = append(out, source{name: prefix + p, data: data, builtin: builtin})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, err
}

// readDirs reads the .rego files under the user's policy directories (or
// single files). A directory without any Rego file is an error: it is
// almost always a wrong path, and a gate that silently loads nothing from
// it would let through what it was meant to stop.
func readDirs(ctx context.Context, dirs []string, withTests bool) ([]source, error) {
	var out []source
	for _, dir := range dirs {
		st, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("policy directory: %w", err)
		}
		if !st.IsDir() {
			if filepath.Ext(dir) != ".rego" {
				return nil, fmt.Errorf("policy path %s: not a directory or a .rego file", dir)
			}
			data, err := userfile.Read(ctx, dir, userfile.Policy)
			if err != nil {
				return nil, err
			}
			out = append(out, source{name: filepath.ToSlash(dir), data: data})
			continue
		}
		srcs, err := readDir(ctx, dir, withTests)
		if err != nil {
			return nil, fmt.Errorf("policy directory %s: %w", dir, err)
		}
		if len(srcs) == 0 {
			return nil, fmt.Errorf("policy directory %s has no .rego files; check the path", dir)
		}
		out = append(out, srcs...)
	}
	return out, nil
}

// readDir reads the .rego files under dir (recursively) as user files
// (userfile.Read: regular text files within the policy size limit),
// sorted by name; tests only when withTests is true.
func readDir(ctx context.Context, dir string, withTests bool) ([]source, error) {
	prefix := filepath.ToSlash(filepath.Clean(dir)) + "/"
	var out []source
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(p) != ".rego" || (!withTests && isTest(p)) {
			return nil
		}
		data, err := userfile.Read(ctx, p, userfile.Policy)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out = append(out, source{name: prefix + filepath.ToSlash(rel), data: data})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, err
}

// parse parses every source as Rego v1 with its annotations. Problems are
// reported for all files at once.
func parse(srcs []source) (map[string]*ast.Module, diag.Diagnostics) {
	mods := make(map[string]*ast.Module, len(srcs))
	var ds diag.Diagnostics
	for _, s := range srcs {
		if _, dup := mods[s.name]; dup {
			continue
		}
		m, err := ast.ParseModuleWithOpts(s.name, string(s.data), ast.ParserOptions{
			ProcessAnnotation: true,
			RegoVersion:       ast.RegoV1,
		})
		if err != nil {
			addRegoErrors(&ds, s.name, err, "fix the Rego syntax (policies are Rego v1: `deny contains msg if { ... }`)")
			continue
		}
		if m == nil {
			ds.Add(diag.Pos{File: s.name, Line: 1}, "add a package declaration and rules", "%s: empty policy file", s.name)
			continue
		}
		mods[s.name] = m
	}
	return mods, ds
}

// Namespace is the root of the built-in policies' packages. Nothing of
// the user's may live under it: the built-in policies read their
// parameters (data.changegate.params), their helpers
// (data.changegate.lib) and each other there, and a user package that
// defined or extended any of it would change what they decide.
const Namespace = "changegate"

// inNamespace reports whether a package path is changegate or below it.
func inNamespace(path ast.Ref) bool {
	return len(path) >= 2 && path[0].Equal(ast.DefaultRootDocument) && path[1].Value.Compare(ast.String(Namespace)) == 0
}

// checkUserModules refuses what a user's module may not do, with the
// position of each: a package in changegate's namespace, and a call to a
// built-in function that does I/O or reads the environment. (The
// compiler's capabilities refuse those calls too; this says why.)
func checkUserModules(mods map[string]*ast.Module, srcs []source) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, s := range srcs {
		m := mods[s.name]
		if s.builtin || m == nil {
			continue
		}
		if inNamespace(m.Package.Path) {
			ds.Add(regoPos(s.name, m.Package.Location),
				"rename the package (site.approvals, say); parameters come from policy.params in the configuration (yours under "+UserParamsRoot+"), and the built-in helpers stay readable with `import data.changegate.lib`",
				"package %s is in the built-in namespace %s: your policies cannot define or extend %s or any package under it",
				trimData(m.Package.Path), Namespace, Namespace)
		}
		seen := map[*ast.Location]bool{}
		report := func(op ast.Ref, loc *ast.Location) {
			name := op.String()
			why, excluded := regocap.Excluded(name)
			if !excluded || seen[loc] {
				return
			}
			seen[loc] = true
			ds.Add(regoPos(s.name, loc),
				"policies decide from their input and data alone; the input carries the time (input.time)",
				"%s is not available to policies: %s", name, why)
		}
		ast.WalkExprs(m, func(x *ast.Expr) bool {
			if x.IsCall() {
				report(x.Operator(), x.Location)
			}
			return false
		})
		ast.WalkTerms(m, func(t *ast.Term) bool {
			if c, ok := t.Value.(ast.Call); ok && len(c) > 0 {
				if op, ok := c[0].Value.(ast.Ref); ok {
					report(op, t.Location)
				}
			}
			return false
		})
	}
	return ds
}

// regoPos is the position of an OPA location in file.
func regoPos(file string, loc *ast.Location) diag.Pos {
	pos := diag.Pos{File: file}
	if loc != nil {
		if loc.File != "" {
			pos.File = loc.File
		}
		pos.Line, pos.Col = loc.Row, loc.Col
	}
	if pos.Line <= 0 {
		pos.Line, pos.Col = 1, 0 // OPA gives no row for an empty module: the file's start
	}
	return pos
}

// addRegoErrors turns OPA parse or compile errors into diagnostics with
// their file, line and column.
func addRegoErrors(ds *diag.Diagnostics, file string, err error, hint string) {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		ds.Add(diag.Pos{File: file, Line: 1}, hint, "%v", err)
		return
	}
	for _, e := range errs {
		ds.Add(regoPos(file, e.Location), hint, "%s: %s", e.Code, e.Message)
	}
}

// Result rule names, as in conftest: deny and violation block the change,
// warn is shown to reviewers.
const (
	ruleDeny      = "deny"
	ruleViolation = "violation"
	ruleWarn      = "warn"
)

func isResultRule(name string) bool {
	return name == ruleDeny || name == ruleViolation || name == ruleWarn
}

// Keys of the wrapper object that tags every result with the rule that
// produced it.
const (
	tagLine  = "__changegate_line"
	tagValue = "__changegate_value"
)

// tagResults rewrites every multi-value deny, violation and warn rule of m
// so that each value it produces carries the line of the rule:
// `deny contains msg if {...}` yields {line: L, value: msg}. Rego cannot
// tell which of several same-named rules produced a value; this rewrite
// lets every denial name the rule (file:line) behind it. The test runner
// uses the original modules, so tests see plain values.
func tagResults(m *ast.Module) *ast.Module {
	c := m.Copy()
	for _, r := range c.Rules {
		h := r.Head
		if h == nil || h.Key == nil || h.Value != nil || len(h.Ref()) != 1 || !isResultRule(h.Name.String()) {
			continue
		}
		line := 0
		if r.Location != nil {
			line = r.Location.Row
		}
		h.Key = ast.ObjectTerm(
			ast.Item(ast.StringTerm(tagLine), ast.IntNumberTerm(line)),
			ast.Item(ast.StringTerm(tagValue), h.Key),
		)
	}
	return c
}
