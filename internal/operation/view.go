package operation

import (
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/plans"
)

// View is told what an operation does while it runs, in order: the CLI
// prints it (text or JSON), a server would stream it. What an operation
// ends with (the report, a refusal) is its return value instead.
type View interface {
	// Checked is the gate's verdict at apply or resume, before it is
	// enforced and before anything is touched.
	Checked(c *Checked, o *policy.Override)
	// Started says that the run exists (its id and journal), with its
	// devices locked and nothing changed yet.
	Started(s Started)
	// Recovering is the state of a run recover or resume is asked to
	// finish, as its journal tells it.
	Recovering(run *journal.Run, st *apply.State)
	// Notice is a sentence about what the operation does or does not do
	// ("the routers will not be compared with the model: ...").
	Notice(msg string)
	// Event is the run's progress.
	Event(ev apply.Event)
}

// Started is a run that has begun.
type Started struct {
	Run     string
	Plan    *plans.Plan
	Journal string
}
