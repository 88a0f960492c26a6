package topology

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/changegate/changegate/diag"
)

// Validate checks a network however it was built (parsed, imported or
// made in code) and returns every problem found:
//
//   - errors: empty or duplicate node names, or names with a colon
//     (reserved for node:interface); a loopback that is not a routable
//     unicast address without a zone, or that two nodes share; empty or
//     duplicate link ids;
//     a link endpoint or demand naming an unknown node; a link from a node
//     to itself; a capacity that is not greater than 0; a metric outside
//     1..MaxMetric; an empty shared-risk group name; a demand from a node
//     to itself; a negative or non-finite rate or position;
//   - warnings: a node with no links; a shared-risk group listed twice on
//     one link; an interface used by two links.
//
// Positions come from Node.Pos and Link.Pos; where they are zero the
// diagnostic names the first of n.Files and the message names the item.
// Demands carry no position: their messages give their index.
func (n *Network) Validate() diag.Diagnostics {
	l := &locator{checkDemands: len(n.Demands)}
	if len(n.Files) > 0 {
		l.file = n.Files[0]
	}
	return n.validate(l)
}

// field names a part of a node, link or demand, to report a problem at
// the value the user wrote rather than at the whole item.
type field int

const (
	fItem field = iota
	fName
	fPosition
	fLoopback
	fID
	fA
	fB
	fCapacity
	fMetric
	fMetricAB
	fMetricBA
	fSRLG
	fSrc
	fDst
	fRate
	fRole
	fSite
	fZone
	fClass
	numFields
)

// itemPos holds where the parser found each field of one item, and which
// fields it already reported as malformed (validate skips those, so a
// problem is reported once).
type itemPos struct {
	at  [numFields]*yaml.Node
	bad [numFields]bool
}

func (ip *itemPos) set(f field, v *yaml.Node, ok bool) {
	ip.at[f] = v
	ip.bad[f] = !ok
}

// locator gives validate the position of a field. For a parsed network
// it knows every field; for a built one it falls back to the item's Pos,
// or to the file alone.
type locator struct {
	file                  string
	parsed                bool
	name                  *yaml.Node // the network's name, when parsed
	nodes, links, demands []itemPos
	// checkDemands is how many leading demands validate checks; the
	// parser checks the demands of the matrix and of files itself.
	checkDemands int
}

func (l *locator) pos(items []itemPos, i int, f field, item diag.Pos) diag.Pos {
	if i < len(items) {
		if n := items[i].at[f]; n != nil {
			return diag.Pos{File: l.file, Line: n.Line, Col: n.Column}
		}
		if n := items[i].at[fItem]; n != nil {
			return diag.Pos{File: l.file, Line: n.Line, Col: n.Column}
		}
	}
	if item == (diag.Pos{}) {
		item.File = l.file
	}
	return item
}

// present reports whether the field was written; always true for a
// network that was not parsed.
func (l *locator) present(items []itemPos, i int, f field) bool {
	return !l.parsed || i < len(items) && items[i].at[f] != nil
}

// bad reports whether the parser already reported the field.
func (l *locator) bad(items []itemPos, i int, f field) bool {
	return i < len(items) && items[i].bad[f]
}

// validation is what validate's phases share: the problems found so far,
// and what the nodes phase learned for the links and demands.
type validation struct {
	n     *Network
	l     *locator
	ds    diag.Diagnostics
	index map[string]int    // node name -> index of the node that has it first
	names []string          // the node names, each once, in order
	hints map[string]string // unknown node name -> its hint, computed once
}

// validate checks the network phase by phase (the network as a whole,
// nodes, links, nodes without links, demands), so that problems come out
// in that order.
func (n *Network) validate(l *locator) diag.Diagnostics {
	v := &validation{n: n, l: l, hints: map[string]string{}}
	v.network()
	v.nodes()
	degree := v.links()
	v.isolated(degree)
	v.demands()
	return v.ds
}

func (v *validation) nodePos(i int, f field) diag.Pos {
	return v.l.pos(v.l.nodes, i, f, v.n.Nodes[i].Pos)
}

func (v *validation) linkPos(i int, f field) diag.Pos {
	return v.l.pos(v.l.links, i, f, v.n.Links[i].Pos)
}

// unknown is the hint for a name that is not a node's.
func (v *validation) unknown(name string) string {
	h, ok := v.hints[name]
	if !ok {
		h = unknownNodeHint(name, v.names)
		v.hints[name] = h
	}
	return h
}

// network checks what belongs to the network as a whole: its IGP and name.
func (v *validation) network() {
	n, l := v.n, v.l
	switch n.IGP {
	case "", IGPOSPF, IGPISIS:
	default: // a network built in code; the parser reports its own
		v.ds.Add(diag.Pos{File: l.file, Line: 1, Col: 1}, "use ospf or isis", "unknown igp %q", n.IGP)
	}
	if n.Name != "" {
		at := diag.Pos{File: l.file, Line: 1, Col: 1}
		if l.name != nil {
			at = diag.Pos{File: l.file, Line: l.name.Line, Col: l.name.Column}
		}
		v.ds.CheckText(at, "name", n.Name, diag.KindLine)
	}
}

// nodes checks every node and records the names that links and demands
// may refer to.
func (v *validation) nodes() {
	n, l, ds := v.n, v.l, &v.ds
	nodePos := v.nodePos
	v.index = make(map[string]int, len(n.Nodes))
	v.names = make([]string, 0, len(n.Nodes))
	loopbacks := map[netip.Addr]int{}
	for i, nd := range n.Nodes {
		switch {
		case l.bad(l.nodes, i, fName):
		case nd.Name == "" && !l.present(l.nodes, i, fName):
			ds.Add(nodePos(i, fItem), "add name: with the router's name", "node %d has no name", i+1)
		case nd.Name == "":
			ds.Add(nodePos(i, fName), "give the router's name", "node %d: name is empty", i+1)
		case strings.Contains(nd.Name, ":"):
			ds.Add(nodePos(i, fName), "rename it: link ends are written node:interface, so a node name cannot hold a colon", "node name %q contains ':'", nd.Name)
		default:
			if j, dup := v.index[nd.Name]; dup {
				ds.Add(nodePos(i, fName), "rename or remove one of them; the first is "+firstAt(nodePos(j, fName), "node", j), "duplicate node name %q", nd.Name)
			} else {
				v.index[nd.Name] = i
				v.names = append(v.names, nd.Name)
			}
		}
		if nd.Name != "" && !l.bad(l.nodes, i, fName) {
			ds.CheckText(nodePos(i, fName), fmt.Sprintf("node %d: name", i+1), nd.Name, diag.KindName)
		}
		for _, f := range []struct {
			v   string
			f   field
			key string
		}{{nd.Role, fRole, "role"}, {nd.Site, fSite, "site"}, {nd.Zone, fZone, "zone"}} {
			if f.v != "" {
				ds.CheckText(nodePos(i, f.f), fmt.Sprintf("node %s: %s", nodeName(nd, i), f.key), f.v, diag.KindName)
			}
		}
		if p := nd.Position; p != nil && !l.bad(l.nodes, i, fPosition) && (!finite(p.Lat) || !finite(p.Lon)) {
			ds.Add(nodePos(i, fPosition), "use finite numbers", "node %s: position {lat: %v, lon: %v} is not a finite coordinate", nodeName(nd, i), p.Lat, p.Lon)
		}
		if nd.Loopback != "" && !l.bad(l.nodes, i, fLoopback) {
			n.checkLoopback(ds, i, nodePos, loopbacks)
		}
	}
}

// links checks every link and returns each node's number of link ends.
func (v *validation) links() (degree []int) {
	n, l, ds := v.n, v.l, &v.ds
	linkPos := v.linkPos
	degree = make([]int, len(n.Nodes))
	ids := make(map[string]int, len(n.Links))
	ifaces := map[[2]string]int{}
	for i, lk := range n.Links {
		what := linkName(lk, i)
		switch {
		case l.bad(l.links, i, fID):
		case lk.ID == "":
			ds.Add(linkPos(i, fItem), "give the link an id (the YAML loader does this with AssignLinkIDs)", "link %d (%s-%s) has no id", i+1, lk.A, lk.B)
		default:
			if j, dup := ids[lk.ID]; dup {
				ds.Add(linkPos(i, fID), "link ids must be unique; the first is "+firstAt(linkPos(j, fID), "link", j), "duplicate link id %q", lk.ID)
			} else {
				ids[lk.ID] = i
			}
			// A default id is made of names checked below.
			if l.present(l.links, i, fID) {
				ds.CheckText(linkPos(i, fID), fmt.Sprintf("link %d: id", i+1), lk.ID, diag.KindName)
			}
		}
		ends := [2]struct {
			node, iface string
			f           field
			key         string
		}{{lk.A, lk.AInterface, fA, "a"}, {lk.B, lk.BInterface, fB, "b"}}
		resolved := 0
		for _, e := range ends {
			switch {
			case l.bad(l.links, i, e.f):
			case e.node == "" && !l.present(l.links, i, e.f):
				ds.Add(linkPos(i, fItem), fmt.Sprintf("add %s: with a node name, optionally node:interface", e.key), "%s has no %s end", what, e.key)
			case e.node == "":
				ds.Add(linkPos(i, e.f), "write node or node:interface", "%s: %s names no node", what, e.key)
			default:
				j, ok := v.index[e.node]
				if !ok {
					ds.Add(linkPos(i, e.f), v.unknown(e.node), "%s: unknown node %q", what, e.node)
					continue
				}
				degree[j]++
				resolved++
				if e.iface != "" {
					ds.CheckText(linkPos(i, e.f), fmt.Sprintf("%s: %s: interface", what, e.key), e.iface, diag.KindName)
					k := [2]string{e.node, e.iface}
					if prev, used := ifaces[k]; used && prev != i {
						ds.Warn(linkPos(i, e.f), "check the cabling; an interface is one end of one link", "%s: interface %s:%s is also used by %s", what, e.node, e.iface, linkName(n.Links[prev], prev))
					} else {
						ifaces[k] = i
					}
				}
			}
		}
		if resolved == 2 && lk.A == lk.B {
			ds.Add(linkPos(i, fB), "a link needs two different nodes", "%s connects %q to itself", what, lk.A)
		}
		switch {
		case l.bad(l.links, i, fCapacity):
		case !l.present(l.links, i, fCapacity):
			ds.Add(linkPos(i, fItem), "add capacity: with a unit, e.g. capacity: 100G", "%s has no capacity", what)
		case !(lk.CapacityBps > 0) || math.IsInf(lk.CapacityBps, 0):
			ds.Add(linkPos(i, fCapacity), "give the capacity with a unit, e.g. 100G", "%s: capacity must be greater than 0, got %s", what, fmtRate(lk.CapacityBps))
		}
		n.checkMetrics(ds, l, i, what, linkPos)
		if lk.Class != "" {
			ds.CheckText(linkPos(i, fClass), what+": class", lk.Class, diag.KindName)
		}
		seen := map[string]bool{}
		for _, g := range lk.SRLG {
			switch {
			case l.bad(l.links, i, fSRLG):
			case g == "":
				ds.Add(linkPos(i, fSRLG), "name the shared-risk group, e.g. conduit-7", "%s: empty shared-risk group name", what)
			case seen[g]:
				ds.Warn(linkPos(i, fSRLG), "list each group once", "%s: shared-risk group %q listed twice", what, g)
			default:
				ds.CheckText(linkPos(i, fSRLG), what+": shared-risk group", g, diag.KindName)
			}
			seen[g] = true
		}
	}
	return degree
}

// isolated warns about the nodes that no link reaches (degree from links).
func (v *validation) isolated(degree []int) {
	for i, nd := range v.n.Nodes {
		if j, ok := v.index[nd.Name]; ok && j == i && degree[i] == 0 {
			v.ds.Warn(v.nodePos(i, fName), "connect it with a link or remove it; traffic to or from it cannot be routed", "node %q has no links", nd.Name)
		}
	}
}

// demands checks the demands the parser did not check already.
func (v *validation) demands() {
	n, l, ds := v.n, v.l, &v.ds
	for i := 0; i < l.checkDemands && i < len(n.Demands); i++ {
		d := n.Demands[i]
		dpos := func(f field) diag.Pos { return l.pos(l.demands, i, f, diag.Pos{}) }
		what := fmt.Sprintf("demand %d", i+1)
		good := 0
		for _, e := range [2]struct {
			node string
			f    field
			key  string
		}{{d.Src, fSrc, "src"}, {d.Dst, fDst, "dst"}} {
			switch {
			case l.bad(l.demands, i, e.f):
			case e.node == "" && !l.present(l.demands, i, e.f):
				ds.Add(dpos(fItem), fmt.Sprintf("add %s: with a node name", e.key), "%s has no %s", what, e.key)
			case e.node == "":
				ds.Add(dpos(e.f), "give a node name", "%s: %s is empty", what, e.key)
			default:
				if _, ok := v.index[e.node]; !ok {
					ds.Add(dpos(e.f), v.unknown(e.node), "%s: unknown %s node %q", what, e.key, e.node)
					continue
				}
				good++
			}
		}
		if good == 2 && d.Src == d.Dst {
			ds.Add(dpos(fDst), "a demand needs two different nodes", "%s: traffic from %q to itself", what, d.Src)
		}
		if !l.bad(l.demands, i, fRate) && (d.RateBps < 0 || !finite(d.RateBps)) {
			ds.Add(dpos(fRate), "rates must be finite and 0 or more", "%s (%s -> %s): rate %s is not valid", what, d.Src, d.Dst, fmtRate(d.RateBps))
		}
	}
}

// checkLoopback reports a loopback that is not an address, or cannot be a
// router's loopback, or is another node's (seen maps the addresses so far
// to their node's index).
func (n *Network) checkLoopback(ds *diag.Diagnostics, i int, nodePos func(int, field) diag.Pos, seen map[netip.Addr]int) {
	nd := n.Nodes[i]
	pos := nodePos(i, fLoopback)
	what := "node " + nodeName(nd, i)
	a, err := netip.ParseAddr(nd.Loopback)
	switch {
	case err != nil:
		ds.Add(pos, loopbackHint, "%s: loopback %q is not an IP address", what, nd.Loopback)
		return
	case a.Zone() != "":
		ds.Add(pos, fmt.Sprintf("remove %%%s: a loopback is reached from other routers, so it has no zone", a.Zone()), "%s: loopback %s has a zone", what, a)
		return
	case a.Is4In6():
		ds.Add(pos, fmt.Sprintf("write it as IPv4: %s", a.Unmap()), "%s: loopback %s is an IPv4-mapped IPv6 address", what, a)
		return
	case a.IsUnspecified(), a.IsMulticast(), a.IsLoopback(), a.IsLinkLocalUnicast(), a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		ds.Add(pos, "give the address other routers reach the node at (on its loopback interface, e.g. lo0), not 127.0.0.1, ::1, multicast or link-local", "%s: loopback %s is not a routable unicast address", what, a)
		return
	}
	if j, dup := seen[a]; dup {
		ds.Add(pos, "each node needs its own loopback; the other is "+firstAt(nodePos(j, fLoopback), "node", j), "%s: loopback %s is also the loopback of node %s", what, a, nodeName(n.Nodes[j], j))
		return
	}
	seen[a] = i
}

func (n *Network) checkMetrics(ds *diag.Diagnostics, l *locator, i int, what string, linkPos func(int, field) diag.Pos) {
	lk := n.Links[i]
	inRange := func(m int64) bool { return m >= 1 && m <= MaxMetric }
	const hint = "use a whole number from 1 to 4294967295"
	if l.bad(l.links, i, fMetric) {
		return
	}
	// One value for both directions is reported once, at that value.
	if l.parsed && l.links[i].at[fMetricAB] == nil && l.links[i].at[fMetricBA] == nil || !l.parsed && lk.MetricAB == lk.MetricBA {
		if !inRange(lk.MetricAB) {
			ds.Add(linkPos(i, fMetric), hint, "%s: metric %d is out of range 1..%d", what, lk.MetricAB, int64(MaxMetric))
		}
		return
	}
	for _, d := range [2]struct {
		m   int64
		f   field
		dir string
	}{{lk.MetricAB, fMetricAB, "ab"}, {lk.MetricBA, fMetricBA, "ba"}} {
		if !l.bad(l.links, i, d.f) && !inRange(d.m) {
			ds.Add(linkPos(i, d.f), hint, "%s: metric %s %d is out of range 1..%d", what, d.dir, d.m, int64(MaxMetric))
		}
	}
}

// firstAt describes where the first of two duplicates is.
func firstAt(p diag.Pos, kind string, i int) string {
	if p.Line > 0 {
		return "at " + p.String()
	}
	return kind + " " + strconv.Itoa(i+1)
}

func nodeName(nd Node, i int) string {
	if nd.Name != "" {
		return strconv.Quote(nd.Name)
	}
	return strconv.Itoa(i + 1)
}

// linkName names a link in messages: by id, unless an end is missing
// (a default id would then be misleading).
func linkName(l Link, i int) string {
	if l.ID != "" && l.A != "" && l.B != "" {
		return fmt.Sprintf("link %q", l.ID)
	}
	return fmt.Sprintf("link %d", i+1)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// fmtRate writes a rate for messages, including invalid ones.
func fmtRate(v float64) string {
	if !finite(v) || v < 0 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return FormatRateExact(v)
}

// AssignLinkIDs gives each link with an empty ID its DefaultLinkID. When
// that id is taken (by an explicit id or an earlier default, as with
// parallel links), it appends "#2", "#3", ... choosing the first free
// one, in slice order, so the result is deterministic.
func AssignLinkIDs(links []Link) {
	taken := make(map[string]bool, len(links))
	for _, l := range links {
		if l.ID != "" {
			taken[l.ID] = true
		}
	}
	for i := range links {
		if links[i].ID != "" {
			continue
		}
		base := DefaultLinkID(links[i])
		id := base
		for k := 2; taken[id]; k++ {
			id = base + "#" + strconv.Itoa(k)
		}
		taken[id] = true
		links[i].ID = id
	}
}
