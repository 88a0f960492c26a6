package observe

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

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
	// Neighbors are the router's OSPF adjacencies, as read.
	Neighbors []Neighbor `json:"neighbors"`
}

// Route is the route a router forwards one destination node's loopback
// by.
type Route struct {
	Prefix   netip.Prefix `json:"prefix"`   // the destination's loopback, /32
	Protocol string       `json:"protocol"` // "ospf", or whatever overrides it ("static", ...)
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

// platformSpec is how one platform is observed.
type platformSpec struct {
	commands []string
	read     func(net *topology.Network, node string, outputs map[string]string) (*Observation, error)
}

// platforms are the supported platforms, by the names inventories use.
var platforms = map[string]platformSpec{
	"frr_vtysh": {commands: []string{frrRoutesCommand, frrNeighborsCommand}, read: readFRR},
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

func lookup(platform string) (platformSpec, error) {
	p, ok := platforms[platform]
	if !ok {
		return platformSpec{}, fmt.Errorf("observe: platform %q is not supported; supported platforms: %s", platform, strings.Join(Platforms(), ", "))
	}
	return p, nil
}

// Commands returns the commands to run on a router of platform for
// Read, in order.
func Commands(platform string) ([]string, error) {
	p, err := lookup(platform)
	if err != nil {
		return nil, err
	}
	return slices.Clone(p.commands), nil
}

// Read maps what node's router reports to the model: outputs holds the
// text each command of Commands(platform) printed, keyed by the command.
// Every node of net needs a loopback (the router ids and route prefixes
// are matched against them). The error says what is missing or malformed,
// with the position of every problem in the output.
func Read(net *topology.Network, node, platform string, outputs map[string]string) (*Observation, error) {
	p, err := lookup(platform)
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
		return nil, fmt.Errorf("observe %s: no output for %s (run every command of observe.Commands(%q))", node, strings.Join(missing, ", "), platform)
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
		return nil, fmt.Errorf("observe: %s an IPv6 loopback: frr_vtysh is observed through OSPFv2 and `show ip route json`, so every loopback must be IPv4", list(v6, "has", "have"))
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

func readFRR(net *topology.Network, node string, outputs map[string]string) (*Observation, error) {
	byLoopback, err := loopbacks(net)
	if err != nil {
		return nil, err
	}
	table, err := ParseFRRRoutes(fmt.Sprintf("%s %q", node, frrRoutesCommand), []byte(outputs[frrRoutesCommand]))
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", node, err)
	}
	nbrs, err := ParseFRRNeighbors(fmt.Sprintf("%s %q", node, frrNeighborsCommand), []byte(outputs[frrNeighborsCommand]))
	if err != nil {
		return nil, fmt.Errorf("observe %s: %w", node, err)
	}
	self := net.Nodes[net.NodeIndex()[node]].LoopbackAddr()
	if !ownsAddress(table, self) {
		return nil, fmt.Errorf("observe %s: the router has no connected route to %s, the node's loopback: is this router %s, and is its loopback in the topology right?", node, self, node)
	}
	byAddr := make(map[netip.Addr]Neighbor, len(nbrs))
	byIface := map[string][]Neighbor{}
	for _, nb := range nbrs {
		byAddr[nb.Address] = nb
		byIface[nb.Interface] = append(byIface[nb.Interface], nb)
	}
	hop := func(nh NextHop) Hop {
		h := Hop{IP: nh.IP, Interface: nh.Interface}
		nb, ok := byAddr[nh.IP]
		switch {
		case !nh.IP.IsValid() && len(byIface[nh.Interface]) == 1:
			nb, ok = byIface[nh.Interface][0], true
		case !nh.IP.IsValid():
			h.Unmapped = fmt.Sprintf("no next-hop address, and %d OSPF neighbours on the interface", len(byIface[nh.Interface]))
			return h
		case !ok:
			h.Unmapped = "no OSPF neighbour has this address"
			return h
		}
		name, known := byLoopback[nb.RouterID]
		if !known {
			h.Unmapped = fmt.Sprintf("its OSPF neighbour's router id %s is no node's loopback", nb.RouterID)
			return h
		}
		h.Node = name
		return h
	}
	obs := &Observation{Node: node, Routes: map[string]Route{}, Destinations: map[string]netip.Prefix{}, Neighbors: nbrs}
	for _, nd := range net.Nodes {
		if nd.Name == node {
			continue
		}
		prefix := netip.PrefixFrom(nd.LoopbackAddr(), 32)
		obs.Destinations[nd.Name] = prefix
		e, ok := table.Forwarding(prefix)
		if !ok {
			continue
		}
		used := e.Used()
		if len(used) == 0 {
			continue
		}
		r := Route{Prefix: prefix, Protocol: e.Protocol}
		for _, nh := range used {
			r.NextHops = append(r.NextHops, hop(nh))
		}
		obs.Routes[nd.Name] = r
	}
	return obs, nil
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
