package dryrun

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/devconfig"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// StepEffects are what a step changes in the model and where that comes
// from: the effects the dry-run applied, each derived from the
// configuration the step sends (with its lines) or declared by the plan;
// the configuration lines the model cannot follow; and every difference
// between what the plan declares and what its configuration does.
type StepEffects struct {
	// Source is "derived" (every effect comes from the configuration),
	// "declared" (the plan's effects: the step sends no configuration,
	// or it cannot be read) or "mixed" (derived, with declared effects of
	// kinds configuration cannot say, such as a new capacity).
	Source string `json:"source"`
	// Applied are the effects the dry-run applied to reach the step's
	// state, in order; Rollback those its rollback applies.
	Applied  []AppliedEffect `json:"applied"`
	Rollback []AppliedEffect `json:"rollback"`
	// RollbackSource is "derived" (from rollback_config), "declared" (the
	// plan's rollback:) or "inverse" (neither: the exact inverse of the
	// step, which the dry-run computes; Rollback is empty).
	RollbackSource string `json:"rollback_source"`
	// NotModelled are the configuration lines (and rollback
	// configuration lines) that may change forwarding in ways the model
	// has no notion of.
	NotModelled []ConfigLine `json:"not_modelled"`
	// Mismatches are the differences between the effects the plan
	// declares and those its configuration has.
	Mismatches []Mismatch `json:"mismatches"`
}

// AppliedEffect is one effect the dry-run applied.
type AppliedEffect struct {
	Type        plans.EffectType `json:"type"`
	Link        string           `json:"link,omitempty"`
	Node        string           `json:"node,omitempty"`
	From        string           `json:"from,omitempty"`
	Metric      int64            `json:"metric,omitempty"`
	CapacityBps float64          `json:"capacity_bps,omitempty"`
	// Derived is true for an effect of the configuration, false for one
	// the plan declares.
	Derived bool `json:"derived"`
	// Device and Lines are, for a derived effect, the device and the
	// configuration lines it comes from.
	Device string       `json:"device,omitempty"`
	Lines  []ConfigLine `json:"lines,omitempty"`
	// Note says how it was derived where that is not plain.
	Note string `json:"note,omitempty"`
	// Declared is where a declared effect is written.
	Declared *diag.Pos `json:"declared,omitempty"`
}

// ConfigLine is a configuration line sent to a device.
type ConfigLine struct {
	Device string   `json:"device"`
	Text   string   `json:"text"`
	Source diag.Pos `json:"source"`
	// Why says, for a line not modelled, what the model lacks.
	Why string `json:"why,omitempty"`
	// Rollback is true for a line of rollback_config.
	Rollback bool `json:"rollback,omitempty"`
}

// Mismatch is a difference between the effects a step (or its rollback)
// declares and those its configuration has.
type Mismatch struct {
	// Rollback is true for the rollback's effects.
	Rollback bool `json:"rollback"`
	// Configured are the configuration's effects that the plan does not
	// declare; Declared the declared effects the configuration does not
	// have.
	Configured []AppliedEffect `json:"configured"`
	Declared   []AppliedEffect `json:"declared"`
	// Msg says it in words.
	Msg string `json:"msg"`
}

// deriver derives the effects of a plan's steps from their configuration.
type deriver struct {
	net       *topology.Network
	plan      *plans.Plan
	platforms map[string]string
}

// platform is the platform of device in step: the inventory's, else the
// runbook step's, else the plan's; "" when none says. The inventory and
// the plan disagreeing is an error: the configuration was written for
// another platform than the device's.
func (d *deriver) platform(step *plans.Step, i int, device string, ds *diag.Diagnostics) string {
	written, where := d.plan.Platform, "the plan's platform:"
	if step.FromRunbook != nil && step.FromRunbook.Platform != "" {
		written, where = step.FromRunbook.Platform, "the runbook step's platform"
	}
	inv := d.platforms[device]
	if inv != "" && written != "" && inv != written {
		at := step.Pos
		if p, ok := step.DevicePos[device]; ok {
			at = p
		}
		ds.Add(at, "render the step for the device's platform, or correct the inventory",
			"step %d %s: %s is %s in the inventory, but %s is %s: its configuration is written for another platform", i+1, diag.Excerpt(step.Name), device, inv, where, written)
	}
	if inv != "" {
		return inv
	}
	return written
}

// derive returns the plan the dry-run simulates: p with each step's
// effects (and rollback) replaced by what its configuration does, where
// it can be read, plus the declared effects of kinds configuration does
// not say; and, per step, where each effect comes from. Problems with the
// configuration (an interface that is no link's, a metric out of range)
// are diagnostics.
func (d *deriver) derive() (*plans.Plan, []StepEffects, diag.Diagnostics) {
	var ds diag.Diagnostics
	eff := *d.plan
	eff.Steps = slices.Clone(d.plan.Steps)
	out := make([]StepEffects, len(eff.Steps))
	// The capacity of each link before the step: what a derived rollback
	// gives back after a declared capacity change, which no
	// configuration line undoes.
	capacity := map[string]float64{}
	for _, l := range d.net.Links {
		capacity[l.ID] = l.CapacityBps
	}
	for i := range eff.Steps {
		st := &eff.Steps[i]
		se := StepEffects{Applied: []AppliedEffect{}, Rollback: []AppliedEffect{}, NotModelled: []ConfigLine{}, Mismatches: []Mismatch{}}
		applied, readable := d.side(st, i, false, &se, &ds)
		if readable {
			st.Effects = effectsOf(applied)
			se.Source = sourceOf(applied)
		} else {
			applied = declared(st.Effects)
			se.Source = "declared"
		}
		se.Applied = applied
		before := map[string]float64{} // of the links whose capacity the step sets
		for _, a := range applied {
			if a.Type == plans.SetCapacity {
				if _, seen := before[a.Link]; !seen {
					before[a.Link] = capacity[a.Link]
				}
				capacity[a.Link] = a.CapacityBps
			}
		}
		switch rb, ok := d.side(st, i, true, &se, &ds); {
		case ok:
			if !st.HasRollback {
				// The model's capacity changes come back with the
				// rollback, as the exact inverse would give them back:
				// the model cannot tell whether hardware is swapped back.
				for _, a := range slices.Backward(applied) {
					if a.Type == plans.SetCapacity && !a.Derived {
						undo := AppliedEffect{Type: plans.SetCapacity, Link: a.Link, CapacityBps: before[a.Link], Note: "the capacity before the step: no configuration line undoes a declared capacity change"}
						rb = append(rb, undo)
					}
				}
			}
			st.Rollback, st.HasRollback = effectsOf(rb), true
			se.Rollback, se.RollbackSource = rb, "derived"
		case st.HasRollback:
			se.Rollback, se.RollbackSource = declared(st.Rollback), "declared"
		default:
			se.RollbackSource = "inverse"
		}
		out[i] = se
	}
	return &eff, out, ds
}

// side reads the configuration (or, with rollback, the rollback
// configuration) of step i for each of its devices. It returns the
// effects to apply (the derived ones, then the declared ones of kinds
// configuration does not say) and whether the configuration could be
// read at all; lines not modelled and mismatches go to se.
func (d *deriver) side(st *plans.Step, i int, rollback bool, se *StepEffects, ds *diag.Diagnostics) ([]AppliedEffect, bool) {
	cfg, pos, decl, has := st.Config, st.ConfigPos, st.Effects, st.Effects != nil
	if rollback {
		cfg, pos, decl, has = st.RollbackConfig, st.RollbackConfigPos, st.Rollback, st.HasRollback
	}
	if len(cfg) == 0 || len(st.Devices) == 0 {
		return nil, false
	}
	lines := make([]devconfig.Line, len(cfg))
	for j, text := range cfg {
		p := st.Pos
		if j < len(pos) && pos[j].Line > 0 {
			p = pos[j]
		}
		lines[j] = devconfig.Line{Text: text, Pos: p}
	}
	var derived []AppliedEffect
	for _, dev := range st.Devices {
		var quiet diag.Diagnostics // the rollback's platform is the step's: reported once
		report := ds
		if rollback {
			report = &quiet
		}
		platform := d.platform(st, i, dev, report)
		in, ok := devconfig.For(platform)
		if !ok {
			why := fmt.Sprintf("the platform of %s is not known, so its configuration cannot be read: give the plan an inventory, or platform: in the plan", dev)
			if platform != "" {
				why = fmt.Sprintf("changegate cannot read %s configuration (it reads %s)", platform, strings.Join(devconfig.Platforms(), ", "))
			}
			for _, l := range lines {
				se.NotModelled = append(se.NotModelled, ConfigLine{Device: dev, Text: l.Text, Source: l.Pos, Why: why, Rollback: rollback})
			}
			return nil, false
		}
		r := in.Interpret(devconfig.Target{Device: dev, Net: d.net}, lines)
		*ds = append(*ds, r.Diags...)
		for _, c := range r.NotModelled() {
			se.NotModelled = append(se.NotModelled, ConfigLine{Device: dev, Text: c.Line.Text, Source: c.Line.Pos, Why: c.Why, Rollback: rollback})
		}
		for _, e := range r.Effects {
			a := applied(e.Effect, true)
			a.Device, a.Note = dev, e.Note
			for _, l := range e.Lines {
				a.Lines = append(a.Lines, ConfigLine{Device: dev, Text: l.Text, Source: l.Pos, Rollback: rollback})
			}
			derived = append(derived, a)
		}
	}
	if has {
		if m, ok := d.compare(st, i, rollback, derived, decl); !ok {
			se.Mismatches = append(se.Mismatches, m)
		}
	}
	// Declared effects of kinds no configuration line has (a new
	// capacity) are kept, marked declared.
	for _, e := range decl {
		if !derivable(e.Type) {
			derived = append(derived, declared([]plans.Effect{e})...)
		}
	}
	return derived, true
}

// derivable reports whether configuration lines can have effects of
// type t.
func derivable(t plans.EffectType) bool {
	return t != plans.SetCapacity
}

// Effect is a as the plan writes an effect.
func (a AppliedEffect) Effect() plans.Effect {
	return plans.Effect{Type: a.Type, Link: a.Link, Node: a.Node, From: a.From, Metric: a.Metric, CapacityBps: a.CapacityBps}
}

// Effects are as as plan effects, in order.
func Effects(as []AppliedEffect) []plans.Effect {
	out := make([]plans.Effect, 0, len(as))
	for _, a := range as {
		out = append(out, a.Effect())
	}
	return out
}

func applied(e plans.Effect, derived bool) AppliedEffect {
	return AppliedEffect{Type: e.Type, Link: e.Link, Node: e.Node, From: e.From, Metric: e.Metric, CapacityBps: e.CapacityBps, Derived: derived}
}

func declared(es []plans.Effect) []AppliedEffect {
	out := make([]AppliedEffect, 0, len(es))
	for _, e := range es {
		a := applied(e, false)
		if e.Pos.Line > 0 {
			p := e.Pos
			a.Declared = &p
		}
		out = append(out, a)
	}
	return out
}

// effectsOf turns applied effects back into plan effects, placed at
// their line, for the dry-run.
func effectsOf(as []AppliedEffect) []plans.Effect {
	out := make([]plans.Effect, 0, len(as))
	for _, a := range as {
		e := a.Effect()
		switch {
		case len(a.Lines) > 0:
			e.Pos = a.Lines[len(a.Lines)-1].Source
		case a.Declared != nil:
			e.Pos = *a.Declared
		}
		out = append(out, e)
	}
	return out
}

func sourceOf(as []AppliedEffect) string {
	for _, a := range as {
		if !a.Derived {
			return "mixed"
		}
	}
	return "derived"
}

// keys are an effect as the comparison sees it: a set_metric of both
// directions is two, one per direction.
func (d *deriver) keys(e AppliedEffect) []string {
	if e.Type == plans.SetMetric && e.From == "" {
		for _, l := range d.net.Links {
			if l.ID == e.Link {
				a, b := e, e
				a.From, b.From = l.A, l.B
				return []string{effectKey(a), effectKey(b)}
			}
		}
	}
	return []string{effectKey(e)}
}

func effectKey(e AppliedEffect) string {
	return fmt.Sprintf("%s|%s|%s|%s|%d", e.Type, e.Link, e.Node, e.From, e.Metric)
}

// compare checks that the declared effects of a step (or of its
// rollback) are exactly those of its configuration, in any order: the
// declared ones of kinds configuration cannot have aside. It returns the
// mismatch and false when they differ.
func (d *deriver) compare(st *plans.Step, i int, rollback bool, derived []AppliedEffect, decl []plans.Effect) (Mismatch, bool) {
	var want []AppliedEffect
	for _, a := range declared(decl) {
		if derivable(a.Type) {
			want = append(want, a)
		}
	}
	if len(want) == 0 && len(decl) > 0 {
		// Only effects no configuration has (a new capacity): the plan
		// says nothing of what the configuration does.
		return Mismatch{}, true
	}
	count := map[string]int{}
	for _, a := range derived {
		for _, k := range d.keys(a) {
			count[k]++
		}
	}
	for _, a := range want {
		for _, k := range d.keys(a) {
			count[k]--
		}
	}
	m := Mismatch{Rollback: rollback, Configured: []AppliedEffect{}, Declared: []AppliedEffect{}}
	for _, a := range derived {
		if slices.ContainsFunc(d.keys(a), func(k string) bool { return count[k] > 0 }) {
			m.Configured = append(m.Configured, a)
		}
	}
	for _, a := range want {
		if slices.ContainsFunc(d.keys(a), func(k string) bool { return count[k] < 0 }) {
			m.Declared = append(m.Declared, a)
		}
	}
	if len(m.Configured) == 0 && len(m.Declared) == 0 {
		return Mismatch{}, true
	}
	m.Msg = mismatchMsg(st, i, rollback, derived, want)
	return m, false
}

// mismatchMsg says what a step's configuration does and what its effects
// say, for an engineer to read at 3 a.m.: step 1 "drain": its
// configuration ("max-metric router-lsa administrative" on p1 and p5,
// lines 41-42) drains p1 and p5; its effects say: drain p2 (line 47).
func mismatchMsg(st *plans.Step, i int, rollback bool, derived, want []AppliedEffect) string {
	label := fmt.Sprintf("step %d %s", i+1, diag.Excerpt(st.Name))
	cfg, effects := "configuration", "effects"
	if rollback {
		label = "the rollback of " + label
		cfg, effects = "rollback configuration", "rollback effects"
	}
	var texts, devices []string
	var at []diag.Pos
	for _, a := range derived {
		for _, l := range a.Lines {
			at = append(at, l.Source)
		}
		if n := len(a.Lines); n > 0 {
			if t := diag.Excerpt(strings.TrimSpace(a.Lines[n-1].Text)); !slices.Contains(texts, t) {
				texts = append(texts, t)
			}
		}
		if !slices.Contains(devices, a.Device) {
			devices = append(devices, a.Device)
		}
	}
	does := "changes nothing in the model"
	if len(derived) > 0 {
		does = groupEffects(derived)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: its %s", label, cfg)
	if len(texts) > 0 {
		fmt.Fprintf(&b, " (%s on %s, %s)", strings.Join(texts, ", "), andList(devices), lineRange(at))
	}
	fmt.Fprintf(&b, " %s; its %s say", does, effects)
	if len(want) == 0 {
		b.WriteString(" it changes nothing")
	}
	for j, a := range want {
		sep := ","
		if j == 0 {
			sep = ":"
		}
		fmt.Fprintf(&b, "%s %s", sep, declaredWords(a))
		if a.Declared != nil {
			fmt.Fprintf(&b, " (line %d)", a.Declared.Line)
		}
	}
	return b.String()
}

// groupEffects describes effects, those of one kind together: "drains
// p1 and p5", "takes link a-b down".
func groupEffects(as []AppliedEffect) string {
	var parts []string
	var order []plans.EffectType
	byType := map[plans.EffectType][]string{}
	for _, a := range as {
		switch a.Type {
		case plans.Drain, plans.Undrain:
			if !slices.Contains(order, a.Type) {
				order = append(order, a.Type)
			}
			byType[a.Type] = append(byType[a.Type], a.Node)
		default:
			parts = append(parts, describe(a))
		}
	}
	for _, t := range order {
		verb := "drains "
		if t == plans.Undrain {
			verb = "undrains "
		}
		parts = append(parts, verb+andList(byType[t]))
	}
	return andList(parts)
}

// declaredWords writes a declared effect as a plan writes it: "drain
// p2", "set_metric p2-p4 from p2 to 500".
func declaredWords(a AppliedEffect) string {
	switch a.Type {
	case plans.SetMetric:
		if a.From != "" {
			return fmt.Sprintf("set_metric %s from %s to %d", a.Link, a.From, a.Metric)
		}
		return fmt.Sprintf("set_metric %s to %d", a.Link, a.Metric)
	case plans.Drain, plans.Undrain:
		return string(a.Type) + " " + a.Node
	}
	return string(a.Type) + " " + a.Link
}

// andList joins "a", "a and b", "a, b and c".
func andList(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// describe says what an effect does, for messages: "drains p1", "sets
// the metric of p2-p4 from p2 to 500".
func describe(e AppliedEffect) string {
	switch e.Type {
	case plans.SetMetric:
		if e.From == "" {
			return fmt.Sprintf("sets the metric of %s to %d", e.Link, e.Metric)
		}
		return fmt.Sprintf("sets the metric of %s from %s to %d", e.Link, e.From, e.Metric)
	case plans.LinkDown:
		return "takes link " + e.Link + " down"
	case plans.LinkUp:
		return "brings link " + e.Link + " up"
	case plans.Drain:
		return "drains " + e.Node
	case plans.Undrain:
		return "undrains " + e.Node
	case plans.SetCapacity:
		return fmt.Sprintf("sets the capacity of %s", e.Link)
	}
	return string(e.Type)
}

// lineRange writes the lines of ps: "line 41", "lines 41-42", "lines 41, 47".
func lineRange(ps []diag.Pos) string {
	var ns []int
	for _, p := range ps {
		if p.Line > 0 && !slices.Contains(ns, p.Line) {
			ns = append(ns, p.Line)
		}
	}
	slices.Sort(ns)
	switch len(ns) {
	case 0:
		return ""
	case 1:
		return "line " + strconv.Itoa(ns[0])
	}
	contiguous := ns[len(ns)-1]-ns[0] == len(ns)-1
	if contiguous {
		return fmt.Sprintf("lines %d-%d", ns[0], ns[len(ns)-1])
	}
	parts := make([]string, len(ns))
	for j, n := range ns {
		parts[j] = strconv.Itoa(n)
	}
	return "lines " + strings.Join(parts, ", ")
}
