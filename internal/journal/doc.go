// Package journal is the append-only, crash-safe log of an apply run.
//
// Each run has a directory <state>/runs/<run-id>/ holding:
//
//	meta.json      what the run is: plan file and title, input digests,
//	               the policy set it was checked against, user, host,
//	               pid, start time, free-form extras; written once by
//	               Create
//	status.json    {"status": "running"|"succeeded"|"not-started"|
//	               "rolled-back"|"rollback-failed"|"recovered",
//	               "time": ...}; replaced by SetStatus ("failed", written
//	               before for rollback-failed, is still read)
//	journal.jsonl  one Record per line, appended by Append and AppendResult
//
// The executor appends a record before each action (its intent) and one
// after (its result). Each record is a whole line written in one write.
// Append fsyncs the file before it returns, so a record Append has
// returned for survives the process being killed at any moment; intents
// go through Append. AppendResult, for a result no action depends on,
// does not wait for the disk: the next Append, SetStatus or Close makes
// it durable with everything before it, and a crash may lose it (recovery
// then takes the action as possibly done). meta.json and status.json are
// replaced atomically (temporary file, fsync, rename, fsync of the
// directory), and every directory entry the package creates is fsynced.
// If the process dies in the middle of a write, the file ends with a torn
// line: Read returns it in Run.Torn, beside the records before it, and
// does not fail; Open, which reopens a run to recover it, cuts it off so
// that new records follow the last complete one. A bad line anywhere else
// is an error naming file:line.
//
// A Journal holds an exclusive flock on journal.jsonl while it is open.
// The kernel drops it when the process exits however it exits, so List
// and Read tell a live run from an abandoned one (Summary.Live,
// Summary.Abandoned) without trusting pids, and Open refuses a journal
// that another process is still writing.
//
// No file of a run is opened through a symbolic link, nor unless it is a
// regular file (internal/durable): a link planted in place of journal.jsonl,
// meta.json or status.json, or of the run's directory, is refused with an
// error naming it, and its target is never read or written. A run whose
// journal.jsonl is missing says so (Summary.JournalMissing) instead of
// looking like a run that did nothing.
//
// Status is the one vocabulary of a run's outcome: the executor's report
// and the CLI use it as status.json does. It lives here, the lowest
// package that needs it, because the journal itself must tell a running
// run from a finished one (Summary.Abandoned) and refuses a status.json
// it does not understand.
//
// Audit appends to <state>/audit.log, one JSON line per event of what
// changes devices outside a run (device run --allow-write), synced
// before it returns.
//
// The package does not interpret record types or payloads, redact
// anything, replay runs or lock devices: internal/apply declares every
// record type and its payload and replays a run's records to recover it,
// the callers redact payloads before appending, and internal/lock holds
// the device locks. It works on local, POSIX file systems (flock, fsync
// of directories).
package journal
