package apply

import (
	"time"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/journal"
)

// Report is what a run did, for the operator and the journal.
type Report struct {
	Run  string `json:"run"`
	Plan string `json:"plan"`
	// Status is how the run ended: journal.Succeeded, NotStarted (refused
	// or failed before any device was changed), RolledBack or
	// RollbackFailed (Remaining says what is still changed where).
	Status journal.Status `json:"status"`
	// Reason says why the run did not succeed.
	Reason string `json:"reason,omitempty"`
	// Failure is the first thing that failed.
	Failure *Failure `json:"failure,omitempty"`
	// PreChecks and PostChecks are the plan's checks' results.
	PreChecks []health.Result `json:"pre_checks,omitempty"`
	// Observed is the routers compared with the model before the first
	// step.
	Observed   []Observation   `json:"observed,omitempty"`
	PostChecks []health.Result `json:"post_checks,omitempty"`
	Steps      []StepReport    `json:"steps"`
	// Rollback is what the rollback did, in the order it did it, and
	// RollbackChecks the checks of the states it returned to.
	Rollback       []RollbackReport `json:"rollback,omitempty"`
	RollbackChecks []health.Result  `json:"rollback_checks,omitempty"`
	// Undone is what a resumed run undid of the step in flight before it
	// ran that step again: not a rollback of the run.
	Undone []RollbackReport `json:"undone,omitempty"`
	// Remaining lists every change still in place after a failed run
	// (a rollback that failed, or had nothing to send).
	Remaining []Remaining `json:"remaining,omitempty"`
	Started   time.Time   `json:"started"`
	Took      float64     `json:"took_seconds"`
	// Recovery is true for the report of Recover, Resumed for Resume.
	Recovery bool `json:"recovery,omitempty"`
	Resumed  bool `json:"resumed,omitempty"`
}

// RunStatus is the status the run's status.json takes once the run ends
// with this report: its Status, except that a recovery that rolled back
// everything is journal.Recovered.
func (r *Report) RunStatus() journal.Status {
	if r.Recovery && r.Status == journal.RolledBack {
		return journal.Recovered
	}
	return r.Status
}

// StepReport is what happened to one step.
type StepReport struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	// Status is ok, failed or skipped (not reached).
	Status  string         `json:"status"`
	Devices []DeviceReport `json:"devices,omitempty"`
	// Tolerated are the devices that failed within the wave's budget
	// (rolled back at once and left out of the rest of the step), with
	// why when known.
	Tolerated []string        `json:"tolerated,omitempty"`
	Checks    []health.Result `json:"checks,omitempty"`
	// Observed is the comparison of the routers with the model after the
	// step.
	Observed []Observation `json:"observed,omitempty"`
	Took     float64       `json:"took_seconds"`
}

// DeviceReport is the configuration of one device in a step.
type DeviceReport struct {
	Device string `json:"device"`
	// Wave is the batch the device was in (0 canary, or 1, 2, ...; 0
	// also when the step has no waves).
	Wave   int                   `json:"wave"`
	Config *session.ConfigResult `json:"config,omitempty"`
	Error  string                `json:"error,omitempty"`
	// Confirmed is true once a confirmed commit was confirmed.
	Confirmed bool `json:"confirmed,omitempty"`
}

// Failure is what made the run stop.
type Failure struct {
	Step   int    `json:"step,omitempty"`
	Phase  string `json:"phase"`
	Device string `json:"device,omitempty"`
	Check  string `json:"check,omitempty"`
	Reason string `json:"reason"`
	// Output is what the device answered, when that is why.
	Output string `json:"output,omitempty"`
}

// RollbackReport is the rollback of one device's change in one step.
type RollbackReport struct {
	Step   int    `json:"step"`
	Device string `json:"device"`
	// Lines are the rollback configuration sent (none when the step's
	// change did not reach the device).
	Lines  []string              `json:"lines,omitempty"`
	Config *session.ConfigResult `json:"config,omitempty"`
	Error  string                `json:"error,omitempty"`
	// Skipped says why nothing was sent.
	Skipped string `json:"skipped,omitempty"`
}

// Remaining is a change still in place on a device after a failed run.
type Remaining struct {
	Step   int      `json:"step"`
	Device string   `json:"device"`
	Lines  []string `json:"lines"`
	Why    string   `json:"why"`
}

// Observation is the comparison of one device's forwarding with the
// model's prediction for a state.
type Observation struct {
	Device string `json:"device"`
	// Passed is true when the differences are within tolerance.
	Passed bool `json:"passed"`
	// Explanation says what differs ("p1 -> p4: predicted via p2, p5;
	// observed via p3"), or that nothing does.
	Explanation string `json:"explanation"`
	Error       string `json:"error,omitempty"`
	// Source says where the router's forwarding was read: "kernel" or
	// "routing daemon" (observe.SourceKernel, observe.SourceDaemon).
	Source string `json:"source,omitempty"`
	// Skipped says why the router was not compared (a comparison of the
	// whole network, with a node the inventory cannot reach); Passed is
	// then true.
	Skipped string `json:"skipped,omitempty"`
}
