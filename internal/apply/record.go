package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/policy"
)

// The types of the records of a run's journal, roughly in the order a
// run writes them. Each has one payload type (its Data, below), which the
// writer encodes with NewRecord and readers decode with DecodeData.
// These strings and the payloads' JSON field names are the journal's
// format on disk, which every later version must read: add fields and
// types, never rename one.
const (
	// Written by the caller before the executor starts.
	RecordOverride = "override" // OverrideData: break-glass ran a denied plan
	RecordRevert   = "revert"   // RevertData: the run undoes an earlier run
	RecordGate     = "gate"     // GateData: the gate's verdict at apply

	RecordRunStart       = "run.start"       // RunStartData
	RecordCheckResult    = "check.result"    // CheckResultData: one health check on one device
	RecordObserveResult  = "observe.result"  // ObserveResultData: the routers against the model
	RecordObserveSkipped = "observe.skipped" // ObserveSkippedData
	RecordStepStart      = "step.start"      // StepStartData
	RecordConfigIntent   = "config.intent"   // ConfigIntentData: before configuring a device
	RecordConfigResult   = "config.result"   // ConfigResultData
	RecordSoak           = "soak"            // SoakData
	RecordConfirmIntent  = "confirm.intent"  // ConfirmIntentData: before confirming a commit
	RecordConfirmResult  = "confirm.result"  // ConfirmResultData
	RecordStepDone       = "step.done"       // StepDoneData: the step's checks passed, its commits confirmed

	RecordRollbackStart     = "rollback.start"     // RollbackStartData
	RecordRollbackSkipped   = "rollback.skipped"   // RollbackSkippedData: a change with nothing to send
	RecordRollbackIntent    = "rollback.intent"    // RollbackIntentData: before sending a rollback
	RecordRollbackResult    = "rollback.result"    // RollbackResultData
	RecordRollbackUnchecked = "rollback.unchecked" // RollbackUncheckedData: a state returned to without checks
	RecordRollbackDone      = "rollback.done"      // RollbackDoneData

	RecordRecoverStart = "recover.start" // RecoverStartData: Recover takes over a dead run
	RecordResumeStart  = "resume.start"  // ResumeStartData: Resume continues a dead run
	RecordRunEnd       = "run.end"       // RunEndData: the run's outcome
)

// Data is the payload of one type of journal record.
type Data interface {
	// RecordType is the type of the records that carry it.
	RecordType() string
}

// NewRecord makes the journal record of d, at step and on device (0 and
// "" for the run's own records); the journal numbers and times it. A
// payload that cannot be encoded is recorded as {"unmarshalable":
// "why"}, so that the record, and the fact that something happened, is
// still written.
func NewRecord(step int, device string, d Data) journal.Record {
	raw, err := json.Marshal(d)
	if err != nil {
		raw, _ = json.Marshal(map[string]string{"unmarshalable": err.Error()})
	}
	return journal.Record{Type: d.RecordType(), Step: step, Device: device, Data: raw}
}

// DecodeData reads the payload of r into d, a pointer to the payload type
// of r's type. A record without a payload leaves d as it is.
func DecodeData(r journal.Record, d Data) error {
	if r.Type != d.RecordType() {
		return fmt.Errorf("journal record %d is %s, not %s", r.Seq, r.Type, d.RecordType())
	}
	if len(r.Data) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Data, d); err != nil {
		return fmt.Errorf("journal record %d (%s): %w", r.Seq, r.Type, err)
	}
	return nil
}

// OverrideData is the break-glass override of a denied plan.
type OverrideData struct {
	Reason string `json:"reason"`
	User   string `json:"user"`
	// Denials are the gate's results that the override set aside.
	Denials []policy.Result `json:"denials"`
}

// RevertData says which run the run undoes, and from what: the run's
// plan, the inverse plan built from it and the model of the network the
// run left, which the inverse was checked from.
type RevertData struct {
	Of                  string `json:"of"`
	Plan                string `json:"plan"`
	PlanDigest          string `json:"plan_digest"`
	Inverse             string `json:"inverse"`
	TopologyAfter       string `json:"topology_after"`
	TopologyAfterDigest string `json:"topology_after_digest"`
}

// GateData is the gate's verdict at apply, over the digests it bound.
type GateData struct {
	Allowed bool            `json:"allowed"`
	Digests GateDigests     `json:"digests"`
	Results []policy.Result `json:"results"`
}

// GateDigests are the digests of a gate record. They are keyed by field
// name ("Plan"), as the record has always written them, unlike the
// digest.Set of approvals and meta.json ("plan").
type GateDigests struct{ Plan, Topology, Traffic, Policy, Inventory string }

// RunStartData is the plan a run starts.
type RunStartData struct {
	Plan    string   `json:"plan"`
	Title   string   `json:"title"`
	Steps   int      `json:"steps"`
	Devices []string `json:"devices"`
}

// CheckResultData is one health check's result on one device; Phase is
// PhasePre, PhaseStep, PhasePost or PhaseRollback.
type CheckResultData struct {
	Phase  string        `json:"phase"`
	Result health.Result `json:"result"`
}

// ObserveResultData is the routers compared with the model's state State
// (0 the baseline, k after step k).
type ObserveResultData struct {
	State int `json:"state"`
	// Scope is ScopeNetwork (every router the observer can read: at the
	// baseline, after the last step, after a rollback to the baseline)
	// or ScopeDevices (a step's routers and those whose predicted
	// forwarding it changes).
	Scope string `json:"scope,omitempty"`
	// Read are the routers compared; NotRead those of the network that
	// could not be (their Observation says why).
	Read         []string      `json:"read,omitempty"`
	NotRead      []string      `json:"not_read,omitempty"`
	Observations []Observation `json:"observations"`
	Error        string        `json:"error,omitempty"`
}

// ObserveSkippedData says why the routers were not compared.
type ObserveSkippedData struct {
	Reason string `json:"reason"`
}

// StepStartData is the step a run starts.
type StepStartData struct {
	Name    string   `json:"name"`
	Devices []string `json:"devices"`
}

// ConfigIntentData is a step's configuration of one device, written
// before it is sent: what a rollback must undo if no result follows.
type ConfigIntentData struct {
	Lines    []string `json:"lines"`
	Rollback []string `json:"rollback"`
	// ConfirmWithinSeconds is the confirmed commit's window (0: none).
	ConfirmWithinSeconds float64            `json:"confirm_within_seconds"`
	Guarantees           session.Guarantees `json:"guarantees"`
}

// ConfigResultData is what configuring a device returned.
type ConfigResultData struct {
	Result *session.ConfigResult `json:"result"`
	Error  string                `json:"error,omitempty"`
	// Class is the kind of Error; journals written before it was
	// recorded have none, and the reader then takes it from Error's text.
	Class ErrorClass `json:"class,omitempty"`
}

// SoakData is the soak time a step waits.
type SoakData struct {
	Seconds float64 `json:"seconds"`
}

// ConfirmIntentData is written before a pending confirmed commit is
// confirmed: For is "rollback" when it is confirmed so that its rollback
// can be sent on top of it, empty at the end of its step.
type ConfirmIntentData struct {
	For string `json:"for,omitempty"`
}

// ConfirmResultData is what confirming a commit returned.
type ConfirmResultData struct {
	Outputs []*session.Output `json:"outputs,omitempty"`
	Error   string            `json:"error,omitempty"`
	Class   ErrorClass        `json:"class,omitempty"`
}

// StepDoneData is a step completed.
type StepDoneData struct {
	TookSeconds float64 `json:"took_seconds"`
}

// RollbackStartData is a rollback starting: why, and how many device
// changes it has to undo.
type RollbackStartData struct {
	Reason  string `json:"reason"`
	Changes int    `json:"changes"`
}

// RollbackSkippedData says why nothing was sent to undo a change.
type RollbackSkippedData struct {
	Reason string `json:"reason"`
}

// RollbackIntentData is the rollback configuration of one device's
// change, written before it is sent.
type RollbackIntentData struct {
	Lines []string `json:"lines"`
}

// RollbackResultData is what sending a rollback configuration returned.
type RollbackResultData struct {
	Result *session.ConfigResult `json:"result"`
	Error  string                `json:"error,omitempty"`
	Class  ErrorClass            `json:"class,omitempty"`
}

// RollbackUncheckedData says why the state a rollback returned to was
// not checked.
type RollbackUncheckedData struct {
	Reason string `json:"reason"`
}

// RollbackDoneData is a rollback's outcome: journal.RolledBack, or
// journal.RollbackFailed with what remains changed.
type RollbackDoneData struct {
	Status    journal.Status `json:"status"`
	Remaining []Remaining    `json:"remaining"`
}

// RecoverStartData is Recover taking over a dead run: what the run was
// doing when it stopped (its last record's type) and the changes that may
// still be in place.
type RecoverStartData struct {
	InFlight string   `json:"in_flight"`
	Changes  []Change `json:"changes"`
}

// ResumeStartData is Resume continuing a dead run: its last completed
// step, what it was doing when it stopped, and how many changes of the
// step in flight are undone first.
type ResumeStartData struct {
	Done     int    `json:"done"`
	InFlight string `json:"in_flight"`
	Undo     int    `json:"undo"`
}

// RunEndData is the run's outcome, the last record of a run that ended.
type RunEndData struct {
	Status    journal.Status `json:"status"`
	Reason    string         `json:"reason"`
	Remaining []Remaining    `json:"remaining"`
	Failure   *Failure       `json:"failure,omitempty"`
	// Model is the digest (topology.Network.TopologyDigest) of the model
	// of the network a run that succeeded left: the dry-run's state after
	// its last step, which apply writes (docs/apply.md). Empty for a run
	// that did not succeed, and in journals written before it was
	// recorded.
	Model string `json:"model,omitempty"`
}

// RecordType implements Data.
func (OverrideData) RecordType() string          { return RecordOverride }
func (RevertData) RecordType() string            { return RecordRevert }
func (GateData) RecordType() string              { return RecordGate }
func (RunStartData) RecordType() string          { return RecordRunStart }
func (CheckResultData) RecordType() string       { return RecordCheckResult }
func (ObserveResultData) RecordType() string     { return RecordObserveResult }
func (ObserveSkippedData) RecordType() string    { return RecordObserveSkipped }
func (StepStartData) RecordType() string         { return RecordStepStart }
func (ConfigIntentData) RecordType() string      { return RecordConfigIntent }
func (ConfigResultData) RecordType() string      { return RecordConfigResult }
func (SoakData) RecordType() string              { return RecordSoak }
func (ConfirmIntentData) RecordType() string     { return RecordConfirmIntent }
func (ConfirmResultData) RecordType() string     { return RecordConfirmResult }
func (StepDoneData) RecordType() string          { return RecordStepDone }
func (RollbackStartData) RecordType() string     { return RecordRollbackStart }
func (RollbackSkippedData) RecordType() string   { return RecordRollbackSkipped }
func (RollbackIntentData) RecordType() string    { return RecordRollbackIntent }
func (RollbackResultData) RecordType() string    { return RecordRollbackResult }
func (RollbackUncheckedData) RecordType() string { return RecordRollbackUnchecked }
func (RollbackDoneData) RecordType() string      { return RecordRollbackDone }
func (RecoverStartData) RecordType() string      { return RecordRecoverStart }
func (ResumeStartData) RecordType() string       { return RecordResumeStart }
func (RunEndData) RecordType() string            { return RecordRunEnd }

// ErrorClass is the kind of a device's error, recorded beside its text
// (ConfigResultData.Class) so that a reader of the journal does not parse
// the text.
type ErrorClass string

// The classes of errors.
const (
	// ClassTimeout: no answer in time (session.ErrTimeout).
	ClassTimeout ErrorClass = "timeout"
	// ClassConnectionLost: the connection ended while a command ran
	// (session.ErrConnectionLost).
	ClassConnectionLost ErrorClass = "connection-lost"
	// ClassClosed: the session was closed or broken before
	// (session.ErrClosed).
	ClassClosed ErrorClass = "closed"
	// ClassRefused: the device answered with one of its platform's
	// failure strings (session.ErrCommandFailed).
	ClassRefused ErrorClass = "refused"
	// ClassInterrupted: the run's context ended (Ctrl-C, a deadline).
	ClassInterrupted ErrorClass = "interrupted"
	// ClassOther: anything else (cannot connect, authentication, a
	// commit the device has pending, ...).
	ClassOther ErrorClass = "other"
)

// Uncertain reports whether an error of class c leaves it unknown what
// reached the device: the line in flight may have taken effect.
func (c ErrorClass) Uncertain() bool {
	return c == ClassTimeout || c == ClassConnectionLost || c == ClassClosed
}

// classify returns the class of err; "" for nil.
func classify(err error) ErrorClass {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, session.ErrClosed):
		return ClassClosed
	case errors.Is(err, session.ErrTimeout):
		return ClassTimeout
	case errors.Is(err, session.ErrConnectionLost):
		return ClassConnectionLost
	case errors.Is(err, session.ErrCommandFailed):
		return ClassRefused
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return ClassInterrupted
	}
	return ClassOther
}

// errorClassOf returns the class of a recorded error: class, or, for a
// record written before classes were recorded, the class its text names
// (the wording of devices' errors), else ClassOther. "" for no error.
func errorClassOf(class ErrorClass, msg string) ErrorClass {
	switch {
	case msg == "":
		return ""
	case class != "":
		return class
	}
	for _, c := range []struct {
		err   error
		class ErrorClass
	}{
		{session.ErrClosed, ClassClosed},
		{session.ErrTimeout, ClassTimeout},
		{session.ErrConnectionLost, ClassConnectionLost},
		{session.ErrCommandFailed, ClassRefused},
	} {
		if strings.Contains(msg, c.err.Error()) {
			return c.class
		}
	}
	return ClassOther
}

// Keys of a run's journal meta beyond the plan (journal.Meta.Extra),
// written by package operation and read by recover, revert and runs.
const (
	MetaInventory      = "inventory"        // the inventory's files, comma-separated
	MetaVerdict        = "verdict"          // the gate's verdict at apply: allowed or denied
	MetaBreakGlass     = "break_glass"      // the break-glass reason, when glass was broken
	MetaBreakGlassUser = "break_glass_user" // who broke it
	MetaRevertOf       = "revert_of"        // the run a revert undoes
	MetaRevertPlan     = "revert_plan"      // that run's plan file
)
