package runbook

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// RenderOptions say how to instantiate a runbook.
type RenderOptions struct {
	// Platform selects the configuration and checks; it must be one of
	// the runbook's platforms. Empty is allowed only for a runbook with a
	// single platform.
	Platform string
	// Params are the parameter values, as strings (as on the command
	// line); parameters not given take their defaults.
	Params map[string]string
	// Topology, when not nil, is what device, link and interface
	// parameters are checked against and what links_of reads. Runbooks
	// that call links_of need it. Its igp (IS-IS when it names none)
	// chooses the forms of a runbook with IGPs.
	Topology *topology.Network
	// IGP is the IGP to render for (topology.IGPOSPF, topology.IGPISIS)
	// when there is no topology; with one, it must be the topology's.
	// Empty: the topology's. A runbook with IGPs (Runbook.IGPs) is
	// refused for an IGP it has no form for, and, with more than one, when
	// neither the topology nor IGP says which.
	IGP string
	// ParamPos gives where each parameter value was written, for
	// diagnostics (a plan-side expansion passes the positions in the
	// plan); values without one are reported at Origin.
	ParamPos map[string]diag.Pos
	// Origin names where parameter values come from when ParamPos has no
	// position for them, such as "--param"; default "params".
	Origin string
	// At, when set, is where problems without a position of their own
	// (a missing parameter or platform) are reported: a plan's runbook
	// step, say. Otherwise they are reported at Origin.
	At diag.Pos
	// Library is where the runbooks that steps include (runbook: NAME)
	// are looked up; nil means the library Load put the runbook in. A
	// runbook read by Parse alone that includes another needs it.
	Library *Library
}

// Render instantiates the runbook's steps for opts: it checks the
// parameters, renders every template with them, and checks the result
// as plan steps (the checks of plans.Parse). Diagnostics about the
// runbook point at its file, line and column; about parameter values, at
// ParamPos or Origin. The steps are nil when any diagnostic is an error.
func (r *Runbook) Render(opts RenderOptions) ([]plans.Step, diag.Diagnostics) {
	p, ds := r.RenderPlan(opts, PlanMeta{})
	if p == nil {
		return nil, ds
	}
	return p.Steps, ds
}

// PlanMeta is what RenderPlan writes into the plan besides the steps.
type PlanMeta struct {
	// Title defaults to the runbook's name and the parameters given.
	Title string
	// Topology is the topology path written into the plan (relative to
	// where the plan will be written, or absolute); may be empty.
	Topology string
}

// RenderPlan renders the runbook as a whole plan: a title, a
// description saying where it comes from, meta.Topology and the steps.
func (r *Runbook) RenderPlan(opts RenderOptions, meta PlanMeta) (*plans.Plan, diag.Diagnostics) {
	var ds diag.Diagnostics
	origin := opts.Origin
	if origin == "" {
		origin = "params"
	}
	at := diag.Pos{File: origin}
	if opts.At.File != "" {
		at = opts.At
	}
	pos := func(name string) diag.Pos {
		if p, ok := opts.ParamPos[name]; ok {
			return p
		}
		return at
	}
	platform := opts.Platform
	switch {
	case platform == "" && len(r.Platforms) == 1:
		platform = r.Platforms[0]
	case platform == "":
		ds.Add(at, "choose one of "+strings.Join(r.Platforms, ", "), "runbook %s needs a platform", r.Name)
		return nil, ds
	case !r.Supports(platform):
		hint := "choose one of " + strings.Join(r.Platforms, ", ")
		if h := diag.DidYouMean(diag.Near(platform, r.Platforms)); h != "" {
			hint = h
		}
		ds.Add(at, hint, "runbook %s has no configuration for platform %q", r.Name, platform)
		return nil, ds
	}
	igp, ok := r.renderIGP(opts, at, &ds)
	if !ok {
		return nil, ds
	}
	data, pds := r.bind(opts.Params, opts.Topology, igp, pos)
	ds = append(ds, pds...)
	if ds.HasErrors() {
		ds.Sort()
		return nil, ds
	}
	lib := opts.Library
	if lib == nil {
		lib = r.lib
	}
	rd := &renderer{r: r, fm: funcs(opts.Topology), ds: &ds, src: map[*yaml.Node]source{},
		lib: lib, net: opts.Topology, platform: platform, igp: igp, chain: []string{r.Name}, count: &counts{}}
	title := meta.Title
	if title == "" {
		title = r.defaultTitle(opts.Params, platform)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode}
	addKV(doc, "title", str(title))
	desc := fmt.Sprintf("%s\n\nRendered from runbook %s for platform %s.", r.Title, r.Name, platform)
	if len(r.IGPs) > 0 {
		desc = fmt.Sprintf("%s\n\nRendered from runbook %s for platform %s and %s.", r.Title, r.Name, platform, IGPName(igp))
	}
	addKV(doc, "description", &yaml.Node{Kind: yaml.ScalarNode, Value: desc, Style: yaml.LiteralStyle})
	if meta.Topology != "" {
		addKV(doc, "topology", str(meta.Topology))
	}
	// The platform the configuration is written for: the gate reads it
	// in that platform's language.
	addKV(doc, "platform", str(platform))
	steps := &yaml.Node{Kind: yaml.SequenceNode, Content: rd.steps(data)}
	addKV(doc, "steps", steps)
	if ds.HasErrors() {
		ds.Sort()
		return nil, ds
	}
	if len(steps.Content) == 0 {
		ds.Add(r.Pos, "check the parameters: a for_each gave no items", "runbook %s renders no steps", r.Name)
		return nil, ds
	}
	return rd.check(doc)
}

// renderIGP is the IGP r is rendered for: opts.IGP or the topology's
// (IS-IS when it names none), which must agree. A runbook without IGPs
// renders for any (or none: ""); one with IGPs needs one of them, and
// one it has a form for. Problems are added to ds at at.
func (r *Runbook) renderIGP(opts RenderOptions, at diag.Pos, ds *diag.Diagnostics) (string, bool) {
	netIGP := ""
	if opts.Topology != nil {
		netIGP = opts.Topology.IGP
		if netIGP == "" {
			netIGP = topology.IGPISIS
		}
	}
	igp, from := netIGP, "the topology's igp is "+netIGP
	switch {
	case opts.IGP != "" && !knownIGP(opts.IGP):
		hint := "give " + strings.Join(IGPs(), " or ")
		if h := diag.DidYouMean(diag.Near(opts.IGP, IGPs())); h != "" {
			hint = h
		}
		ds.Add(at, hint, "unknown IGP %q", opts.IGP)
		return "", false
	case opts.IGP != "" && netIGP != "" && opts.IGP != netIGP:
		ds.Add(at, fmt.Sprintf("leave the IGP out to render for the topology's, or fix the topology's igp (%s)", netIGP),
			"rendering for %s, but the topology's igp is %s: the configuration would be for an IGP the network does not run", IGPName(opts.IGP), netIGP)
		return "", false
	case opts.IGP != "":
		igp, from = opts.IGP, "rendering for "+opts.IGP
	}
	if len(r.IGPs) == 0 {
		return igp, true
	}
	if igp == "" {
		if len(r.IGPs) == 1 {
			return r.IGPs[0], true
		}
		ds.Add(at, fmt.Sprintf("give the topology (its igp chooses the form) or the IGP (%s)", strings.Join(r.IGPs, " or ")),
			"runbook %s has forms for %s: say which IGP the network runs", r.Name, igpList(r.IGPs))
		return "", false
	}
	if !r.SupportsIGP(igp) {
		ds.Add(at, fmt.Sprintf("render it for a network that runs %s, or add %s forms to it (igps: [%s, %s])", igpList(r.IGPs), IGPName(igp), strings.Join(r.IGPs, ", "), igp),
			"runbook %s has no %s form (igps: %s), and %s", r.Name, IGPName(igp), strings.Join(r.IGPs, ", "), from)
		return "", false
	}
	return igp, true
}

// igpList names IGPs for a message: "OSPF", "OSPF and IS-IS".
func igpList(igps []string) string {
	names := make([]string, len(igps))
	for i, g := range igps {
		names[i] = IGPName(g)
	}
	return strings.Join(names, " and ")
}

func (r *Runbook) defaultTitle(params map[string]string, platform string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var kv []string
	for _, k := range keys {
		kv = append(kv, k+"="+params[k])
	}
	return fmt.Sprintf("%s (%s) on %s", r.Name, strings.Join(kv, ", "), platform)
}

// renderer renders the steps of one runbook; an included runbook is
// rendered by a copy of its includer's renderer, sharing the
// diagnostics, src and count.
type renderer struct {
	r  *Runbook
	fm map[string]any
	ds *diag.Diagnostics
	// src maps each node of the rendered document to where it comes from
	// in a runbook, for positions.
	src map[*yaml.Node]source

	lib      *Library
	net      *topology.Network
	platform string
	// igp is the IGP rendered for ("" when the runbooks rendered do not
	// depend on it).
	igp string
	// chain holds the names of the runbooks being rendered, the outermost
	// first and r last; via says where r was included ("" for the
	// outermost).
	chain []string
	via   string
	// count is shared by all the renderers of one rendering.
	count *counts
}

// counts bound the work of one rendering: steps rendered and includes
// followed, each at most MaxRenderedSteps; over is set when either
// passes it, and rendering stops.
type counts struct {
	steps, includes int
	over            bool
}

// source is where a rendered node comes from: a position in a runbook
// and, for an included runbook, where it was included.
type source struct {
	pos diag.Pos
	via string
}

func (rd *renderer) pos(n *yaml.Node) diag.Pos {
	if n == nil {
		return rd.r.Pos
	}
	return diag.Pos{File: rd.r.File, Line: n.Line, Col: n.Column}
}

// add records an error in the runbook being rendered, saying where it
// was included when it was.
func (rd *renderer) add(pos diag.Pos, hint, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if rd.via != "" {
		msg += " (" + rd.via + ")"
	}
	rd.ds.Add(pos, hint, "%s", msg)
}

// steps renders the runbook's steps with data, for_each items and
// includes expanded in order.
func (rd *renderer) steps(data map[string]any) []*yaml.Node {
	var out []*yaml.Node
	for _, st := range rd.r.Steps {
		for _, item := range rd.items(st, data) {
			c := rd.count
			if c.over {
				return out
			}
			if st.Include != nil {
				if c.includes++; c.includes > MaxRenderedSteps {
					c.over = true
					rd.add(st.Pos, "include fewer runbooks, or use for_each over fewer items",
						"runbook %s follows more than %d includes", rd.chain[0], MaxRenderedSteps)
					return out
				}
				out = append(out, rd.include(st, item)...)
				continue
			}
			if c.steps++; c.steps > MaxRenderedSteps {
				c.over = true
				rd.add(st.Pos, "render fewer steps: fewer for_each items, or fewer includes of runbooks that render many steps",
					"runbook %s renders more than %d steps", rd.chain[0], MaxRenderedSteps)
				return out
			}
			out = append(out, rd.step(st, item, rd.platform))
		}
	}
	return out
}

// include renders the runbook that st includes, with the parameters of
// the include rendered with data, and returns its steps, named after st
// when st has a name (several are prefixed "NAME: ").
func (rd *renderer) include(st StepTemplate, data map[string]any) []*yaml.Node {
	inc := st.Include
	if rd.lib == nil {
		rd.add(inc.Pos, "load the runbooks with runbook.Load (changegate does), or give RenderOptions.Library",
			"runbook %s includes runbook %q, but there is no library of runbooks to find it in", rd.r.Name, inc.Runbook)
		return nil
	}
	for i, name := range rd.chain {
		if name == inc.Runbook {
			loop := append(append([]string(nil), rd.chain[i:]...), inc.Runbook)
			rd.add(inc.Pos, "a runbook cannot include itself, directly or through others: remove one of the includes",
				"include loop: %s", strings.Join(loop, " -> "))
			return nil
		}
	}
	if len(rd.chain) > MaxIncludeDepth {
		rd.add(inc.Pos, "write some of the included steps out instead of including them",
			"includes nest more than %d deep: %s -> %s", MaxIncludeDepth, strings.Join(rd.chain, " -> "), inc.Runbook)
		return nil
	}
	sub, err := rd.lib.Get(inc.Runbook)
	if err != nil {
		rd.add(inc.Pos, rd.lib.nameHint(inc.Runbook), "runbook %s includes runbook %q, which does not exist", rd.r.Name, inc.Runbook)
		return nil
	}
	if !sub.Supports(rd.platform) {
		rd.add(inc.Pos, fmt.Sprintf("add %s to the platforms of %s, or render %s for one of %s", rd.platform, sub.Name, rd.r.Name, strings.Join(sub.Platforms, ", ")),
			"runbook %s includes runbook %s, which has no configuration for platform %q", rd.r.Name, sub.Name, rd.platform)
		return nil
	}
	switch {
	case len(sub.IGPs) > 0 && rd.igp == "":
		rd.add(inc.Pos, fmt.Sprintf("declare the IGPs of %s (igps: [%s]), or give the topology or the IGP when rendering", rd.r.Name, strings.Join(sub.IGPs, ", ")),
			"runbook %s includes runbook %s, whose configuration depends on the IGP, and the IGP is not known", rd.r.Name, sub.Name)
		return nil
	case !sub.SupportsIGP(rd.igp):
		rd.add(inc.Pos, fmt.Sprintf("add %s forms to %s, or render %s for a network that runs %s", IGPName(rd.igp), sub.Name, rd.r.Name, igpList(sub.IGPs)),
			"runbook %s includes runbook %s, which has no %s form (igps: %s)", rd.r.Name, sub.Name, IGPName(rd.igp), strings.Join(sub.IGPs, ", "))
		return nil
	}
	names := make([]string, 0, len(inc.Params))
	for k := range inc.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	given := make(map[string]string, len(names))
	ok := true
	for _, k := range names {
		v, n := inc.Params[k], inc.paramNodes[k]
		if !strings.Contains(v, "{{") {
			given[k] = v
			continue
		}
		t, err := newTemplate(v, rd.fm)
		var b strings.Builder
		if err == nil {
			err = t.Execute(&b, data)
		}
		if err != nil {
			p, msg := templateErr(rd.pos(n), n, err)
			rd.add(p, rd.templateHint(msg), "template: %s", msg)
			ok = false
			continue
		}
		given[k] = b.String()
	}
	if !ok {
		return nil
	}
	subData, bds := sub.bind(given, rd.net, rd.igp, func(name string) diag.Pos {
		if n, ok := inc.paramNodes[name]; ok {
			return rd.pos(n)
		}
		return inc.Pos
	})
	for _, d := range bds {
		d.Msg = fmt.Sprintf("include %s: %s", sub.Name, d.Msg)
		if rd.via != "" {
			d.Msg += " (" + rd.via + ")"
		}
		*rd.ds = append(*rd.ds, d)
	}
	if bds.HasErrors() {
		return nil
	}
	child := *rd
	child.r = sub
	child.chain = append(append([]string(nil), rd.chain...), sub.Name)
	child.via = fmt.Sprintf("runbook %s, included by %s at %s", sub.Name, rd.r.Name, inc.Pos)
	out := child.steps(subData)
	if nameNode, ok := st.common["name"]; ok && len(out) > 0 {
		name := rd.render(nameNode, data)
		for _, s := range out {
			for i := 0; i+1 < len(s.Content); i += 2 {
				if s.Content[i].Value != "name" {
					continue
				}
				v := str(name.Value)
				if len(out) > 1 {
					v.Value = name.Value + ": " + s.Content[i+1].Value
				}
				rd.src[v] = source{pos: rd.pos(nameNode), via: rd.via}
				s.Content[i+1] = v
			}
		}
	}
	return out
}

// items evaluates the step's for_each: one data map per item, or the
// data itself when the step has none.
func (rd *renderer) items(st StepTemplate, data map[string]any) []map[string]any {
	if st.ForEach == "" {
		return []map[string]any{data}
	}
	var got any
	fm := map[string]any{}
	for k, v := range rd.fm {
		fm[k] = v
	}
	fm["collect"] = func(v any) string { got = v; return "" }
	t, err := newTemplate(forEachText(st.ForEach), fm)
	if err == nil {
		err = t.Execute(&strings.Builder{}, data)
	}
	if err != nil {
		p, msg := templateErr(rd.pos(st.forNode), nil, err)
		rd.add(p, "for_each needs a pipeline that yields a list, such as links_of .device", "for_each: %s", msg)
		return nil
	}
	v := reflect.ValueOf(got)
	if !v.IsValid() || (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) {
		rd.add(rd.pos(st.forNode), "for_each needs a pipeline that yields a list, such as links_of .device", "for_each: %q gives %T, not a list", st.ForEach, got)
		return nil
	}
	out := make([]map[string]any, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		d := make(map[string]any, len(data)+1)
		for k, x := range data {
			d[k] = x
		}
		d[st.As] = v.Index(i).Interface()
		out = append(out, d)
	}
	return out
}

// step renders one step for platform.
func (rd *renderer) step(st StepTemplate, data map[string]any, platform string) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode}
	rd.src[out] = source{pos: rd.pos(st.node), via: rd.via}
	for _, key := range stepKeys {
		var v *yaml.Node
		switch key {
		case "config":
			v = st.config.get(rd.igp, platform)
		case "rollback_config":
			v = st.rbConf.get(rd.igp, platform)
		case "checks":
			v = st.checks.get(rd.igp, platform)
		default:
			v = st.common[key]
		}
		if v == nil {
			continue
		}
		k := str(key)
		rd.src[k] = source{pos: rd.pos(keyOf(st.node, key)), via: rd.via}
		out.Content = append(out.Content, k, rd.render(v, data))
	}
	return out
}

func keyOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return m
}

// render copies n, rendering every templated scalar with data.
func (rd *renderer) render(n *yaml.Node, data map[string]any) *yaml.Node {
	return rd.copy(diag.Deref(n), data, 0)
}

func (rd *renderer) copy(n *yaml.Node, data map[string]any, depth int) *yaml.Node {
	n = diag.Deref(n)
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value, Style: n.Style &^ yaml.FlowStyle}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		c.Style = n.Style
	}
	rd.src[c] = source{pos: rd.pos(n), via: rd.via}
	if depth > 100 {
		return c
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "{{") {
			return c
		}
		t, err := newTemplate(n.Value, rd.fm)
		var b strings.Builder
		if err == nil {
			err = t.Execute(&b, data)
		}
		if err != nil {
			p, msg := templateErr(rd.pos(n), n, err)
			rd.add(p, rd.templateHint(msg), "template: %s", msg)
			return c
		}
		c.Value, c.Tag = b.String(), ""
		if c.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
			c.Style = 0
		} else if !strings.HasSuffix(c.Value, "\n") {
			c.Value += "\n"
		}
	default:
		for _, ch := range n.Content {
			c.Content = append(c.Content, rd.copy(ch, data, depth+1))
		}
	}
	return c
}

func (rd *renderer) templateHint(msg string) string {
	if i := strings.Index(msg, "map has no entry for key "); i >= 0 {
		key := strings.Trim(msg[i+len("map has no entry for key "):], `"`)
		var names []string
		for _, p := range rd.r.Params {
			names = append(names, p.Name)
		}
		if h := diag.DidYouMeanAs(diag.Near(key, names), func(s string) string { return "." + s }); h != "" {
			return h
		}
		return "the parameters are: " + strings.Join(names, ", ")
	}
	return "fix the template, or the parameters it uses"
}

// check writes the rendered document as YAML, parses it as a plan, and
// moves the positions of the plan's diagnostics and fields back to the
// runbook.
func (rd *renderer) check(doc *yaml.Node) (*plans.Plan, diag.Diagnostics) {
	data, err := yaml.Marshal(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{doc}})
	if err != nil {
		rd.ds.Add(rd.r.Pos, "", "internal: write the rendered plan: %v", err)
		return nil, *rd.ds
	}
	var back yaml.Node
	if err := yaml.Unmarshal(data, &back); err != nil || len(back.Content) != 1 {
		rd.ds.Add(rd.r.Pos, "", "internal: read the rendered plan back: %v", err)
		return nil, *rd.ds
	}
	where := map[[2]int]source{}
	var walk func(gen, mine *yaml.Node)
	walk = func(gen, mine *yaml.Node) {
		if s, ok := rd.src[mine]; ok {
			key := [2]int{gen.Line, gen.Column}
			if _, seen := where[key]; !seen {
				where[key] = s
			}
		}
		for i := 0; i < len(gen.Content) && i < len(mine.Content); i++ {
			walk(gen.Content[i], mine.Content[i])
		}
	}
	walk(back.Content[0], doc)
	const file = "(rendered plan)"
	from := func(p diag.Pos) source {
		if q, ok := where[[2]int{p.Line, p.Col}]; ok {
			return q
		}
		return source{pos: diag.Pos{File: rd.r.File}}
	}
	move := func(p diag.Pos) diag.Pos { return from(p).pos }
	// moveName moves the position of a name, which is zero when the
	// rendered step does not give it.
	moveName := func(p *diag.Pos) {
		if p.Line > 0 {
			*p = move(*p)
		}
	}
	p, pds := plans.ParseWith(file, data, plans.ParseOptions{
		NoFileHint: "a runbook's check gives its TextFSM template inline, as template_text: |; template files are not read for runbooks",
		Rendered:   true,
	})
	for _, d := range pds {
		s := from(d.Pos)
		d.Pos = s.pos
		d.Msg = "rendered " + d.Msg
		if s.via != "" {
			d.Msg += " (" + s.via + ")"
		}
		*rd.ds = append(*rd.ds, d)
	}
	ds := *rd.ds
	ds.Sort()
	if ds.HasErrors() || p == nil {
		return nil, ds
	}
	p.File = ""
	p.Pos = rd.r.Pos
	for i := range p.Steps {
		s := &p.Steps[i]
		s.Pos = move(s.Pos)
		for d, p := range s.DevicePos {
			moveName(&p)
			s.DevicePos[d] = p
		}
		for _, effects := range [][]plans.Effect{s.Effects, s.Rollback} {
			for j := range effects {
				e := &effects[j]
				e.Pos = move(e.Pos)
				moveName(&e.LinkPos)
				moveName(&e.NodePos)
				moveName(&e.FromPos)
			}
		}
		for j := range s.Checks {
			s.Checks[j].Pos = move(s.Checks[j].Pos)
			s.Checks[j].Expect.Pos = move(s.Checks[j].Expect.Pos)
			moveName(&s.Checks[j].DevicePos)
		}
	}
	return p, ds
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func addKV(m *yaml.Node, k string, v *yaml.Node) { m.Content = append(m.Content, str(k), v) }
