package observe

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
)

// The Linux commands that show the kernel's forwarding, as a shell on the
// router runs them (iproute2, JSON).
const (
	kernelRoutesCommand   = "ip -j route show"
	kernelNexthopsCommand = "ip -j nexthop show"
)

// KernelCommands returns the commands that show what the kernel of a
// router of platform forwards, run through the device's shell rather
// than its CLI (devices/session's Exec), in order; nil when observe
// reads no kernel on the platform. Their outputs, given to Read with the
// others, make it compare the kernel's forwarding instead of the routing
// daemon's view of it.
func KernelCommands(platform string) []string {
	return slices.Clone(kernelCommands[platform])
}

// kernelCommands are, per platform, the shell commands that show the
// kernel's forwarding. FRR runs on Linux: iproute2 shows the main table
// with every multipath member the kernel holds (ip route), and the
// nexthop objects for a route that names only its group (ip nexthop).
var kernelCommands = map[string][]string{
	"frr_vtysh": {kernelRoutesCommand, kernelNexthopsCommand},
}

// KernelTable is a Linux router's main IPv4 routing table as `ip -j
// route show` prints it: every route of each prefix.
type KernelTable map[netip.Prefix][]KernelRoute

// KernelRoute is one kernel route.
type KernelRoute struct {
	Prefix netip.Prefix `json:"prefix"`
	// Type is "unicast" for a route that forwards; "unreachable",
	// "blackhole", "prohibit", ... otherwise.
	Type     string    `json:"type"`
	Protocol string    `json:"protocol"` // "ospf", "kernel", "static", "zebra", ...
	Metric   int64     `json:"metric"`
	NHID     int64     `json:"nhid,omitempty"` // the nexthop object the route uses, 0 without one
	NextHops []NextHop `json:"next_hops"`
	Pos      diag.Pos  `json:"-"`
}

// KernelNexthop is one nexthop object (`ip -j nexthop show`): a next hop
// (gateway and device), or a group of other nexthop objects.
type KernelNexthop struct {
	ID        int64      `json:"id"`
	IP        netip.Addr `json:"ip,omitzero"`
	Interface string     `json:"interface,omitempty"`
	Group     []int64    `json:"group,omitempty"`
	Dead      bool       `json:"dead,omitempty"`
	Blackhole bool       `json:"blackhole,omitempty"`
	Pos       diag.Pos   `json:"-"`
}

// kernelUnusable are the next-hop flags under which the kernel does not
// forward on a next hop: its device is down or has no carrier.
var kernelUnusable = []string{"dead", "linkdown"}

const (
	kernelRoutesHint   = "give the output of `ip -j route show` (iproute2) from the router's shell, unchanged"
	kernelNexthopsHint = "give the output of `ip -j nexthop show` (iproute2) from the router's shell, unchanged"
)

// ParseKernelRoutes reads the output of iproute2's `ip -j route show`: a
// list of routes, each with dst ("198.18.0.2" for a host route, a prefix
// otherwise, or "default"), an optional type (absent for unicast),
// protocol, metric, nhid, and either gateway and dev or a nexthops list
// (gateway, dev, flags). Fields it does not use are ignored; those it
// uses must have the right type. name is as for ParseFRRRoutes. The
// error lists every problem found.
func ParseKernelRoutes(name string, data []byte) (KernelTable, error) {
	src := newSource(name, data)
	root, ds := src.readJSON(kernelRoutesCommand, kernelRoutesHint)
	if root == nil {
		return nil, ds.Err()
	}
	r := reader{src: src, ds: &ds}
	if !r.expect(root, jArray, "the kernel's routing table", "a list of routes, as ip -j prints it") {
		return nil, ds.Err()
	}
	table := KernelTable{}
	for i, v := range root.vals {
		what := fmt.Sprintf("route %d", i+1)
		if !r.expect(v, jObject, what, "an object with dst and its next hops") {
			continue
		}
		kr, ok := r.kernelRoute(v, what)
		if ok {
			table[kr.Prefix] = append(table[kr.Prefix], kr)
		}
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return table, nil
}

func (r reader) kernelRoute(v *jval, what string) (KernelRoute, bool) {
	kr := KernelRoute{Type: "unicast", Pos: r.src.Pos(v.off)}
	dst := v.field("dst")
	if dst == nil {
		r.ds.Add(r.src.Pos(v.off), kernelRoutesHint, "%s has no dst", what)
		return kr, false
	}
	s, ok := r.str(dst, what+": dst")
	if !ok {
		return kr, false
	}
	p, err := kernelPrefix(s)
	if err != nil {
		r.ds.Add(r.src.Pos(dst.off), "a route's dst is an address (a host route), a prefix such as 198.19.0.0/31, or default", "%s: dst %q is not a prefix", what, s)
		return kr, false
	}
	kr.Prefix = p
	what = fmt.Sprintf("route %s", p)
	if t := v.field("type"); t != nil {
		if s, good := r.str(t, what+": type"); good && s != "" {
			kr.Type = s
		}
	}
	kr.Protocol, _ = r.str(v.field("protocol"), what+": protocol")
	kr.Metric = r.integer(v.field("metric"), what+": metric")
	kr.NHID = r.integer(v.field("nhid"), what+": nhid")
	ok = true
	if nhs := v.field("nexthops"); nhs != nil {
		if !r.expect(nhs, jArray, what+": nexthops", "a list of next hops") {
			return kr, false
		}
		for k, nv := range nhs.vals {
			nwhat := fmt.Sprintf("%s next hop %d", what, k+1)
			if !r.expect(nv, jObject, nwhat, "an object with gateway, dev and flags") {
				ok = false
				continue
			}
			nh, good := r.kernelHop(nv, nwhat)
			ok = ok && good
			kr.NextHops = append(kr.NextHops, nh)
		}
		return kr, ok
	}
	if v.field("gateway") != nil || v.field("dev") != nil {
		nh, good := r.kernelHop(v, what)
		kr.NextHops = append(kr.NextHops, nh)
		ok = good
	}
	return kr, ok
}

// optAddr reads the optional address field of what: the zero Addr when
// v (the field's value) is absent; false when it is there and is not an
// address (reported with hint).
func (r reader) optAddr(v *jval, what, field, hint string) (netip.Addr, bool) {
	if v == nil {
		return netip.Addr{}, true
	}
	s, good := r.str(v, what+": "+field)
	if !good {
		return netip.Addr{}, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		r.ds.Add(r.src.Pos(v.off), hint, "%s: %s %q is not an address", what, field, s)
		return netip.Addr{}, false
	}
	return a, true
}

// kernelHop reads gateway, dev and flags of a route or of one member of
// its nexthops.
func (r reader) kernelHop(v *jval, what string) (NextHop, bool) {
	nh := NextHop{Pos: r.src.Pos(v.off)}
	var ok bool
	nh.IP, ok = r.optAddr(v.field("gateway"), what, "gateway", "a gateway is an address such as 198.19.0.1")
	nh.Interface, _ = r.str(v.field("dev"), what+": dev")
	flags := r.strings(v.field("flags"), what+": flags")
	nh.Active = !slices.ContainsFunc(flags, func(f string) bool { return slices.Contains(kernelUnusable, f) })
	nh.FIB = nh.Active
	nh.Connected = !nh.IP.IsValid()
	return nh, ok
}

// strings returns a list of strings; absent is nil.
func (r reader) strings(v *jval, what string) []string {
	if v == nil || !r.expect(v, jArray, what, "a list of words") {
		return nil
	}
	var out []string
	for _, e := range v.vals {
		if s, ok := r.str(e, what); ok {
			out = append(out, s)
		}
	}
	return out
}

// kernelPrefix reads a route's dst as ip prints it.
func kernelPrefix(s string) (netip.Prefix, error) {
	if s == "default" {
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ParseKernelNexthops reads the output of iproute2's `ip -j nexthop
// show`: a list of nexthop objects, each with id and either gateway and
// dev, or group (a list of {id}), and flags. name is as for
// ParseFRRRoutes.
func ParseKernelNexthops(name string, data []byte) (map[int64]KernelNexthop, error) {
	src := newSource(name, data)
	root, ds := src.readJSON(kernelNexthopsCommand, kernelNexthopsHint)
	if root == nil {
		return nil, ds.Err()
	}
	r := reader{src: src, ds: &ds}
	if !r.expect(root, jArray, "the kernel's nexthop objects", "a list of nexthop objects, as ip -j prints it") {
		return nil, ds.Err()
	}
	out := map[int64]KernelNexthop{}
	for i, v := range root.vals {
		what := fmt.Sprintf("nexthop object %d", i+1)
		if !r.expect(v, jObject, what, "an object with id and a gateway, a device or a group") {
			continue
		}
		idv := v.field("id")
		if idv == nil {
			ds.Add(src.Pos(v.off), kernelNexthopsHint, "%s has no id", what)
			continue
		}
		nh := KernelNexthop{ID: r.integer(idv, what+": id"), Pos: src.Pos(v.off)}
		what = fmt.Sprintf("nexthop object %d", nh.ID)
		if _, dup := out[nh.ID]; dup {
			ds.Add(src.Pos(idv.off), "each nexthop object is listed once", "%s is listed twice", what)
			continue
		}
		hop, ok := r.kernelHop(v, what)
		if !ok {
			continue
		}
		nh.IP, nh.Interface, nh.Dead = hop.IP, hop.Interface, !hop.Active
		nh.Blackhole = r.boolean(v.field("blackhole"), what+": blackhole")
		if g := v.field("group"); g != nil && r.expect(g, jArray, what+": group", "a list of {id} members") {
			for k, m := range g.vals {
				mwhat := fmt.Sprintf("%s member %d", what, k+1)
				if r.expect(m, jObject, mwhat, "an object with id") {
					nh.Group = append(nh.Group, r.integer(m.field("id"), mwhat+": id"))
				}
			}
		}
		out[nh.ID] = nh
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return out, nil
}

// Forwarding returns the route the kernel forwards prefix by (the
// unicast one of lowest metric) and the next hops it forwards on: those
// not dead and not without carrier. A route that names only its nexthop
// object is resolved through nexthops (nil: not resolved). ok is false
// when the kernel has no unicast route for prefix.
func (t KernelTable) Forwarding(prefix netip.Prefix, nexthops map[int64]KernelNexthop) (KernelRoute, []NextHop, bool) {
	var best KernelRoute
	found := false
	for _, kr := range t[prefix] {
		if !found || kr.Metric < best.Metric {
			best, found = kr, true
		}
	}
	if !found || best.Type != "unicast" {
		return KernelRoute{}, nil, false // none, or an unreachable or blackhole route wins
	}
	hops := best.NextHops
	if len(hops) == 0 && best.NHID != 0 {
		hops = resolveNexthop(nexthops, best.NHID)
	}
	var used []NextHop
	for _, h := range hops {
		if h.Active {
			used = append(used, h)
		}
	}
	return best, used, true
}

// resolveNexthop expands nexthop object id into its next hops: itself,
// or the members of its group (Linux groups hold only single next hops,
// so a member that is itself a group is not followed).
func resolveNexthop(nexthops map[int64]KernelNexthop, id int64) []NextHop {
	nh, ok := nexthops[id]
	if !ok || nh.Blackhole {
		return nil
	}
	if len(nh.Group) == 0 {
		return []NextHop{single(nh)}
	}
	var out []NextHop
	for _, m := range nh.Group {
		if mh, ok := nexthops[m]; ok && len(mh.Group) == 0 && !mh.Blackhole {
			out = append(out, single(mh))
		}
	}
	return out
}

func single(nh KernelNexthop) NextHop {
	return NextHop{IP: nh.IP, Interface: nh.Interface, Active: !nh.Dead, FIB: !nh.Dead, Connected: !nh.IP.IsValid(), Pos: nh.Pos}
}
