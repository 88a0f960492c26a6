package diag

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YAML decodes hand-written YAML strictly, recording every problem in Diags
// with the position of the offending node. It never stops at the first
// problem: callers walk the whole document and then look at Diags.
type YAML struct {
	File  string
	Diags *Diagnostics
	// AllowEmpty makes a file without a document (empty, or comments
	// only) no error for Parse, which then returns nil.
	AllowEmpty bool
}

// Parse reads a YAML document into a node tree. A syntax error is recorded
// (with its line when yaml reports one) and nil is returned.
//
// A file holds one document. A second one (after a --- line) would be
// ignored by everything that reads the file, so it is an error at the
// line of the --- that starts it (the first document is still returned,
// so that its own problems are reported too). Empty documents after the
// first (a trailing ---) hold nothing that could be lost and are allowed.
func (y YAML) Parse(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		y.Diags.Add(Pos{File: y.File, Line: syntaxErrLine(data, err)}, "fix the YAML syntax", "%s", cleanYAMLErr(err))
		return nil
	}
	second := y.laterDocuments(dec)
	if doc.Kind == 0 || len(doc.Content) == 0 {
		if !second && !y.AllowEmpty {
			y.Diags.Add(Pos{File: y.File, Line: 1}, "the file is empty", "no YAML document found")
		}
		return nil
	}
	return doc.Content[0]
}

// oneDocumentHint is the hint of a second document in a file.
const oneDocumentHint = "remove this --- and what follows it, or move that to a file of its own"

// laterDocuments reads what follows the first document: it records the
// first document with content, or a syntax error, and reports whether it
// did.
func (y YAML) laterDocuments(dec *yaml.Decoder) bool {
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return false
		}
		if err != nil {
			y.Diags.Add(Pos{File: y.File, Line: yamlErrLine(err)}, oneDocumentHint, "%s, in a second YAML document (one document per file)", cleanYAMLErr(err))
			return true
		}
		if len(doc.Content) > 0 && !IsNull(doc.Content[0]) {
			y.Diags.Add(Pos{File: y.File, Line: doc.Line, Col: doc.Column}, oneDocumentHint,
				"a second YAML document starts here: one document per file")
			return true
		}
	}
}

// Pos returns the position of n.
func (y YAML) Pos(n *yaml.Node) Pos {
	if n == nil {
		return Pos{File: y.File}
	}
	return Pos{File: y.File, Line: n.Line, Col: n.Column}
}

// Errorf records an error at n.
func (y YAML) Errorf(n *yaml.Node, hint, format string, args ...any) {
	y.Diags.Add(y.Pos(n), hint, format, args...)
}

// Warnf records a warning at n.
func (y YAML) Warnf(n *yaml.Node, hint, format string, args ...any) {
	y.Diags.Warn(y.Pos(n), hint, format, args...)
}

// Field handles the value of one known key of a mapping.
type Field func(key, val *yaml.Node)

// Mapping walks the mapping n, calling the handler of each known key.
// Unknown keys (typos) and duplicate keys are recorded as errors with a
// "did you mean" hint; what names the mapping in messages ("link 3").
// It returns false when n is not a mapping.
func (y YAML) Mapping(n *yaml.Node, what string, fields map[string]Field) bool {
	n = Deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		y.Errorf(n, "write it as key: value pairs", "%s must be a mapping, found %s", what, Describe(n))
		return false
	}
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			y.Errorf(k, "keys must be plain words", "%s: key must be a scalar, found %s", what, Describe(k))
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			y.Errorf(k, fmt.Sprintf("remove one of them (the first is at line %d)", prev.Line), "%s: duplicate key %q", what, k.Value)
			continue
		}
		seen[k.Value] = k
		h, ok := fields[k.Value]
		if !ok {
			y.Errorf(k, suggest(k.Value, fields), "%s: unknown field %q", what, k.Value)
			continue
		}
		if h != nil {
			h(k, Deref(v))
		}
	}
	return true
}

// Sequence returns the items of a sequence node, or records an error and
// returns nil when n is not a sequence. A null node is an empty sequence.
func (y YAML) Sequence(n *yaml.Node, what string) []*yaml.Node {
	n = Deref(n)
	if IsNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		y.Errorf(n, "write it as a list (- item)", "%s must be a list, found %s", what, Describe(n))
		return nil
	}
	return n.Content
}

// String returns the scalar value of n, recording an error if n is not a scalar.
func (y YAML) String(n *yaml.Node, what string) (string, bool) {
	n = Deref(n)
	if n == nil || n.Kind != yaml.ScalarNode || IsNull(n) {
		y.Errorf(n, "give a single value", "%s must be a scalar value, found %s", what, Describe(n))
		return "", false
	}
	return n.Value, true
}

// Strings returns a scalar or a list of scalars as a slice.
func (y YAML) Strings(n *yaml.Node, what string) ([]string, bool) {
	n = Deref(n)
	if n != nil && n.Kind == yaml.ScalarNode && !IsNull(n) {
		return []string{n.Value}, true
	}
	items := y.Sequence(n, what)
	if items == nil && !IsNull(n) {
		return nil, false
	}
	out := make([]string, 0, len(items))
	ok := true
	for _, it := range items {
		s, good := y.String(it, what+" item")
		ok = ok && good
		if good {
			out = append(out, s)
		}
	}
	return out, ok
}

// Bool parses a YAML boolean.
func (y YAML) Bool(n *yaml.Node, what string) (bool, bool) {
	s, ok := y.String(n, what)
	if !ok {
		return false, false
	}
	switch strings.ToLower(s) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	y.Errorf(n, "use true or false", "%s: %q is not a boolean", what, s)
	return false, false
}

// Int parses a YAML integer.
func (y YAML) Int(n *yaml.Node, what string) (int64, bool) {
	s, ok := y.String(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
	if err != nil {
		y.Errorf(n, "use a whole number such as 10", "%s: %q is not an integer", what, s)
		return 0, false
	}
	return v, true
}

// Float parses a YAML number.
func (y YAML) Float(n *yaml.Node, what string) (float64, bool) {
	s, ok := y.String(n, what)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil {
		y.Errorf(n, "use a number such as 0.8", "%s: %q is not a number", what, s)
		return 0, false
	}
	return v, true
}

// Deref follows aliases to the node they name (at most 100 hops, so a
// malicious chain cannot loop).
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent or an explicit null (after aliases).
func IsNull(n *yaml.Node) bool {
	n = Deref(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// Describe names what n is, for messages: "a list", "a mapping", "\"x\"".
func Describe(n *yaml.Node) string {
	n = Deref(n)
	switch {
	case n == nil:
		return "nothing"
	case IsNull(n):
		return "an empty value"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.ScalarNode:
		return Excerpt(n.Value)
	}
	return "an unsupported YAML node"
}

// suggest builds the hint for an unknown key: the known keys close to
// it (DidYouMean), otherwise the list of known keys.
func suggest(key string, fields map[string]Field) string {
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	if h := DidYouMean(Near(strings.ToLower(key), known)); h != "" {
		return h
	}
	return "known fields: " + strings.Join(known, ", ")
}

// syntaxErrLine finds the line of a YAML syntax error. The YAML library
// often names the line where the enclosing block starts rather than the
// offending one, so this looks for the shortest run of leading lines that
// already fails to parse: the offending line is its last. Files over
// bisectLimit get the library's line: about 17 parses of a large file
// take seconds, and real plans, runbooks and topologies are far smaller. It bisects
// (about log2(lines) parses), trusting that a broken prefix stays broken
// as lines are added, and falls back to the library's line when that does
// not hold.
func syntaxErrLine(data []byte, err error) int {
	reported := yamlErrLine(err)
	if len(data) > bisectLimit {
		return reported
	}
	ends := []int{} // ends[i]: offset just past line i+1
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		ends = append(ends, len(data))
	}
	fails := func(lines int) bool {
		var n yaml.Node
		return yaml.Unmarshal(data[:ends[lines-1]], &n) != nil
	}
	if len(ends) == 0 || !fails(len(ends)) {
		return reported
	}
	lo, hi := 1, len(ends) // fails(hi) holds
	for lo < hi {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if hi > 1 && fails(hi-1) {
		return reported // not monotone: keep what the library said
	}
	return hi
}

func yamlErrLine(err error) int {
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &line)
	}
	return line
}

func cleanYAMLErr(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, "line "); i == 0 {
		if j := strings.Index(msg, ": "); j > 0 {
			msg = msg[j+2:]
		}
	}
	return "invalid YAML: " + msg
}

// bisectLimit is the largest input whose syntax errors are located by
// bisection (see syntaxErrLine).
const bisectLimit = 1 << 20
