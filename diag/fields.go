package diag

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Fields are the keys and values of a mapping walked by YAML.Fields, for
// parsers that handle the fields after the walk in an order of their own.
type Fields struct {
	// Keys and Vals hold the key and value node of each field given.
	Keys, Vals map[string]*yaml.Node
	// Order lists the fields given, in file order.
	Order []string
}

// Fields walks mapping n like Mapping, accepting the keys in names, and
// returns what it found. ok is false when n is not a mapping.
func (y YAML) Fields(n *yaml.Node, what string, names ...string) (f Fields, ok bool) {
	f = Fields{Keys: map[string]*yaml.Node{}, Vals: map[string]*yaml.Node{}}
	handlers := make(map[string]Field, len(names))
	for _, name := range names {
		handlers[name] = func(k, v *yaml.Node) {
			f.Keys[name], f.Vals[name] = k, v
			f.Order = append(f.Order, name)
		}
	}
	ok = y.Mapping(n, what, handlers)
	return f, ok
}

// Text returns a non-blank scalar, or records an error (with hint) and
// returns "".
func (y YAML) Text(v *yaml.Node, what, hint string) string {
	s, ok := y.String(v, what)
	if !ok {
		return ""
	}
	if strings.TrimSpace(s) == "" {
		y.Errorf(v, hint, "%s is empty", what)
		return ""
	}
	return s
}

// List returns the items of a sequence. isList is false when v is
// neither a list nor empty (an error is then recorded); a null value is
// an empty list.
func (y YAML) List(v *yaml.Node, what string) (items []*yaml.Node, isList bool) {
	before := len(*y.Diags)
	items = y.Sequence(v, what)
	return items, len(*y.Diags) == before
}
