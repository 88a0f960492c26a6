package apply

import "time"

// Event is one thing the executor did or found, for progress views.
// Events are also what --format json streams.
type Event struct {
	Time time.Time `json:"time"`
	// Kind is what happened: one of the Event* kinds.
	Kind string `json:"kind"`
	// Step is the step (1-based; 0 for the run's own phases), Steps how
	// many the plan has.
	Step  int `json:"step,omitempty"`
	Steps int `json:"steps,omitempty"`
	// Phase is pre, step, post or rollback for checks.
	Phase  string `json:"phase,omitempty"`
	Device string `json:"device,omitempty"`
	// Name is the step's or check's name.
	Name string `json:"name,omitempty"`
	// Status is running, ok, failed or skipped.
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	// Elapsed is the time since the run started.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Kinds of events (Event.Kind), as --format json streams them.
const (
	EventRunStart       = "run.start"
	EventRecoverStart   = "recover.start"
	EventResumeStart    = "resume.start"
	EventCheck          = "check"
	EventStepStart      = "step.start"
	EventStepWave       = "step.wave"
	EventConfig         = "config"
	EventSoak           = "soak"
	EventObserve        = "observe"
	EventStepDone       = "step.done"
	EventRollbackStart  = "rollback.start"
	EventRollbackConfig = "rollback.config"
	EventRollbackDone   = "rollback.done"
	EventRunEnd         = "run.end"
)

// Statuses of events.
const (
	StatusRunning = "running"
	StatusOK      = "ok"
	StatusFailed  = "failed"
	StatusSkipped = "skipped"
)

// Sink receives events, in order, from one goroutine at a time.
type Sink func(Event)
