package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/policies"
	"github.com/changegate/changegate/userfile"
)

// groupByDir groups Rego files by directory, each group sorted by path.
func groupByDir(files []File) [][]File {
	byDir := map[string][]File{}
	var dirs []string
	for _, f := range files {
		d := filepath.Dir(f.Path)
		if _, ok := byDir[d]; !ok {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], f)
	}
	sort.Strings(dirs)
	out := make([][]File, 0, len(dirs))
	for _, d := range dirs {
		out = append(out, byDir[d])
	}
	return out
}

// isBuiltinCopy reports whether every file of the group is a copy of the
// built-in policy of the same name: the library's own directory in a
// checkout, which is compiled and tested on its own, not beside itself.
func isBuiltinCopy(ctx context.Context, group []File) bool {
	for _, f := range group {
		data, err := fs.ReadFile(policies.FS, filepath.Base(f.Path))
		if err != nil {
			return false
		}
		own, err := userfile.Read(ctx, f.Path, userfile.Policy)
		if err != nil || !bytes.Equal(own, data) {
			return false
		}
	}
	return true
}

// policies checks the Rego files of one directory: they compile together
// with the built-in library, and the tests among them pass. Each file is
// a case.
func (v *validator) policies(ctx context.Context, group []File) []finding.Case {
	start := time.Now()
	cases := make([]finding.Case, len(group))
	byFile := map[string]*finding.Case{}
	var srcs, all []string
	// A copy of the built-in library (its own directory in a checkout) is
	// compiled and tested as the built-in library, with its parameters,
	// and not beside itself; its files are then named policies/NAME.
	builtin := isBuiltinCopy(ctx, group)
	for i, f := range group {
		cases[i] = finding.Case{Suite: "policies", Name: f.Path, File: f.Path}
		if builtin {
			byFile[policy.BuiltinPrefix+filepath.Base(f.Path)] = &cases[i]
		}
		byFile[filepath.ToSlash(f.Path)] = &cases[i]
		all = append(all, f.Path)
		if !strings.HasSuffix(f.Path, "_test.rego") {
			srcs = append(srcs, f.Path)
		}
	}
	defer func() {
		took := time.Since(start) / time.Duration(len(cases))
		for i := range cases {
			cases[i].Time = took
		}
	}()
	// caseOf is the case a finding about file belongs to: its own, or
	// the group's first when the file is another (a built-in policy).
	caseOf := func(file string) *finding.Case {
		if c, ok := byFile[filepath.ToSlash(file)]; ok {
			return c
		}
		return &cases[0]
	}
	opts := policy.Options{Params: v.opts.PolicyParams}
	compileErr := func(err error) bool {
		var ce *policy.CompileError
		if !errors.As(err, &ce) {
			return false
		}
		for _, d := range ce.Diags {
			c := caseOf(d.Pos.File)
			f := errorAt(c.File, posOf(d.Pos), RulePolicyCompile, d.Msg, d.Hint)
			if _, own := byFile[filepath.ToSlash(d.Pos.File)]; !own && d.Pos.File != "" {
				f.Line, f.Col = 1, 1
				f.Message = d.Pos.String() + ": " + f.Message
			}
			c.Findings = append(c.Findings, f)
		}
		return true
	}
	if len(srcs) > 0 {
		if !builtin {
			opts.Dirs = srcs
		}
		if _, err := policy.Load(ctx, opts); err != nil {
			if !compileErr(err) {
				cases[0].Findings = append(cases[0].Findings, errorAt(cases[0].File, pos{1, 1}, RulePolicyCompile, err.Error(), ""))
			}
			return cases
		}
	}
	hasTests := len(srcs) < len(all)
	if !hasTests {
		return cases
	}
	if !builtin {
		opts.Dirs = all
	}
	results, err := policy.RunTests(ctx, opts)
	if err != nil {
		if !compileErr(err) {
			cases[0].Findings = append(cases[0].Findings, errorAt(cases[0].File, pos{1, 1}, RulePolicyTest, err.Error(), ""))
		}
		return cases
	}
	for _, r := range results {
		if r.Location == nil {
			continue
		}
		c, ok := byFile[filepath.ToSlash(r.Location.File)]
		if !ok || (!r.Fail && r.Error == nil) {
			continue
		}
		name := strings.TrimPrefix(r.Package, "data.") + "." + r.Name
		msg := fmt.Sprintf("test %s failed", name)
		if r.Error != nil {
			msg = fmt.Sprintf("test %s: %v", name, r.Error)
		}
		if out := strings.TrimSpace(string(r.Output)); out != "" {
			msg += "\n" + out
		}
		c.Findings = append(c.Findings, errorAt(c.File, pos{max(r.Location.Row, 1), max(r.Location.Col, 1)}, RulePolicyTest, msg,
			"run changegate policy test "+filepath.Dir(c.File)+" -v to see every test"))
	}
	return cases
}
