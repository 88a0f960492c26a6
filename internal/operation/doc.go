// Package operation is where changegate's work on a plan starts, for
// every front end: the CLI today, a server later. It is the backend of
// Terraform's command/backend split: a command parses its flags, builds a
// request and renders what comes back through a View; the backend loads,
// checks, locks, journals and runs.
//
//   - Loader reads the inputs of a check: the plan with its topology,
//     traffic and runbook steps (Inputs), the inventory it runs with
//     (Inventory, PlanInventory), the policy set (Policies) and the
//     plan's approvals (Approvals). Loader.Check is the one check call of
//     check, approve, approvals, review and apply: everything loaded,
//     then the gate (package gate), bound to the digests of all of it.
//   - Backend.Run applies a plan: the gate again at stage apply, the
//     break-glass rule, the --checked match, the devices' locks, the
//     run's journal (the gate's verdict first), then the plan step by
//     step with automatic rollback (package apply); after an applied
//     run, the model of the network it left (model.go: the topology file
//     with the values the plan changed, beside the journal or, with
//     Request.UpdateTopology, over the file). Backend.Recover
//     finishes a run whose process died (or, with Resume, continues it);
//     Backend.BuildRevert builds the inverse of a run that succeeded,
//     which Run then applies like any plan. Before the first step, Run
//     reads the network and refuses a model it differs from in
//     forwarding, break-glass aside (drift.go).
//   - Discovery reads the network's topology from its devices (package
//     discover) for topology discover, and compares a model with it for
//     topology diff --live and check --live (CheckRequest.Live, shown to
//     the policies as input.drift).
//
// What a run touches comes in through small interfaces, so that a server
// can give its own: Locker (the devices' locks), Journals (the runs'
// journals), Devices (sessions to the devices) and View (what the run
// tells its caller as it goes). LockDir, JournalDir and SSH are the state
// directory's files (packages lock and journal) and scrapligo over SSH
// (package devices/session), which the CLI uses.
//
// Settings are what changegate.yaml says; the operation reads no
// configuration, environment or terminal of its own.
package operation
