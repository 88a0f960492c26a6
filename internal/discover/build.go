package discover

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/topology"
)

// Router is what was read from one router: its node name (the
// inventory's device name), its copy of the link-state database and its
// interfaces.
type Router struct {
	Name string
	// Database is the OSPF link-state database (OSPF networks).
	Database *OSPFDatabase
	// ISIS is the IS-IS link-state database and Hostnames the system ids
	// the router knows (IS-IS networks).
	ISIS       []observe.LSP
	Hostnames  []Hostname
	Interfaces []Interface
}

// ErrNotConverged is returned (wrapped) by BuildOSPF when the routers'
// databases differ: the area is still converging, so reading again a
// moment later may succeed.
var ErrNotConverged = errors.New("the routers' link-state databases differ")

// maxMetric is the metric a router drained with max-metric advertises on
// its transit links (RFC 6987).
const maxMetric = topology.MaxLinkMetric

// p2p is one point-to-point entry of a router-LSA: one direction of a
// link.
type p2p struct {
	router   int // index in routers
	neighbor int
	local    netip.Addr
	metric   int64
	iface    *Interface   // the router's interface with address local, if found
	subnet   netip.Prefix // iface's subnet, if found
	paired   bool
}

// BuildOSPF assembles the topology of an OSPF network from what its
// routers printed (see docs/discovery.md):
//
//   - nodes are the routers, named as given, each with its router id as
//     loopback; a router whose every point-to-point link advertises
//     65535 is drained (max-metric);
//   - links are the point-to-point entries of the router-LSAs, paired
//     through the subnet their interface addresses share; the metric of
//     each direction is the one its router advertises, or, where a
//     drained router advertises 65535, the cost its stub entry for the
//     link's subnet keeps;
//   - a /31 or /30 whose two addresses are on interfaces of two routers
//     but that has no adjacency is a down link;
//   - capacity is the lower of the two interfaces' (configured bandwidth,
//     else speed); interface names and addresses are the routers'.
//
// Every router's database must equal every other's (else the error wraps
// ErrNotConverged), every router of the database must be one of routers,
// and every router must be in the database. The warnings say what was
// read but cannot be modelled (broadcast networks, virtual links, links
// without a speed or metric).
func BuildOSPF(routers []Router) (*topology.Network, []string, error) {
	if len(routers) == 0 {
		return nil, nil, errors.New("discover: no routers to read")
	}
	routers = slices.Clone(routers)
	slices.SortFunc(routers, func(a, b Router) int { return strings.Compare(a.Name, b.Name) })
	byRID := map[netip.Addr]int{}
	var problems, warnings []string
	for i, r := range routers {
		if r.Database == nil {
			return nil, nil, fmt.Errorf("discover %s: no link-state database read", r.Name)
		}
		if j, dup := byRID[r.Database.Self]; dup {
			problems = append(problems, fmt.Sprintf("routers %s and %s both have router id %s", routers[j].Name, r.Name, r.Database.Self))
			continue
		}
		byRID[r.Database.Self] = i
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("discover: %s", strings.Join(problems, "; "))
	}
	if err := converged(routers, func(r Router) []string { return canonical(r.Database) }); err != nil {
		return nil, nil, err
	}
	db := routers[0].Database

	// Every router in the database, and only those.
	has := make([]bool, len(routers))
	var unknown []string
	for _, lsa := range db.LSAs {
		if i, ok := byRID[lsa.Router]; ok {
			has[i] = true
		} else if !slices.Contains(unknown, lsa.Router.String()) {
			unknown = append(unknown, lsa.Router.String())
		}
	}
	if len(unknown) > 0 {
		return nil, nil, fmt.Errorf("discover: the link-state database holds routers that are not in the inventory (router ids %s): add them to the inventory, so that their interfaces can be read", strings.Join(first(unknown, 10), ", "))
	}
	var absent []string
	for i, ok := range has {
		if !ok {
			absent = append(absent, fmt.Sprintf("%s (router id %s)", routers[i].Name, routers[i].Database.Self))
		}
	}
	if len(absent) > 0 {
		return nil, nil, fmt.Errorf("discover: %s not in the link-state database of %s: is OSPF running on it, in the same area?", strings.Join(first(absent, 10), ", "), routers[0].Name)
	}

	byAddr := interfacesByAddr(routers)
	subnetOf := func(i int, a netip.Addr) (*Interface, netip.Prefix) {
		it := byAddr[i][a]
		if it == nil {
			return nil, netip.Prefix{}
		}
		for _, p := range it.Addrs {
			if p.Addr() == a {
				return it, p.Masked()
			}
		}
		return it, netip.Prefix{}
	}

	// The point-to-point entries and stub metrics of each router.
	var entries []*p2p
	stub := map[int]map[netip.Prefix]int64{}
	for _, lsa := range db.LSAs {
		i := byRID[lsa.Router]
		if stub[i] == nil {
			stub[i] = map[netip.Prefix]int64{}
		}
		for _, lk := range lsa.Links {
			switch lk.Kind {
			case LinkPointToPoint:
				j, ok := byRID[lk.Neighbor]
				if !ok {
					return nil, nil, fmt.Errorf("discover: router %s has a link to router id %s, which has no router-LSA in the database of %s: the area is still converging, or the neighbour is in another area", routers[i].Name, lk.Neighbor, routers[0].Name)
				}
				e := &p2p{router: i, neighbor: j, local: lk.Local, metric: lk.Metric}
				e.iface, e.subnet = subnetOf(i, lk.Local)
				entries = append(entries, e)
			case LinkStub:
				stub[i][lk.Network] = lk.Metric
			case LinkTransit:
				warnings = append(warnings, fmt.Sprintf("router %s has a link to a broadcast network (a transit link in area %s): discovery reads point-to-point links only (configure ip ospf network point-to-point)", routers[i].Name, lsa.Area))
			case LinkVirtual:
				warnings = append(warnings, fmt.Sprintf("router %s has a virtual link to %s: not modelled", routers[i].Name, lk.Neighbor))
			}
		}
	}

	// Drained routers: every point-to-point link at 65535.
	all, maxed := make([]int, len(routers)), make([]int, len(routers))
	for _, e := range entries {
		all[e.router]++
		if e.metric == maxMetric {
			maxed[e.router]++
		}
	}
	drained := func(i int) bool { return all[i] > 0 && all[i] == maxed[i] }
	metricOf := func(e *p2p) int64 {
		if e.metric == maxMetric && e.subnet.IsValid() {
			if m, ok := stub[e.router][e.subnet]; ok && m > 0 {
				return m
			}
		}
		return max(e.metric, 1)
	}

	// Pair each entry with its neighbour's entry back over the same subnet.
	var links []found
	var unpaired []string
	for _, e := range entries {
		if e.paired {
			continue
		}
		var back []*p2p
		for _, f := range entries {
			if !f.paired && f != e && f.router == e.neighbor && f.neighbor == e.router {
				back = append(back, f)
			}
		}
		var match *p2p
		for _, f := range back {
			if (e.subnet.IsValid() && e.subnet.Contains(f.local)) || (f.subnet.IsValid() && f.subnet.Contains(e.local)) {
				match = f
				break
			}
		}
		if match == nil && len(back) == 1 {
			same := 0
			for _, g := range entries {
				if !g.paired && g.router == e.router && g.neighbor == e.neighbor {
					same++
				}
			}
			if same == 1 {
				match = back[0] // one link each way: unnumbered, or interfaces not read
			}
		}
		if match == nil {
			unpaired = append(unpaired, fmt.Sprintf("%s to %s over %s", routers[e.router].Name, routers[e.neighbor].Name, e.local))
			continue
		}
		e.paired, match.paired = true, true
		links = append(links, found{
			a:  end{e.router, e.iface, e.local, metricOf(e)},
			b:  end{match.router, match.iface, match.local, metricOf(match)},
			up: true,
		})
	}
	if len(unpaired) > 0 {
		return nil, nil, fmt.Errorf("%w: no link back for %s: the area is still converging, or an interface address is not on the subnet of its neighbour's", ErrNotConverged, strings.Join(first(unpaired, 5), "; "))
	}

	loopbacks := make([]string, len(routers))
	drains := make([]bool, len(routers))
	for i, r := range routers {
		loopbacks[i], drains[i] = r.Database.Self.String(), drained(i)
	}
	net, warnings := assemble(topology.IGPOSPF, routers, loopbacks, drains, links, byAddr, warnings)
	return net, warnings, nil
}

// interfacesByAddr maps each router's IPv4 addresses to its interfaces.
func interfacesByAddr(routers []Router) []map[netip.Addr]*Interface {
	byAddr := make([]map[netip.Addr]*Interface, len(routers))
	for i := range routers {
		byAddr[i] = map[netip.Addr]*Interface{}
		for k := range routers[i].Interfaces {
			it := &routers[i].Interfaces[k]
			for _, p := range it.Addrs {
				byAddr[i][p.Addr()] = it
			}
		}
	}
	return byAddr
}

// end is one end of a link found: its router (index), interface,
// address and the metric out of it.
type end struct {
	router int
	iface  *Interface
	addr   netip.Addr
	metric int64
}

// found is a link found, up or down.
type found struct {
	a, b end
	up   bool
}

// assemble writes the network of routers (named, with their loopbacks
// and drains) and the links found in the IGP's database, adding the down
// links the interfaces show (byAddr: each router's interfaces by
// address): link ids, capacities, warnings.
func assemble(igp string, routers []Router, loopbacks []string, drained []bool, links []found, byAddr []map[netip.Addr]*Interface, warnings []string) (*topology.Network, []string) {
	// Down links: a point-to-point subnet with an address on each of two
	// routers but no adjacency over it.
	used := map[*Interface]bool{}
	for _, l := range links {
		used[l.a.iface], used[l.b.iface] = true, true
	}
	for i := range routers {
		for k := range routers[i].Interfaces {
			it := &routers[i].Interfaces[k]
			if used[it] {
				continue
			}
			for _, p := range it.Addrs {
				peer, ok := peerAddr(p)
				if !ok {
					continue
				}
				for j := range routers {
					other := byAddr[j][peer]
					if j == i || other == nil || used[other] || !slices.Contains(other.Addrs, netip.PrefixFrom(peer, p.Bits())) {
						continue
					}
					used[it], used[other] = true, true
					links = append(links, found{a: end{i, it, p.Addr(), 1}, b: end{j, other, peer, 1}})
					warnings = append(warnings, fmt.Sprintf("link %s:%s to %s:%s is down (%s): the IGP advertises no metric for it, so it is written with metric 1", routers[i].Name, it.Name, routers[j].Name, other.Name, downWhy(it, other)))
				}
				if used[it] {
					break
				}
			}
		}
	}

	net := &topology.Network{IGP: igp, Nodes: []topology.Node{}, Links: []topology.Link{}, Demands: []topology.Demand{}}
	for i, r := range routers {
		net.Nodes = append(net.Nodes, topology.Node{Name: r.Name, Loopback: loopbacks[i], Drained: drained[i]})
	}
	for k := range links {
		l := &links[k]
		if routers[l.a.router].Name > routers[l.b.router].Name {
			l.a, l.b = l.b, l.a
		}
	}
	slices.SortFunc(links, func(x, y found) int {
		return cmp.Or(
			strings.Compare(routers[x.a.router].Name, routers[y.a.router].Name),
			strings.Compare(routers[x.b.router].Name, routers[y.b.router].Name),
			x.a.addr.Compare(y.a.addr),
			strings.Compare(ifName(x.a.iface), ifName(y.a.iface)),
		)
	})
	count := map[string]int{}
	for _, l := range links {
		tl := topology.Link{
			A: routers[l.a.router].Name, AInterface: ifName(l.a.iface),
			B: routers[l.b.router].Name, BInterface: ifName(l.b.iface),
			MetricAB: l.a.metric, MetricBA: l.b.metric, Up: l.up, SRLG: []string{},
		}
		base := tl.A + "-" + tl.B
		count[base]++
		tl.ID = base
		if n := count[base]; n > 1 {
			tl.ID = fmt.Sprintf("%s#%d", base, n)
		}
		tl.CapacityBps = capacity(l.a.iface, l.b.iface)
		if tl.CapacityBps == 0 {
			warnings = append(warnings, fmt.Sprintf("link %s: neither interface reports a speed or bandwidth: give its capacity in the overlay", tl.ID))
		}
		net.Links = append(net.Links, tl)
	}
	return net, warnings
}

// converged checks that every router's database (as canon writes it)
// equals the first's.
func converged(routers []Router, canon func(Router) []string) error {
	ref := canon(routers[0])
	var differ []string
	example := ""
	for _, r := range routers[1:] {
		c := canon(r)
		if slices.Equal(c, ref) {
			continue
		}
		differ = append(differ, r.Name)
		if example == "" {
			example = firstDifference(routers[0].Name, ref, r.Name, c)
		}
	}
	if len(differ) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s from %s's (%s)", ErrNotConverged, listOf(first(differ, 10), "'s differs", "' differ"), routers[0].Name, example)
}

// canonical writes a database as sorted lines, one per LSA.
func canonical(db *OSPFDatabase) []string {
	out := make([]string, 0, len(db.LSAs))
	for _, lsa := range db.LSAs {
		links := make([]string, 0, len(lsa.Links))
		for _, l := range lsa.Links {
			links = append(links, fmt.Sprintf("%s %s %s %s %d", l.Kind, l.Neighbor, l.Local, l.Network, l.Metric))
		}
		slices.Sort(links)
		out = append(out, fmt.Sprintf("area %s router %s: %s", lsa.Area, lsa.Router, strings.Join(links, ", ")))
	}
	slices.Sort(out)
	return out
}

func firstDifference(an string, a []string, bn string, b []string) string {
	for _, l := range a {
		if !slices.Contains(b, l) {
			return fmt.Sprintf("%s has %s", an, l)
		}
	}
	for _, l := range b {
		if !slices.Contains(a, l) {
			return fmt.Sprintf("%s has %s", bn, l)
		}
	}
	return ""
}

func listOf(names []string, one, many string) string {
	if len(names) == 1 {
		return names[0] + one
	}
	return strings.Join(names, ", ") + many
}

// peerAddr is the other address of a point-to-point subnet: the other
// half of a /31, the other host of a /30.
func peerAddr(p netip.Prefix) (netip.Addr, bool) {
	a := p.Addr()
	if !a.Is4() {
		return netip.Addr{}, false
	}
	b := a.As4()
	switch p.Bits() {
	case 31:
		b[3] ^= 1
	case 30:
		switch b[3] & 3 {
		case 1:
			b[3]++
		case 2:
			b[3]--
		default:
			return netip.Addr{}, false // the network or broadcast address
		}
	default:
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(b), true
}

func downWhy(a, b *Interface) string {
	var why []string
	for _, it := range []*Interface{a, b} {
		switch {
		case !it.AdminUp:
			why = append(why, it.Name+" is shut down")
		case !it.OperUp:
			why = append(why, it.Name+" is down")
		}
	}
	if len(why) == 0 {
		return "both interfaces are up but there is no adjacency"
	}
	return strings.Join(why, ", ")
}

func ifName(it *Interface) string {
	if it == nil {
		return ""
	}
	return it.Name
}

// capacity is the lower of the two ends' capacities, or the one known.
func capacity(a, b *Interface) float64 {
	var ca, cb float64
	if a != nil {
		ca = a.CapacityBps()
	}
	if b != nil {
		cb = b.CapacityBps()
	}
	switch {
	case ca == 0:
		return cb
	case cb == 0:
		return ca
	}
	return min(ca, cb)
}

func first(xs []string, n int) []string {
	if len(xs) > n {
		return append(xs[:n:n], fmt.Sprintf("and %d more", len(xs)-n))
	}
	return xs
}
