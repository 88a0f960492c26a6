// Package discover reads a network's topology from its routers: the
// routers (router id, loopback), the links between them with interface
// names and addresses, the IGP metric in each direction, each link's
// state, which routers are drained, and capacity from interface speed.
//
// The parsers (ParseFRROSPFDatabase, ParseFRRInterfaces,
// ParseFRRISISHostnames, and observe.ParseFRRISISDatabase) read the text
// the routers print and are pure; BuildOSPF and BuildISIS assemble their
// results into a topology.Network and are pure too; Discover runs the
// commands on the inventory's devices through a Runner (devices/session's
// Pool is one) and calls them. It knows FRR (frr_vtysh): on OSPF the
// link-state database (`show ip ospf database router json`), on IS-IS
// the level-2 database and hostname table (`show isis database detail`,
// `show isis hostname`), read from every router, and each router's
// interfaces (`show interface json`). See docs/discovery.md: how links
// are paired and named, what is read from where, and what has been
// verified against real routers.
//
// It does not compare a model with what it discovers (topology.Diff does)
// nor add what only people know (topology.Overlay does).
package discover
