// Package plans is the change plan model: the types of a plan (metadata,
// change window, pre- and post-checks, and ordered steps, each with the
// devices it configures and the configuration sent, the effects it has on
// the network model, an optional rollback, health checks and soak time),
// and a strict parser of the plan YAML format (docs/plans.md) that reports
// every problem at once with file:line:column and a hint.
//
// It validates a plan file on its own, with the TextFSM templates its
// checks name: LoadFile reads them (relative to the plan file) and the
// parsed check holds the template's text, which the digest covers; Parse
// reads no file. It does not read topologies, traffic or inventories,
// does not talk to devices and does not simulate: references to links,
// nodes and devices are checked against a topology by CheckReferences, the
// effects are applied to the network model by the dry-run (which also
// restores the exact state before a step that gives no rollback), and
// configuration and checks are carried out by the executor.
// plan.schema.json (see Schema) describes the YAML format for editors.
// Inverse builds the plan that undoes a plan that ran to the end, from
// the effects the dry-run says undo each step.
//
// The JSON form of the types (used by the digest) writes durations in
// seconds and window times in RFC 3339, UTC; it is not yet a documented
// format.
//
// plans is public API, for tools that read or write plans beside
// changegate (a generator, an editor's linter): it returns only its own
// types and those of the public packages diag (positions and
// diagnostics) and userfile (the scope a plan's files must be in). Until
// changegate's first tagged release it may still change, and the changes
// are listed in the commit log.
package plans
