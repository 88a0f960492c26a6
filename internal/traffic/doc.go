// Package traffic generates synthetic traffic matrices for a network
// whose real demands are unknown (imported Topology Zoo or containerlab
// topologies): Uniform (every node pair alike) and Gravity (pairs in
// proportion to how connected their ends are), and scales a matrix so
// that the busiest link reaches a chosen utilisation.
//
// Generators are deterministic: the same network gives the same demands
// in the same order (node order). The package does not read or write
// files and does not route traffic itself (scaling asks sim).
package traffic
