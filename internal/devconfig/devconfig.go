package devconfig

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/platform"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// Line is a configuration line and where it is written.
type Line struct {
	Text string
	Pos  diag.Pos
}

// Kind says what a line does to forwarding, as far as the model can tell.
type Kind int

const (
	// Modelled lines change the model; an Effect says how.
	Modelled Kind = iota
	// Neutral lines do not change forwarding: descriptions, logging,
	// SNMP, NTP, banners, comments, and context lines (interface X,
	// router ospf, exit) that only say where the next lines apply.
	Neutral
	// NotModelled lines may change forwarding, and the model has no
	// notion of what they do.
	NotModelled
)

func (k Kind) String() string {
	switch k {
	case Modelled:
		return "modelled"
	case Neutral:
		return "neutral"
	}
	return "not modelled"
}

// Classified is a line and what it does.
type Classified struct {
	Line Line
	Kind Kind
	// Why says, for a NotModelled line, what the model lacks ("a route
	// map"); for a Neutral line, what it is ("a description").
	Why string
}

// Derived is an effect on the model and the lines it comes from: the
// line that makes it, after the context lines it is under (interface
// eth4, router ospf).
type Derived struct {
	Effect plans.Effect
	Lines  []Line
	// Note says how the effect was derived where it is not plain: "no ip
	// ospf cost returns to the default; the model takes the topology's
	// metric 10".
	Note string
}

// Result is what the lines sent to one device do.
type Result struct {
	Effects []Derived
	// Lines holds every line, classified, in order.
	Lines []Classified
	// Diags are lines that cannot be right: an interface that is no
	// link's, a metric out of range, a line that does not parse.
	Diags diag.Diagnostics
}

// NotModelled returns the lines the model cannot follow.
func (r Result) NotModelled() []Classified {
	var out []Classified
	for _, c := range r.Lines {
		if c.Kind == NotModelled {
			out = append(out, c)
		}
	}
	return out
}

// Target is the device lines are sent to, as the model knows it.
type Target struct {
	// Device is the node's name.
	Device string
	// Net is the network the device is a node of: its links and their
	// interface names, its IGP, the metrics no-forms return to.
	Net *topology.Network
}

// ISISLevel is the IS-IS level the model routes on: a metric set for the
// other level only does not change what the model simulates.
const ISISLevel = 2

// The largest interface metric each IGP's configuration takes: OSPF's
// 16-bit cost, IS-IS's 24-bit wide metric.
const (
	maxOSPFMetric = 65535
	maxISISMetric = 1<<24 - 1
)

// metricValue reads the metric a line sets: a whole number from 1 to
// max. Anything else is an error at ln, and ok is false.
func metricValue(ln Line, what, arg string, max int64, ds *diag.Diagnostics) (n int64, ok bool) {
	n, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || n < 1 || n > max {
		ds.Add(ln.Pos, fmt.Sprintf("give a whole number from 1 to %d", max), "%s: %q", what, arg)
		return 0, false
	}
	return n, true
}

// Interpreter reads one configuration dialect: the language of the
// lines sent to the platforms whose record (internal/platform) names it.
type Interpreter interface {
	// Dialect is the dialect it reads, as platform records name it.
	Dialect() string
	// Interpret reads the lines sent to t, in order.
	Interpret(t Target, lines []Line) Result
}

var registry = map[string]Interpreter{}

// register adds an interpreter; called from one place (ensure), so that
// the set is explicit.
func register(i Interpreter) {
	if _, dup := registry[i.Dialect()]; dup {
		panic("devconfig: dialect " + i.Dialect() + " registered twice")
	}
	registry[i.Dialect()] = i
}

// For returns the interpreter of the named platform's dialect.
func For(name string) (Interpreter, bool) {
	ensure()
	p, ok := platform.Builtin().Lookup(name)
	if !ok || p.Dialect == "" {
		return nil, false
	}
	i, ok := registry[p.Dialect]
	return i, ok
}

// Platforms lists the platforms there is an interpreter for, sorted.
func Platforms() []string {
	var out []string
	for _, name := range platform.Builtin().Names() {
		if _, ok := For(name); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// link finds the link of t's interface name (as the platform writes it;
// canon makes two spellings of one interface equal), and reports an
// error at line when there is none. ok is false then.
func (t Target) link(name string, canon func(string) string, line Line, ds *diag.Diagnostics) (string, bool) {
	want := canon(name)
	var known []string
	for _, l := range t.Net.Links {
		for _, end := range [2]struct{ node, iface string }{{l.A, l.AInterface}, {l.B, l.BInterface}} {
			if end.node != t.Device || end.iface == "" {
				continue
			}
			if canon(end.iface) == want {
				return l.ID, true
			}
			known = append(known, end.iface)
		}
	}
	hint := "the topology names none of " + t.Device + "'s interfaces: give its links' interfaces (a: \"" + t.Device + ":IFACE\")"
	if len(known) > 0 {
		slices.Sort(known)
		hint = fmt.Sprintf("%s's interfaces in the topology: %s", t.Device, strings.Join(known, ", "))
	}
	ds.Add(line.Pos, hint, "interface %q of %s is on no link of the topology, so the gate cannot tell what this line changes", name, t.Device)
	return "", false
}

// portLinks returns the links of physical interface name and of its
// logical units or subinterfaces (name.100 ...), which go down with it:
// what disabling the port changes. None is an error at line, as for
// link.
func (t Target) portLinks(name string, canon func(string) string, line Line, ds *diag.Diagnostics) []string {
	var out []string
	for _, l := range t.Net.Links {
		for _, end := range [2]struct{ node, iface string }{{l.A, l.AInterface}, {l.B, l.BInterface}} {
			if end.node == t.Device && end.iface != "" && (canon(end.iface) == canon(name) || strings.HasPrefix(canon(end.iface), canon(name)+".")) &&
				!slices.Contains(out, l.ID) {
				out = append(out, l.ID)
			}
		}
	}
	if len(out) == 0 {
		t.link(name, canon, line, ds)
	}
	return out
}

// baseline is the metric the topology gives link in the direction
// leaving t's device: what a no-form returns the model to.
func (t Target) baseline(link string) int64 {
	for _, l := range t.Net.Links {
		if l.ID != link {
			continue
		}
		if l.A == t.Device {
			return l.MetricAB
		}
		return l.MetricBA
	}
	return 0
}

// setMetric is the effect of setting link's metric leaving t's device.
func (t Target) setMetric(link string, n int64, lines []Line) Derived {
	return Derived{Effect: plans.Effect{Type: plans.SetMetric, Link: link, From: t.Device, Metric: n}, Lines: lines}
}

// restoreMetric is the effect of a line that returns link's metric
// leaving t's device to its default (form says how: "delete ... metric").
// A default metric is the platform's (a reference bandwidth, 10): the
// model takes the topology's metric for it, as the Note says.
func (t Target) restoreMetric(link, form string, lines []Line) Derived {
	d := t.setMetric(link, t.baseline(link), lines)
	d.Note = fmt.Sprintf("%s returns to the default; the model takes the topology's metric, %d", form, d.Effect.Metric)
	return d
}

// drain is the effect of draining (or, with undo, undraining) t's
// device.
func (t Target) drain(undo bool) plans.Effect {
	if undo {
		return plans.Effect{Type: plans.Undrain, Node: t.Device}
	}
	return plans.Effect{Type: plans.Drain, Node: t.Device}
}
