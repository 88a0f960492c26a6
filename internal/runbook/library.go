package runbook

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/changegate/changegate/internal/diag"
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
// one). The error is for I/O only, such as a directory that cannot be read.
func Load(builtin fs.FS, dirs []string) (*Library, diag.Diagnostics, error) {
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
			r, rds, err := LoadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, nil, err
			}
			if r != nil {
				r.Source = dir
			}
			add(r, rds)
		}
	}
	ds.Sort()
	return l, ds, nil
}

// All returns the runbooks, built-in ones first, each group by file name.
func (l *Library) All() []*Runbook { return append([]*Runbook(nil), l.runbooks...) }

// Get returns the runbook called name, or an error naming the closest
// one or listing them all.
func (l *Library) Get(name string) (*Runbook, error) {
	if r, ok := l.byName[name]; ok {
		return r, nil
	}
	names := make([]string, 0, len(l.runbooks))
	for _, r := range l.runbooks {
		names = append(names, r.Name)
	}
	if best, near := diag.Suggest(name, names); near {
		return nil, fmt.Errorf("no runbook %q; did you mean %q?", name, best)
	}
	return nil, fmt.Errorf("no runbook %q; the runbooks are: %s (changegate runbook list)", name, strings.Join(names, ", "))
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
