package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/internal/diag"
	"github.com/changegate/changegate/policies"
)

// paramsFile holds the defaults of every built-in parameter, under
// changegate.params.
const paramsFile = "params.yaml"

// loadParams returns the built-in parameters (an empty map without the
// built-in policies), as JSON values.
func loadParams(fsys fs.FS, none bool) (map[string]any, error) {
	if none {
		return map[string]any{}, nil
	}
	if fsys == nil {
		fsys = policies.FS
	}
	data, err := fs.ReadFile(fsys, paramsFile)
	if err != nil {
		return nil, fmt.Errorf("built-in policy parameters: %w", err)
	}
	var doc struct {
		Changegate struct {
			Params map[string]any `yaml:"params"`
		} `yaml:"changegate"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("built-in policy parameters: %w", err)
	}
	p, err := jsonValue(doc.Changegate.Params)
	if err != nil {
		return nil, fmt.Errorf("built-in policy parameters: %w", err)
	}
	m, _ := p.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// jsonValue converts v to the JSON data model (maps with string keys,
// slices, json.Number, strings, booleans, nil) that the policy store
// expects, whatever decoder produced it.
func jsonValue(v any) (any, error) {
	data, err := json.Marshal(normalizeKeys(v))
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var out any
	if err := d.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// normalizeKeys turns map[any]any (from some YAML decoders) into
// map[string]any so that it marshals as JSON.
func normalizeKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = normalizeKeys(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[fmt.Sprint(k)] = normalizeKeys(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalizeKeys(x)
		}
		return out
	default:
		return v
	}
}

// mergeParams applies the user's overrides to the defaults in place.
// A policy name must be a built-in policy with parameters or the last
// part of a loaded changegate.* package, and a parameter of a built-in
// policy must exist, so that a misspelt override is an error rather than
// a setting that silently does nothing.
func mergeParams(params, overrides map[string]any, pkgs []*Package) error {
	if len(overrides) == 0 {
		return nil
	}
	o, err := jsonValue(overrides)
	if err != nil {
		return fmt.Errorf("policy parameters: %w", err)
	}
	om, _ := o.(map[string]any)
	known := map[string]bool{}
	for name := range params {
		known[name] = true
	}
	for _, p := range pkgs {
		if rest, ok := strings.CutPrefix(p.Name, "changegate."); ok && !strings.Contains(rest, ".") {
			known[rest] = true
		}
	}
	for _, name := range sortedKeys(om) {
		if !known[name] {
			return fmt.Errorf("policy parameters: no policy %q%s", name, suggest(name, sortedKeys(toSet(known))))
		}
		val := om[name]
		defaults, builtin := params[name].(map[string]any)
		sub, isMap := val.(map[string]any)
		if !builtin {
			params[name] = val
			continue
		}
		if !isMap {
			return fmt.Errorf("policy parameters: %s: give a mapping of parameter names to values, not %s", name, describe(val))
		}
		for _, key := range sortedKeys(sub) {
			def, ok := defaults[key]
			if !ok {
				return fmt.Errorf("policy parameters: policy %s has no parameter %q%s", name, key, suggest(key, sortedKeys(defaults)))
			}
			defaults[key] = merge(def, sub[key])
		}
	}
	return nil
}

// merge returns override merged into def: mappings key by key, anything
// else replaced.
func merge(def, override any) any {
	dm, ok1 := def.(map[string]any)
	om, ok2 := override.(map[string]any)
	if !ok1 || !ok2 {
		return override
	}
	out := make(map[string]any, len(dm)+len(om))
	for k, v := range dm {
		out[k] = v
	}
	for k, v := range om {
		out[k] = merge(out[k], v)
	}
	return out
}

func describe(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

func suggest(s string, options []string) string {
	if best, ok := diag.Suggest(s, options); ok {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	if len(options) == 0 {
		return ""
	}
	return "; known: " + strings.Join(options, ", ")
}

func toSet(m map[string]bool) map[string]any {
	out := make(map[string]any, len(m))
	for k := range m {
		out[k] = nil
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
