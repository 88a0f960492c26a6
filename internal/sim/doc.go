// Package sim is changegate's traffic simulator: pure computation, no I/O.
//
// Forwarding is modelled as IGP shortest paths with equal-cost multipath:
// at every hop, traffic toward a destination is split evenly over the
// equal-cost next hops (each parallel link is its own next hop), as routers
// do per flow hash. A drained node (OSPF max-metric, IS-IS overload)
// sources and sinks its own traffic but carries no transit. Down links
// carry nothing.
//
// The model keeps one shortest-path DAG per destination (distances, next
// hops, and the traffic passing each node), built by a reverse Dijkstra
// on a radix heap (integer metrics, keys popped in increasing order), or
// level by level when every metric is the same (the same DAG, found
// without a heap). That makes change cheap:
//
//   - State.Apply recomputes only the destinations whose DAG a step can
//     change (a metric, admin state or drain that touches their next hops,
//     or that offers a path at least as short as their current one).
//   - State.N1 evaluates every single link, node and SRLG failure on top of
//     a state incrementally: for each destination that carries traffic over
//     a failed link, it finds the nodes that lose next hops, recomputes
//     distances only for the nodes whose distance grows, and propagates the
//     change in traffic along the DAG, touching only what moved.
//   - N1Chain evaluates the N-1 of the states of a plan in order, carrying
//     each failure's summed load changes from one state to the next: a
//     (destination, failure) pair whose evaluation reads nothing the step
//     changed (the arcs and drains it touched, or the part of the
//     destination's DAG that differs) keeps its result; the others are
//     evaluated on both states, the old result taken away and the new one
//     added, or once on the difference when only the traffic entering the
//     changed nodes differs. A failure for which that would cost more
//     than starting afresh, judged from its pairs' costs in the previous
//     state, is evaluated from scratch. internal/dryrun uses it.
//
// Model.NextHops gives the forwarding of chosen routers under a Config
// (their ECMP next-hop nodes toward every node) with one Dijkstra per
// router, for comparing the model with real routers.
//
// Results equal a full recomputation to within 1e-9 relative (see the
// equivalence tests on Topology Zoo and randomised networks, which cover
// N1Chain over 20-step plans too). N1Chain's results differ from State.N1's
// in rounding only.
package sim
