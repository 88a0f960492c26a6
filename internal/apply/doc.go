// Package apply executes a change plan on the network, step by step: the
// pre-checks, then for each step the configuration on its devices (in
// waves with a canary when the step says so), the soak time, the step's
// health checks and the comparison of what the routers do with what the
// dry-run predicted; then the post-checks. When anything fails (a check, a
// device, a timeout, the operator's interrupt) it stops and rolls back
// every step it applied, in reverse order, checking the state it returns
// to, and reports what remains changed if a rollback itself fails.
//
// Every intent is written to the run's journal before the action it
// describes, and every result after, so that Recover can finish the
// rollback of a run whose process died at any point.
//
// This package owns the journal's records: record.go declares every
// record type (RecordConfigIntent, ...) and its one payload type
// (ConfigIntentData, ...), which writers encode with NewRecord and
// readers (ReadState, Recover, the CLI, tests) decode with DecodeData.
// The records package operation writes before the run (gate, override,
// revert) are declared there too, so that one file is the format on
// disk. They are
// not in internal/journal, a durable log that does not interpret what it
// stores, because the payloads are made of the executor's own types
// (Failure, Remaining, Change, Observation). A device's error is recorded
// with its class (ErrorClass: timeout, refused, ...), which tells a
// reader whether the change may have taken effect without parsing the
// error's text. A run's outcome is a journal.Status, the same word in
// the report, the run.end record and status.json.
//
// The executor does no I/O of its own: devices, the journal, locks and the
// observation of routes come in through small interfaces (Target, Journal,
// Observer); package operation wires the real ones (package devices/session over
// SSH, internal/journal, internal/lock, the model observer) around a run:
// the gate, the locks and the journal's creation are its job, not this
// package's.
package apply
