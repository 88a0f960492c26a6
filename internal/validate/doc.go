// Package validate finds changegate's files under some paths (plans,
// topologies, runbooks, Rego policies) and checks each one the way CI
// should: plans parse, their health checks compile, their runbook steps
// expand, they name what exists in their topology and dry-run (steady
// state only, no N-1); topologies parse and validate; runbook examples
// render for every platform, with health checks that compile, and
// dry-run; policies compile with the built-in library and their Rego
// tests pass. The device inventory the configuration names is checked
// too, read by a loader the caller gives (Options.Inventory): this
// package does not tell inventory formats apart. The path "-" is a plan
// the caller read from standard input (Options.Stdin).
//
// Every problem becomes a finding.Finding at the file, line and column it
// is about, in one finding.Case per file, so that any of the CI formats of
// internal/finding can carry it. Each topology is loaded and compiled for
// simulation once, however many plans and runbook examples use it, and
// files are checked concurrently.
//
// It is not the gate: policies are not evaluated over plans and there is
// no N-1 analysis; that is changegate check. docs/validate.md describes it
// for users.
package validate
