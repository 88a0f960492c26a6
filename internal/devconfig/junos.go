package devconfig

import (
	"fmt"
	"strings"

	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// junos reads Junos configuration-mode commands: set, delete, deactivate
// and activate statements, at the top of the hierarchy or under the
// level that edit entered (exit returns to the level before the last
// edit, top to the top).
//
// deactivate makes Junos ignore a statement, as delete does, so a
// deactivated metric returns to the default, which the model takes as
// the topology's metric. activate brings a statement back as the
// configuration holds it: the gate knows the value only if these lines
// set it.
//
// Sources: Batfish's flat Junos grammar (area as a number or an address,
// interface all, overload's options) and Juniper's statement references
// (overload with a timeout holds only while the protocol is younger than
// the timeout; exit returns to the level before the last edit). Not
// confirmed on a device: that setting a deactivated statement leaves it
// inactive.
//
// Interfaces in protocols are logical (ge-0/0/0.0); a name without a
// unit is unit 0. The topology may name an interface with or without
// ".0": "ge-0/0/0" and "ge-0/0/0.0" are the same interface, "ge-0/0/0.100"
// another. Disabling a physical interface (set interfaces ge-0/0/0
// disable) takes down the links of all its units; disabling a unit (set
// interfaces ge-0/0/0 unit 100 disable), that unit's.
type junos struct{}

func (junos) Dialect() string { return "junos" }

// junosCanon writes an interface name without its unit when the unit is
// 0: protocols name unit 0 of an interface with or without ".0".
func junosCanon(s string) string { return strings.TrimSuffix(s, ".0") }

// junosState is where the lines so far have left the CLI.
type junosState struct {
	t Target
	r *Result
	// edits are the levels edit entered, outermost first; lost says the
	// level is not known (after up, which moves by the schema's levels).
	edits []junosEdit
	lost  bool
	// metrics are the metrics these lines set, by protocol and interface,
	// for activate; inactive, the statements they deactivated.
	metrics  map[string]int64
	inactive map[string]bool
}

// junosEdit is a level edit entered; lost says the level it was entered
// from, which exit returns to, was not known.
type junosEdit struct {
	path []string
	line Line
	lost bool
}

func (junos) Interpret(t Target, lines []Line) Result {
	var r Result
	st := &junosState{t: t, r: &r, metrics: map[string]int64{}, inactive: map[string]bool{}}
	for _, ln := range lines {
		kind, why := st.line(ln)
		r.Lines = append(r.Lines, Classified{Line: ln, Kind: kind, Why: why})
	}
	return r
}

// junosWords splits a line into words; a double-quoted string is one
// word, without its quotes. ok is false when a quote is not closed.
func junosWords(s string) (words []string, ok bool) {
	var b strings.Builder
	in, quoted, escaped := false, false, false
	for _, r := range s {
		switch {
		case escaped:
			b.WriteRune(r)
			escaped = false
		case quoted && r == '\\':
			escaped = true
		case r == '"':
			quoted, in = !quoted, true
		case !quoted && (r == ' ' || r == '\t'):
			if in {
				words = append(words, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, b.String())
	}
	return words, !quoted
}

// path is where a statement's words are, from the top: the edit level
// and the words.
func (st *junosState) path(w []string) []string {
	var p []string
	if n := len(st.edits); n > 0 {
		p = append(p, st.edits[n-1].path...)
	}
	return append(p, w...)
}

// context is the lines a derived effect comes from: the edit lines it is
// under, then ln.
func (st *junosState) context(ln Line) []Line {
	var out []Line
	for _, e := range st.edits {
		out = append(out, e.line)
	}
	return append(out, ln)
}

func (st *junosState) line(ln Line) (Kind, string) {
	text := strings.TrimSpace(ln.Text)
	if text == "" || strings.HasPrefix(text, "#") || strings.HasPrefix(text, "/*") {
		return Neutral, "a comment"
	}
	w, ok := junosWords(text)
	if !ok {
		return NotModelled, "a quoted string that does not end"
	}
	return st.command(ln, w)
}

// command classifies command w of line ln.
func (st *junosState) command(ln Line, w []string) (Kind, string) {
	switch w[0] {
	case "set", "delete", "deactivate", "activate":
		if st.lost {
			return NotModelled, "relative to an [edit] level the gate cannot follow (after up): use top or absolute statements"
		}
		return st.statement(ln, w[0], st.path(w[1:]))
	case "edit":
		e := junosEdit{path: st.path(w[1:]), line: ln, lost: st.lost}
		st.edits = append(st.edits, e)
		if e.lost {
			return Neutral, "enters a level the gate cannot follow"
		}
		return Neutral, "enters [edit " + strings.Join(e.path, " ") + "]"
	case "top":
		st.edits, st.lost = nil, false
		if len(w) > 1 {
			return st.command(ln, w[1:])
		}
		return Neutral, "returns to the top of the hierarchy"
	case "up":
		if len(st.edits) > 0 {
			st.lost = true
		}
		return Neutral, "moves up the hierarchy"
	case "exit", "quit":
		switch {
		case len(w) > 1 && w[1] == "configuration-mode", len(st.edits) == 0:
			st.edits, st.lost = nil, false
			return Neutral, "leaves configuration mode"
		}
		st.lost = st.edits[len(st.edits)-1].lost
		st.edits = st.edits[:len(st.edits)-1]
		return Neutral, "returns to the level before the last edit"
	case "commit":
		return Neutral, "commits (the executor commits the step's lines anyway)"
	case "show", "run", "status", "help", "compare":
		return Neutral, "not configuration"
	case "annotate":
		return Neutral, "a comment"
	case "protect", "unprotect":
		return Neutral, "protects a statement from change (does not change forwarding)"
	case "rollback", "load":
		return NotModelled, w[0] + " replaces configuration with configuration the lines do not show"
	}
	return NotModelled, "a configuration command the model has no notion of"
}

// statement classifies a set, delete, deactivate or activate statement
// at path p.
func (st *junosState) statement(ln Line, op string, p []string) (Kind, string) {
	if len(p) == 0 {
		return NotModelled, "a statement of the whole configuration"
	}
	switch p[0] {
	case "interfaces":
		return st.interfaces(ln, op, p[1:])
	case "protocols":
		if len(p) >= 2 && p[1] == "ospf" {
			return st.ospf(ln, op, p[2:])
		}
		if len(p) >= 2 && p[1] == "isis" {
			return st.isis(ln, op, p[2:])
		}
		return NotModelled, "a protocol the model has no notion of"
	case "system":
		if len(p) >= 2 && p[1] == "processes" {
			return NotModelled, "system processes (which can stop routing)"
		}
		return Neutral, "system settings (do not change forwarding)"
	case "snmp":
		return Neutral, "SNMP (does not change forwarding)"
	}
	return NotModelled, "[edit " + p[0] + "], which the model has no notion of"
}

// on says whether op puts the statement in force (set, activate) rather
// than out of it (delete, deactivate).
func on(op string) bool { return op == "set" || op == "activate" }

// active tracks what op does to whether the statement key is in force,
// and reports whether op changes the model. Setting a statement that
// these lines deactivated does not: Junos keeps a deactivated statement
// inactive, whatever its value, until it is activated (as the Junos CLI
// shows it, "inactive:"; not confirmed against a device).
func (st *junosState) active(op, key string) (Kind, string, bool) {
	switch op {
	case "set":
		if st.inactive[key] {
			return NotModelled, "sets a statement these lines deactivated, which stays inactive until it is activated", false
		}
	case "deactivate":
		st.inactive[key] = true
	default:
		delete(st.inactive, key)
	}
	return 0, "", true
}

func (st *junosState) interfaces(ln Line, op string, q []string) (Kind, string) {
	if len(q) == 0 || q[0] == "interface-range" || strings.ContainsAny(q[0], "*<>") {
		return NotModelled, "interfaces the model does not tell apart"
	}
	name, rest := q[0], q[1:]
	unit := ""
	if len(rest) >= 2 && rest[0] == "unit" {
		unit, rest = rest[1], rest[2:]
	}
	switch {
	case len(rest) == 1 && rest[0] == "disable":
		if k, why, ok := st.active(op, "disable "+name+"."+unit); !ok {
			return k, why
		}
		typ := plans.LinkDown
		if !on(op) {
			typ = plans.LinkUp
		}
		var links []string
		if unit != "" {
			if l, ok := st.t.link(name+"."+unit, junosCanon, ln, &st.r.Diags); ok {
				links = []string{l}
			}
		} else {
			links = st.t.portLinks(name, junosCanon, ln, &st.r.Diags)
		}
		for _, l := range links {
			st.r.Effects = append(st.r.Effects, Derived{Effect: plans.Effect{Type: typ, Link: l}, Lines: st.context(ln)})
		}
		return Modelled, ""
	case len(rest) >= 1 && rest[0] == "description":
		return Neutral, "a description"
	case len(rest) == 0 && op == "delete":
		return NotModelled, "deletes the interface's configuration, its addresses too"
	}
	return NotModelled, "an interface setting the model has no notion of"
}

// ospf classifies a statement under protocols ospf (q after "ospf").
func (st *junosState) ospf(ln Line, op string, q []string) (Kind, string) {
	switch {
	case len(q) >= 1 && q[0] == "overload":
		return st.overload(ln, op, q[1:], topology.IGPOSPF, "OSPF")
	case len(q) >= 4 && q[0] == "area" && q[2] == "interface":
		iface, rest := q[3], q[4:]
		if len(rest) >= 1 && rest[0] == "metric" {
			return st.metric(ln, op, iface, rest[1:], topology.IGPOSPF, "OSPF metric", maxOSPFMetric)
		}
		if len(rest) == 0 && !on(op) {
			return NotModelled, "takes the interface out of OSPF (the model has no notion of adjacencies)"
		}
		return NotModelled, "an OSPF interface setting the model has no notion of"
	case len(q) >= 1 && q[0] == "traceoptions":
		return Neutral, "tracing (does not change forwarding)"
	}
	return NotModelled, "an OSPF setting the model has no notion of"
}

// isis classifies a statement under protocols isis (q after "isis").
func (st *junosState) isis(ln Line, op string, q []string) (Kind, string) {
	switch {
	case len(q) >= 1 && q[0] == "overload":
		return st.overload(ln, op, q[1:], topology.IGPISIS, "IS-IS")
	case len(q) >= 5 && q[0] == "interface" && q[2] == "level" && q[4] == "metric":
		if q[3] != "1" && q[3] != "2" {
			return NotModelled, "an IS-IS level the model does not know"
		}
		if q[3] != fmt.Sprint(ISISLevel) {
			return NotModelled, fmt.Sprintf("an IS-IS level-%s metric: the model routes on level %d", q[3], ISISLevel)
		}
		return st.metric(ln, op, q[1], q[5:], topology.IGPISIS, "IS-IS metric", maxISISMetric)
	case len(q) >= 2 && q[0] == "interface" && len(q) == 2 && !on(op):
		return NotModelled, "takes the interface out of IS-IS (the model has no notion of adjacencies)"
	case len(q) >= 1 && q[0] == "traceoptions":
		return Neutral, "tracing (does not change forwarding)"
	}
	return NotModelled, "an IS-IS setting the model has no notion of"
}

// overload handles "overload" under protocols ospf or isis: set (or
// activated) it drains the router, deleted (or deactivated) it undrains
// it. Its options are not modelled: with a timeout, overload holds only
// until the timeout after the protocol starts; advertise-high-metrics
// (IS-IS) drains by metrics instead of the overload bit.
func (st *junosState) overload(ln Line, op string, opts []string, igp, proto string) (Kind, string) {
	if len(opts) > 0 {
		if opts[0] == "timeout" {
			return NotModelled, proto + " overload with a timeout holds only until the timeout after " + proto + " starts"
		}
		return NotModelled, "an " + proto + " overload option the model does not follow"
	}
	if netIGP(st.t.Net) != igp {
		return NotModelled, proto + " overload, and the topology's IGP is " + igpName(netIGP(st.t.Net))
	}
	if k, why, ok := st.active(op, proto+" overload"); !ok {
		return k, why
	}
	st.r.Effects = append(st.r.Effects, Derived{Effect: st.t.drain(!on(op)), Lines: st.context(ln)})
	return Modelled, ""
}

// metric handles an interface's metric statement (args after "metric").
func (st *junosState) metric(ln Line, op, iface string, args []string, igp, what string, max int64) (Kind, string) {
	if iface == "all" || strings.ContainsAny(iface, "*<>") {
		return NotModelled, "a metric for every interface"
	}
	if netIGP(st.t.Net) != igp {
		return NotModelled, fmt.Sprintf("an %s, and the topology's IGP is %s", what, igpName(netIGP(st.t.Net)))
	}
	key := igp + " " + junosCanon(iface)
	if op == "set" && len(args) != 1 {
		st.r.Diags.Add(ln.Pos, fmt.Sprintf("give one whole number from 1 to %d", max), "%s: %q", what, strings.Join(args, " "))
		return Modelled, ""
	}
	link, ok := st.t.link(iface, junosCanon, ln, &st.r.Diags)
	if !ok {
		return Modelled, ""
	}
	if op == "set" {
		// A deactivated metric set again is remembered for activate.
		if n, ok := metricValue(ln, what, args[0], max, &st.r.Diags); ok {
			st.metrics[key] = n
		} else {
			return Modelled, ""
		}
	}
	if k, why, ok := st.active(op, key); !ok {
		return k, why
	}
	switch op {
	case "set":
		st.r.Effects = append(st.r.Effects, st.t.setMetric(link, st.metrics[key], st.context(ln)))
	case "delete", "deactivate":
		if op == "delete" {
			delete(st.metrics, key)
		}
		form := map[string]string{"delete": "deleting the metric", "deactivate": "deactivating the metric"}[op]
		st.r.Effects = append(st.r.Effects, st.t.restoreMetric(link, form, st.context(ln)))
	case "activate":
		n, known := st.metrics[key]
		if !known {
			return NotModelled, "activate restores the metric the configuration holds, which these lines do not say"
		}
		d := st.t.setMetric(link, n, st.context(ln))
		d.Note = fmt.Sprintf("activate restores the metric these lines set, %d", n)
		st.r.Effects = append(st.r.Effects, d)
	}
	return Modelled, ""
}
