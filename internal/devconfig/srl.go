package devconfig

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// srl reads Nokia SR Linux candidate-mode commands: set and delete of a
// path ("set / interface ethernet-1/1 admin-state disable"), a path
// alone, which enters that context (or, ending in a leaf and its value,
// sets it), "PATH {" ... "}" blocks as info prints them, "/" (the root)
// and "exit all". Paths that do not start with "/" are relative to the
// context the lines entered. The gate knows the part of the YANG schema
// the model needs (srl_nokia-interfaces, srl_nokia-ospf and
// srl_nokia-isis of SR Linux 25.3):
//
//	interface NAME admin-state enable|disable
//	interface NAME subinterface N admin-state enable|disable
//	network-instance default protocols ospf instance I area A interface IF metric N
//	network-instance default protocols ospf instance I overload active true|false
//	network-instance default protocols isis instance I interface IF level 2 metric N
//	network-instance default protocols isis instance I overload immediate set-bit true|false
//
// Deleting admin-state enables (its default), deleting a metric returns
// to the default (as does an OSPF metric of 0), deleting active, set-bit
// or the overload container withdraws the overload. Descriptions and the
// system tree do not change forwarding; every other path is not
// modelled. The OSPF instance is taken to be OSPFv2.
//
// Not confirmed on a device: that a path ending in a leaf and its value
// sets it without "set" in candidate mode, and "set /interface ..." (no
// space after the slash). SR Linux's exit goes one level up the schema,
// which the gate follows only to the root (exit all, exit to root).
//
// Interfaces in protocols are subinterfaces (ethernet-1/1.0); the
// topology may name one with or without ".0", or as containerlab names
// SR Linux's ports (e1-1 for ethernet-1/1, e1-3-2 for breakout port
// ethernet-1/3/2). An interface's admin-state
// takes down or up the links of all its subinterfaces; a subinterface's,
// that subinterface's.
type srl struct{}

func (srl) Dialect() string { return "srl" }

// clabPort is containerlab's name of an SR Linux port: eX-Y for
// ethernet-X/Y, eX-Y-Z for breakout port ethernet-X/Y/Z.
var clabPort = regexp.MustCompile(`^e(\d+)-(\d+)(-\d+)?(\.\d+)?$`)

// srlCanon writes an interface name without subinterface 0, and
// containerlab's eX-Y[-Z] as SR Linux's ethernet-X/Y[/Z].
func srlCanon(s string) string {
	s = strings.TrimSuffix(s, ".0")
	if m := clabPort.FindStringSubmatch(s); m != nil {
		return "ethernet-" + m[1] + "/" + m[2] + strings.Replace(m[3], "-", "/", 1) + m[4]
	}
	return s
}

// srlState is where the lines so far have left the CLI.
type srlState struct {
	t Target
	r *Result
	// ctx is the present working context, from the root, and ctxLines the
	// lines that entered it; lost says the context is not known.
	ctx      []string
	ctxLines []Line
	lost     bool
	// blocks are the contexts to return to at each "}".
	blocks []srlContext
}

type srlContext struct {
	ctx   []string
	lines []Line
	lost  bool
}

func (srl) Interpret(t Target, lines []Line) Result {
	var r Result
	st := &srlState{t: t, r: &r}
	for _, ln := range lines {
		kind, why := st.line(ln)
		r.Lines = append(r.Lines, Classified{Line: ln, Kind: kind, Why: why})
	}
	return r
}

func (st *srlState) line(ln Line) (Kind, string) {
	text := strings.TrimSpace(ln.Text)
	if text == "" || strings.HasPrefix(text, "#") {
		return Neutral, "a comment"
	}
	w, ok := junosWords(text)
	if !ok {
		return NotModelled, "a quoted string that does not end"
	}
	switch {
	case w[len(w)-1] == "{":
		st.blocks = append(st.blocks, srlContext{ctx: st.ctx, lines: st.ctxLines, lost: st.lost})
		return st.bare(ln, w[:len(w)-1], true)
	case w[0] == "}" && len(w) == 1:
		if n := len(st.blocks); n > 0 {
			b := st.blocks[n-1]
			st.blocks = st.blocks[:n-1]
			st.ctx, st.ctxLines, st.lost = b.ctx, b.lines, b.lost
		}
		return Neutral, "ends the block"
	case slices.Contains(w, "{") || slices.Contains(w, "}"):
		return NotModelled, "a block on one line, which the gate does not read"
	}
	switch w[0] {
	case "set", "delete":
		p, lines, ok := st.resolve(w[1:], ln)
		if !ok {
			return NotModelled, "relative to a context the gate cannot follow: use a path from the root (set / ...)"
		}
		return st.statement(w[0], p, lines)
	case "/":
		if len(w) == 1 {
			st.ctx, st.ctxLines, st.lost = nil, nil, false
			return Neutral, "returns to the root"
		}
		return st.bare(ln, w, false)
	case "exit":
		switch {
		case len(w) == 2 && w[1] == "all", len(w) == 3 && w[1] == "to" && w[2] == "root":
			st.ctx, st.ctxLines, st.lost = nil, nil, false
			return Neutral, "returns to the root"
		case len(st.ctx) > 0:
			st.lost = true
		}
		return Neutral, "leaves the context"
	case "back":
		if len(st.ctx) > 0 {
			st.lost = true
		}
		return Neutral, "returns to the previous context"
	case "enter":
		return Neutral, "enters a CLI mode"
	case "commit":
		return Neutral, "commits (the executor commits the step's lines anyway)"
	case "info", "diff", "tree", "pwd", "show", "environment", "history", "echo", "date", "baseline":
		return Neutral, "not configuration"
	case "discard":
		return NotModelled, "discards the changes not committed"
	case "tools", "insert", "replace", "copy", "load", "source", "bash":
		return NotModelled, w[0] + ", which the model has no notion of"
	}
	return st.bare(ln, w, false)
}

// resolve returns the path words name from the root: words after "/"
// are, others are relative to the context (ok false when it is lost).
// lines are the lines the path comes from: those that entered the
// context it is relative to, then ln.
func (st *srlState) resolve(words []string, ln Line) (p []string, lines []Line, ok bool) {
	switch {
	case len(words) > 0 && words[0] == "/":
		return words[1:], []Line{ln}, true
	case len(words) > 0 && strings.HasPrefix(words[0], "/"):
		return append([]string{strings.TrimPrefix(words[0], "/")}, words[1:]...), []Line{ln}, true
	case st.lost:
		return nil, nil, false
	}
	p = append(append([]string(nil), st.ctx...), words...)
	lines = append(append([]Line(nil), st.ctxLines...), ln)
	return p, lines, true
}

// bare classifies a path alone (or opening a block): it enters that
// context, unless it ends in a leaf and its value, which it sets.
func (st *srlState) bare(ln Line, words []string, block bool) (Kind, string) {
	p, lines, ok := st.resolve(words, ln)
	if !ok {
		return NotModelled, "relative to a context the gate cannot follow: use a path from the root (/ ...)"
	}
	n := srlWalk(p)
	if n.kind == srlLeaf && n.hasValue && !block {
		return st.statement("set", p, lines)
	}
	st.ctx, st.ctxLines, st.lost = p, lines, false
	switch n.kind {
	case srlContainer:
		return Neutral, "enters the context"
	case srlLeaf:
		st.lost = true
		return NotModelled, "a leaf without a value"
	case srlNeutral:
		// It enters the context or sets a leaf: either way nothing that
		// changes forwarding, but what follows is relative to a context
		// the gate cannot tell (a block's is known).
		st.lost = !block
		return Neutral, n.why
	}
	st.lost = !block
	return NotModelled, n.why
}

type srlKind int

const (
	srlOutside   srlKind = iota // a path the model has no notion of
	srlContainer                // a container or list entry the gate knows
	srlLeaf                     // a leaf the model follows
	srlNeutral                  // a part that does not change forwarding
)

type srlLeafKind int

const (
	srlAdminState srlLeafKind = iota + 1
	srlOSPFMetric
	srlISISMetric
	srlOSPFOverload
	srlISISOverload
)

// srlNode is what a path names in the schema the gate knows.
type srlNode struct {
	kind srlKind
	leaf srlLeafKind // of a leaf, or of the container it defaults (overload)
	// iface is the (sub)interface of an admin-state or a metric; level
	// the IS-IS level of a metric.
	iface, level string
	name         string // of the leaf
	value        string
	hasValue     bool
	extra        []string // words after the value
	why          string   // of srlOutside and srlNeutral
}

func outside(why string) srlNode { return srlNode{kind: srlOutside, why: why} }
func neutral(why string) srlNode { return srlNode{kind: srlNeutral, why: why} }

// leaf is the node of leaf k given the words from its name on.
func leaf(k srlLeafKind, iface string, words []string) srlNode {
	n := srlNode{kind: srlLeaf, leaf: k, iface: iface, name: words[0]}
	rest := words[1:]
	if len(rest) > 0 {
		n.value, n.hasValue, n.extra = rest[0], true, rest[1:]
	}
	return n
}

// srlWalk finds what path p (from the root) names.
func srlWalk(p []string) srlNode {
	container := srlNode{kind: srlContainer}
	if len(p) == 0 {
		return container
	}
	switch p[0] {
	case "interface":
		if len(p) <= 2 {
			return container
		}
		name, rest := p[1], p[2:]
		switch rest[0] {
		case "admin-state":
			return leaf(srlAdminState, name, rest)
		case "description":
			return neutral("a description")
		case "subinterface":
			if len(rest) <= 2 {
				return container
			}
			sub, r := name+"."+rest[1], rest[2:]
			switch r[0] {
			case "admin-state":
				return leaf(srlAdminState, sub, r)
			case "description":
				return neutral("a description")
			}
			return outside("a subinterface setting the model has no notion of")
		}
		return outside("an interface setting the model has no notion of")
	case "network-instance":
		if len(p) <= 2 {
			return container
		}
		if p[1] != "default" {
			return outside("another network instance than default, which the model has no notion of")
		}
		if len(p) == 3 && p[2] == "protocols" {
			return container
		}
		if p[2] != "protocols" {
			return outside("a network-instance setting the model has no notion of")
		}
		switch p[3] {
		case "ospf":
			return srlOSPF(p[4:])
		case "isis":
			return srlISIS(p[4:])
		}
		return outside("a protocol the model has no notion of")
	case "system":
		return neutral("system settings (do not change forwarding)")
	}
	return outside("a part of the configuration the model has no notion of")
}

// srlOSPF finds what a path under protocols ospf names.
func srlOSPF(p []string) srlNode {
	container := srlNode{kind: srlContainer}
	if len(p) <= 2 {
		if len(p) == 0 || p[0] == "instance" {
			return container
		}
		return outside("an OSPF setting the model has no notion of")
	}
	if p[0] != "instance" {
		return outside("an OSPF setting the model has no notion of")
	}
	r := p[2:]
	switch r[0] {
	case "area":
		if len(r) <= 2 || len(r) <= 4 && r[2] == "interface" {
			return container
		}
		if r[2] != "interface" {
			return outside("an OSPF area setting the model has no notion of")
		}
		if r[4] == "metric" {
			return leaf(srlOSPFMetric, r[3], r[4:])
		}
		return outside("an OSPF interface setting the model has no notion of")
	case "overload":
		if len(r) == 1 {
			return srlNode{kind: srlContainer, leaf: srlOSPFOverload}
		}
		switch r[1] {
		case "active":
			return leaf(srlOSPFOverload, "", r[1:])
		case "overload-include-ext-1", "overload-include-ext-2", "overload-include-stub":
			return neutral("which prefixes an overloaded router also advertises at the maximum metric (it carries no transit either way)")
		case "overload-on-boot":
			return neutral("overload at boot only")
		}
		return outside("an OSPF overload setting the model has no notion of")
	}
	return outside("an OSPF setting the model has no notion of")
}

// srlISIS finds what a path under protocols isis names.
func srlISIS(p []string) srlNode {
	container := srlNode{kind: srlContainer}
	if len(p) <= 2 {
		if len(p) == 0 || p[0] == "instance" {
			return container
		}
		return outside("an IS-IS setting the model has no notion of")
	}
	if p[0] != "instance" {
		return outside("an IS-IS setting the model has no notion of")
	}
	r := p[2:]
	switch r[0] {
	case "interface":
		if len(r) <= 2 || len(r) <= 4 && r[2] == "level" {
			return container
		}
		if r[2] != "level" {
			return outside("an IS-IS interface setting the model has no notion of")
		}
		if r[4] == "metric" {
			n := leaf(srlISISMetric, r[1], r[4:])
			n.level = r[3]
			return n
		}
		return outside("an IS-IS interface level setting the model has no notion of")
	case "overload":
		if len(r) == 1 || len(r) == 2 && r[1] == "immediate" {
			return srlNode{kind: srlContainer, leaf: srlISISOverload}
		}
		switch {
		case r[1] == "immediate" && r[2] == "set-bit":
			return leaf(srlISISOverload, "", r[2:])
		case r[1] == "immediate" && r[2] == "max-metric":
			return neutral("the maximum metric as well as the overload bit (it carries no transit either way)")
		case r[1] == "on-boot":
			return neutral("overload at boot only")
		}
		return outside("an IS-IS overload setting the model has no notion of")
	}
	return outside("an IS-IS setting the model has no notion of")
}

// statement classifies "set" or "delete" of path p; lines are the lines
// p comes from.
func (st *srlState) statement(op string, p []string, lines []Line) (Kind, string) {
	ln := lines[len(lines)-1]
	n := srlWalk(p)
	switch n.kind {
	case srlOutside, srlNeutral:
		if n.kind == srlNeutral {
			return Neutral, n.why
		}
		return NotModelled, n.why
	case srlContainer:
		if op == "delete" && (n.leaf == srlOSPFOverload || n.leaf == srlISISOverload) {
			return st.overload(n.leaf, false, lines)
		}
		if op == "delete" {
			return NotModelled, "deletes a part of the configuration, and everything under it"
		}
		return NotModelled, "creates a part of the configuration (which can enable a protocol on an interface)"
	}
	if op == "set" && !n.hasValue {
		st.r.Diags.Add(ln.Pos, "give the value after the leaf's name", "set %q: no value", n.name)
		return Modelled, ""
	}
	if op == "set" && len(n.extra) > 0 {
		return NotModelled, "sets more than one leaf in a line: the gate reads one"
	}
	switch n.leaf {
	case srlAdminState:
		up := true
		if op == "set" {
			switch n.value {
			case "enable":
			case "disable":
				up = false
			default:
				st.r.Diags.Add(ln.Pos, "give enable or disable", "admin-state: %q", n.value)
				return Modelled, ""
			}
		}
		var links []string
		if strings.Contains(n.iface, ".") {
			if l, ok := st.t.link(n.iface, srlCanon, ln, &st.r.Diags); ok {
				links = []string{l}
			}
		} else {
			links = st.t.portLinks(n.iface, srlCanon, ln, &st.r.Diags)
		}
		typ := plans.LinkUp
		if !up {
			typ = plans.LinkDown
		}
		for _, l := range links {
			st.r.Effects = append(st.r.Effects, Derived{Effect: plans.Effect{Type: typ, Link: l}, Lines: lines})
		}
		return Modelled, ""
	case srlOSPFMetric:
		return st.metric(op, n, lines, topology.IGPOSPF, "OSPF metric", maxOSPFMetric)
	case srlISISMetric:
		if n.level != "1" && n.level != "2" {
			return NotModelled, "an IS-IS level the model does not know"
		}
		if n.level != fmt.Sprint(ISISLevel) {
			return NotModelled, fmt.Sprintf("an IS-IS level-%s metric: the model routes on level %d", n.level, ISISLevel)
		}
		return st.metric(op, n, lines, topology.IGPISIS, "IS-IS metric", maxISISMetric)
	}
	// An overload leaf.
	on := false
	if op == "set" {
		switch n.value {
		case "true":
			on = true
		case "false":
		default:
			st.r.Diags.Add(ln.Pos, "give true or false", "%s: %q", n.name, n.value)
			return Modelled, ""
		}
	}
	return st.overload(n.leaf, on, lines)
}

// overload drains (on) or undrains the device by OSPF's overload or
// IS-IS's overload bit.
func (st *srlState) overload(k srlLeafKind, on bool, lines []Line) (Kind, string) {
	igp, what := topology.IGPOSPF, "OSPF overload"
	if k == srlISISOverload {
		igp, what = topology.IGPISIS, "the IS-IS overload bit"
	}
	if netIGP(st.t.Net) != igp {
		return NotModelled, what + ", and the topology's IGP is " + igpName(netIGP(st.t.Net))
	}
	st.r.Effects = append(st.r.Effects, Derived{Effect: st.t.drain(!on), Lines: lines})
	return Modelled, ""
}

// metric handles set and delete of an interface's metric.
func (st *srlState) metric(op string, n srlNode, lines []Line, igp, what string, max int64) (Kind, string) {
	ln := lines[len(lines)-1]
	if netIGP(st.t.Net) != igp {
		return NotModelled, fmt.Sprintf("an %s, and the topology's IGP is %s", what, igpName(netIGP(st.t.Net)))
	}
	link, ok := st.t.link(n.iface, srlCanon, ln, &st.r.Diags)
	if !ok {
		return Modelled, ""
	}
	switch {
	case op == "delete":
		st.r.Effects = append(st.r.Effects, st.t.restoreMetric(link, "deleting the metric", lines))
	case igp == topology.IGPOSPF && n.value == "0":
		st.r.Effects = append(st.r.Effects, st.t.restoreMetric(link, "an OSPF metric of 0", lines))
	default:
		if m, ok := metricValue(ln, what, n.value, max, &st.r.Diags); ok {
			st.r.Effects = append(st.r.Effects, st.t.setMetric(link, m, lines))
		}
	}
	return Modelled, ""
}
