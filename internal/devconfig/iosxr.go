package devconfig

import (
	"fmt"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// iosXR reads Cisco IOS XR's configuration mode. Modes nest: "router
// ospf 1" holds "area 0", which holds "interface X", which holds "cost
// N"; "router isis T" holds "interface X", which holds "address-family
// ipv4 unicast", which holds "metric N". "exit" leaves one mode, "root"
// and "end" all of them; "!" is a comment and leaves none.
//
// IOS XR reads a line in the current mode when that mode has the
// command, and otherwise in the nearest enclosing mode that has it, up
// to the top level: after "router ospf 1 / area 0 / interface X",
// "interface Y" adds Y to area 0, while after "router ospf 1" alone it
// is Y's own configuration, as the top level has "interface" and the
// OSPF process has not. Indentation does not change what the router
// does. But a configuration that is indented says what its author
// meant, and a line that IOS XR reads in another mode than its
// indentation says is an error at that line: an "interface Y / shutdown"
// written at the top level after an OSPF area, say, adds Y to the area
// instead of shutting it down. A configuration with no indented line is
// read as the router reads it, without that check.
//
// Sources: Batfish's IOS XR grammar (which commands each OSPF and IS-IS
// mode has, max-metric's and metric's forms) and Cisco's command
// references. Not confirmed on a router: that "!" leaves no mode (the
// gate reads it as a comment, as Cisco's CLIs do in general); that XR
// walks up to enclosing modes as IOS does; max-metric's on-switchover,
// on-proc-restart and on-proc-migration, and set-overload-bit's level
// and advertise forms (not in Batfish's grammar); and the interface form
// with a space before the number.
//
// The commands each mode has are those the model needs and the common
// ones around them (xrOwn); a command no mode the gate knows has stays
// in the current mode, not modelled. A mode the gate has no notion of
// (router bgp, mpls ldp, ntp) takes every line but those of commands
// that only the top level has (router, hostname, route-policy ...; not
// interface, which many modes have), and its lines are not modelled;
// route-policy and the sets take every line up to end-policy or end-set.
type iosXR struct{}

func (iosXR) Dialect() string { return "iosxr" }

type xrMode int

const (
	xrInterface xrMode = iota + 1 // interface X
	xrOSPF                        // router ospf N
	xrOSPFArea                    // router ospf N / area A
	xrOSPFIf                      // router ospf N / area A / interface X
	xrISIS                        // router isis T
	xrISISAF                      // router isis T / address-family F
	xrISISIf                      // router isis T / interface X
	xrISISIfAF                    // router isis T / interface X / address-family F
	xrOther                       // a mode the model has no notion of
	xrBlock                       // route-policy, prefix-set ...: every line up to end-policy or end-set
)

// xrLevel is one mode entered, and the line that entered it.
type xrLevel struct {
	mode  xrMode
	enter Line
	index int // of enter in the lines
	// iface is the interface of xrInterface, xrOSPFIf and xrISISIf;
	// link its link once looked up (looked), "" when it is none; links,
	// of xrInterface, the links of the port and its subinterfaces.
	iface  string
	link   string
	links  []string
	looked bool
	// ipv4 says an address family is IPv4 unicast.
	ipv4 bool
	// what names an xrOther or xrBlock mode for messages; neutral says
	// its lines do not change forwarding (line, ntp).
	what    string
	neutral bool
	// misread says the line that entered the mode is read in another
	// mode than its indentation says (an error already reported): the
	// lines read in it are not reported again.
	misread bool
}

// xrOwn lists the commands of each mode the gate knows: a line whose
// command is not its mode's is read in the nearest enclosing mode that
// has it. Commands shared by several modes (cost, passive, metric,
// interface, address-family) are read in the innermost.
var xrOwn = map[xrMode]map[string]bool{
	xrInterface: wordSet("shutdown description ipv4 ipv6 mtu bundle load-interval logging encapsulation bandwidth carrier-delay dampening service-policy lldp cdp vrf negotiation speed duplex flow l2transport mac-address arp bfd"),
	xrOSPF:      wordSet("area router-id max-metric cost log log-adjacency-changes auto-cost redistribute default-information distance maximum-paths vrf address-family nsr nsf timers bfd mpls segment-routing passive network hello-interval dead-interval retransmit-interval transmit-delay authentication authentication-key message-digest-key priority mtu-ignore fast-reroute summary-prefix default-metric distribute-list capability microloop snmp graceful-restart"),
	xrOSPFArea:  wordSet("interface cost default-cost range stub nssa authentication authentication-key message-digest-key passive network mpls hello-interval dead-interval retransmit-interval transmit-delay priority mtu-ignore fast-reroute bfd virtual-link sham-link segment-routing multi-area-interface"),
	xrOSPFIf:    wordSet("cost passive network hello-interval dead-interval retransmit-interval transmit-delay authentication authentication-key message-digest-key priority mtu-ignore bfd fast-reroute prefix-suppression database-filter flood-reduction demand-circuit prefix-sid neighbor security link-down packet-size"),
	xrISIS:      wordSet("interface address-family net is-type set-overload-bit log log-adjacency-changes lsp-gen-interval lsp-refresh-interval max-lsp-lifetime lsp-password lsp-mtu nsf nsr hostname distribute min-lsp-arrivaltime set-attached-bit ignore-attached-bit flex-algo affinity-map srlg"),
	xrISISAF:    wordSet("metric metric-style maximum-paths redistribute spf-interval spf mpls segment-routing default-information distance summary-prefix ispf microloop advertise propagate fast-reroute adjacency-check maximum-redistributed-prefixes router-id single-topology attached-bit"),
	xrISISIf:    wordSet("address-family point-to-point hello-interval hello-multiplier hello-padding hello-password passive suppressed shutdown circuit-type bfd lsp-interval csnp-interval priority mesh-group link-down"),
	xrISISIfAF:  wordSet("metric fast-reroute prefix-sid tag weight adjacency-sid mpls advertise auto-metric"),
}

// xrRootOnly are commands only the top level has: a line of one leaves
// any mode, the gate's or not.
var xrRootOnly = wordSet("router hostname banner ntp snmp-server username clock route-policy prefix-set community-set as-path-set extcommunity-set rd-set large-community-set tag-set")

// xrRoot are the other commands the top level has that a mode the gate
// knows does not: a line of one leaves those modes.
var xrRoot = wordSet("interface logging line domain control-plane telemetry key class-map policy-map l2vpn evpn multicast-routing rsvp explicit-path srlg ssh tacacs-server radius-server aaa call-home hw-module service vty-pool ethernet grpc netconf xml lpts sampler-map track mpls segment-routing lldp bfd vrf ipv4 ipv6 cdp description alias")

// xrOtherModes are top-level commands that enter a mode the model has
// no notion of; xrNeutralModes, one whose lines do not change
// forwarding.
var (
	xrOtherModes   = wordSet("mpls rsvp segment-routing multicast-routing l2vpn vrf class-map policy-map key control-plane telemetry evpn bfd track flow sampler-map explicit-path srlg lldp ethernet grpc tacacs-server radius-server call-home")
	xrNeutralModes = wordSet("line ntp")
	xrBlocks       = wordSet("route-policy prefix-set community-set as-path-set extcommunity-set rd-set large-community-set tag-set")
	xrNeutralTop   = wordSet("hostname banner logging ntp snmp-server username clock service description alias domain")
)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// xrState is where the lines so far have left the CLI.
type xrState struct {
	t     Target
	r     *Result
	stack []*xrLevel
	// indented says the configuration indents a line; open holds the
	// lines so far whose indentation is less than the next line's could
	// be, innermost last, for the check of what indentation says.
	indented bool
	open     []xrOpen
}

// xrOpen is a line as its indentation places it.
type xrOpen struct {
	indent, index int
	line          Line
	mode          xrMode // the mode the line entered, 0 for none
}

func (iosXR) Interpret(t Target, lines []Line) Result {
	var r Result
	st := &xrState{t: t, r: &r}
	for _, ln := range lines {
		if w := strings.Fields(ln.Text); len(w) > 0 && !strings.HasPrefix(w[0], "!") && indentOf(ln.Text) > 0 {
			st.indented = true
		}
	}
	for i, ln := range lines {
		kind, why := st.line(i, ln)
		r.Lines = append(r.Lines, Classified{Line: ln, Kind: kind, Why: why})
	}
	return r
}

// indentOf is how far a line is indented; a tab counts as one space.
func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

func (st *xrState) top() *xrLevel {
	if len(st.stack) == 0 {
		return nil
	}
	return st.stack[len(st.stack)-1]
}

// line classifies one line, updating the modes and adding its effect.
func (st *xrState) line(i int, ln Line) (Kind, string) {
	w := strings.Fields(ln.Text)
	if len(w) == 0 || strings.HasPrefix(w[0], "!") {
		return Neutral, "a comment"
	}
	if top := st.top(); top != nil && top.mode == xrBlock {
		if strings.HasPrefix(w[0], "end-") || w[0] == "abort" {
			st.stack = st.stack[:len(st.stack)-1]
		}
		return NotModelled, "in " + top.what
	}
	switch w[0] {
	case "root":
		st.stack = nil
		return Neutral, "returns to the top level"
	case "end", "configure":
		st.stack = nil
		return Neutral, "leaves configuration mode"
	case "exit":
		if len(st.stack) > 0 {
			st.stack = st.stack[:len(st.stack)-1]
		}
		return Neutral, "leaves the mode"
	case "commit":
		return Neutral, "commits (the executor commits the step's lines anyway)"
	case "abort":
		st.stack = nil
		return NotModelled, "abort discards the changes not committed and leaves configuration mode"
	case "do", "show", "pwd":
		return Neutral, "not configuration"
	}
	depth := st.reader(w)
	k, why, ok, misread := st.checkIndent(ln, depth)
	if !ok {
		// What the lines indented under this one do is as unknown.
		st.open = append(st.open, xrOpen{indent: indentOf(ln.Text), index: i, line: ln, mode: xrOther})
		return k, why
	}
	st.stack = st.stack[:depth]
	l := st.top()
	kind, why, enter := st.read(l, ln, w)
	if enter != nil {
		enter.enter, enter.index, enter.misread = ln, i, misread
		st.stack = append(st.stack, enter)
	}
	if st.indented {
		var mode xrMode
		if enter != nil {
			mode = enter.mode
		}
		st.open = append(st.open, xrOpen{indent: indentOf(ln.Text), index: i, line: ln, mode: mode})
	}
	return kind, why
}

// reader returns how many modes of the stack stay entered when IOS XR
// reads w: the line is read in the innermost of them (the top level
// when none).
func (st *xrState) reader(w []string) int {
	cmd := w[0]
	if cmd == "no" && len(w) > 1 {
		cmd = w[1]
	}
	for d := len(st.stack) - 1; d >= 0; d-- {
		switch l := st.stack[d]; l.mode {
		case xrOther:
			if !xrRootOnly[cmd] {
				return d + 1
			}
		default:
			if xrOwn[l.mode][cmd] {
				return d + 1
			}
		}
	}
	if xrRootOnly[cmd] || xrRoot[cmd] {
		return 0
	}
	// No mode the gate knows has the command: the router rejects it or
	// has it in the current mode; either way the gate does not model it.
	return len(st.stack)
}

// checkIndent compares where the line's indentation puts it with where
// IOS XR reads it: in the mode of depth modes. A difference in modes the
// gate knows is an error at the line, which is then read as IOS XR reads
// it; in a mode the gate has no notion of, the gate cannot tell where
// the router reads the line, and ok is false with its classification.
func (st *xrState) checkIndent(ln Line, depth int) (kind Kind, why string, ok, misread bool) {
	if !st.indented {
		return 0, "", true, false
	}
	in := indentOf(ln.Text)
	for len(st.open) > 0 && st.open[len(st.open)-1].indent >= in {
		st.open = st.open[:len(st.open)-1]
	}
	// The line its indentation puts it under: the nearest less indented
	// line that entered a mode (a line indented under one that did not is
	// only over-indented).
	var meant *xrOpen
	for j := len(st.open) - 1; j >= 0; j-- {
		if st.open[j].mode != 0 {
			meant = &st.open[j]
			break
		}
	}
	var read *xrLevel
	if depth > 0 {
		read = st.stack[depth-1]
	}
	switch {
	case meant == nil && read == nil, meant != nil && read != nil && meant.index == read.index:
		return 0, "", true, false
	case read != nil && read.misread:
		return 0, "", true, true // the mode it is read in is the error
	}
	readWhere, meantWhere := "at the top level", "at the top level"
	if read != nil {
		var path []string
		for _, l := range st.stack[:depth] {
			path = append(path, strings.TrimSpace(l.enter.Text))
		}
		readWhere = fmt.Sprintf("in %s (line %d)", diag.Excerpt(strings.Join(path, " / ")), read.enter.Pos.Line)
	}
	if meant != nil {
		meantWhere = fmt.Sprintf("under line %d (%s)", meant.line.Pos.Line, diag.Excerpt(strings.TrimSpace(meant.line.Text)))
	}
	if meant != nil && (meant.mode == xrOther || meant.mode == xrBlock) || read != nil && read.mode == xrOther {
		return NotModelled, fmt.Sprintf("the gate cannot tell whether IOS XR reads it %s, a mode the gate has no notion of, or %s, as its indentation says", readWhere, meantWhere), false, false
	}
	hint := "IOS XR has no such command where the indentation puts it: write the line in the mode it belongs to"
	if meant == nil || slices.ContainsFunc(st.stack[:depth], func(l *xrLevel) bool { return l.index == meant.index }) {
		hint = "leave the mode first: root returns to the top level, exit leaves one mode"
	}
	st.r.Diags.Add(ln.Pos, hint, "IOS XR reads this line %s, not %s as its indentation says", readWhere, meantWhere)
	return 0, "", true, true
}

// read classifies a line read in mode l (nil: the top level); enter is
// the mode it enters, if any.
func (st *xrState) read(l *xrLevel, ln Line, w []string) (Kind, string, *xrLevel) {
	if l == nil {
		return st.rootLine(w)
	}
	no, w := negated(w)
	if len(w) == 0 {
		return NotModelled, "an incomplete line", nil
	}
	switch l.mode {
	case xrInterface:
		switch {
		case w[0] == "shutdown" && len(w) == 1:
			typ := plans.LinkDown
			if no {
				typ = plans.LinkUp
			}
			for _, link := range st.ports(l) {
				st.r.Effects = append(st.r.Effects, Derived{Effect: plans.Effect{Type: typ, Link: link}, Lines: st.context(ln)})
			}
			return Modelled, "", nil
		case w[0] == "description":
			return Neutral, "a description", nil
		case w[0] == "logging" || w[0] == "load-interval":
			return Neutral, w[0] + " (does not change forwarding)", nil
		}
		return NotModelled, "an interface setting the model has no notion of", nil
	case xrOSPF:
		switch {
		case w[0] == "area" && len(w) == 2 && !no:
			return Neutral, "enters the OSPF area", &xrLevel{mode: xrOSPFArea}
		case w[0] == "max-metric":
			return st.maxMetric(ln, w[1:], no)
		case w[0] == "cost":
			return NotModelled, "an OSPF cost for every interface of the process that sets none of its own", nil
		case w[0] == "router-id" || w[0] == "log" || w[0] == "log-adjacency-changes":
			return Neutral, "does not change forwarding", nil
		case w[0] == "vrf" && len(w) == 2 && !no:
			return NotModelled, "OSPF in a VRF", &xrLevel{mode: xrOther, what: "OSPF vrf " + w[1]}
		}
		return NotModelled, "an OSPF setting the model has no notion of", nil
	case xrOSPFArea:
		switch {
		case w[0] == "interface" && !no:
			if name, ok := xrIface(w[1:]); ok {
				return Neutral, "enters the OSPF interface", &xrLevel{mode: xrOSPFIf, iface: name}
			}
		case w[0] == "interface" && no:
			return NotModelled, "takes the interface out of OSPF (the model has no notion of adjacencies)", nil
		case w[0] == "cost":
			return NotModelled, "an OSPF cost for every interface of the area that sets none of its own", nil
		}
		return NotModelled, "an OSPF area setting the model has no notion of", nil
	case xrOSPFIf:
		if w[0] == "cost" {
			return st.metric(ln, w[1:], no, topology.IGPOSPF, "OSPF cost", maxOSPFMetric)
		}
		return NotModelled, "an OSPF interface setting the model has no notion of", nil
	case xrISIS:
		switch {
		case w[0] == "interface" && !no:
			if name, ok := xrIface(w[1:]); ok {
				return Neutral, "enters the IS-IS interface", &xrLevel{mode: xrISISIf, iface: name}
			}
		case w[0] == "interface" && no:
			return NotModelled, "takes the interface out of IS-IS (the model has no notion of adjacencies)", nil
		case w[0] == "address-family" && !no:
			return Neutral, "enters the IS-IS address family", &xrLevel{mode: xrISISAF, ipv4: ipv4Unicast(w[1:])}
		case w[0] == "set-overload-bit":
			return st.overloadBit(ln, w[1:], no)
		case w[0] == "log" || w[0] == "log-adjacency-changes" || w[0] == "hostname":
			return Neutral, "does not change forwarding", nil
		}
		return NotModelled, "an IS-IS setting the model has no notion of", nil
	case xrISISAF:
		if w[0] == "metric" {
			return NotModelled, "an IS-IS metric for every interface that sets none of its own", nil
		}
		return NotModelled, "an IS-IS address-family setting the model has no notion of", nil
	case xrISISIf:
		switch {
		case w[0] == "address-family" && !no:
			return Neutral, "enters the IS-IS interface's address family", &xrLevel{mode: xrISISIfAF, ipv4: ipv4Unicast(w[1:])}
		case w[0] == "shutdown":
			return NotModelled, "IS-IS shut down on the interface (the model has no notion of adjacencies)", nil
		}
		return NotModelled, "an IS-IS interface setting the model has no notion of", nil
	case xrISISIfAF:
		if w[0] == "metric" {
			if !l.ipv4 {
				return NotModelled, "a metric of another address family than IPv4 unicast, which the model routes", nil
			}
			return st.isisMetric(ln, w[1:], no)
		}
		return NotModelled, "an IS-IS interface address-family setting the model has no notion of", nil
	case xrOther:
		if l.neutral {
			return Neutral, "in " + l.what + " (does not change forwarding)", nil
		}
		return NotModelled, "in " + l.what, nil
	}
	return NotModelled, "in a mode the gate has no notion of", nil
}

// xrIface reads the interface a line names: "GigabitEthernet0/0/0/1", or
// with a space before the number, "GigabitEthernet 0/0/0/1". ok is false
// for any other form (interface preconfigure X, X l2transport).
func xrIface(args []string) (name string, ok bool) {
	switch {
	case len(args) == 1:
		return args[0], true
	case len(args) == 2 && args[1] != "" && args[1][0] >= '0' && args[1][0] <= '9':
		return args[0] + args[1], true
	}
	return "", false
}

// ipv4Unicast says an address-family line's arguments name IPv4 unicast
// (unicast is the default).
func ipv4Unicast(args []string) bool {
	return len(args) >= 1 && args[0] == "ipv4" && (len(args) == 1 || args[1] == "unicast")
}

// rootLine classifies a line read at the top level.
func (st *xrState) rootLine(w []string) (Kind, string, *xrLevel) {
	no, c := negated(w)
	if len(c) == 0 {
		return NotModelled, "an incomplete line", nil
	}
	mode := strings.Join(c[:min(2, len(c))], " ")
	switch {
	case c[0] == "interface" && !no:
		if name, ok := xrIface(c[1:]); ok {
			return Neutral, "enters the interface", &xrLevel{mode: xrInterface, iface: name}
		}
		return NotModelled, "an interface form the model does not follow", &xrLevel{mode: xrOther, what: strings.Join(c, " ")}
	case c[0] == "interface" && no:
		return NotModelled, "removes the interface's configuration", nil
	case c[0] == "router" && len(c) >= 3 && c[1] == "ospf" && !no:
		return Neutral, "enters OSPF", &xrLevel{mode: xrOSPF}
	case c[0] == "router" && len(c) >= 3 && c[1] == "isis" && !no:
		return Neutral, "enters IS-IS", &xrLevel{mode: xrISIS}
	case c[0] == "router" && !no:
		return NotModelled, mode + " mode", &xrLevel{mode: xrOther, what: mode}
	case xrBlocks[c[0]] && !no:
		return NotModelled, mode, &xrLevel{mode: xrBlock, what: mode}
	case (c[0] == "ipv4" || c[0] == "ipv6") && len(c) == 3 && (c[1] == "access-list" || c[1] == "prefix-list") && !no:
		return NotModelled, "an access or prefix list", &xrLevel{mode: xrOther, what: mode}
	case xrOtherModes[c[0]] && !no:
		return NotModelled, mode + " mode", &xrLevel{mode: xrOther, what: mode}
	case xrNeutralModes[c[0]] && !no:
		return Neutral, c[0] + " (does not change forwarding)", &xrLevel{mode: xrOther, what: mode, neutral: true}
	case xrNeutralTop[c[0]]:
		return Neutral, c[0] + " (does not change forwarding)", nil
	}
	return NotModelled, "a global command the model has no notion of", nil
}

// context is the lines a derived effect comes from: those that entered
// the modes it is in, then ln.
func (st *xrState) context(ln Line) []Line {
	out := make([]Line, 0, len(st.stack)+1)
	for _, l := range st.stack {
		out = append(out, l.enter)
	}
	return append(out, ln)
}

// link returns the link of the innermost interface mode, looking it up
// the first time a line needs it: an interface that is on no link is an
// error at the line that entered it, once.
func (st *xrState) link() (string, bool) {
	for i := len(st.stack) - 1; i >= 0; i-- {
		l := st.stack[i]
		if l.iface == "" {
			continue
		}
		if !l.looked {
			l.looked = true
			l.link, _ = st.t.link(l.iface, iosxrTypes.canon, l.enter, &st.r.Diags)
		}
		return l.link, l.link != ""
	}
	return "", false
}

// ports returns the links that shutting interface mode l's interface
// changes, looking them up the first time: a port's and its
// subinterfaces' (Gi0/0/0/1 and Gi0/0/0/1.100), or a subinterface's.
func (st *xrState) ports(l *xrLevel) []string {
	if !l.looked {
		l.looked = true
		if strings.Contains(l.iface, ".") {
			if link, ok := st.t.link(l.iface, iosxrTypes.canon, l.enter, &st.r.Diags); ok {
				l.links = []string{link}
			}
		} else {
			l.links = st.t.portLinks(l.iface, iosxrTypes.canon, l.enter, &st.r.Diags)
		}
	}
	return l.links
}

// metric handles "cost N" in an OSPF interface (and "no cost").
func (st *xrState) metric(ln Line, args []string, no bool, igp, what string, max int64) (Kind, string, *xrLevel) {
	if netIGP(st.t.Net) != igp {
		return NotModelled, fmt.Sprintf("an %s, and the topology's IGP is %s", what, igpName(netIGP(st.t.Net))), nil
	}
	link, ok := st.link()
	if !ok {
		return Modelled, "", nil
	}
	if no {
		st.r.Effects = append(st.r.Effects, st.t.restoreMetric(link, "no "+strings.Fields(ln.Text)[1], st.context(ln)))
		return Modelled, "", nil
	}
	if n, ok := metricValue(ln, what, strings.Join(args, " "), max, &st.r.Diags); ok {
		st.r.Effects = append(st.r.Effects, st.t.setMetric(link, n, st.context(ln)))
	}
	return Modelled, "", nil
}

// isisMetric handles "metric N [level 1|2]", "metric maximum" and their
// no forms in an interface's IPv4 unicast address family.
func (st *xrState) isisMetric(ln Line, args []string, no bool) (Kind, string, *xrLevel) {
	var value []string
	level := 0
	for i := 0; i < len(args); i++ {
		if args[i] == "level" && i+1 < len(args) {
			switch args[i+1] {
			case "1":
				level = 1
			case "2":
				level = 2
			default:
				return NotModelled, "an IS-IS level the model does not know", nil
			}
			i++
			continue
		}
		value = append(value, args[i])
	}
	if level != 0 && level != ISISLevel {
		return NotModelled, fmt.Sprintf("an IS-IS level-%d metric: the model routes on level %d", level, ISISLevel), nil
	}
	if len(value) == 1 && value[0] == "maximum" && !no {
		return NotModelled, "metric maximum leaves the link out of IS-IS's shortest paths in this direction only, which the model cannot say", nil
	}
	return st.metric(ln, value, no, topology.IGPISIS, "IS-IS metric", maxISISMetric)
}

// maxMetric handles "max-metric router-lsa [...]" and its no form.
func (st *xrState) maxMetric(ln Line, args []string, no bool) (Kind, string, *xrLevel) {
	if len(args) == 0 || args[0] != "router-lsa" {
		return NotModelled, "a max-metric form the model does not follow", nil
	}
	for i := 1; i < len(args); i++ {
		switch a := args[i]; a {
		case "on-startup", "on-switchover", "on-proc-restart", "on-proc-migration", "wait-for-bgp":
			return Neutral, "max-metric at startup, switchover or process restart only", nil
		case "include-stub":
		case "summary-lsa", "external-lsa":
			// what else is advertised at the maximum, and at what metric;
			// the router is drained either way
			if i+1 < len(args) && isNumber(args[i+1]) {
				i++
			}
		default:
			return NotModelled, "a max-metric form the model does not follow", nil
		}
	}
	if netIGP(st.t.Net) != topology.IGPOSPF {
		return NotModelled, "OSPF max-metric, and the topology's IGP is " + igpName(netIGP(st.t.Net)), nil
	}
	st.r.Effects = append(st.r.Effects, Derived{Effect: st.t.drain(no), Lines: st.context(ln)})
	return Modelled, "", nil
}

// overloadBit handles "set-overload-bit [...]" and its no form.
func (st *xrState) overloadBit(ln Line, args []string, no bool) (Kind, string, *xrLevel) {
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "on-startup":
			return Neutral, "the overload bit at startup only", nil
		case "level":
			if i+1 < len(args) && args[i+1] == "1" {
				return NotModelled, fmt.Sprintf("the overload bit of level 1 only: the model routes on level %d", ISISLevel), nil
			}
			if i+1 >= len(args) || args[i+1] != "2" {
				return NotModelled, "an overload bit form the model does not follow", nil
			}
			i++
		case "advertise":
			// which routes an overloaded router still advertises; it
			// carries no transit either way
			if i+1 < len(args) {
				i++
			}
		default:
			return NotModelled, "an overload bit form the model does not follow", nil
		}
	}
	if netIGP(st.t.Net) != topology.IGPISIS {
		return NotModelled, "the IS-IS overload bit, and the topology's IGP is " + igpName(netIGP(st.t.Net)), nil
	}
	st.r.Effects = append(st.r.Effects, Derived{Effect: st.t.drain(no), Lines: st.context(ln)})
	return Modelled, "", nil
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
