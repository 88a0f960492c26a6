// Package discover reads a network's topology from its routers: the
// routers (router id, loopback), the links between them with interface
// names and addresses, the IGP metric in each direction, each link's
// state, which routers are drained, and capacity from interface speed.
//
// The parsers (ParseFRROSPFDatabase, ParseFRRInterfaces,
// ParseFRRISISHostnames, and observe.ParseFRRISISDatabase for FRR;
// ParseIOSOSPFDatabase, ParseIOSISISDatabase, ParseIOSInterfaces,
// ParseEOSISISDatabase, ParseEOSInterfaces, ParseJunosOSPFDatabase,
// ParseJunosISISDatabase, ParseJunosInterfaces, ParseSRLOSPFDatabase,
// ParseSRLISISDatabase and ParseSRLInterfaces for the other platforms) read the text the routers
// print and are pure; BuildOSPF and BuildISIS assemble their results
// into a topology.Network and are pure too; Read and ReadPlatforms parse
// and build from outputs already read; Discover runs the commands on the
// inventory's devices through a Runner (devices/session's Pool is one)
// and calls them.
//
// It knows FRR (frr_vtysh): on OSPF the link-state database (`show ip
// ospf database router json`), on IS-IS the level-2 database and
// hostname table (`show isis database detail`, `show isis hostname`),
// read from every router, and each router's interfaces (`show interface
// json`). On OSPF and IS-IS it also knows IOS-XE, IOS-XR, EOS, Junos and
// SR Linux (platforms.go: each one's two commands per IGP, the
// link-state database and the interfaces, read as JSON where the
// platform prints it), whose routers may share an area with FRR's or each
// other's; those are verified against recordings written from vendors'
// documentation and published outputs only, not against real routers.
// See docs/discovery.md: how links are paired and named, what is read
// from where, and what has been verified against what.
//
// It does not compare a model with what it discovers (topology.Diff does)
// nor add what only people know (topology.Overlay does).
package discover
