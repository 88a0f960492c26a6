package runbook

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/changegate/changegate/diag"
)

// Builtin is the Source of the runbooks shipped in the binary.
const Builtin = "built-in"

// Library is the set of runbooks available: the built-in ones and those
// of the user's directories, by name.
type Library struct {
	runbooks []*Runbook
	byName   map[string]*Runbook
}

// Load reads the built-in runbooks (the *.yaml files at the root of
// builtin, normally runbooks.FS; nil for none) and those of dirs (the
// *.yaml and *.yml files directly in each). It reports every problem of
// every runbook; a runbook with errors is left out. Two runbooks with the
// same name are an error (a user runbook does not replace a built-in
// one). Then the includes are checked across the library (checkIncludes):
// every included runbook exists, supports the includer's platforms (and
// IGPs, when its configuration depends on the IGP) and takes the
// parameters given, and no runbook includes itself, directly
// or through others. The error is for I/O only, such as a directory that
// cannot be read.
func Load(ctx context.Context, builtin fs.FS, dirs []string) (*Library, diag.Diagnostics, error) {
	l := &Library{byName: map[string]*Runbook{}}
	var ds diag.Diagnostics
	add := func(r *Runbook, rds diag.Diagnostics) {
		ds = append(ds, rds...)
		if r == nil {
			return
		}
		if first, dup := l.byName[r.Name]; dup {
			ds.Add(r.Pos, fmt.Sprintf("rename it: runbook names are unique, and %s (%s) has it", first.File, first.Source),
				"runbook %q is defined twice", r.Name)
			return
		}
		l.byName[r.Name] = r
		l.runbooks = append(l.runbooks, r)
	}
	if builtin != nil {
		names, err := fs.Glob(builtin, "*.yaml")
		if err != nil {
			return nil, nil, fmt.Errorf("list built-in runbooks: %w", err)
		}
		sort.Strings(names)
		for _, name := range names {
			r, rds, err := loadFS(builtin, name, "runbooks/"+name)
			if err != nil {
				return nil, nil, err
			}
			if r != nil {
				r.Source = Builtin
			}
			add(r, rds)
		}
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, nil, fmt.Errorf("read runbook directory: %w", err)
		}
		for _, e := range entries {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
				continue
			}
			r, rds, err := LoadFile(ctx, filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, nil, err
			}
			if r != nil {
				r.Source = dir
			}
			add(r, rds)
		}
	}
	for _, r := range l.runbooks {
		r.lib = l
	}
	ds = append(ds, l.checkIncludes()...)
	ds.Sort()
	return l, ds, nil
}

// NewLibrary makes a library of runbooks already parsed (by Parse or
// LoadFile), such as the files a validator was given together with the
// built-in ones, and checks their includes as Load does. Two runbooks
// with the same name are an error; the first is kept. Unlike Load it does
// not tie the runbooks to the library: render them with
// RenderOptions.Library set to it.
func NewLibrary(rs []*Runbook) (*Library, diag.Diagnostics) {
	l := &Library{byName: map[string]*Runbook{}}
	var ds diag.Diagnostics
	for _, r := range rs {
		if r == nil {
			continue
		}
		if first, dup := l.byName[r.Name]; dup {
			ds.Add(r.Pos, fmt.Sprintf("rename it: runbook names are unique, and %s has it", first.File), "runbook %q is defined twice", r.Name)
			continue
		}
		l.byName[r.Name] = r
		l.runbooks = append(l.runbooks, r)
	}
	ds = append(ds, l.checkIncludes()...)
	ds.Sort()
	return l, ds
}

// checkIncludes checks the include steps of every runbook against the
// others. Each problem is reported at the include step's runbook: value;
// an include loop is reported in every runbook of the loop, naming it
// whole, and a chain of includes deeper than MaxIncludeDepth at the
// runbooks it starts from.
func (l *Library) checkIncludes() diag.Diagnostics {
	var ds diag.Diagnostics
	for _, r := range l.runbooks {
		for _, st := range r.Steps {
			inc := st.Include
			if inc == nil || inc.Runbook == "" {
				continue
			}
			sub, ok := l.byName[inc.Runbook]
			if !ok {
				ds.Add(inc.Pos, l.nameHint(inc.Runbook), "runbook %s includes runbook %q, which does not exist", r.Name, inc.Runbook)
				continue
			}
			var missing []string
			for _, p := range r.Platforms {
				if !sub.Supports(p) {
					missing = append(missing, p)
				}
			}
			if len(missing) > 0 {
				ds.Add(inc.Pos, fmt.Sprintf("add %s to the platforms of %s (%s), or remove %s from those of %s",
					strings.Join(missing, ", "), sub.Name, sub.File, strings.Join(missing, ", "), r.Name),
					"runbook %s includes runbook %s, which has no configuration for platform %s", r.Name, sub.Name, strings.Join(missing, ", "))
			}
			switch {
			case len(sub.IGPs) > 0 && len(r.IGPs) == 0:
				ds.Add(inc.Pos, fmt.Sprintf("declare the IGPs %s has forms for: igps: [%s] (those of %s, or fewer)", r.Name, strings.Join(sub.IGPs, ", "), sub.Name),
					"runbook %s includes runbook %s, whose configuration depends on the IGP (igps: %s), but declares no igps", r.Name, sub.Name, strings.Join(sub.IGPs, ", "))
			case len(sub.IGPs) > 0:
				var missing []string
				for _, g := range r.IGPs {
					if !sub.SupportsIGP(g) {
						missing = append(missing, g)
					}
				}
				if len(missing) > 0 {
					ds.Add(inc.Pos, fmt.Sprintf("add %s forms to %s (%s), or remove %s from the igps of %s",
						strings.Join(missing, ", "), sub.Name, sub.File, strings.Join(missing, ", "), r.Name),
						"runbook %s includes runbook %s, which has no form for igp %s", r.Name, sub.Name, strings.Join(missing, ", "))
				}
			}
			var subNames []string
			for _, p := range sub.Params {
				subNames = append(subNames, p.Name)
			}
			given := make([]string, 0, len(inc.paramKeys))
			for k := range inc.paramKeys {
				given = append(given, k)
			}
			sort.Strings(given)
			for _, k := range given {
				if _, ok := sub.Param(k); ok {
					continue
				}
				hint := "the parameters of " + sub.Name + " are: " + strings.Join(subNames, ", ")
				if h := diag.DidYouMean(diag.Near(k, subNames)); h != "" {
					hint = h
				}
				n := inc.paramKeys[k]
				ds.Add(diag.Pos{File: r.File, Line: n.Line, Col: n.Column}, hint, "include %s: runbook %s has no parameter %q", sub.Name, sub.Name, k)
			}
			for _, p := range sub.Params {
				if _, ok := inc.paramKeys[p.Name]; !ok && !p.HasDefault && p.Name != "" {
					desc := ""
					if p.Description != "" {
						desc = ": " + p.Description
					}
					ds.Add(inc.Pos, fmt.Sprintf("add %s: VALUE under params: (%s%s)", p.Name, p.Type, desc),
						"include %s: runbook %s needs parameter %q", sub.Name, sub.Name, p.Name)
				}
			}
		}
	}
	inLoop := map[string]bool{}
	for _, r := range l.runbooks {
		for _, st := range r.Steps {
			if inc := st.Include; inc != nil && l.byName[inc.Runbook] != nil {
				if path := l.includePath(inc.Runbook, r.Name); path != nil {
					inLoop[r.Name] = true
					ds.Add(inc.Pos, "a runbook cannot include itself, directly or through others: remove one of the includes",
						"include loop: %s -> %s", r.Name, strings.Join(path, " -> "))
				}
			}
		}
	}
	// The longest chain of includes from each runbook, loops left out.
	deepest := map[string][]string{}
	onPath := map[string]bool{}
	var chain func(r *Runbook) []string
	chain = func(r *Runbook) []string {
		if c, ok := deepest[r.Name]; ok {
			return c
		}
		onPath[r.Name] = true
		var best []string
		for _, st := range r.Steps {
			if st.Include == nil {
				continue
			}
			sub := l.byName[st.Include.Runbook]
			if sub == nil || onPath[sub.Name] || inLoop[sub.Name] {
				continue
			}
			if c := chain(sub); len(c) > len(best) {
				best = c
			}
		}
		onPath[r.Name] = false
		c := append([]string{r.Name}, best...)
		deepest[r.Name] = c
		return c
	}
	for _, r := range l.runbooks {
		if inLoop[r.Name] {
			continue
		}
		c := chain(r)
		if len(c)-1 <= MaxIncludeDepth {
			continue
		}
		for _, st := range r.Steps {
			if st.Include != nil && st.Include.Runbook == c[1] {
				ds.Add(st.Include.Pos, "write some of the included steps out instead of including them",
					"includes nest %d deep, more than %d: %s", len(c)-1, MaxIncludeDepth, strings.Join(c, " -> "))
				break
			}
		}
	}
	return ds
}

// includePath returns the shortest chain of includes from the runbook
// from to the runbook to, both ends included, or nil when there is none.
func (l *Library) includePath(from, to string) []string {
	if from == to {
		return []string{to}
	}
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, next := range l.byName[name].Includes() {
			if _, seen := prev[next]; seen || l.byName[next] == nil {
				continue
			}
			prev[next] = name
			if next == to {
				var path []string
				for n := to; n != ""; n = prev[n] {
					path = append([]string{n}, path...)
				}
				return path
			}
			queue = append(queue, next)
		}
	}
	return nil
}

// All returns the runbooks, built-in ones first, each group by file name.
func (l *Library) All() []*Runbook { return append([]*Runbook(nil), l.runbooks...) }

// Get returns the runbook called name, or an error naming the close
// ones or listing them all.
func (l *Library) Get(name string) (*Runbook, error) {
	if r, ok := l.byName[name]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("no runbook %q; %s", name, l.nameHint(name))
}

// nameHint names the runbooks close to name, or lists them all.
func (l *Library) nameHint(name string) string {
	names := make([]string, 0, len(l.runbooks))
	for _, r := range l.runbooks {
		names = append(names, r.Name)
	}
	if h := diag.DidYouMean(diag.Near(name, names)); h != "" {
		return h
	}
	return fmt.Sprintf("the runbooks are: %s (changegate runbook list)", strings.Join(names, ", "))
}

// ExampleTopology returns the topology file of example e resolved against
// the directory of the runbook file. For a built-in runbook that is the
// runbooks/ directory of the source tree (relative to the working
// directory), which exists in a checkout only.
func (r *Runbook) ExampleTopology(e Example) string {
	if filepath.IsAbs(e.Topology) {
		return e.Topology
	}
	return filepath.Join(filepath.Dir(r.File), e.Topology)
}
