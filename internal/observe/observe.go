package observe

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
)

// Observation is what one router forwards toward the other nodes of the
// model, read from its command output and mapped to the model's nodes.
type Observation struct {
	// Node is the router's node in the model.
	Node string `json:"node"`
	// Routes holds, per destination node, the route the router forwards
	// that node's loopback by; a destination without one is absent.
	Routes map[string]Route `json:"routes"`
	// Destinations maps every other node to the prefix looked up for
	// it: its loopback as a host route.
	Destinations map[string]netip.Prefix `json:"destinations"`
	// Neighbors are the router's IGP adjacencies (OSPF or IS-IS), as read.
	Neighbors []Neighbor `json:"neighbors"`
	// Source says where Routes were read: SourceKernel (the kernel's
	// forwarding table) or SourceDaemon (the routing daemon's view of
	// it, when the kernel's was not given).
	Source string `json:"source"`
}

// Where an observation's routes were read.
const (
	SourceKernel = "kernel"
	SourceDaemon = "routing daemon"
)

// Route is the route a router forwards one destination node's loopback
// by.
type Route struct {
	Prefix   netip.Prefix `json:"prefix"`   // the destination's loopback, /32
	Protocol string       `json:"protocol"` // "ospf" or "isis", or whatever overrides it ("static", ...)
	NextHops []Hop        `json:"next_hops"`
}

// Hop is one next hop of an observed route, mapped to a node when the
// router's neighbour on it is known.
type Hop struct {
	// Node is the neighbour node forwarded to; empty when the next hop
	// could not be mapped to a node (Unmapped says why).
	Node      string     `json:"node,omitempty"`
	IP        netip.Addr `json:"ip,omitzero"`
	Interface string     `json:"interface,omitempty"`
	Unmapped  string     `json:"unmapped,omitempty"`
}

// label names the hop in messages: its node, or its address and
// interface.
func (h Hop) label() string {
	if h.Node != "" {
		return h.Node
	}
	var s string
	switch {
	case h.IP.IsValid() && h.Interface != "":
		s = h.IP.String() + " on " + h.Interface
	case h.IP.IsValid():
		s = h.IP.String()
	default:
		s = h.Interface
	}
	return s + " (" + h.Unmapped + ")"
}

// Nodes returns the next-hop nodes of the route, sorted and unique, and
// the labels of the next hops that map to no node.
func (r Route) Nodes() (nodes, unmapped []string) {
	for _, h := range r.NextHops {
		if h.Node != "" {
			nodes = append(nodes, h.Node)
		} else {
			unmapped = append(unmapped, h.label())
		}
	}
	slices.Sort(nodes)
	slices.Sort(unmapped)
	return slices.Compact(nodes), slices.Compact(unmapped)
}

// platformSpec is how one platform is observed on a network running one
// IGP.
type platformSpec struct {
	commands []string
	read     func(net *topology.Network, node string, outputs map[string]string) (*Observation, error)
}

// platforms are the supported platforms, by their names in the platform
// registry (internal/platform), and for each the IGPs it is observed on.
// Observing a platform is its code here: the registry says nothing of it.
var platforms = map[string]map[string]platformSpec{
	"frr_vtysh": {
		topology.IGPOSPF: {commands: []string{frrRoutesCommand, frrNeighborsCommand}, read: readFRROSPF},
		topology.IGPISIS: {commands: []string{frrRoutesCommand, frrISISNeighborsCommand, frrISISDatabaseCommand}, read: readFRRISIS},
	},
}

// Platforms lists the supported platforms, sorted.
func Platforms() []string {
	var out []string
	for p := range platforms {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// igpOf is the IGP a network names, IS-IS when it names none (as the
// model then drains).
func igpOf(igp string) string {
	if igp == "" {
		return topology.IGPISIS
	}
	return igp
}

func lookup(platform, igp string) (platformSpec, error) {
	byIGP, ok := platforms[platform]
	if !ok {
		return platformSpec{}, fmt.Errorf("observe: platform %q is not supported; supported platforms: %s", platform, strings.Join(Platforms(), ", "))
	}
	p, ok := byIGP[igpOf(igp)]
	if !ok {
		return platformSpec{}, fmt.Errorf("observe: platform %q is not observed on %s networks", platform, igpName(igpOf(igp)))
	}
	return p, nil
}

// igpName is igp as messages write it.
func igpName(igp string) string {
	if igp == topology.IGPOSPF {
		return "OSPF"
	}
	return "IS-IS"
}

// Commands returns the commands to run on a router of platform, in a
// network whose IGP is igp (a topology's igp: "ospf", "isis", or "" for
// IS-IS, the default), for Read, in order.
func Commands(platform, igp string) ([]string, error) {
	p, err := lookup(platform, igp)
	if err != nil {
		return nil, err
	}
	return slices.Clone(p.commands), nil
}

// Read maps what node's router reports to the model: outputs holds the
// text each command of Commands(platform, net.IGP) printed, keyed by the
// command, and, where the device could run them, the outputs of
// KernelCommands(platform): with those, the routes are the kernel's
// forwarding (Source SourceKernel), which can lack next hops the routing
// daemon lists as installed; without, the daemon's view of it. Every node of net needs a loopback (the router ids, LSPs and
// route prefixes are matched against them). The error says what is
// missing or malformed, with the position of every problem in the output.
func Read(net *topology.Network, node, platform string, outputs map[string]string) (*Observation, error) {
	p, err := lookup(platform, net.IGP)
	if err != nil {
		return nil, err
	}
	if _, ok := net.NodeIndex()[node]; !ok {
		return nil, fmt.Errorf("observe: no node %q in the topology", node)
	}
	var missing []string
	for _, c := range p.commands {
		if _, ok := outputs[c]; !ok {
			missing = append(missing, fmt.Sprintf("%q", c))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("observe %s: no output for %s (run every command of observe.Commands(%q, %q))", node, strings.Join(missing, ", "), platform, igpOf(net.IGP))
	}
	return p.read(net, node, outputs)
}

// loopbacks maps every node's IPv4 loopback to the node, or explains
// which nodes lack one.
func loopbacks(net *topology.Network) (map[netip.Addr]string, error) {
	out := make(map[netip.Addr]string, len(net.Nodes))
	var none, v6 []string
	for _, nd := range net.Nodes {
		a := nd.LoopbackAddr()
		switch {
		case !a.IsValid():
			none = append(none, nd.Name)
		case !a.Is4():
			v6 = append(v6, nd.Name)
		default:
			out[a] = nd.Name
		}
	}
	switch {
	case len(none) > 0:
		return nil, fmt.Errorf("observe: %s no loopback in the topology: add loopback: to every node (docs/topology.md, Loopbacks): routes are compared by the nodes' loopbacks and next hops are mapped to nodes by them", list(none, "has", "have"))
	case len(v6) > 0:
		return nil, fmt.Errorf("observe: %s an IPv6 loopback: frr_vtysh is observed through `show ip route json` (IPv4) and OSPFv2 router ids or IS-IS LSPs, so every loopback must be IPv4", list(v6, "has", "have"))
	}
	return out, nil
}

// list writes "node a has" or "nodes a, b have" for a message, naming
// the first 10 nodes and counting the rest.
func list(names []string, one, many string) string {
	if len(names) == 1 {
		return "node " + names[0] + " " + one
	}
	s := strings.Join(names[:min(10, len(names))], ", ")
	if len(names) > 10 {
		s += fmt.Sprintf(" and %d more", len(names)-10)
	}
	return "nodes " + s + " " + many
}

// frrRead is what readFRR needs of the IGP: the neighbours, and how a
// neighbour is mapped to a node (its node, or why it is not).
type frrRead struct {
	igp       string // "OSPF" or "IS-IS", for messages
	neighbors []Neighbor
	node      func(nb Neighbor) (string, string)
}

// readFRROSPF reads an OSPF router: a neighbour is the node whose
// loopback is its router id.
func readFRROSPF(net *topology.Network, node string, outputs map[string]string) (*Observation, error) {
	byLoopback, err := loopbacks(net)
	if err != nil {
		return nil, err
	}
	nbrs, err := ParseFRRNeighbors(fmt.Sprintf("%s %q", node, frrNeighborsCommand), []byte(outputs[frrNeighborsCommand]))
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", node, err)
	}
	return readFRR(net, node, outputs, byLoopback, frrRead{igp: "OSPF", neighbors: nbrs, node: func(nb Neighbor) (string, string) {
		name, known := byLoopback[nb.RouterID]
		if !known {
			return "", fmt.Sprintf("its OSPF neighbour's router id %s is no node's loopback", nb.RouterID)
		}
		return name, ""
	}})
}

// readFRRISIS reads an IS-IS router: a neighbour (an adjacency that is
// up) is named by its hostname or system id, which names its LSP in the
// level-2 database; the LSP's TE router id, or else the one /32 it
// advertises that is a node's loopback, is that node's loopback.
func readFRRISIS(net *topology.Network, node string, outputs map[string]string) (*Observation, error) {
	byLoopback, err := loopbacks(net)
	if err != nil {
		return nil, err
	}
	nbrs, err := ParseFRRISISNeighbors(fmt.Sprintf("%s %q", node, frrISISNeighborsCommand), []byte(outputs[frrISISNeighborsCommand]))
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", node, err)
	}
	lsps, err := ParseFRRISISDatabase(fmt.Sprintf("%s %q", node, frrISISDatabaseCommand), []byte(outputs[frrISISDatabaseCommand]))
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", node, err)
	}
	systems := isisSystems(lsps, byLoopback)
	up := nbrs[:0:0]
	for _, nb := range nbrs {
		if !nb.Full() {
			continue // a neighbour that is not up forwards nothing
		}
		if s, ok := systems[nb.System]; ok && s.loopback.IsValid() {
			nb.RouterID = s.loopback
		}
		up = append(up, nb)
	}
	return readFRR(net, node, outputs, byLoopback, frrRead{igp: "IS-IS", neighbors: up, node: func(nb Neighbor) (string, string) {
		s, ok := systems[nb.System]
		switch {
		case !ok:
			return "", fmt.Sprintf("its IS-IS neighbour %s has no LSP in the level-%d database", diag.Clip(nb.System), isisLevel)
		case s.why != "":
			return "", fmt.Sprintf("its IS-IS neighbour %s %s", diag.Clip(nb.System), s.why)
		}
		return byLoopback[s.loopback], ""
	}})
}

// isisLevel is the IS-IS level whose database names the routers: the
// level the model routes on (internal/devconfig.ISISLevel).
const isisLevel = 2

// isisSystem is what the database says of one router: its loopback, or
// why none is known.
type isisSystem struct {
	loopback netip.Addr
	why      string
}

// isisSystems maps each router of the level-2 database (by the name its
// LSP ids use) to its loopback: the TE router id of its LSP when that is
// a node's loopback, or else the one /32 among its prefixes that is. The
// non-pseudonode LSP fragments of a router are read together.
func isisSystems(lsps []LSP, byLoopback map[netip.Addr]string) map[string]isisSystem {
	rid := map[string][]netip.Addr{}
	found := map[string][]netip.Addr{}
	for _, l := range lsps {
		if l.Level != isisLevel || l.Pseudonode != 0 {
			continue
		}
		if _, ok := found[l.System]; !ok {
			found[l.System] = nil
		}
		if _, ok := byLoopback[l.RouterID]; ok && !slices.Contains(rid[l.System], l.RouterID) {
			rid[l.System] = append(rid[l.System], l.RouterID)
		}
		for _, p := range l.Prefixes {
			if _, ok := byLoopback[p.Addr()]; ok && p.Bits() == 32 && !slices.Contains(found[l.System], p.Addr()) {
				found[l.System] = append(found[l.System], p.Addr())
			}
		}
	}
	out := make(map[string]isisSystem, len(found))
	for sys, addrs := range found {
		if len(rid[sys]) == 1 {
			out[sys] = isisSystem{loopback: rid[sys][0]}
			continue
		}
		switch len(addrs) {
		case 1:
			out[sys] = isisSystem{loopback: addrs[0]}
		case 0:
			out[sys] = isisSystem{why: "advertises no node's loopback (no TE router id or /32 that is one)"}
		default:
			slices.SortFunc(addrs, netip.Addr.Compare)
			names := make([]string, len(addrs))
			for i, a := range addrs {
				names[i] = byLoopback[a]
			}
			out[sys] = isisSystem{why: fmt.Sprintf("advertises the loopbacks of several nodes (%s) and no TE router id that tells them apart", strings.Join(names, ", "))}
		}
	}
	return out
}

// readFRR reads `show ip route json` and maps each next hop to a node
// through the IGP's neighbours.
func readFRR(net *topology.Network, node string, outputs map[string]string, byLoopback map[netip.Addr]string, igp frrRead) (*Observation, error) {
	table, err := ParseFRRRoutes(fmt.Sprintf("%s %q", node, frrRoutesCommand), []byte(outputs[frrRoutesCommand]))
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", node, err)
	}
	self := net.Nodes[net.NodeIndex()[node]].LoopbackAddr()
	if !ownsAddress(table, self) {
		return nil, fmt.Errorf("observe %s: the router has no connected route to %s, the node's loopback: is this router %s, and is its loopback in the topology right?", node, self, node)
	}
	nbrs := igp.neighbors
	byAddr := make(map[netip.Addr]Neighbor, len(nbrs))
	byIface := map[string][]Neighbor{}
	for _, nb := range nbrs {
		byAddr[nb.Address] = nb
		for _, a := range nb.Addresses {
			byAddr[a] = nb
		}
		byIface[nb.Interface] = append(byIface[nb.Interface], nb)
	}
	hop := func(nh NextHop) Hop {
		h := Hop{IP: nh.IP, Interface: nh.Interface}
		nb, ok := byAddr[nh.IP]
		switch {
		case !nh.IP.IsValid() && len(byIface[nh.Interface]) == 1:
			nb, ok = byIface[nh.Interface][0], true
		case !nh.IP.IsValid():
			h.Unmapped = fmt.Sprintf("no next-hop address, and %d %s neighbours on the interface", len(byIface[nh.Interface]), igp.igp)
			return h
		case !ok:
			h.Unmapped = fmt.Sprintf("no %s neighbour has this address", igp.igp)
			return h
		}
		name, why := igp.node(nb)
		if name == "" {
			h.Unmapped = why
			return h
		}
		h.Node = name
		return h
	}
	kernel, err := readKernel(node, outputs)
	if err != nil {
		return nil, err
	}
	obs := &Observation{Node: node, Routes: map[string]Route{}, Destinations: map[string]netip.Prefix{}, Neighbors: nbrs, Source: SourceDaemon}
	if kernel != nil {
		obs.Source = SourceKernel
	}
	for _, nd := range net.Nodes {
		if nd.Name == node {
			continue
		}
		prefix := netip.PrefixFrom(nd.LoopbackAddr(), 32)
		obs.Destinations[nd.Name] = prefix
		var protocol string
		var used []NextHop
		if kernel != nil {
			kr, hops, ok := kernel.table.Forwarding(prefix, kernel.nexthops)
			if !ok {
				continue
			}
			protocol, used = kr.Protocol, hops
		} else {
			e, ok := table.Forwarding(prefix)
			if !ok {
				continue
			}
			protocol, used = e.Protocol, e.Used()
		}
		if len(used) == 0 {
			continue
		}
		r := Route{Prefix: prefix, Protocol: protocol}
		for _, nh := range used {
			r.NextHops = append(r.NextHops, hop(nh))
		}
		obs.Routes[nd.Name] = r
	}
	return obs, nil
}

// kernelRead is a router's kernel forwarding, as read.
type kernelRead struct {
	table    KernelTable
	nexthops map[int64]KernelNexthop
}

// readKernel parses the kernel commands' outputs when outputs has them
// (nil, nil when it has not the routes).
func readKernel(node string, outputs map[string]string) (*kernelRead, error) {
	text, ok := outputs[kernelRoutesCommand]
	if !ok {
		return nil, nil
	}
	t, err := ParseKernelRoutes(fmt.Sprintf("%s %q", node, kernelRoutesCommand), []byte(text))
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", node, err)
	}
	k := &kernelRead{table: t}
	if text, ok := outputs[kernelNexthopsCommand]; ok {
		k.nexthops, err = ParseKernelNexthops(fmt.Sprintf("%s %q", node, kernelNexthopsCommand), []byte(text))
		if err != nil {
			return nil, fmt.Errorf("observe %s: %w", node, err)
		}
	}
	return k, nil
}

// ownsAddress reports whether a connected route covers a, as the
// router's own loopback does.
func ownsAddress(t RouteTable, a netip.Addr) bool {
	for p, es := range t {
		if !p.Contains(a) {
			continue
		}
		for _, e := range es {
			if e.Protocol == "connected" && e.Selected {
				return true
			}
		}
	}
	return false
}
