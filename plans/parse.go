package plans

import (
	"context"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

// LoadFile reads and parses the plan at path, a file the user gave, and
// the TextFSM template files its checks name, which must be inside the
// plan's repository or an allowed directory (scope). The error is for
// reading path only; problems in the plan, and template files that cannot
// be read, are in the Diagnostics, and the Plan is nil when any of them is
// an error.
func LoadFile(ctx context.Context, path string, scope userfile.Scope) (*Plan, diag.Diagnostics, error) {
	data, err := userfile.Read(ctx, path, userfile.Plan)
	if err != nil {
		return nil, nil, err
	}
	p, ds := ParseWith(path, data, ParseOptions{ReadFile: TemplateReader(ctx, path, scope)})
	return p, ds, nil
}

// TemplateReader returns the ParseOptions.ReadFile of the plan file
// file: it reads the template files the plan names, inside the plan's
// repository or an allowed directory.
func TemplateReader(ctx context.Context, file string, scope userfile.Scope) func(name string) (string, []byte, error) {
	return func(name string) (string, []byte, error) {
		return scope.Read(ctx, file, name, userfile.Template)
	}
}

// ParseOptions say how ParseWith reads what a plan refers to. The zero
// value is Parse: no file is read.
type ParseOptions struct {
	// ReadFile reads a TextFSM template file that a check names
	// (template: FILE), by the name the plan gives, and returns its path
	// (resolved against the directory of the plan file) and content.
	// When nil, parsing touches no file system, and each check that names
	// a template file is an error whose hint is NoFileHint (or, when that
	// is empty, one that says to give the template inline).
	ReadFile func(name string) (path string, data []byte, err error)
	// NoFileHint is the hint when ReadFile is nil.
	NoFileHint string
	// Partial returns the plan as far as it parsed even when there are
	// errors, so that a linter can check what it names in the same pass.
	// A partial plan is for reporting only: never check or run one.
	Partial bool
	// Rendered says the plan text was generated (a runbook rendered into
	// a plan), so that its lines are nobody's: a problem inside an inline
	// template is reported at the start of the template, with its line in
	// the template in the message, instead of at the line of the plan
	// text.
	Rendered bool
}

// Parse parses a plan from data; file names it in diagnostics and becomes
// Plan.File. It reports every problem it finds, sorted by position, and
// returns a nil Plan when any of them is an error (and a non-nil one
// otherwise; see ParseOptions.Partial). It never panics on any input. It reads no file: a check
// that names a TextFSM template file is an error (LoadFile, or ParseWith
// with ReadFile, reads them).
func Parse(file string, data []byte) (*Plan, diag.Diagnostics) {
	return ParseWith(file, data, ParseOptions{})
}

// ParseWith is Parse with options.
func ParseWith(file string, data []byte, opts ParseOptions) (*Plan, diag.Diagnostics) {
	var ds diag.Diagnostics
	ps := &parser{y: diag.YAML{File: file, Diags: &ds}, opts: opts, data: data}
	p := ps.plan(data)
	ds.Sort()
	if ds.HasErrors() && !opts.Partial {
		return nil, ds
	}
	return p, ds
}

// fields are the fields of a mapping, found by mapping.
type fields = diag.Fields

type parser struct {
	y    diag.YAML
	opts ParseOptions
	data []byte // the plan text, for positions inside block scalars
}

// fields records the key and value nodes of a mapping, for handling after
// the walk in a fixed order.

func (ps *parser) mapping(n *yaml.Node, what string, names ...string) (fields, bool) {
	return ps.y.Fields(n, what, names...)
}

func (ps *parser) plan(data []byte) *Plan {
	root := ps.y.Parse(data)
	if root == nil {
		return nil
	}
	f, ok := ps.mapping(root, "plan", "id", "title", "description", "author", "ticket", "risk", "window",
		"topology", "traffic", "inventory", "platform", "pre_checks", "post_checks", "steps")
	if !ok {
		return nil
	}
	p := &Plan{File: ps.y.File, Pos: ps.y.Pos(root)}
	if v, ok := f.Vals["id"]; ok {
		p.ID = ps.text(v, "plan: id", "give the change identifier, such as CHG-2011-04-21, or remove id")
	}
	if v, ok := f.Vals["title"]; ok {
		p.Title = ps.checked(v, "plan: title", "give a one-line summary of the change", diag.KindTitle)
	} else {
		ps.y.Errorf(root, "add title: a one-line summary of the change", "plan: missing field %q", "title")
	}
	if v, ok := f.Vals["description"]; ok {
		p.Description = strings.TrimSpace(ps.checked(v, "plan: description", "say what the change does and why, or remove description", diag.KindBlock))
	}
	if v, ok := f.Vals["author"]; ok {
		p.Author = ps.author(v)
	}
	if v, ok := f.Vals["ticket"]; ok {
		p.Ticket = ps.text(v, "plan: ticket", "give the ticket or change request the plan belongs to, or remove ticket")
	}
	if v, ok := f.Vals["risk"]; ok {
		p.Risk = ps.risk(v)
	}
	if v, ok := f.Vals["window"]; ok {
		p.Window = ps.window(v)
	}
	if v, ok := f.Vals["topology"]; ok {
		p.TopologyPos = ps.y.Pos(v)
		p.Topology = ps.checked(v, "plan: topology", "give the path of the topology file, relative to the plan file, or remove topology", diag.KindLine)
	}
	if v, ok := f.Vals["traffic"]; ok {
		p.TrafficPos = ps.y.Pos(v)
		p.Traffic = ps.checked(v, "plan: traffic", "give the path of a demand CSV file, relative to the plan file, or remove traffic to use the topology's demands", diag.KindLine)
	}
	if v, ok := f.Vals["inventory"]; ok {
		p.InventoryPos = ps.y.Pos(v)
		p.Inventory = ps.checked(v, "plan: inventory", "give the path of the device inventory, relative to the plan file, or remove inventory", diag.KindLine)
	}
	if v, ok := f.Vals["platform"]; ok {
		p.Platform = ps.text(v, "plan: platform", "give the platform of the plan's runbook steps, such as frr_vtysh or cisco_iosxe, or remove platform")
	}
	if v, ok := f.Vals["pre_checks"]; ok {
		p.PreChecks = ps.checks(v, "plan: pre_checks", "pre_checks", deviceRequired)
	}
	if v, ok := f.Vals["post_checks"]; ok {
		p.PostChecks = ps.checks(v, "plan: post_checks", "post_checks", deviceRequired)
	}
	k, ok := f.Keys["steps"]
	if !ok {
		ps.y.Errorf(root, "add steps: with at least one step", "plan: missing field %q", "steps")
		return p
	}
	items, isList := ps.list(f.Vals["steps"], "plan: steps")
	if isList && len(items) == 0 {
		ps.y.Errorf(k, "add at least one step under steps:", "plan has no steps")
	}
	names := map[string]*yaml.Node{}
	for i, it := range items {
		s, nameNode := ps.step(it, i)
		if nameNode != nil {
			if first, dup := names[s.Name]; dup {
				ps.y.Errorf(nameNode, fmt.Sprintf("the first is at line %d; give each step its own name", first.Line),
					"duplicate step name %q", s.Name)
			} else {
				names[s.Name] = nameNode
			}
		}
		p.Steps = append(p.Steps, s)
	}
	return p
}

func (ps *parser) risk(v *yaml.Node) Risk {
	s := ps.text(v, "plan: risk", "give low, medium or high, or remove risk")
	if s == "" {
		return ""
	}
	if r := Risk(s); r.Valid() {
		return r
	}
	var names []string
	for _, r := range Risks() {
		names = append(names, string(r))
	}
	hint := "use low, medium or high"
	if h := diag.DidYouMean(diag.Near(strings.ToLower(s), names)); h != "" {
		hint = h
	}
	ps.y.Errorf(v, hint, "plan: unknown risk %q", s)
	return ""
}

// step parses the i-th step. It returns the name node when the step has a
// valid name, for the duplicate check.
func (ps *parser) step(n *yaml.Node, i int) (Step, *yaml.Node) {
	s := Step{Pos: ps.y.Pos(n)}
	label := fmt.Sprintf("step %d", i+1)
	f, ok := ps.mapping(n, label, "name", "device", "devices", "wave", "config", "rollback_config",
		"effects", "rollback", "checks", "soak", "runbook", "params", "platform")
	if !ok {
		return s, nil
	}
	if _, ok := f.Keys["runbook"]; ok {
		return ps.runbookStep(n, f, s, label)
	}
	for _, key := range []string{"params", "platform"} {
		if k, ok := f.Keys[key]; ok {
			ps.y.Errorf(k, fmt.Sprintf("%s belongs to a runbook step: add runbook: NAME, or remove %s", key, key),
				"%s: %s without runbook", label, key)
		}
	}
	var nameNode *yaml.Node
	if v, ok := f.Vals["name"]; ok {
		s.Name = ps.checked(v, label+": name", "give the step a short name, unique within the plan", diag.KindLine)
		if s.Name != "" {
			nameNode = v
			label = fmt.Sprintf("step %q", s.Name)
		}
	} else {
		ps.y.Errorf(n, "add name: a short name, unique within the plan", "%s: missing field %q", label, "name")
	}

	_, hasDevice := f.Keys["device"]
	_, hasDevices := f.Keys["devices"]
	_, hasConfig := f.Keys["config"]
	ps.stepDevices(f, &s, label)
	if k, ok := f.Keys["wave"]; ok {
		if !hasDevices {
			ps.y.Errorf(k, "a wave rolls a step out over several devices: list them under devices:, or remove wave",
				"%s: wave without devices", label)
		}
		s.Wave = ps.wave(f.Vals["wave"], label, len(s.Devices), hasDevices)
	}
	if k, ok := f.Keys["config"]; ok {
		if !hasDevice && !hasDevices {
			ps.y.Errorf(k, "add device: NAME (or devices: [NAME, ...]) to say which device the configuration is sent to",
				"%s: config without a device", label)
		}
		s.Config, s.ConfigPos = ps.config(k, f.Vals["config"], label+": config", "give the configuration lines sent to the device, or remove config")
	}
	if k, ok := f.Keys["rollback_config"]; ok {
		if !hasConfig {
			ps.y.Errorf(k, "rollback_config undoes config: add config, or remove rollback_config",
				"%s: rollback_config without config", label)
		}
		s.RollbackConfig, s.RollbackConfigPos = ps.config(k, f.Vals["rollback_config"], label+": rollback_config",
			"give the configuration lines that undo config, or remove rollback_config")
	}

	const effectsHint = "list what the step changes in the model under effects:, such as - {type: link_down, link: p1-p2}"
	const configEffectsHint = effectsHint + ", or write effects: [] if the configuration does not change forwarding"
	if v, ok := f.Vals["effects"]; ok {
		items, isList := ps.list(v, label+": effects")
		switch {
		case isList && len(items) == 0 && !hasConfig:
			ps.y.Errorf(f.Keys["effects"], effectsHint, "%s has no effects", label)
		case diag.IsNull(v):
			ps.y.Errorf(f.Keys["effects"], configEffectsHint, "%s: effects is empty", label)
		}
		s.Effects = make([]Effect, 0, len(items))
		for j, it := range items {
			s.Effects = append(s.Effects, ps.effect(it, fmt.Sprintf("%s effect %d", label, j+1)))
		}
	} else if !hasConfig {
		// With configuration, the effects are derived from it
		// (internal/devconfig); without, they must be declared.
		ps.y.Errorf(n, effectsHint+", or give the configuration the step sends (config:), from which the gate derives them", "%s: missing field %q", label, "effects")
	}

	if v, ok := f.Vals["rollback"]; ok {
		s.HasRollback = true
		if diag.IsNull(v) {
			ps.y.Errorf(f.Keys["rollback"], "write rollback: [] if the step needs no rollback, or remove rollback to use the exact inverse of the step",
				"%s: rollback is empty", label)
		}
		items, _ := ps.list(v, label+": rollback")
		for j, it := range items {
			s.Rollback = append(s.Rollback, ps.effect(it, fmt.Sprintf("%s rollback effect %d", label, j+1)))
		}
	}

	if v, ok := f.Vals["checks"]; ok {
		rule := deviceFromStep
		if !hasDevice && !hasDevices {
			rule = deviceStepHasNone
		}
		s.Checks = ps.checks(v, label+": checks", label, rule)
	}
	if v, ok := f.Vals["soak"]; ok {
		s.Soak, _ = ps.duration(v, label+": soak", "use 0 or more, such as 5m")
	}
	return s, nameNode
}

// stepDevices reads device: or devices: into s.Devices.
func (ps *parser) stepDevices(f fields, s *Step, label string) {
	dk, hasDevice := f.Keys["device"]
	lk, hasDevices := f.Keys["devices"]
	if hasDevice && hasDevices {
		later := lk
		if before(lk, dk) {
			later = dk
		}
		ps.y.Errorf(later, "use device: for one device or devices: for several, not both",
			"%s: both device and devices", label)
	}
	if hasDevice {
		if d := ps.text(f.Vals["device"], label+": device", "give the name of the device the step configures"); d != "" {
			s.addDevice(d, ps.y.Pos(f.Vals["device"]))
		}
	}
	if !hasDevices {
		return
	}
	v := f.Vals["devices"]
	if v.Kind == yaml.ScalarNode && !diag.IsNull(v) {
		ps.y.Errorf(v, fmt.Sprintf("write devices: [%s, ...], or device: %s for one device", v.Value, v.Value),
			"%s: devices must be a list, found %s", label, diag.Describe(v))
		return
	}
	items, isList := ps.list(v, label+": devices")
	if isList && len(items) == 0 {
		ps.y.Errorf(lk, "list the devices the step configures, such as devices: [r1, r2], or remove devices",
			"%s: devices is empty", label)
	}
	seen := map[string]*yaml.Node{}
	for _, it := range items {
		d := ps.text(it, label+": devices item", "give the name of a device the step configures")
		if d == "" {
			continue
		}
		if first, dup := seen[d]; dup {
			ps.y.Errorf(it, fmt.Sprintf("list each device once (the first is at %s)", ps.y.Pos(first)),
				"%s: device %q listed twice", label, d)
			continue
		}
		seen[d] = it
		s.addDevice(d, ps.y.Pos(it))
	}
}

// addDevice adds device d of the step, named at pos.
func (s *Step) addDevice(d string, pos diag.Pos) {
	s.Devices = append(s.Devices, d)
	if s.DevicePos == nil {
		s.DevicePos = map[string]diag.Pos{}
	}
	s.DevicePos[d] = pos
}

// wave parses a step's wave; devices is how many devices the step has,
// to check the batch against when known (hasDevices).
func (ps *parser) wave(v *yaml.Node, label string, devices int, hasDevices bool) *Wave {
	what := label + ": wave"
	f, ok := ps.mapping(v, what, "batch", "max_failures")
	if !ok {
		return nil
	}
	w := &Wave{Batch: 1, Pos: ps.y.Pos(v)}
	if bv, ok := f.Vals["batch"]; ok {
		if b, ok := ps.y.Int(bv, what+": batch"); ok {
			switch {
			case b < 1:
				ps.y.Errorf(bv, "use 1 or more: how many devices are changed at a time", "%s: batch %d is less than 1", what, b)
			case hasDevices && devices > 0 && b > int64(devices):
				ps.y.Errorf(bv, fmt.Sprintf("use a batch from 1 to %d, the number of devices of the step", devices),
					"%s: batch %d is larger than the %d devices of the step", what, b, devices)
			default:
				w.Batch = int(b)
			}
		}
	}
	if mv, ok := f.Vals["max_failures"]; ok {
		if m, ok := ps.y.Int(mv, what+": max_failures"); ok {
			if m < 0 || m > 1<<31-1 {
				ps.y.Errorf(mv, "use 0 (stop at the first failure) or more", "%s: max_failures %d is out of range", what, m)
			} else {
				w.MaxFailures = int(m)
			}
		}
	}
	return w
}

// config reads configuration lines: a list of lines, or a block string
// split into lines (its final line break does not make an empty line).
// Indentation and blank lines inside are kept.
func (ps *parser) config(k, v *yaml.Node, what, hint string) ([]string, []diag.Pos) {
	switch {
	case diag.IsNull(v):
		ps.y.Errorf(k, hint, "%s is empty", what)
		return nil, nil
	case v.Kind == yaml.ScalarNode:
		if strings.TrimSpace(v.Value) == "" {
			ps.y.Errorf(v, hint, "%s is empty", what)
			return nil, nil
		}
		lines := strings.Split(strings.TrimSuffix(v.Value, "\n"), "\n")
		pos := make([]diag.Pos, len(lines))
		for j, line := range lines {
			pos[j] = ps.y.Pos(v)
			if p, ok := ps.blockLine(v, v.Value, j+1); ok && !ps.opts.Rendered {
				pos[j] = p
			}
			ps.y.Diags.CheckText(pos[j], fmt.Sprintf("%s line %d", what, j+1), line, diag.KindLine)
		}
		return lines, pos
	case v.Kind != yaml.SequenceNode:
		ps.y.Errorf(v, "write the lines as a block string (config: | and the lines below it, indented) or as a list of strings",
			"%s must be lines of text, found %s", what, diag.Describe(v))
		return nil, nil
	}
	if len(v.Content) == 0 {
		ps.y.Errorf(k, hint, "%s is empty", what)
		return nil, nil
	}
	lines := make([]string, 0, len(v.Content))
	pos := make([]diag.Pos, 0, len(v.Content))
	for j, it := range v.Content {
		line, ok := ps.y.String(it, fmt.Sprintf("%s line %d", what, j+1))
		if !ok {
			continue
		}
		if strings.ContainsAny(line, "\n\r") {
			ps.y.Errorf(it, "give one line per item, or write the lines as a block string (config: | and the lines below it)",
				"%s line %d holds a line break", what, j+1)
			continue
		}
		ps.y.CheckText(it, fmt.Sprintf("%s line %d", what, j+1), diag.KindLine)
		lines = append(lines, line)
		pos = append(pos, ps.y.Pos(it))
	}
	return lines, pos
}

func (ps *parser) effect(n *yaml.Node, label string) Effect {
	e := Effect{Pos: ps.y.Pos(n)}
	f, ok := ps.mapping(n, label, append([]string{"type"}, effectFields...)...)
	if !ok {
		return e
	}
	tv, ok := f.Vals["type"]
	if !ok {
		ps.y.Errorf(n, "add type: one of "+typeList(), "%s: missing field %q", label, "type")
		return e
	}
	ts, ok := ps.y.String(tv, label+": type")
	if !ok {
		return e
	}
	e.Type = EffectType(ts)
	spec, ok := effectSpecs[e.Type]
	if !ok {
		hint := "known types: " + typeList()
		if h := diag.DidYouMean(diag.Near(ts, typeNames())); h != "" {
			hint = h
		}
		ps.y.Errorf(tv, hint, "%s: unknown effect type %q", label, ts)
		return e
	}
	allowed := map[string]bool{}
	for _, name := range append(append([]string(nil), spec.required...), spec.optional...) {
		allowed[name] = true
	}
	for _, name := range effectFields {
		if k, given := f.Keys[name]; given && !allowed[name] {
			ps.y.Errorf(k, forbiddenHint(e.Type, spec, name), "%s: %s does not take %q", label, e.Type, name)
		}
	}
	for _, name := range spec.required {
		if _, given := f.Keys[name]; !given {
			ps.y.Errorf(n, requiredHint[name], "%s: %s needs %q", label, e.Type, name)
		}
	}
	for _, name := range effectFields {
		v, given := f.Vals[name]
		if !given || !allowed[name] {
			continue
		}
		switch name {
		case "link":
			e.Link, e.LinkPos = ps.text(v, label+": link", "give the id of a link in the topology"), ps.y.Pos(v)
		case "node":
			e.Node, e.NodePos = ps.text(v, label+": node", "give the name of a node in the topology"), ps.y.Pos(v)
		case "from":
			e.From, e.FromPos = ps.text(v, label+": from", "give the node at the end of the link whose outgoing metric changes, or remove from to change both directions"), ps.y.Pos(v)
		case "metric":
			e.Metric = ps.metric(v, label)
		case "capacity":
			e.CapacityBps = ps.capacity(v, label)
		}
	}
	return e
}

func (ps *parser) metric(v *yaml.Node, label string) int64 {
	m, ok := ps.y.Int(v, label+": metric")
	if !ok {
		return 0
	}
	if m < 1 || m > topology.MaxMetric {
		ps.y.Errorf(v, fmt.Sprintf("use a whole number from 1 to %d; to take a link out of service use link_down", int64(topology.MaxMetric)),
			"%s: metric %d is out of range", label, m)
		return 0
	}
	return m
}

func (ps *parser) capacity(v *yaml.Node, label string) float64 {
	s, ok := ps.y.String(v, label+": capacity")
	if !ok {
		return 0
	}
	r, err := topology.ParseRate(s)
	if err != nil {
		ps.y.Errorf(v, "give the new capacity of the link, such as 400G", "%s: capacity: %v", label, err)
		return 0
	}
	if r <= 0 {
		ps.y.Errorf(v, "to take the link out of service use link_down", "%s: capacity must be greater than zero", label)
		return 0
	}
	return r
}

// text returns a non-blank scalar that is a name (a device, a node, a
// link, a platform, a runbook, the plan's id or ticket): its characters
// are checked as diag.KindName. Otherwise it records an error and
// returns "". Values that are not names are read with checked.
func (ps *parser) text(v *yaml.Node, what, hint string) string {
	return ps.checked(v, what, hint, diag.KindName)
}

// checked returns a non-blank scalar whose characters are checked as a
// value of kind k (diag.TextProblems; docs/plans.md, "Characters"), or
// records an error and returns "". A refused value is returned all the
// same: the plan is nil anyway, and later checks then do not report it as
// missing.
func (ps *parser) checked(v *yaml.Node, what, hint string, k diag.TextKind) string {
	s := ps.y.Text(v, what, hint)
	if s != "" {
		ps.y.CheckText(v, what, k)
	}
	return s
}

// list returns the items of a sequence (see diag.YAML.List).
func (ps *parser) list(v *yaml.Node, what string) ([]*yaml.Node, bool) { return ps.y.List(v, what) }

var requiredHint = map[string]string{
	"link":     "add link: the id of a link in the topology",
	"node":     "add node: the name of a node in the topology",
	"metric":   fmt.Sprintf("add metric: a whole number from 1 to %d", int64(topology.MaxMetric)),
	"capacity": "add capacity: the new capacity of the link, such as 400G",
}

func forbiddenHint(t EffectType, spec effectSpec, field string) string {
	takes := strings.Join(spec.required, ", ")
	if len(spec.optional) > 0 {
		takes += " and optionally " + strings.Join(spec.optional, ", ")
	}
	hint := fmt.Sprintf("remove %s: %s takes %s", field, t, takes)
	if t == SetMetric && field == "node" {
		return hint + "; to change one direction of the link use from: <node>"
	}
	var owners []string
	for _, ot := range EffectTypes() {
		s := effectSpecs[ot]
		for _, name := range append(append([]string(nil), s.required...), s.optional...) {
			if name == field {
				owners = append(owners, string(ot))
			}
		}
	}
	if len(owners) > 0 {
		hint += fmt.Sprintf("; %s belongs to %s, which can be a separate effect", field, strings.Join(owners, ", "))
	}
	return hint
}

func typeNames() []string {
	var out []string
	for _, t := range EffectTypes() {
		out = append(out, string(t))
	}
	return out
}

func typeList() string { return strings.Join(typeNames(), ", ") }

// runbookStep parses a step written as a runbook reference: runbook,
// params, platform and optionally name; everything else comes from the
// runbook.
func (ps *parser) runbookStep(n *yaml.Node, f fields, s Step, label string) (Step, *yaml.Node) {
	var nameNode *yaml.Node
	if v, ok := f.Vals["name"]; ok {
		s.Name = ps.checked(v, label+": name", "give the step a short name, or remove name to use the runbook's step names", diag.KindLine)
		if s.Name != "" {
			nameNode = v
			label = fmt.Sprintf("step %q", s.Name)
		}
	}
	ref := &RunbookRef{Pos: ps.y.Pos(n), ParamPos: map[string]diag.Pos{}}
	ref.Name = ps.text(f.Vals["runbook"], label+": runbook", "give the name of a runbook (changegate runbook list shows them)")
	ref.NamePos = ps.y.Pos(f.Vals["runbook"])
	if v, ok := f.Vals["platform"]; ok {
		ref.Platform = ps.text(v, label+": platform", "give the platform to render the runbook for, such as frr_vtysh, or remove platform to use the plan's")
	}
	if v, ok := f.Vals["params"]; ok && !diag.IsNull(v) {
		v = diag.Deref(v)
		if v.Kind != yaml.MappingNode {
			ps.y.Errorf(v, "give the runbook's parameters as a mapping, such as params: {device: p2, metric: 500}",
				"%s: params must be a mapping, found %s", label, diag.Describe(v))
		} else {
			ref.Params = map[string]string{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k, val := v.Content[i], diag.Deref(v.Content[i+1])
				if _, dup := ref.Params[k.Value]; dup {
					ps.y.Errorf(k, "give each parameter once", "%s: parameter %q given twice", label, k.Value)
					continue
				}
				if val.Kind != yaml.ScalarNode || diag.IsNull(val) {
					ps.y.Errorf(val, "give the parameter a single value (text, a number or true/false)",
						"%s: parameter %q must be a single value, found %s", label, k.Value, diag.Describe(val))
					continue
				}
				ref.Params[k.Value] = val.Value
				ref.ParamPos[k.Value] = ps.y.Pos(val)
			}
		}
	}
	for _, key := range []string{"device", "devices", "wave", "config", "rollback_config", "effects", "rollback", "checks", "soak"} {
		if k, ok := f.Keys[key]; ok {
			ps.y.Errorf(k, fmt.Sprintf("a runbook step takes its %s from the runbook: remove %s, or write the step out without runbook", key, key),
				"%s: %s with runbook", label, key)
		}
	}
	s.Runbook = ref
	return s, nameNode
}
