package devconfig

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// iosLike reads the indented, mode-based CLIs of FRR's vtysh, Cisco
// IOS-XE and Arista EOS: "interface NAME" and "router ospf|isis" enter a
// mode whose lines follow (indented by convention, not by rule), "exit"
// or a line of another mode leaves it. The three differ in the spelling
// of interfaces and of the OSPF drain, which the fields say.
type iosLike struct {
	dialect string
	// canon makes two spellings of one interface name equal.
	canon func(string) string
	// bareMaxMetric says "max-metric router-lsa" with no argument drains
	// (IOS, EOS); FRR needs "administrative".
	bareMaxMetric bool
}

func (p iosLike) Dialect() string { return p.dialect }

type iosMode int

const (
	modeTop iosMode = iota
	modeInterface
	modeOSPF
	modeISIS
	modeOther // a mode the model has no notion of (router bgp, route-map ...)
)

// iosState is where the lines so far have left the CLI.
type iosState struct {
	mode  iosMode
	iface string // the interface of modeInterface
	// link is its link once looked up (looked); "" when it is none.
	link   string
	looked bool
	enter  Line   // the line that entered the mode
	what   string // the mode modeOther is, for messages
}

func (p iosLike) Interpret(t Target, lines []Line) Result {
	var r Result
	st := iosState{}
	for _, ln := range lines {
		words := strings.Fields(ln.Text)
		kind, why := p.line(t, &st, ln, words, &r)
		r.Lines = append(r.Lines, Classified{Line: ln, Kind: kind, Why: why})
	}
	return r
}

// line classifies one line, updating the mode and adding its effect.
func (p iosLike) line(t Target, st *iosState, ln Line, w []string, r *Result) (Kind, string) {
	if len(w) == 0 || strings.HasPrefix(w[0], "!") || strings.HasPrefix(w[0], "#") {
		return Neutral, "a comment"
	}
	indented := ln.Text != strings.TrimLeft(ln.Text, " \t")
	// A line that enters a mode, whatever mode the CLI is in.
	switch {
	case w[0] == "interface" && len(w) >= 2:
		*st = iosState{mode: modeInterface, iface: w[1], enter: ln}
		return Neutral, "enters the interface"
	case w[0] == "router" && len(w) >= 2 && w[1] == "ospf":
		*st = iosState{mode: modeOSPF, enter: ln}
		return Neutral, "enters OSPF"
	case w[0] == "router" && len(w) >= 2 && w[1] == "isis":
		*st = iosState{mode: modeISIS, enter: ln}
		return Neutral, "enters IS-IS"
	case w[0] == "end" || w[0] == "exit" || w[0] == "configure":
		*st = iosState{}
		return Neutral, "leaves the mode"
	}
	if enters, what := otherMode(w); enters {
		*st = iosState{mode: modeOther, enter: ln, what: what}
		return NotModelled, what
	}
	if k, why, ok := neutralTop(w); ok && (!indented || st.mode == modeTop) {
		return k, why
	}
	switch st.mode {
	case modeInterface:
		return p.interfaceLine(t, st, ln, w, r)
	case modeOSPF:
		return p.ospfLine(t, st, ln, w, r)
	case modeISIS:
		return p.isisLine(t, st, ln, w, r)
	case modeOther:
		return NotModelled, "in " + st.what
	}
	if k, why, ok := neutralTop(w); ok {
		return k, why
	}
	return NotModelled, "a global command the model has no notion of"
}

// otherMode reports whether w enters a mode the model has no notion of.
func otherMode(w []string) (bool, string) {
	switch w[0] {
	case "router", "route-map", "vrf", "address-family", "policy-map", "class-map", "key", "segment-routing", "mpls", "bfd", "line":
		return true, strings.Join(w[:min(2, len(w))], " ") + " mode"
	case "ip", "ipv6":
		if len(w) >= 2 && (w[1] == "access-list" || w[1] == "prefix-list") && len(w) == 3 {
			return true, "an access or prefix list"
		}
	}
	return false, ""
}

// neutralTop recognises global lines that do not change forwarding.
func neutralTop(w []string) (Kind, string, bool) {
	switch w[0] {
	case "hostname", "banner", "service", "username", "enable", "clock", "alias", "agentx", "password", "frr", "ntp", "snmp-server", "logging", "log":
		return Neutral, w[0] + " (does not change forwarding)", true
	case "no":
		if len(w) >= 2 {
			if k, why, ok := neutralTop(w[1:]); ok {
				return k, why, true
			}
		}
	case "description":
		return Neutral, "a description", true
	case "write", "do":
		return Neutral, "not configuration", true
	}
	return 0, "", false
}

func (p iosLike) interfaceLine(t Target, st *iosState, ln Line, w []string, r *Result) (Kind, string) {
	no, w := negated(w)
	if len(w) == 0 {
		return NotModelled, "an incomplete line"
	}
	ctx := []Line{st.enter, ln}
	switch {
	case w[0] == "description":
		return Neutral, "a description"
	case w[0] == "shutdown" && len(w) == 1:
		if !p.linkOf(t, st, &r.Diags) {
			return Modelled, "" // the interface is no link's: reported
		}
		e := plans.Effect{Type: plans.LinkDown, Link: st.link}
		if no {
			e.Type = plans.LinkUp
		}
		r.Effects = append(r.Effects, Derived{Effect: e, Lines: ctx})
		return Modelled, ""
	case len(w) >= 3 && w[0] == "ip" && w[1] == "ospf" && w[2] == "cost":
		return p.metric(t, st, ln, w[3:], no, topology.IGPOSPF, "OSPF cost", maxOSPFMetric, r)
	case len(w) >= 2 && w[0] == "isis" && w[1] == "metric":
		args := w[2:]
		if lvl := levelOf(args); lvl != 0 && lvl != ISISLevel {
			return NotModelled, fmt.Sprintf("an IS-IS level-%d metric: the model routes on level %d", lvl, ISISLevel)
		}
		if len(args) > 0 && args[0] == "maximum" && !no {
			return NotModelled, "isis metric maximum leaves the link out of IS-IS's shortest paths in this direction only, which the model cannot say"
		}
		return p.metric(t, st, ln, args, no, topology.IGPISIS, "IS-IS metric", maxISISMetric, r)
	case len(w) >= 2 && w[0] == "ip" && w[1] == "ospf" && len(w) >= 3 && (w[2] == "hello-interval" || w[2] == "dead-interval" || w[2] == "retransmit-interval" || w[2] == "transmit-delay"):
		return NotModelled, "OSPF timers (the model has no notion of adjacencies forming)"
	case w[0] == "bandwidth":
		return NotModelled, "the interface bandwidth (it may change auto-costed metrics, and the model's capacity is the topology's)"
	}
	return NotModelled, "an interface setting the model has no notion of"
}

// linkOf looks up the link of the interface mode's interface the first
// time a line the model follows needs it, and reports whether there is
// one: an interface that is on no link is an error at its interface
// line, once, and only when a line about it is modelled (a loopback's
// description is fine).
func (p iosLike) linkOf(t Target, st *iosState, ds *diag.Diagnostics) bool {
	if !st.looked {
		st.looked = true
		st.link, _ = t.link(st.iface, p.canon, st.enter, ds)
	}
	return st.link != ""
}

// levelOf returns the IS-IS level a metric line names (level-1, level-2),
// 0 for both.
func levelOf(args []string) int {
	for _, a := range args {
		switch a {
		case "level-1":
			return 1
		case "level-2":
			return 2
		}
	}
	return 0
}

// metric handles "ip ospf cost N" and "isis metric N" (and their no
// forms) in an interface mode.
func (p iosLike) metric(t Target, st *iosState, ln Line, args []string, no bool, igp, what string, max int64, r *Result) (Kind, string) {
	if netIGP(t.Net) != igp {
		return NotModelled, fmt.Sprintf("an %s, and the topology's IGP is %s", what, igpName(netIGP(t.Net)))
	}
	if !p.linkOf(t, st, &r.Diags) {
		return Modelled, ""
	}
	ctx := []Line{st.enter, ln}
	if no {
		r.Effects = append(r.Effects, t.restoreMetric(st.link, "no "+what, ctx))
		return Modelled, ""
	}
	var n int64
	var err error
	if len(args) > 0 {
		n, err = strconv.ParseInt(args[0], 10, 64)
	}
	if len(args) == 0 || err != nil || n < 1 || n > max {
		r.Diags.Add(ln.Pos, fmt.Sprintf("give a whole number from 1 to %d", max), "%s: %s", what, diag.Excerpt(strings.Join(args, " ")))
		return Modelled, ""
	}
	r.Effects = append(r.Effects, t.setMetric(st.link, n, ctx))
	return Modelled, ""
}

func (p iosLike) ospfLine(t Target, st *iosState, ln Line, w []string, r *Result) (Kind, string) {
	no, w := negated(w)
	if len(w) == 0 {
		return NotModelled, "an incomplete line"
	}
	ctx := []Line{st.enter, ln}
	switch {
	case len(w) >= 2 && w[0] == "max-metric" && w[1] == "router-lsa":
		args := w[2:]
		if len(args) > 0 && (args[0] == "on-startup" || args[0] == "on-shutdown") {
			return Neutral, "max-metric at startup or shutdown only"
		}
		drains := no || len(args) > 0 && args[0] == "administrative" || len(args) == 0 && p.bareMaxMetric
		if !drains {
			return NotModelled, "a max-metric form the model does not follow"
		}
		if netIGP(t.Net) != topology.IGPOSPF {
			return NotModelled, "OSPF max-metric, and the topology's IGP is " + igpName(netIGP(t.Net))
		}
		r.Effects = append(r.Effects, Derived{Effect: t.drain(no), Lines: ctx})
		return Modelled, ""
	case w[0] == "log-adjacency-changes" || w[0] == "ospf" && len(w) > 1 && w[1] == "router-id" || w[0] == "router-id":
		return Neutral, "does not change forwarding"
	}
	return NotModelled, "an OSPF setting the model has no notion of"
}

func (p iosLike) isisLine(t Target, st *iosState, ln Line, w []string, r *Result) (Kind, string) {
	no, w := negated(w)
	if len(w) == 0 {
		return NotModelled, "an incomplete line"
	}
	ctx := []Line{st.enter, ln}
	switch {
	case w[0] == "set-overload-bit":
		if len(w) > 1 && (w[1] == "on-startup" || w[1] == "wait-for-bgp") {
			return Neutral, "the overload bit at startup only"
		}
		if netIGP(t.Net) != topology.IGPISIS {
			return NotModelled, "the IS-IS overload bit, and the topology's IGP is " + igpName(netIGP(t.Net))
		}
		r.Effects = append(r.Effects, Derived{Effect: t.drain(no), Lines: ctx})
		return Modelled, ""
	case w[0] == "log-adjacency-changes" || w[0] == "hostname":
		return Neutral, "does not change forwarding"
	}
	return NotModelled, "an IS-IS setting the model has no notion of"
}

// netIGP is the network's IGP, IS-IS when it names none.
func netIGP(n *topology.Network) string {
	if n.IGP == "" {
		return topology.IGPISIS
	}
	return n.IGP
}

func igpName(igp string) string {
	if igp == topology.IGPOSPF {
		return "OSPF"
	}
	return "IS-IS"
}

// negated splits a leading "no" off a line's words: whether the line
// undoes a setting, and the words of the setting.
func negated(w []string) (bool, []string) {
	if len(w) > 0 && w[0] == "no" {
		return true, w[1:]
	}
	return false, w
}
