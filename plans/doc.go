// Package plans is the change plan model: the types of a plan (metadata and
// ordered steps, each with the effects it has on the network model and an
// optional rollback), and a strict parser of the plan YAML format
// (docs/plans.md) that reports every problem at once with file:line:column
// and a hint.
//
// It validates a plan file on its own. It does not read topologies and does
// not simulate: references to links and nodes are checked against a
// topology by CheckReferences, and the effects are applied to the network
// model by the dry-run, which also restores the exact state before a step
// that gives no rollback. The JSON tags on the types are not yet a
// documented format.
package plans
