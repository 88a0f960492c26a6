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
// compares, per destination node, the next-hop nodes the router uses for
// the destination's loopback with the next hops the dry-run predicts
// (dryrun.Predictor), within a tolerance. See docs/observe.md.
//
// It runs no commands and opens no connections: Commands names what to
// run, the caller runs it (package devices/session), Read takes the text. It
// compares forwarding only, not link utilisation.
package observe
