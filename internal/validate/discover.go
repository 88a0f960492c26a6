package validate

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/userfile"
)

// Kind is what a file is, as Discover classifies it.
type Kind string

// The kinds of file validate checks.
const (
	Plan     Kind = "plan"
	Topology Kind = "topology"
	Runbook  Kind = "runbook"
	Policy   Kind = "policy"
)

// File is a file Discover found and will check.
type File struct {
	// Path is the path as found: the argument itself, or joined to it.
	Path string
	Kind Kind
	// keys are the top-level keys of a YAML file, with their positions.
	keys map[string]pos
	data []byte
}

// Skipped is a file Discover found and does not check, and why.
type Skipped struct {
	Path   string
	Reason string
}

type pos struct{ line, col int }

// Discover walks paths (files or directories, recursively) and classifies
// every .yaml, .yml and .rego file. In directories it skips hidden
// directories and directories named testdata; a file named explicitly is
// always looked at. Files are read as userfile.Read does: a file that is
// not a regular text file within the size limit is skipped, with why.
// The error is for paths that cannot be read.
func Discover(ctx context.Context, paths []string) ([]File, []Skipped, error) {
	var files []File
	var skipped []Skipped
	add := func(path string, explicit bool) error {
		ext := strings.ToLower(filepath.Ext(path))
		if ext == ".rego" {
			files = append(files, File{Path: path, Kind: Policy})
			return nil
		}
		if ext != ".yaml" && ext != ".yml" {
			if explicit {
				skipped = append(skipped, Skipped{path, "not a .yaml, .yml or .rego file"})
			}
			return nil
		}
		data, err := userfile.Read(ctx, path, yamlFile)
		var refused *userfile.Error
		if errors.As(err, &refused) && refused.Err != nil && !errors.As(refused.Err, new(*fs.PathError)) {
			skipped = append(skipped, Skipped{path, err.Error()})
			return nil
		}
		if err != nil {
			return err
		}
		f, reason := classify(path, data)
		if reason != "" {
			skipped = append(skipped, Skipped{path, reason})
			return nil
		}
		files = append(files, f)
		return nil
	}
	seen := map[string]bool{}
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			return nil, nil, fmt.Errorf("validate: %w", err)
		}
		if !st.IsDir() {
			if !seen[filepath.Clean(root)] {
				seen[filepath.Clean(root)] = true
				if err := add(root, true); err != nil {
					return nil, nil, err
				}
			}
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || seen[filepath.Clean(p)] {
				return nil
			}
			seen[filepath.Clean(p)] = true
			return add(p, false)
		})
		if err != nil {
			return nil, nil, fmt.Errorf("validate: %w", err)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Path < skipped[j].Path })
	return files, skipped, nil
}

// stdinPlan is the plan read from standard input (validate -): a plan
// whatever its keys, whose files are relative to the working directory.
func stdinPlan(data []byte) File {
	f, _ := classify(StdinName, data)
	if f.keys == nil {
		f = File{Path: StdinName, keys: map[string]pos{}, data: data}
	}
	f.Kind = Plan
	return f
}

// topKey matches a top-level key of a block mapping: a line that starts
// with a plain or quoted key and a colon.
var topKey = regexp.MustCompile(`^("[^"]*"|'[^']*'|[A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(\s|$)`)

// classify says what a YAML file is from its top-level keys, or why it is
// skipped. The keys are read line by line, so that a file with a syntax
// error further down is still recognised and its parser reports the error
// with its position; a document in flow style is parsed instead.
func classify(path string, data []byte) (File, string) {
	base := strings.ToLower(filepath.Base(path))
	if base == "changegate.yaml" || base == "changegate.yml" {
		return File{}, "changegate configuration"
	}
	keys := map[string]pos{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if text == "---" && len(keys) > 0 {
			break // the first document decides
		}
		m := topKey.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		k := strings.Trim(m[1], `"'`)
		if _, dup := keys[k]; !dup {
			keys[k] = pos{line, 1}
		}
	}
	if len(keys) == 0 {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) > 0 && doc.Content[0].Kind == yaml.MappingNode {
			m := doc.Content[0]
			for i := 0; i+1 < len(m.Content); i += 2 {
				keys[m.Content[i].Value] = pos{m.Content[i].Line, m.Content[i].Column}
			}
		}
	}
	has := func(k string) bool { _, ok := keys[k]; return ok }
	f := File{Path: path, keys: keys, data: data}
	switch {
	case has("name") && (has("params") || has("platforms")):
		f.Kind = Runbook
	case has("steps") && has("title"):
		f.Kind = Plan
	case has("nodes") || has("links"):
		f.Kind = Topology
	case has("devices"):
		return File{}, "an inventory? validate checks the one changegate.yaml names (inventory.file); changegate inventory validate FILE checks any"
	default:
		return File{}, "not a plan, topology or runbook (no steps and title, nodes or links, or name and params/platforms at the top level)"
	}
	return f, ""
}

// yamlFile is the kind of a YAML file before it is known to be a plan, a
// topology or a runbook: the limit is the largest of theirs.
var yamlFile = userfile.Kind{Name: "file", Limit: userfile.Topology.Limit}
