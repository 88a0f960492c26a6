package discover

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/topology"
)

// The FRR commands read on an IS-IS network. FRR 8.4 prints neither as
// JSON with the fields needed (the database's JSON has no TLVs; the
// hostname table has no JSON form), so both are read as text.
const (
	frrISISDatabaseCommand  = "show isis database detail"
	frrISISHostnamesCommand = "show isis hostname"
)

const hostnamesHint = "give the output of `show isis hostname` from FRR (vtysh), unchanged"

// isisLevel is the IS-IS level discovery reads: the level the model
// routes on (internal/devconfig.ISISLevel).
const isisLevel = 2

// Hostname is one row of the IS-IS hostname table: a system id and the
// dynamic hostname it sends.
type Hostname struct {
	SystemID string   `json:"system_id"` // 1980.1800.0001
	Hostname string   `json:"hostname"`
	Own      bool     `json:"own,omitempty"` // the router's own system id
	Pos      diag.Pos `json:"-"`
}

var (
	hostnameRowRE = regexp.MustCompile(`^\s*(?:\d+\s+)?(\*\s+)?([0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})\s+(\S+)\s*$`)
	hostnameSkip  = regexp.MustCompile(`^\s*(vrf\s*:.*|Level\s+System ID\s+Dynamic Hostname\s*)$`)
)

// ParseFRRISISHostnames reads the output of FRR's `show isis hostname`
// (FRR 8.4): per VRF a table of level, system id and dynamic hostname,
// the router's own row marked with "*" in place of the level. A line
// that is none of those is an error at its line. name is as for
// ParseFRROSPFDatabase.
func ParseFRRISISHostnames(name string, data []byte) ([]Hostname, error) {
	var ds diag.Diagnostics
	var out []Hostname
	header := false
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		pos := diag.Pos{File: name, Line: i + 1, Col: 1}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if hostnameSkip.MatchString(line) {
			header = header || strings.Contains(line, "System ID")
			continue
		}
		m := hostnameRowRE.FindStringSubmatch(line)
		if m == nil {
			ds.Add(pos, hostnamesHint, "show isis hostname: line %s does not read as LEVEL SYSTEM-ID HOSTNAME", diag.Excerpt(line))
			continue
		}
		out = append(out, Hostname{SystemID: strings.ToLower(m[2]), Hostname: m[3], Own: m[1] != "", Pos: pos})
	}
	if !header && !ds.HasErrors() {
		ds.Add(diag.Pos{File: name, Line: 1, Col: 1}, hostnamesHint+"; is IS-IS running?", "show isis hostname: no hostname table in the output: %s", diag.Excerpt(string(bytes.TrimSpace(data))))
	}
	if ds.HasErrors() {
		return nil, ds.Err()
	}
	return out, nil
}

// ownLSP is the router's own level-2 LSP (fragment 0).
func ownLSP(lsps []observe.LSP) (observe.LSP, bool) {
	for _, l := range lsps {
		if l.Own && l.Level == isisLevel && l.Pseudonode == 0 && l.Fragment == 0 {
			return l, true
		}
	}
	return observe.LSP{}, false
}

// isisRouter is what the level-2 database says of one router, its
// fragments read together.
type isisRouter struct {
	overload  bool
	routerID  netip.Addr
	neighbors []observe.ISReach
	prefixes  []netip.Prefix
	metrics   []int64
}

// isisRouters reads the level-2 non-pseudonode LSPs by system.
func isisRouters(lsps []observe.LSP) map[string]*isisRouter {
	out := map[string]*isisRouter{}
	for _, l := range lsps {
		if l.Level != isisLevel || l.Pseudonode != 0 {
			continue
		}
		r := out[l.System]
		if r == nil {
			r = &isisRouter{}
			out[l.System] = r
		}
		if l.Fragment == 0 {
			r.overload = l.Overload
		}
		if l.RouterID.IsValid() {
			r.routerID = l.RouterID
		}
		r.neighbors = append(r.neighbors, l.Neighbors...)
		r.prefixes = append(r.prefixes, l.Prefixes...)
		r.metrics = append(r.metrics, l.PrefixMetrics...)
	}
	return out
}

// canonicalISIS writes a level-2 database as sorted lines, one per
// router, without what changes by itself (sequence numbers, lifetimes).
func canonicalISIS(lsps []observe.LSP) []string {
	var out []string
	for sys, r := range isisRouters(lsps) {
		var nb, px []string
		for _, n := range r.neighbors {
			nb = append(nb, fmt.Sprintf("%s %d", n.Neighbor, n.Metric))
		}
		for i, p := range r.prefixes {
			px = append(px, fmt.Sprintf("%s %d", p, r.metrics[i]))
		}
		slices.Sort(nb)
		slices.Sort(px)
		out = append(out, fmt.Sprintf("%s overload %v router-id %s: %s; %s", sys, r.overload, r.routerID, strings.Join(nb, ", "), strings.Join(px, ", ")))
	}
	slices.Sort(out)
	return out
}

// BuildISIS assembles the topology of an IS-IS network (level 2) from
// what its routers printed (see docs/discovery.md):
//
//   - nodes are the routers, named as given; a router's loopback is the
//     TE router id of its LSP; a router whose LSP sets the overload bit is
//     drained;
//   - links are the point-to-point subnets (/31, /30) that two routers
//     both advertise, where the two have an adjacency (IS reachability)
//     each way; the metric of each direction is the one its router
//     advertises the subnet at (its interface's metric), which must be
//     among the metrics of its IS reachability entries to the other;
//   - down links, interface names, link ids and capacity are as for
//     BuildOSPF.
//
// Every router's level-2 database must equal every other's (else the
// error wraps ErrNotConverged), every router of the database must be one
// of routers, and every router must have its own LSP.
func BuildISIS(routers []Router) (*topology.Network, []string, error) {
	if len(routers) == 0 {
		return nil, nil, errors.New("discover: no routers to read")
	}
	routers = slices.Clone(routers)
	slices.SortFunc(routers, func(a, b Router) int { return strings.Compare(a.Name, b.Name) })
	bySystem := map[string]int{}
	bySysID := map[string]int{}
	var problems []string
	for i, r := range routers {
		own, ok := ownLSP(r.ISIS)
		if !ok {
			problems = append(problems, fmt.Sprintf("router %s shows no level-2 LSP of its own: is IS-IS running on it, at level 2?", r.Name))
			continue
		}
		if j, dup := bySystem[own.System]; dup {
			problems = append(problems, fmt.Sprintf("routers %s and %s both own LSP %s", routers[j].Name, r.Name, own.ID))
			continue
		}
		bySystem[own.System] = i
		for _, h := range r.Hostnames {
			if h.Own {
				bySysID[h.SystemID] = i
			}
		}
	}
	if len(problems) > 0 {
		return nil, nil, fmt.Errorf("discover: %s", strings.Join(problems, "; "))
	}
	if err := converged(routers, func(r Router) []string { return canonicalISIS(r.ISIS) }); err != nil {
		return nil, nil, err
	}
	db := isisRouters(routers[0].ISIS)
	var unknown []string
	for sys := range db {
		if _, ok := bySystem[sys]; !ok {
			unknown = append(unknown, sys)
		}
	}
	slices.Sort(unknown)
	if len(unknown) > 0 {
		return nil, nil, fmt.Errorf("discover: the level-2 database holds routers that are not in the inventory (%s): add them to the inventory, so that their interfaces can be read", strings.Join(first(unknown, 10), ", "))
	}
	// A neighbour is named by system id and pseudonode: the system id is
	// a router's own, or the LSP's name when it sends no hostname.
	// Other platforms print a neighbour by its hostname and pseudonode
	// ("b.00"): the name of its LSPs.
	neighbor := func(id string) (int, bool) {
		if sys, ok := strings.CutSuffix(strings.ToLower(id), ".00"); ok {
			if i, ok := bySysID[sys]; ok {
				return i, true
			}
		}
		if i, ok := bySystem[id]; ok {
			return i, true
		}
		if sys, ok := strings.CutSuffix(id, ".00"); ok {
			if i, ok := bySystem[sys]; ok {
				return i, true
			}
		}
		return 0, false
	}

	byAddr := interfacesByAddr(routers)
	routerOf := make([]*isisRouter, len(routers))
	loopbacks := make([]string, len(routers))
	drained := make([]bool, len(routers))
	var warnings []string
	adj := map[[2]int][]int64{} // router pair -> metrics of its IS reachability entries
	for sys, i := range bySystem {
		r := db[sys]
		if r == nil {
			return nil, nil, fmt.Errorf("discover: router %s (%s) has no LSP in the level-2 database of %s: the area is still converging", routers[i].Name, sys, routers[0].Name)
		}
		routerOf[i], drained[i] = r, r.overload
		if r.routerID.IsValid() {
			loopbacks[i] = r.routerID.String()
		}
		for _, n := range r.neighbors {
			j, ok := neighbor(n.Neighbor)
			if !ok {
				warnings = append(warnings, fmt.Sprintf("router %s has an adjacency to %s, which is no router of the database (a broadcast network's pseudonode?): not modelled", routers[i].Name, n.Neighbor))
				continue
			}
			adj[[2]int{i, j}] = append(adj[[2]int{i, j}], n.Metric)
		}
	}

	// The point-to-point subnets each router advertises.
	type adv struct {
		router int
		metric int64
	}
	subnets := map[netip.Prefix][]adv{}
	var order []netip.Prefix
	for i, r := range routerOf {
		for k, p := range r.prefixes {
			if !p.Addr().Is4() || (p.Bits() != 31 && p.Bits() != 30) || p != p.Masked() {
				continue
			}
			if subnets[p] == nil {
				order = append(order, p)
			}
			subnets[p] = append(subnets[p], adv{i, r.metrics[k]})
		}
	}
	slices.SortFunc(order, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	take := func(i, j int, m int64) bool {
		ms := adj[[2]int{i, j}]
		k := slices.Index(ms, m)
		if k < 0 {
			return false
		}
		adj[[2]int{i, j}] = slices.Delete(ms, k, k+1)
		return true
	}
	var links []found
	var mismatched []string
	for _, p := range order {
		as := subnets[p]
		if len(as) != 2 || as[0].router == as[1].router {
			continue
		}
		x, y := as[0], as[1]
		if len(adj[[2]int{x.router, y.router}]) == 0 || len(adj[[2]int{y.router, x.router}]) == 0 {
			continue // no adjacency left over it: a down link, if the interfaces say so
		}
		if !take(x.router, y.router, x.metric) || !take(y.router, x.router, y.metric) {
			mismatched = append(mismatched, fmt.Sprintf("%s (%s %d, %s %d)", p, routers[x.router].Name, x.metric, routers[y.router].Name, y.metric))
			continue
		}
		ex, ey := endOn(byAddr[x.router], p), endOn(byAddr[y.router], p)
		links = append(links, found{
			a:  end{x.router, ex, addrOf(ex, p), max(x.metric, 1)},
			b:  end{y.router, ey, addrOf(ey, p), max(y.metric, 1)},
			up: true,
		})
	}
	var left []string
	for k, ms := range adj {
		if len(ms) > 0 {
			left = append(left, fmt.Sprintf("%s to %s (%d)", routers[k[0]].Name, routers[k[1]].Name, len(ms)))
		}
	}
	slices.Sort(left)
	if len(mismatched) > 0 || len(left) > 0 {
		return nil, nil, fmt.Errorf("%w: the adjacencies and the subnets advertised do not pair up (subnets whose metric is no adjacency's: %s; adjacencies without a subnet: %s): the area is still converging, or links are unnumbered", ErrNotConverged, orNone(first(mismatched, 5)), orNone(first(left, 5)))
	}
	net, warnings := assemble(topology.IGPISIS, routers, loopbacks, drained, links, byAddr, warnings)
	return net, warnings, nil
}

// endOn is the interface of a router (its interfaces by address) on
// subnet p, or nil.
func endOn(byAddr map[netip.Addr]*Interface, p netip.Prefix) *Interface {
	for a, it := range byAddr {
		if p.Contains(a) && slices.Contains(it.Addrs, netip.PrefixFrom(a, p.Bits())) {
			return it
		}
	}
	return nil
}

// addrOf is the address of it on p, or p's address when it is nil.
func addrOf(it *Interface, p netip.Prefix) netip.Addr {
	if it != nil {
		for _, a := range it.Addrs {
			if p.Contains(a.Addr()) {
				return a.Addr()
			}
		}
	}
	return p.Addr()
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, "; ")
}
