package runbook

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"text/template/parse"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

// LoadFile reads and parses the runbook at path (a regular text file of
// at most userfile.Runbook's limit). The error is for I/O only; problems
// in the runbook are in the Diagnostics.
func LoadFile(ctx context.Context, file string) (*Runbook, diag.Diagnostics, error) {
	data, err := userfile.Read(ctx, file, userfile.Runbook)
	if err != nil {
		return nil, nil, err
	}
	r, ds := Parse(file, data)
	return r, ds, nil
}

// loadFS reads and parses the runbook at name in fsys; file is what
// diagnostics call it.
func loadFS(fsys fs.FS, name, file string) (*Runbook, diag.Diagnostics, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, nil, fmt.Errorf("read runbook: %w", err)
	}
	r, ds := Parse(file, data)
	return r, ds, nil
}

// Parse parses a runbook from data; file names it in diagnostics and its
// base name (without .yaml or .yml) is the name the runbook must declare.
// It reports every problem it finds, sorted by position, checks that
// every template parses, and returns a nil Runbook when any problem is an
// error. It never panics on any input.
func Parse(file string, data []byte) (*Runbook, diag.Diagnostics) {
	var ds diag.Diagnostics
	ps := &parser{y: diag.YAML{File: file, Diags: &ds}}
	r := ps.runbook(data)
	ds.Sort()
	if ds.HasErrors() || r == nil {
		if !ds.HasErrors() {
			ds.Add(diag.Pos{File: file}, "", "no runbook found")
		}
		return nil, ds
	}
	return r, ds
}

// fields are the fields of a mapping, found by mapping.
type fields = diag.Fields

type parser struct {
	y diag.YAML
	// names are the names of the runbook's parameters once they are
	// read (nil before), and item the name of the current step's item
	// (as), which templates may use besides them.
	names map[string]bool
	item  string
}

func (ps *parser) mapping(n *yaml.Node, what string, names ...string) (fields, bool) {
	return ps.y.Fields(n, what, names...)
}

// text returns a non-blank scalar, or records an error and returns "".
func (ps *parser) text(v *yaml.Node, what, hint string) string { return ps.y.Text(v, what, hint) }

var identRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (ps *parser) runbook(data []byte) *Runbook {
	root := ps.y.Parse(data)
	if root == nil {
		return nil
	}
	f, ok := ps.mapping(root, "runbook", "name", "title", "description", "platforms", "igps", "params", "examples", "steps")
	if !ok {
		return nil
	}
	r := &Runbook{File: ps.y.File, Pos: ps.y.Pos(root)}
	want := strings.TrimSuffix(strings.TrimSuffix(path.Base(strings.ReplaceAll(ps.y.File, "\\", "/")), ".yaml"), ".yml")
	if v, ok := f.Vals["name"]; ok {
		r.Name = ps.text(v, "runbook: name", "give the runbook's name, the file name without .yaml")
		if r.Name != "" && !identRE.MatchString(strings.ReplaceAll(r.Name, "-", "_")) {
			ps.y.Errorf(v, "use lower-case letters, digits, - and _, starting with a letter, such as link-metric", "runbook: name %q is not a valid name", r.Name)
		} else if r.Name != "" && r.Name != want {
			ps.y.Errorf(v, fmt.Sprintf("name the runbook %q, or rename the file to %s.yaml", want, r.Name), "runbook: name %q does not match the file name %q", r.Name, want)
		}
	} else {
		ps.y.Errorf(root, fmt.Sprintf("add name: %s (the file name without .yaml)", want), "runbook: missing field %q", "name")
	}
	if v, ok := f.Vals["title"]; ok {
		r.Title = ps.text(v, "runbook: title", "give a one-line summary of what the runbook does")
		ps.y.CheckText(v, "runbook: title", diag.KindTitle)
	} else {
		ps.y.Errorf(root, "add title: a one-line summary of what the runbook does", "runbook: missing field %q", "title")
	}
	if v, ok := f.Vals["description"]; ok {
		r.Description = strings.TrimSpace(ps.text(v, "runbook: description", "say what the runbook does and when to use it, or remove description"))
		ps.y.CheckText(v, "runbook: description", diag.KindBlock)
	}
	if v, ok := f.Vals["platforms"]; ok {
		r.Platforms = ps.platforms(f.Keys["platforms"], v)
	} else {
		ps.y.Errorf(root, "add platforms: the platforms the runbook has configuration for, such as [frr_vtysh, cisco_iosxe]", "runbook: missing field %q", "platforms")
	}
	if v, ok := f.Vals["igps"]; ok {
		r.IGPs = ps.igps(f.Keys["igps"], v)
	}
	if v, ok := f.Vals["params"]; ok {
		r.Params = ps.params(v)
	}
	ps.names = map[string]bool{}
	for _, p := range r.Params {
		if p.Name != "" {
			ps.names[p.Name] = true
		}
	}
	if v, ok := f.Vals["steps"]; ok {
		items := ps.y.Sequence(v, "runbook: steps")
		if len(items) == 0 && (diag.IsNull(v) || v.Kind == yaml.SequenceNode) {
			ps.y.Errorf(f.Keys["steps"], "add at least one step under steps:", "runbook has no steps")
		}
		for i, it := range items {
			r.Steps = append(r.Steps, ps.step(r, it, i))
		}
	} else {
		ps.y.Errorf(root, "add steps: with at least one step", "runbook: missing field %q", "steps")
	}
	if v, ok := f.Vals["examples"]; ok {
		for i, it := range ps.y.Sequence(v, "runbook: examples") {
			r.Examples = append(r.Examples, ps.example(r, it, i))
		}
	}
	return r
}

func (ps *parser) platforms(k, v *yaml.Node) []string {
	items := ps.y.Sequence(v, "runbook: platforms")
	if len(items) == 0 && (diag.IsNull(v) || v.Kind == yaml.SequenceNode) {
		ps.y.Errorf(k, "list at least one platform: "+strings.Join(platformNames(), ", "), "runbook: platforms is empty")
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		name, ok := ps.y.String(it, "runbook: platforms item")
		if !ok {
			continue
		}
		switch {
		case !knownPlatform(name):
			ps.y.Errorf(it, platformHint(name), "runbook: unknown platform %q", name)
		case seen[name]:
			ps.y.Errorf(it, "list each platform once", "runbook: platform %q listed twice", name)
		default:
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

// igps reads the IGPs the runbook has forms for.
func (ps *parser) igps(k, v *yaml.Node) []string {
	items := ps.y.Sequence(v, "runbook: igps")
	if len(items) == 0 && (diag.IsNull(v) || v.Kind == yaml.SequenceNode) {
		ps.y.Errorf(k, "list the IGPs the runbook has forms for, such as [ospf, isis], or remove igps: if its configuration does not depend on the IGP", "runbook: igps is empty")
	}
	var out []string
	seen := map[string]bool{}
	for _, it := range items {
		name, ok := ps.y.String(it, "runbook: igps item")
		if !ok {
			continue
		}
		switch {
		case !knownIGP(name):
			hint := "the IGPs are " + strings.Join(IGPs(), " and ")
			if h := diag.DidYouMean(diag.Near(name, IGPs())); h != "" {
				hint = h
			}
			ps.y.Errorf(it, hint, "runbook: unknown igp %q", name)
		case seen[name]:
			ps.y.Errorf(it, "list each IGP once", "runbook: igp %q listed twice", name)
		default:
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}

func platformHint(name string) string {
	if h := diag.DidYouMean(diag.Near(name, platformNames())); h != "" {
		return h
	}
	return "known platforms: " + strings.Join(platformNames(), ", ")
}

func (ps *parser) params(v *yaml.Node) []Param {
	var out []Param
	seen := map[string]*yaml.Node{}
	for i, it := range ps.y.Sequence(v, "runbook: params") {
		label := fmt.Sprintf("param %d", i+1)
		f, ok := ps.mapping(it, label, "name", "type", "description", "default", "min", "max", "values", "of")
		if !ok {
			continue
		}
		p := Param{Pos: ps.y.Pos(it)}
		dup := false
		if nv, ok := f.Vals["name"]; ok {
			p.Name = ps.text(nv, label+": name", "give the parameter a name, such as device")
			if p.Name != "" {
				if !identRE.MatchString(p.Name) {
					ps.y.Errorf(nv, "use lower-case letters, digits and _, starting with a letter, such as restore_metric (templates read it as .NAME)", "%s: name %q is not a valid parameter name", label, p.Name)
				} else if first, twice := seen[p.Name]; twice {
					dup = true
					ps.y.Errorf(nv, fmt.Sprintf("the first is at line %d; give each parameter its own name", first.Line), "duplicate parameter %q", p.Name)
				} else {
					seen[p.Name] = nv
				}
				label = fmt.Sprintf("param %q", p.Name)
			}
		} else {
			ps.y.Errorf(it, "add name: the name templates use, as .NAME", "%s: missing field %q", label, "name")
		}
		if tv, ok := f.Vals["type"]; ok {
			if s, ok := ps.y.String(tv, label+": type"); ok {
				p.Type = ParamType(s)
				if !p.Type.valid() {
					ps.y.Errorf(tv, typeHint(s), "%s: unknown type %q", label, s)
					p.Type = ""
				}
			}
		} else {
			ps.y.Errorf(it, "add type: one of "+typeList(), "%s: missing field %q", label, "type")
		}
		if dv, ok := f.Vals["description"]; ok {
			p.Description = ps.text(dv, label+": description", "say what the parameter is, or remove description")
		}
		for _, b := range []struct {
			key string
			dst **int64
		}{{"min", &p.Min}, {"max", &p.Max}} {
			bv, ok := f.Vals[b.key]
			if !ok {
				continue
			}
			if p.Type != "" && p.Type != TypeInt && p.Type != TypeMetric {
				ps.y.Errorf(f.Keys[b.key], fmt.Sprintf("remove %s: only an int or metric parameter has bounds", b.key), "%s: %s on a %s parameter", label, b.key, p.Type)
				continue
			}
			if n, ok := ps.y.Int(bv, label+": "+b.key); ok {
				*b.dst = &n
			}
		}
		if p.Min != nil && p.Max != nil && *p.Min > *p.Max {
			ps.y.Errorf(f.Vals["max"], "make max at least min", "%s: max %d is below min %d", label, *p.Max, *p.Min)
		}
		if vv, ok := f.Vals["values"]; ok {
			if p.Type != "" && p.Type != TypeEnum {
				ps.y.Errorf(f.Keys["values"], "remove values, or make the parameter type: enum", "%s: values on a %s parameter", label, p.Type)
			} else {
				vals, _ := ps.y.Strings(vv, label+": values")
				if len(vals) == 0 {
					ps.y.Errorf(f.Keys["values"], "list the allowed values, such as [down, up]", "%s: values is empty", label)
				}
				p.Values = vals
			}
		} else if p.Type == TypeEnum {
			ps.y.Errorf(it, "add values: the allowed values, such as [down, up]", "%s: an enum needs %q", label, "values")
		}
		if ov, ok := f.Vals["of"]; ok {
			if p.Type != "" && p.Type != TypeLink && p.Type != TypeInterface {
				ps.y.Errorf(f.Keys["of"], "remove of: only link and interface parameters belong to a device", "%s: of on a %s parameter", label, p.Type)
			} else if s := ps.text(ov, label+": of", "give the name of a device parameter declared before this one"); s != "" {
				if dp, ok := paramIn(out, s); !ok || dp.Type != TypeDevice {
					ps.y.Errorf(ov, "name a parameter of type device declared before this one", "%s: of %q is not a device parameter", label, s)
				} else {
					p.Of = s
				}
			}
		}
		if dv, ok := f.Vals["default"]; ok {
			if s, ok := ps.y.String(dv, label+": default"); ok {
				p.Default, p.HasDefault, p.defNode = s, true, dv
				if strings.Contains(s, "{{") {
					ps.parseTemplate(dv, s)
				} else if p.Type != "" {
					if _, msg, hint := checkValue(p, s, nil, nil, ""); msg != "" {
						ps.y.Errorf(dv, hint, "%s: default: %s", label, msg)
					}
				}
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}

func paramIn(ps []Param, name string) (Param, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

func (t ParamType) valid() bool {
	for _, k := range ParamTypes() {
		if t == k {
			return true
		}
	}
	return false
}

func typeList() string {
	var names []string
	for _, t := range ParamTypes() {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

func typeHint(s string) string {
	var names []string
	for _, t := range ParamTypes() {
		names = append(names, string(t))
	}
	if h := diag.DidYouMean(diag.Near(s, names)); h != "" {
		return h
	}
	return "known types: " + typeList()
}

// stepKeys are the fields of a runbook step; perPlatform are those that
// hold one value per platform; includeKeys are the fields of a step that
// includes another runbook.
var (
	stepKeys    = []string{"name", "for_each", "as", "device", "config", "rollback_config", "effects", "rollback", "checks", "soak"}
	perPlatform = map[string]bool{"config": true, "rollback_config": true, "checks": true}
	includeKeys = []string{"name", "runbook", "params", "for_each", "as"}
)

func (ps *parser) step(r *Runbook, n *yaml.Node, i int) StepTemplate {
	s := StepTemplate{Pos: ps.y.Pos(n), node: n, common: map[string]*yaml.Node{}}
	label := fmt.Sprintf("step %d", i+1)
	f, ok := ps.mapping(n, label, append(stepKeys[:len(stepKeys):len(stepKeys)], "runbook", "params")...)
	if !ok {
		return s
	}
	if v, ok := f.Vals["name"]; ok {
		if name, ok := ps.y.String(v, label+": name"); ok && strings.TrimSpace(name) != "" {
			label = fmt.Sprintf("step %q", name)
		}
	} else if _, inc := f.Vals["runbook"]; !inc {
		ps.y.Errorf(n, "add name: a short name, unique within the plan (it may use templates, such as \"cost out {{.link}}\")", "%s: missing field %q", label, "name")
	}
	ps.forEach(r, &s, f, label)
	ps.item = s.As
	defer func() { ps.item = "" }()
	if _, inc := f.Vals["runbook"]; inc {
		ps.include(&s, f, label)
		return s
	}
	if k, ok := f.Keys["params"]; ok {
		ps.y.Errorf(k, "params: gives the parameters of an included runbook: add runbook: NAME, or remove params", "%s: params without runbook", label)
	}
	if _, ok := f.Keys["effects"]; !ok {
		ps.y.Errorf(n, "list what the step changes in the model under effects:, or write effects: [] if its configuration does not change forwarding", "%s: missing field %q", label, "effects")
	}
	if k, ok := f.Keys["rollback_config"]; ok {
		if _, has := f.Keys["config"]; !has {
			ps.y.Errorf(k, "rollback_config undoes config: add config, or remove rollback_config", "%s: rollback_config without config", label)
		}
	}
	if k, ok := f.Keys["config"]; ok {
		if _, has := f.Keys["device"]; !has {
			ps.y.Errorf(k, "add device: \"{{.device}}\" to say which device the configuration is sent to", "%s: config without a device", label)
		}
	}
	for _, key := range f.Order {
		v := f.Vals[key]
		switch {
		case key == "for_each" || key == "as" || key == "params":
		case perPlatform[key]:
			m := ps.perIGP(r, f.Keys[key], v, label+": "+key)
			switch key {
			case "config":
				s.config = m
			case "rollback_config":
				s.rbConf = m
			case "checks":
				s.checks = m
			}
		default:
			s.common[key] = v
			ps.templates(v)
		}
	}
	return s
}

// forEach reads the step's for_each and as.
func (ps *parser) forEach(r *Runbook, s *StepTemplate, f fields, label string) {
	if v, ok := f.Vals["for_each"]; ok {
		if p := ps.text(v, label+": for_each", "give a template pipeline that yields a list, such as links_of .device"); p != "" {
			s.ForEach, s.forNode = p, v
			ps.parseTemplate(v, forEachText(p))
		}
		if av, ok := f.Vals["as"]; ok {
			s.As = ps.text(av, label+": as", "give the name the current item has in templates, such as link")
			if s.As != "" && !identRE.MatchString(s.As) {
				ps.y.Errorf(av, "use lower-case letters, digits and _, such as l", "%s: as %q is not a valid name", label, s.As)
			} else if _, clash := paramIn(r.Params, s.As); clash {
				ps.y.Errorf(av, "pick a name that is not a parameter's", "%s: as %q is the name of a parameter", label, s.As)
			}
		} else {
			ps.y.Errorf(f.Keys["for_each"], "add as: NAME, the name of the current item in templates (.NAME)", "%s: for_each without as", label)
		}
	} else if k, ok := f.Keys["as"]; ok {
		ps.y.Errorf(k, "as names the item of for_each: add for_each, or remove as", "%s: as without for_each", label)
	}
}

// include reads a step that includes another runbook: runbook: NAME,
// params: a mapping of parameter names to values or templates, and
// optionally name, for_each and as. Whether the runbook exists, takes
// those parameters and does not include its includer is checked by Load,
// which sees the other runbooks.
func (ps *parser) include(s *StepTemplate, f fields, label string) {
	v := f.Vals["runbook"]
	inc := &Include{Pos: ps.y.Pos(v), Params: map[string]string{}, paramNodes: map[string]*yaml.Node{}, paramKeys: map[string]*yaml.Node{}}
	s.Include = inc
	if name := ps.text(v, label+": runbook", "give the name of the runbook to include, such as link-metric"); name != "" {
		inc.Runbook = name
		if strings.Contains(name, "{{") {
			ps.y.Errorf(v, "name the runbook itself; only the values under params: may be templates", "%s: the included runbook's name cannot be a template", label)
		} else if !identRE.MatchString(strings.ReplaceAll(name, "-", "_")) {
			ps.y.Errorf(v, "give a runbook's name, such as link-metric (changegate runbook list shows them)", "%s: runbook %q is not a valid runbook name", label, name)
		}
	}
	for _, key := range f.Order {
		if !contains(includeKeys, key) {
			ps.y.Errorf(f.Keys[key], "an include step takes only name, runbook, params, for_each and as: the included runbook's steps have their own "+key+"; remove it here",
				"%s: a step that includes runbook %q does not take %q", label, inc.Runbook, key)
		}
	}
	if nv, ok := f.Vals["name"]; ok {
		s.common["name"] = nv
		ps.templates(nv)
	}
	pv, ok := f.Vals["params"]
	if !ok || diag.IsNull(pv) {
		return
	}
	what := label + ": params"
	if pv.Kind != yaml.MappingNode {
		ps.y.Errorf(pv, "give the included runbook's parameters as name: value pairs, such as {device: \"{{.device}}\"}", "%s must be a mapping, found %s", what, diag.Describe(pv))
		return
	}
	for i := 0; i+1 < len(pv.Content); i += 2 {
		k, val := pv.Content[i], diag.Deref(pv.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			ps.y.Errorf(k, "keys must be parameter names", "%s: key must be a scalar, found %s", what, diag.Describe(k))
			continue
		}
		if !identRE.MatchString(k.Value) {
			ps.y.Errorf(k, "give a parameter name of the included runbook: lower-case letters, digits and _", "%s: %q is not a valid parameter name", what, k.Value)
			continue
		}
		if first, dup := inc.paramKeys[k.Value]; dup {
			ps.y.Errorf(k, fmt.Sprintf("remove one of them (the first is at line %d)", first.Line), "%s: duplicate key %q", what, k.Value)
			continue
		}
		inc.paramKeys[k.Value] = k
		if val == nil || val.Kind != yaml.ScalarNode || diag.IsNull(val) {
			ps.y.Errorf(val, "give a value or a template over this runbook's parameters, such as \"{{.device}}\"", "%s: %s must be a scalar value, found %s", what, k.Value, diag.Describe(val))
			continue
		}
		inc.Params[k.Value] = val.Value
		inc.paramNodes[k.Value] = val
		if strings.Contains(val.Value, "{{") {
			ps.parseTemplate(val, val.Value)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// perIGP reads a per-platform field of a step: a mapping from platform
// to value, the same for every IGP (stored under ""), or, in a runbook
// with igps, a mapping from IGP to such a mapping, with a form for every
// IGP of the runbook and no other.
func (ps *parser) perIGP(r *Runbook, k, v *yaml.Node, what string) forms {
	out := forms{}
	v = diag.Deref(v)
	var igpKeys, otherKeys []*yaml.Node
	if v != nil && v.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(v.Content); i += 2 {
			if kn := v.Content[i]; kn.Kind == yaml.ScalarNode && knownIGP(kn.Value) {
				igpKeys = append(igpKeys, kn)
			} else {
				otherKeys = append(otherKeys, kn)
			}
		}
	}
	if len(igpKeys) == 0 {
		out[""] = ps.perPlatform(r, k, v, what)
		return out
	}
	for _, ok := range otherKeys {
		ps.y.Errorf(ok, "give every platform under each IGP (ospf: {frr_vtysh: ...}, isis: {frr_vtysh: ...}), or the field per platform only, the same for every IGP",
			"%s mixes IGP forms (%s) and %s", what, igpKeys[0].Value, diag.Describe(ok))
	}
	if len(r.IGPs) == 0 {
		ps.y.Errorf(igpKeys[0], fmt.Sprintf("declare the IGPs the runbook has forms for: igps: [%s]", strings.Join(IGPs(), ", ")),
			"%s has a form for igp %s, but the runbook declares no igps", what, igpKeys[0].Value)
		return out
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		kn, vn := v.Content[i], v.Content[i+1]
		if kn.Kind != yaml.ScalarNode || !knownIGP(kn.Value) {
			continue
		}
		igp := kn.Value
		switch {
		case !r.SupportsIGP(igp):
			ps.y.Errorf(kn, fmt.Sprintf("add %s to igps:, or remove this form", igp), "%s: %s is not one of the runbook's igps", what, igp)
		case out[igp] != nil:
			ps.y.Errorf(kn, "give each IGP's form once", "%s: igp %s given twice", what, igp)
		default:
			out[igp] = ps.perPlatform(r, kn, vn, what+" ("+IGPName(igp)+")")
		}
	}
	for _, igp := range r.IGPs {
		if _, ok := out[igp]; !ok {
			ps.y.Errorf(k, fmt.Sprintf("add %s: with what to send (or check) on %s networks, or remove %s from igps", igp, IGPName(igp), igp),
				"%s has no form for igp %s", what, igp)
		}
	}
	return out
}

// perPlatform reads a mapping from platform to value, which must have a
// value for every platform of the runbook and no other.
func (ps *parser) perPlatform(r *Runbook, k, v *yaml.Node, what string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	handlers := map[string]diag.Field{}
	for _, p := range platformNames() {
		handlers[p] = func(pk, pv *yaml.Node) {
			if !r.Supports(p) && len(r.Platforms) > 0 {
				ps.y.Errorf(pk, fmt.Sprintf("add %s to platforms:, or remove this configuration", p), "%s: %s is not one of the runbook's platforms", what, p)
				return
			}
			out[p] = pv
			ps.templates(pv)
		}
	}
	if v.Kind == yaml.ScalarNode && !diag.IsNull(v) || v.Kind == yaml.SequenceNode {
		ps.y.Errorf(v, "give it per platform: frr_vtysh: |, cisco_iosxe: |, and so on", "%s must be a mapping from platform to value, found %s", what, diag.Describe(v))
		return out
	}
	if !ps.y.Mapping(v, what, handlers) {
		return out
	}
	for _, p := range r.Platforms {
		if _, ok := out[p]; !ok {
			ps.y.Errorf(k, fmt.Sprintf("add %s: with what to send (or check) on %s, or remove %s from platforms", p, p, p), "%s has nothing for platform %s", what, p)
		}
	}
	return out
}

// templates checks that every templated scalar under n parses.
func (ps *parser) templates(n *yaml.Node) {
	walkScalars(n, func(s *yaml.Node) {
		if strings.Contains(s.Value, "{{") {
			ps.parseTemplate(s, s.Value)
		}
	})
}

func (ps *parser) parseTemplate(n *yaml.Node, text string) {
	at := n
	if text != n.Value {
		at = nil // text wraps n's value (for_each): its columns are not n's
	}
	t, err := newTemplate(text, funcs(nil))
	if err != nil {
		pos, msg := templateErr(ps.y.Pos(n), at, err)
		ps.y.Diags.Add(pos, "fix the template (Go text/template syntax; functions: "+strings.Join(funcNames(), ", ")+")", "template: %s", msg)
		return
	}
	if ps.names == nil {
		return // a parameter's default, read with the parameters
	}
	known := func(name string) bool { return ps.names[name] || name == ps.item }
	node, name := unknownField(t.Tree, known)
	if node == nil {
		return
	}
	// Rendering would fail on it (missingkey=error): say so now, at the
	// field, as text/template would.
	loc, _ := t.Tree.ErrorContext(node)
	pos, _ := templateErr(ps.y.Pos(n), at, fmt.Errorf("template: %s: x", loc))
	names := slices.Sorted(maps.Keys(ps.names))
	if ps.item != "" {
		names = append(names, ps.item)
	}
	hint := "the parameters are " + strings.Join(names, ", ")
	if len(names) == 0 {
		hint = "the runbook has no parameters: declare it under params:"
	} else if h := diag.DidYouMeanAs(diag.Near(name, names), func(s string) string { return "." + s }); h != "" {
		hint = h
	}
	ps.y.Diags.Add(pos, hint, "template: .%s is not a parameter of the runbook", diag.Clip(name))
}

// unknownField returns the first field of the template's data (.NAME,
// or $.NAME) that the tree uses and known does not know, and its node;
// nil when there is none. The dot inside range and with is something
// else, whose fields are not looked at.
func unknownField(tree *parse.Tree, known func(string) bool) (parse.Node, string) {
	var found parse.Node
	var name string
	var walk func(n parse.Node, dotIsData bool)
	walk = func(n parse.Node, dot bool) {
		if found != nil {
			return
		}
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c, dot)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe, dot)
		case *parse.PipeNode:
			if n != nil {
				for _, c := range n.Cmds {
					walk(c, dot)
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a, dot)
			}
		case *parse.ChainNode:
			walk(n.Node, dot)
		case *parse.FieldNode:
			if dot && !known(n.Ident[0]) {
				found, name = n, n.Ident[0]
			}
		case *parse.VariableNode:
			if len(n.Ident) > 1 && n.Ident[0] == "$" && !known(n.Ident[1]) {
				found, name = n, n.Ident[1]
			}
		case *parse.IfNode:
			walk(n.Pipe, dot)
			walk(n.List, dot)
			walk(n.ElseList, dot)
		case *parse.RangeNode:
			walk(n.Pipe, dot)
			walk(n.List, false)
			walk(n.ElseList, dot)
		case *parse.WithNode:
			walk(n.Pipe, dot)
			walk(n.List, false)
			walk(n.ElseList, dot)
		case *parse.TemplateNode:
			walk(n.Pipe, dot)
		}
	}
	walk(tree.Root, true)
	return found, name
}

func (ps *parser) example(r *Runbook, n *yaml.Node, i int) Example {
	e := Example{Pos: ps.y.Pos(n), Params: map[string]string{}}
	label := fmt.Sprintf("example %d", i+1)
	f, ok := ps.mapping(n, label, "name", "topology", "platform", "params")
	if !ok {
		return e
	}
	if v, ok := f.Vals["name"]; ok {
		if e.Name = ps.text(v, label+": name", "give the example a short name"); e.Name != "" {
			label = fmt.Sprintf("example %q", e.Name)
		}
	} else {
		ps.y.Errorf(n, "add name: a short name for the example", "%s: missing field %q", label, "name")
	}
	if v, ok := f.Vals["topology"]; ok {
		e.Topology = ps.text(v, label+": topology", "give the topology file to try the example on, relative to the runbook")
	} else {
		ps.y.Errorf(n, "add topology: the topology file to try the example on, relative to the runbook, such as ../examples/april-2011.yaml", "%s: missing field %q", label, "topology")
	}
	if v, ok := f.Vals["platform"]; ok {
		if e.Platform = ps.text(v, label+": platform", "give one of the runbook's platforms"); e.Platform != "" && !r.Supports(e.Platform) {
			ps.y.Errorf(v, platformHint(e.Platform), "%s: platform %q is not one of the runbook's platforms", label, e.Platform)
		}
	}
	given := map[string]bool{}
	if v, ok := f.Vals["params"]; ok {
		pf := map[string]diag.Field{}
		for _, p := range r.Params {
			pf[p.Name] = func(_, pv *yaml.Node) {
				if s, ok := ps.y.String(pv, label+": param "+p.Name); ok {
					e.Params[p.Name] = s
					given[p.Name] = true
				}
			}
		}
		ps.y.Mapping(v, label+": params", pf)
	}
	for _, p := range r.Params {
		if !p.HasDefault && !given[p.Name] && p.Name != "" {
			ps.y.Errorf(n, fmt.Sprintf("add %s: VALUE under params:", p.Name), "%s: required parameter %q is not given", label, p.Name)
		}
	}
	return e
}

// walkScalars calls fn for every scalar under n (aliases followed once).
func walkScalars(n *yaml.Node, fn func(*yaml.Node)) {
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		n = diag.Deref(n)
		if n == nil || depth > 100 {
			return
		}
		switch n.Kind {
		case yaml.ScalarNode:
			fn(n)
		case yaml.MappingNode:
			for i := 1; i < len(n.Content); i += 2 {
				walk(n.Content[i], depth+1)
			}
		case yaml.SequenceNode, yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		}
	}
	walk(n, 0)
}

// newTemplate parses text as a template that fails on a missing key.
func newTemplate(text string, fm template.FuncMap) (*template.Template, error) {
	return template.New("t").Option("missingkey=error").Funcs(fm).Parse(text)
}

func forEachText(pipeline string) string { return "{{collect (" + pipeline + ")}}" }

var tmplErrRE = regexp.MustCompile(`^template: t:(\d+)(?::(\d+))?: (?:executing "t" at )?(.*)$`)

// templateErr turns a text/template error into the position in the
// runbook file of the scalar n (pos) and a message without the template's
// internal name.
func templateErr(pos diag.Pos, n *yaml.Node, err error) (diag.Pos, string) {
	msg := err.Error()
	m := tmplErrRE.FindStringSubmatch(msg)
	if m == nil {
		return pos, strings.TrimPrefix(msg, "template: ")
	}
	var line, col int
	fmt.Sscanf(m[1], "%d", &line)
	if m[2] != "" {
		fmt.Sscanf(m[2], "%d", &col)
	}
	if n != nil && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle)) != 0 && pos.Line > 0 {
		// The text of a block scalar starts on the line after its | or >,
		// indented; the column is not tracked.
		pos.Line += line
		pos.Col = 0
	} else if line > 1 && pos.Line > 0 {
		pos.Line += line - 1
		pos.Col = 0
	} else if col > 0 && pos.Col > 0 && n != nil && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		pos.Col += col
	}
	return pos, m[3]
}

// checkValue checks the value s of parameter p (net may be nil: names
// are then not checked; known holds the values of the parameters before
// p, by name; igp is the IGP rendered for, "" when it is not known). It
// returns the value for templates, or a message and hint.
func checkValue(p Param, s string, net *topology.Network, known map[string]any, igp string) (any, string, string) {
	return check(p, s, net, known, igp)
}
