// Package observe reads what a router actually forwards and compares it
// with what the model predicts, so that apply can stop a change when the
// model its safety verdict rests on turns out to be wrong.
//
// It parses command output text (FRR 8 vtysh: `show ip route json`, and
// `show ip ospf neighbor json` on OSPF, or `show isis neighbor detail
// json` and `show isis database detail` on IS-IS, as the topology's igp
// says), maps each next hop to a node of the topology (next-hop address
// -> OSPF neighbour on that address -> its router id -> the node whose
// loopback that is; or next-hop address -> IS-IS adjacency with that
// address -> its LSP -> the loopback the LSP advertises -> the node), and
// compares, per destination node, the next hops the router uses for the
// destination's loopback with the next hops the dry-run predicts
// (dryrun.Predictor.Links), link by link so that parallel links count,
// within a tolerance. See docs/observe.md.
//
// Where the device offers a shell, the routes are read from the kernel
// (iproute2's `ip -j route show` and `ip -j nexthop show`, KernelCommands)
// rather than from the routing daemon: FRR 8.4 can list next hops as
// installed that the kernel's next-hop group lacks.
//
// It runs no commands and opens no connections: Commands names what to
// run, the caller runs it (package devices/session), Read takes the text. It
// compares forwarding only, not link utilisation.
package observe
