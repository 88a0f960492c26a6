// Package dryrun evaluates a plan step by step against a network model:
// the baseline state and the state after every step, each with its link
// loads, undeliverable traffic, partitions and N-1 analysis; the traffic
// each step moves; and the rollback path, simulated like the forward path.
//
// It produces facts (Result), not verdicts: policies decide what is
// allowed, and the report package renders results. It does no I/O.
//
// Predictor (and Predict) give, for the baseline and the state after each
// step, the IGP next hops of chosen nodes toward every other node: what
// apply compares the routers' forwarding with (internal/observe). They
// bind the plan to the network as Run does, and ignore the traffic.
//
// Undo gives the network as the model has it once a plan has run to the
// end, and the effects that undo each step: a revert of a finished run is
// built from them (plans.Inverse) and dry-run from that network, not from
// the one the plan started from.
package dryrun
