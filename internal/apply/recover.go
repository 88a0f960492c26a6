package apply

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/plans"
)

// Change is a device change a journal records, and how far it got.
type Change struct {
	Step     int      `json:"step"`
	Device   string   `json:"device"`
	Lines    []string `json:"lines"`
	Rollback []string `json:"rollback"`
	// State is intended (no result recorded: the process died while
	// sending, so some lines may have taken effect), applied, failed (the
	// device refused it; Applied lines took effect), rolled-back, or
	// not-applied.
	State   string `json:"state"`
	Applied int    `json:"applied"`
	// Pending is true when a confirmed commit was left unconfirmed: the
	// device reverts it by itself when its timer runs out.
	Pending   bool      `json:"pending,omitempty"`
	ConfirmBy time.Time `json:"confirm_by,omitzero"`
	Error     string    `json:"error,omitempty"`
	// Class is the kind of Error.
	Class ErrorClass `json:"class,omitempty"`
}

// Change states.
const (
	ChangeIntended   = "intended"
	ChangeApplied    = "applied"
	ChangeFailed     = "failed"
	ChangeRolledBack = "rolled-back"
	ChangeNone       = "not-applied"
)

// State is what a journal says about its run.
type State struct {
	// Ended is true when the run recorded its end (run.end), with Status.
	Ended  bool           `json:"ended"`
	Status journal.Status `json:"status,omitempty"`
	// Step is the last step started, Done the last one completed (its
	// checks passed, its commits confirmed); InFlight says what the run
	// was doing when the journal stops (its last record's type).
	Step     int    `json:"step"`
	Done     int    `json:"done"`
	InFlight string `json:"in_flight,omitempty"`
	// Changes are every device change, in the order intended.
	Changes []Change `json:"changes"`
}

// NeedsRollback returns the changes that may still be in place: applied,
// intended without a result, or refused after some lines took effect.
func (s *State) NeedsRollback() []Change {
	var out []Change
	for _, c := range s.Changes {
		switch {
		case c.State == ChangeApplied, c.State == ChangeIntended,
			c.State == ChangeFailed && c.Applied > 0:
			out = append(out, c)
		}
	}
	return out
}

// ReadState reads what records say happened.
func ReadState(records []journal.Record) (*State, error) {
	st := &State{}
	idx := map[[2]any]int{}
	key := func(r journal.Record) [2]any { return [2]any{r.Step, r.Device} }
	for _, r := range records {
		st.InFlight = r.Type
		switch r.Type {
		case RecordStepStart:
			st.Step = r.Step
		case RecordStepDone:
			st.Done = r.Step
		case RecordConfigIntent:
			var d ConfigIntentData
			if err := DecodeData(r, &d); err != nil {
				return nil, err
			}
			idx[key(r)] = len(st.Changes)
			st.Changes = append(st.Changes, Change{Step: r.Step, Device: r.Device, Lines: d.Lines, Rollback: d.Rollback, State: ChangeIntended})
		case RecordConfigResult:
			i, ok := idx[key(r)]
			if !ok {
				return nil, fmt.Errorf("journal record %d: a result for step %d on %s without its intent", r.Seq, r.Step, r.Device)
			}
			var d ConfigResultData
			if err := DecodeData(r, &d); err != nil {
				return nil, err
			}
			c := &st.Changes[i]
			c.Error, c.Class = d.Error, errorClassOf(d.Class, d.Error)
			if d.Result != nil {
				c.Applied = d.Result.Applied
				c.Pending = d.Result.PendingConfirm
				c.ConfirmBy = d.Result.ConfirmBy
			}
			switch {
			case d.Error == "" && d.Result != nil && d.Result.Committed:
				c.State = ChangeApplied
			case d.Error != "" && c.Applied == 0 && (d.Result == nil || !d.Result.Committed):
				c.State = ChangeNone
				if d.Result == nil || len(d.Result.Outputs) == 0 || c.Class.Uncertain() {
					c.State = ChangeIntended // no answer: it may have taken effect
				}
			default:
				c.State = ChangeFailed
			}
		case RecordConfirmResult:
			if i, ok := idx[key(r)]; ok {
				var d ConfirmResultData
				if err := DecodeData(r, &d); err != nil {
					return nil, err
				}
				if d.Error == "" {
					st.Changes[i].Pending = false
				}
			}
		case RecordRollbackResult:
			if i, ok := idx[key(r)]; ok {
				var d RollbackResultData
				if err := DecodeData(r, &d); err != nil {
					return nil, err
				}
				if d.Error == "" {
					st.Changes[i].State = ChangeRolledBack
				}
			}
		case RecordRunEnd:
			var d RunEndData
			if err := DecodeData(r, &d); err != nil {
				return nil, err
			}
			st.Ended, st.Status = true, d.Status
		}
	}
	return st, nil
}

// Recover rolls back what a run whose process died left changed, from
// its journal records, appending its own records to opts.Journal (the
// same run's journal). plan is the run's plan, for the checks of the
// states returned to; nil rolls back without checking. Changes are
// undone in the reverse of the order they were intended.
func Recover(ctx context.Context, plan *plans.Plan, records []journal.Record, opts Options) (*Report, error) {
	st, err := ReadState(records)
	if err != nil {
		return nil, err
	}
	if opts.RollbackTimeout <= 0 {
		opts.RollbackTimeout = 10 * time.Minute
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 20
	}
	e := &executor{plan: plan, opts: opts, start: time.Now(), checks: map[*plans.Check]*health.Check{}}
	file := ""
	if plan != nil {
		file = plan.File
		if err := e.compile(); err != nil {
			return nil, err
		}
	}
	e.rep = &Report{Run: opts.Run, Plan: file, Started: e.start, Recovery: true, Reason: fmt.Sprintf("recovering run %s (it stopped during %s of step %d)", opts.Run, st.InFlight, st.Step)}
	upTo := 0
	for _, c := range st.NeedsRollback() {
		ch := &change{step: c.Step, device: c.Device, lines: c.Lines, rollback: c.Rollback, pending: c.Pending}
		if c.State != ChangeIntended {
			ch.result = &session.ConfigResult{Applied: c.Applied, Committed: c.State == ChangeApplied}
		}
		e.changes = append(e.changes, ch)
		upTo = max(upTo, c.Step)
	}
	sort.SliceStable(e.changes, func(i, j int) bool { return e.changes[i].step < e.changes[j].step })
	e.record(st.Step, "", RecoverStartData{InFlight: st.InFlight, Changes: st.NeedsRollback()})
	e.emit(Event{Kind: EventRecoverStart, Step: st.Step, Status: StatusRunning, Message: fmt.Sprintf("%d changes to roll back", len(e.changes))})
	if len(e.changes) == 0 {
		e.rep.Status = journal.RolledBack
		e.rep.Reason = "nothing to roll back: no change of the run is in place"
	} else {
		e.rollback(ctx, upTo)
	}
	return e.finish(), e.journalErr()
}

// Resume continues a run whose process died, from its journal, instead of
// rolling it back: the changes of the step in flight are rolled back (the
// step is run again whole), the state after the last completed step is
// checked (its checks, the routers against the model), and the run goes
// on from the next step as apply does, rolling everything back (the
// earlier steps too) if anything fails. plan must be the run's plan; the
// caller checks that it is the same (digest) and that the gate still
// allows it.
func Resume(ctx context.Context, plan *plans.Plan, records []journal.Record, opts Options) (*Report, error) {
	st, err := ReadState(records)
	if err != nil {
		return nil, err
	}
	if st.Ended {
		return nil, fmt.Errorf("the run ended (%s): there is nothing to resume", st.Status)
	}
	if st.Done > len(plan.Steps) {
		return nil, fmt.Errorf("the journal has step %d done but the plan has %d steps: not the run's plan", st.Done, len(plan.Steps))
	}
	e, ok := newExecutor(plan, opts)
	if !ok {
		return e.finish(), nil
	}
	e.rep.Resumed = true
	var inflight []*change
	for _, c := range st.NeedsRollback() {
		ch := &change{step: c.Step, device: c.Device, lines: c.Lines, rollback: c.Rollback, pending: c.Pending}
		if c.State != ChangeIntended {
			ch.result = &session.ConfigResult{Applied: c.Applied, Committed: c.State == ChangeApplied}
		}
		if c.Step <= st.Done {
			e.changes = append(e.changes, ch)
		} else {
			inflight = append(inflight, ch)
		}
	}
	for k := 1; k <= st.Done; k++ {
		e.rep.Steps[k-1].Status = StatusOK
	}
	e.record(st.Step, "", ResumeStartData{Done: st.Done, InFlight: st.InFlight, Undo: len(inflight)})
	e.emit(Event{Kind: EventResumeStart, Step: st.Done + 1, Status: StatusRunning, Message: fmt.Sprintf("steps 1-%d done; rolling back %d changes of step %d, then going on from it", st.Done, len(inflight), st.Done+1)})
	for i := len(inflight) - 1; i >= 0; i-- {
		rr := e.undo(ctx, inflight[i])
		e.rep.Undone = append(e.rep.Undone, rr)
		if rr.Error != "" {
			e.fail(Failure{Step: inflight[i].step, Phase: PhaseRollback, Device: inflight[i].device, Reason: "undoing the step in flight: " + rr.Error})
			e.rep.Remaining = append(e.rep.Remaining, Remaining{Step: inflight[i].step, Device: inflight[i].device, Lines: inflight[i].lines, Why: rr.Error})
			e.changes = append(e.changes, inflight[i])
			e.rollback(ctx, st.Step)
			return e.finish(), e.journalErr()
		}
	}
	if !e.checkReturnedTo(ctx, st.Done, inflight) {
		e.rollback(ctx, st.Done)
		return e.finish(), e.journalErr()
	}
	return e.from(ctx, st.Done+1)
}
