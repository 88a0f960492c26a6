// Package digest is the set of digests a decision is bound to: those of
// the plan, its topology, the topology's traffic, the policy set and the
// inventory the plan runs with. A dry-run records the first three, the
// gate all five; an approval is signed over them, a run's journal keeps
// them, a report shows them, and apply compares them with a reviewed
// verdict. Set is that one value everywhere, and Diff says which of two
// sets' digests differ.
//
// The package computes no digest (plans.Plan.Digest,
// topology.Network.TopologyDigest and TrafficDigest, policy.Engine.Digest
// and devices.Inventory.Digest do) and reads no file. How a Set is
// written is the business of each file that holds one, except its own
// JSON form (Set.MarshalJSON), which approvals, verdicts and dry-runs
// share.
package digest
