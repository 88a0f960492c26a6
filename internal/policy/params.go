package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
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

// Param is one policy parameter the configuration sets to something
// other than its default. Every one is part of the policy digest and is
// shown with every verdict.
type Param struct {
	// Policy is the package the parameter belongs to: a built-in policy
	// (changegate.capacity) or one of yours (site.limits).
	Policy string `json:"policy"`
	// Name is the parameter within the package, such as threshold or
	// class_thresholds.replication.
	Name string `json:"name"`
	// Value is the configured value, as JSON.
	Value json.RawMessage `json:"value"`
	// Default is the built-in default, as JSON; absent for the parameters
	// of your policies, which have none.
	Default json.RawMessage `json:"default,omitempty"`
}

// String is "capacity.threshold: 0.7 (default 0.8)", or
// "site.limits.max: 3" for a parameter of a user's policy.
func (p Param) String() string {
	s := fmt.Sprintf("%s: %s", p.Label(), p.Value)
	if len(p.Default) > 0 {
		s += fmt.Sprintf(" (default %s)", p.Default)
	}
	return s
}

// Label names the parameter: "capacity.threshold" (a built-in policy's,
// without "changegate."), "site.limits.max".
func (p Param) Label() string {
	return strings.TrimPrefix(p.Policy, Namespace+".") + "." + p.Name
}

// UserParamsRoot is where the user's policies find their parameters from
// the configuration: data.changegate.user_params, then the path of the
// package (policy.params."site.limits" is
// data.changegate.user_params.site.limits). No policy can write there:
// user packages cannot live under changegate.
const UserParamsRoot = "data." + Namespace + "." + userParamsKey

const userParamsKey = "user_params"

// paramSet holds the policy parameters after the configuration.
type paramSet struct {
	// builtin are the built-in policies' parameters, defaults merged with
	// overrides (data.changegate.params).
	builtin map[string]any
	// user are the user's packages' parameters, nested by package path
	// (data.changegate.user_params).
	user map[string]any
	// changed lists every parameter that differs from its default, sorted.
	changed []Param
}

// data is the policies' data document.
func (p paramSet) data() map[string]any {
	doc := map[string]any{"params": p.builtin}
	if len(p.user) > 0 {
		doc[userParamsKey] = p.user
	}
	return map[string]any{Namespace: doc}
}

// resolveParams applies the configuration's policy.params to the
// built-in defaults. A key names a built-in policy (capacity: its
// parameters are merged over the defaults) or a package of the user's
// (site.limits: its parameters, whatever they are). A key that names
// neither, a parameter a built-in policy does not have, and a key that
// names both are errors, so that a misspelt override never silently does
// nothing. userPkgs are the user's loaded packages by path.
func resolveParams(defaults, overrides map[string]any, userPkgs map[string]ast.Ref) (paramSet, error) {
	p := paramSet{builtin: defaults, user: map[string]any{}}
	if len(overrides) == 0 {
		return p, nil
	}
	o, err := jsonValue(overrides)
	if err != nil {
		return p, fmt.Errorf("policy parameters: %w", err)
	}
	om, _ := o.(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(om)) {
		val := om[name]
		sub, isMap := val.(map[string]any)
		defs, builtin := defaults[name].(map[string]any)
		path, user := userPkgs[name]
		switch {
		case builtin && user:
			return p, fmt.Errorf("policy parameters: %q names both the built-in policy %s.%s and your package %s; rename your package", name, Namespace, name, name)
		case !builtin && !user:
			known := slices.Sorted(maps.Keys(defaults))
			for u := range userPkgs {
				known = append(known, u)
			}
			sort.Strings(known)
			return p, fmt.Errorf("policy parameters: no policy %q (name a built-in policy, such as capacity, or the package of one of yours, such as site.limits)%s", name, suggest(name, known))
		case !isMap:
			return p, fmt.Errorf("policy parameters: %s: give a mapping of parameter names to values, not %s", name, describe(val))
		case builtin:
			for _, key := range slices.Sorted(maps.Keys(sub)) {
				def, ok := defs[key]
				if !ok {
					return p, fmt.Errorf("policy parameters: policy %s has no parameter %q%s", name, key, suggest(key, slices.Sorted(maps.Keys(defs))))
				}
				merged := merge(def, sub[key])
				defs[key] = merged
				p.changed = append(p.changed, changes(Namespace+"."+name, key, def, merged)...)
			}
		default:
			if err := placeUser(p.user, path, sub); err != nil {
				return p, fmt.Errorf("policy parameters: %s: %w", name, err)
			}
			for _, key := range slices.Sorted(maps.Keys(sub)) {
				p.changed = append(p.changed, Param{Policy: name, Name: key, Value: canonical(sub[key])})
			}
		}
	}
	sort.SliceStable(p.changed, func(i, j int) bool {
		a, b := p.changed[i], p.changed[j]
		if a.Policy != b.Policy {
			return a.Policy < b.Policy
		}
		return a.Name < b.Name
	})
	return p, nil
}

// placeUser puts the parameters of the package at path (data.site.limits)
// into user, nested by the segments of the path. Two packages whose
// parameters would land on the same key (site's parameter limits, and
// the package site.limits) are an error.
func placeUser(user map[string]any, path ast.Ref, sub map[string]any) error {
	node := user
	for _, t := range path[1:] {
		seg, ok := t.Value.(ast.String)
		if !ok {
			return fmt.Errorf("package path %v cannot hold parameters", path)
		}
		next, exists := node[string(seg)]
		if !exists {
			m := map[string]any{}
			node[string(seg)] = m
			node = m
			continue
		}
		m, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("the parameter %q of another package is in the way", seg)
		}
		node = m
	}
	for k, v := range sub {
		if _, clash := node[k]; clash {
			return fmt.Errorf("parameter %q clashes with the package of the same path", k)
		}
		node[k] = v
	}
	return nil
}

// changes lists how a built-in parameter differs from its default:
// nothing when it is the same; the keys that differ when both are
// mappings with the same keys (class_thresholds.replication); otherwise
// the whole value.
func changes(policy, name string, def, val any) []Param {
	dv, vv := canonical(def), canonical(val)
	if bytes.Equal(dv, vv) {
		return nil
	}
	dm, ok1 := def.(map[string]any)
	vm, ok2 := val.(map[string]any)
	if ok1 && ok2 && len(dm) == len(vm) {
		var out []Param
		same := true
		for k := range vm {
			if _, ok := dm[k]; !ok {
				same = false
				break
			}
		}
		if same {
			for _, k := range slices.Sorted(maps.Keys(vm)) {
				out = append(out, changes(policy, name+keyPath(k), dm[k], vm[k])...)
			}
			return out
		}
	}
	return []Param{{Policy: policy, Name: name, Value: vv, Default: dv}}
}

// keyPath appends a mapping key to a parameter name: .key, or ["key"]
// when the key is not a plain name.
func keyPath(k string) string {
	plain := k != ""
	for _, r := range k {
		if !(r == '_' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			plain = false
		}
	}
	if plain {
		return "." + k
	}
	return "[" + strconv.Quote(k) + "]"
}

// canonical is v as compact JSON with sorted keys.
func canonical(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage(strconv.Quote(fmt.Sprint(v)))
	}
	return b
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
	if h := diag.DidYouMean(diag.Near(s, options)); h != "" {
		return "; " + h
	}
	if len(options) == 0 {
		return ""
	}
	return "; known: " + strings.Join(options, ", ")
}
