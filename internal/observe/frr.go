package observe

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/changegate/changegate/diag"
)

// The FRR commands read, as vtysh takes them.
const (
	frrRoutesCommand    = "show ip route json"
	frrNeighborsCommand = "show ip ospf neighbor json"
)

// RouteTable is a router's IPv4 routing table: every entry zebra holds
// for each prefix (one per protocol that offers a route).
type RouteTable map[netip.Prefix][]RouteEntry

// RouteEntry is one route to a prefix.
type RouteEntry struct {
	Prefix   netip.Prefix `json:"prefix"`
	Protocol string       `json:"protocol"` // "ospf", "connected", "static", "bgp", ...
	// Selected is zebra's choice among the entries of the prefix;
	// Installed says it is in the kernel's forwarding table.
	Selected  bool      `json:"selected"`
	Installed bool      `json:"installed"`
	Distance  int64     `json:"distance"`
	Metric    int64     `json:"metric"`
	NextHops  []NextHop `json:"next_hops"`
	Pos       diag.Pos  `json:"-"`
}

// NextHop is one next hop of a route entry.
type NextHop struct {
	// IP is the next router's address on the link; the zero Addr for a
	// next hop that is only an interface (directly connected).
	IP        netip.Addr `json:"ip,omitzero"`
	Interface string     `json:"interface"`
	Active    bool       `json:"active"`
	FIB       bool       `json:"fib"` // installed in the kernel's forwarding table
	Connected bool       `json:"directly_connected"`
	Pos       diag.Pos   `json:"-"`
}

// Forwarding returns the entry the router forwards prefix by: the one
// zebra selected and installed. ok is false when there is none.
func (t RouteTable) Forwarding(prefix netip.Prefix) (RouteEntry, bool) {
	for _, e := range t[prefix] {
		if e.Selected && e.Installed {
			return e, true
		}
	}
	return RouteEntry{}, false
}

// Used returns the next hops the router forwards by: those in the
// forwarding table (fib), or, when the output marks none so, the active
// ones.
func (e RouteEntry) Used() []NextHop {
	var fib, active []NextHop
	for _, nh := range e.NextHops {
		if nh.FIB {
			fib = append(fib, nh)
		}
		if nh.Active {
			active = append(active, nh)
		}
	}
	if len(fib) > 0 {
		return fib
	}
	return active
}

const (
	routesHint    = "give the output of `show ip route json` from FRR (vtysh); the text must be the command's JSON, unchanged"
	neighborsHint = "give the output of `show ip ospf neighbor json` from FRR (vtysh), with ospfd running; the text must be the command's JSON, unchanged"
)

// ParseFRRRoutes reads the output of FRR's `show ip route json` (FRR 8):
// an object from prefix to a list of entries, each with protocol,
// selected, installed, distance, metric and nexthops (ip, interfaceName,
// active, fib, directlyConnected). Fields it does not use are ignored;
// those it uses must have the right type. name says where the text came
// from (such as `p1 "show ip route json"`) and is the file of every
// problem's position. The error lists every problem found.
func ParseFRRRoutes(name string, data []byte) (RouteTable, error) {
	src := newSource(name, data)
	root, ds := src.readJSON("show ip route json", routesHint)
	if root == nil {
		return nil, ds.Err()
	}
	r := reader{src: src, ds: &ds}
	table := RouteTable{}
	if !r.expect(root, jObject, "the routing table", "an object from prefix to routes, as FRR prints it") {
		return nil, ds.Err()
	}
	for i, key := range root.keys {
		prefix, err := netip.ParsePrefix(key)
		if err != nil {
			ds.Add(src.Pos(root.kpos[i]), "keys are prefixes such as 198.18.0.1/32", "route key %q is not a prefix", key)
			continue
		}
		list := root.vals[i]
		what := fmt.Sprintf("route %s", prefix)
		if !r.expect(list, jArray, what, "a list of route entries") {
			continue
		}
		for j, ev := range list.vals {
			e, ok := r.routeEntry(ev, fmt.Sprintf("%s entry %d", what, j+1), prefix)
			if ok {
				table[prefix] = append(table[prefix], e)
			}
		}
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return table, nil
}

func (r reader) routeEntry(v *jval, what string, prefix netip.Prefix) (RouteEntry, bool) {
	e := RouteEntry{Prefix: prefix, Pos: r.src.Pos(v.off)}
	if !r.expect(v, jObject, what, "an object with protocol, selected, installed and nexthops") {
		return e, false
	}
	ok := true
	if p := v.field("prefix"); p != nil {
		if s, good := r.str(p, what+": prefix"); good {
			if got, err := netip.ParsePrefix(s); err != nil || got != prefix {
				r.ds.Add(r.src.Pos(p.off), "each entry repeats the prefix it is listed under", "%s: prefix %q differs from its key %s", what, s, prefix)
				ok = false
			}
		}
	}
	e.Protocol, _ = r.str(v.field("protocol"), what+": protocol")
	if e.Protocol == "" {
		r.ds.Add(r.src.Pos(v.off), "every FRR route entry names its protocol", "%s has no protocol", what)
		ok = false
	}
	e.Selected = r.boolean(v.field("selected"), what+": selected")
	e.Installed = r.boolean(v.field("installed"), what+": installed")
	e.Distance = r.integer(v.field("distance"), what+": distance")
	e.Metric = r.integer(v.field("metric"), what+": metric")
	nhs := v.field("nexthops")
	if nhs == nil {
		return e, ok
	}
	if !r.expect(nhs, jArray, what+": nexthops", "a list of next hops") {
		return e, false
	}
	for k, nv := range nhs.vals {
		nwhat := fmt.Sprintf("%s next hop %d", what, k+1)
		if !r.expect(nv, jObject, nwhat, "an object with ip, interfaceName, active and fib") {
			ok = false
			continue
		}
		nh := NextHop{Pos: r.src.Pos(nv.off)}
		var good bool
		if nh.IP, good = r.optAddr(nv.field("ip"), nwhat, "ip", "a next hop's ip is an address such as 198.19.0.1"); !good {
			ok = false
		}
		nh.Interface, _ = r.str(nv.field("interfaceName"), nwhat+": interfaceName")
		nh.Active = r.boolean(nv.field("active"), nwhat+": active")
		nh.FIB = r.boolean(nv.field("fib"), nwhat+": fib")
		nh.Connected = r.boolean(nv.field("directlyConnected"), nwhat+": directlyConnected")
		e.NextHops = append(e.NextHops, nh)
	}
	return e, ok
}

// Neighbor is one IGP adjacency of a router: an OSPF neighbour or an
// IS-IS adjacency.
type Neighbor struct {
	// RouterID is the neighbour's OSPF router id; for IS-IS, the loopback
	// its LSP advertises, when it was found (see readFRR).
	RouterID netip.Addr `json:"router_id,omitzero"`
	// System is how IS-IS names the neighbour: its dynamic hostname, or
	// its system id when it sends none; empty for OSPF.
	System string `json:"system,omitempty"`
	// Address is the neighbour's address on the shared link: what this
	// router's routes name as next hop (for IS-IS, the first of
	// Addresses).
	Address   netip.Addr   `json:"address,omitzero"`
	Addresses []netip.Addr `json:"addresses,omitempty"` // IS-IS: every IPv4 address the neighbour gave
	// Interface is this router's interface to the neighbour (FRR's
	// "name:local-address" without the address).
	Interface string   `json:"interface"`
	State     string   `json:"state"`           // OSPF "Full/-", "ExStart/-", ...; IS-IS "Up", "Initializing", ...
	Level     int      `json:"level,omitempty"` // IS-IS level of the adjacency
	Pos       diag.Pos `json:"-"`
}

// Full reports whether the adjacency is up: OSPF Full, or IS-IS Up.
func (n Neighbor) Full() bool { return strings.HasPrefix(n.State, "Full") || n.State == "Up" }

// ParseFRRNeighbors reads the output of FRR's `show ip ospf neighbor json`
// (FRR 8): {"neighbors": {router-id: [neighbour, ...]}}, each neighbour
// with ifaceAddress, ifaceName and nbrState (or state). A router id may
// also map to one neighbour object rather than a list (older FRR). name
// is as for ParseFRRRoutes. Neighbours come out sorted by router id, then
// address.
func ParseFRRNeighbors(name string, data []byte) ([]Neighbor, error) {
	src := newSource(name, data)
	root, ds := src.readJSON("show ip ospf neighbor json", neighborsHint)
	if root == nil {
		return nil, ds.Err()
	}
	r := reader{src: src, ds: &ds}
	if !r.expect(root, jObject, "the neighbour table", `an object {"neighbors": {...}}`) {
		return nil, ds.Err()
	}
	nbrs := root.field("neighbors")
	if nbrs == nil {
		ds.Add(src.Pos(root.off), "is OSPF running? FRR prints {\"neighbors\":{}} when it has no neighbours", "show ip ospf neighbor json: no \"neighbors\" object")
		return nil, ds.Err()
	}
	if !r.expect(nbrs, jObject, "neighbors", "an object from router id to neighbours") {
		return nil, ds.Err()
	}
	out := []Neighbor{}
	for i, key := range nbrs.keys {
		rid, err := netip.ParseAddr(key)
		if err != nil || !rid.Is4() {
			ds.Add(src.Pos(nbrs.kpos[i]), "OSPF router ids are written as IPv4 addresses, such as 198.18.0.2", "neighbour key %q is not a router id", key)
			continue
		}
		list := nbrs.vals[i]
		items := []*jval{list}
		if list.kind == jArray {
			items = list.vals
		}
		for j, nv := range items {
			what := fmt.Sprintf("neighbour %s", rid)
			if list.kind == jArray && len(items) > 1 {
				what += fmt.Sprintf(" entry %d", j+1)
			}
			if !r.expect(nv, jObject, what, "an object with ifaceAddress, ifaceName and nbrState") {
				continue
			}
			nb := Neighbor{RouterID: rid, Pos: src.Pos(nv.off)}
			addr := nv.field("ifaceAddress")
			if addr == nil {
				addr = nv.field("address")
			}
			if addr == nil {
				ds.Add(src.Pos(nv.off), "FRR 8 gives each neighbour's address as ifaceAddress", "%s has no ifaceAddress", what)
				continue
			}
			s, good := r.str(addr, what+": ifaceAddress")
			if !good {
				continue
			}
			a, err := netip.ParseAddr(s)
			if err != nil {
				ds.Add(src.Pos(addr.off), "the neighbour's address on the link, such as 198.19.0.1", "%s: ifaceAddress %q is not an address", what, s)
				continue
			}
			nb.Address = a
			iface, _ := r.str(nv.field("ifaceName"), what+": ifaceName")
			nb.Interface, _, _ = strings.Cut(iface, ":")
			if st := nv.field("nbrState"); st != nil {
				nb.State, _ = r.str(st, what+": nbrState")
			} else {
				nb.State, _ = r.str(nv.field("state"), what+": state")
			}
			out = append(out, nb)
		}
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	sortNeighbors(out)
	return out, nil
}

func sortNeighbors(ns []Neighbor) {
	for i := 1; i < len(ns); i++ { // insertion sort: a router has few neighbours
		for j := i; j > 0 && lessNeighbor(ns[j], ns[j-1]); j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

func lessNeighbor(a, b Neighbor) bool {
	if c := a.RouterID.Compare(b.RouterID); c != 0 {
		return c < 0
	}
	return a.Address.Less(b.Address)
}

// reader reads typed fields of a JSON value, reporting wrong types.
type reader struct {
	src source
	ds  *diag.Diagnostics
}

func (r reader) expect(v *jval, kind jkind, what, hint string) bool {
	if v.kind != kind {
		r.ds.Add(r.src.Pos(v.off), hint, "%s must be %s, found %s", what, kind, v.kind)
		return false
	}
	return true
}

// str returns a string field; nil (absent) gives "", true.
func (r reader) str(v *jval, what string) (string, bool) {
	if v == nil {
		return "", true
	}
	if !r.expect(v, jString, what, "FRR writes it as a string") {
		return "", false
	}
	return v.str, true
}

// boolean returns a boolean field; absent is false.
func (r reader) boolean(v *jval, what string) bool {
	if v == nil || !r.expect(v, jBool, what, "FRR writes it as true or false") {
		return false
	}
	return v.b
}

// integer returns an integer field; absent is 0.
func (r reader) integer(v *jval, what string) int64 {
	if v == nil || !r.expect(v, jNumber, what, "FRR writes it as a whole number") {
		return 0
	}
	n, err := v.num.Int64()
	if err != nil {
		r.ds.Add(r.src.Pos(v.off), "FRR writes it as a whole number", "%s: %s is not a whole number", what, v.num)
	}
	return n
}
