// Package lab builds a real network lab from a changegate topology: one
// Linux network namespace per node running FRRouting (zebra, and ospfd or
// isisd as the topology's igp says: IS-IS unless it says ospf), one veth
// pair per up link with the link's capacity emulated by tc, OSPF costs or
// IS-IS metrics equal to the model's metrics, drained nodes drained as
// the IGP drains them (max-metric, overload bit), and SSH on 127.0.0.1
// with a port per router that lands in that router's vtysh (one sshd per
// 16 routers: OpenSSH listens on at most 16 sockets). Nothing the lab
// starts inherits the caller's open files: Up marks them close-on-exec.
//
// The test helpers UpForTest and UpNetworkForTest build a lab for a test
// and take it down when the test ends; package internal/lab/zoo does the
// same for Topology Zoo networks.
//
// Everything the lab creates is named with the prefix "cg-" and recorded
// in a state directory before it is created, so Down (and `cglab down`)
// removes exactly that, also after a crash. Addresses come only from
// 198.18.0.0/15. See docs/lab.md.
//
// PlanLayout (names, addresses, costs, shaping) is pure and needs no
// privileges; Up, Down and Status need root, iproute2, FRR and OpenSSH.
// The package is a test harness: it is not imported by the changegate
// binary.
package lab
