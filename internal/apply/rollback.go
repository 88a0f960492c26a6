package apply

import (
	"context"
	"fmt"
	"slices"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/journal"
)

// rollback undoes every change of steps 1..upTo in reverse order (the
// failed step's partial changes included). After undoing a step it checks
// the state it returns to: the checks of the step before (the
// pre-checks for the baseline) and the routers against the model. It runs
// on a context of its own, so an interrupt that stopped the run does not
// stop its rollback (bounded by Options.RollbackTimeout).
func (e *executor) rollback(ctx context.Context, upTo int) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.opts.RollbackTimeout)
	defer cancel()
	e.mu.Lock()
	changes := append([]*change(nil), e.changes...)
	e.mu.Unlock()
	reason := e.rep.Reason
	e.record(upTo, "", RollbackStartData{Reason: reason, Changes: len(changes)})
	e.emit(Event{Kind: EventRollbackStart, Step: upTo, Status: StatusRunning, Message: fmt.Sprintf("rolling back %d device changes: %s", len(changes), reason)})
	failed := false
	for k := upTo; k >= 1; k-- {
		var undone bool
		for i := len(changes) - 1; i >= 0; i-- {
			c := changes[i]
			if c.step != k || c.undone {
				continue
			}
			rr := e.undo(rctx, c)
			e.rep.Rollback = append(e.rep.Rollback, rr)
			if rr.Error != "" || (rr.Skipped != "" && rr.Lines == nil && needsUndo(c)) {
				failed = true
				why := rr.Error
				if why == "" {
					why = rr.Skipped
				}
				e.rep.Remaining = append(e.rep.Remaining, Remaining{Step: k, Device: c.device, Lines: c.lines, Why: why})
			}
			if rr.Skipped == "" {
				undone = true
			}
		}
		if !undone {
			continue
		}
		// Check the state returned to.
		if !e.checkReturnedTo(rctx, k-1, changes) {
			failed = true
		}
	}
	if failed {
		e.rep.Status = journal.RollbackFailed
	} else {
		e.rep.Status = journal.RolledBack
	}
	st := StatusOK
	msg := "every change rolled back; the state returned to passed its checks"
	if failed {
		st = StatusFailed
		msg = fmt.Sprintf("ROLLBACK INCOMPLETE: %d changes remain", len(e.rep.Remaining))
		if len(e.rep.Remaining) == 0 {
			msg = "ROLLBACK INCOMPLETE: the changes were undone but the state returned to failed its checks"
		}
	}
	e.record(0, "", RollbackDoneData{Status: e.rep.Status, Remaining: e.rep.Remaining})
	e.emit(Event{Kind: EventRollbackDone, Status: st, Message: msg})
}

// needsUndo reports whether c may have changed its device.
func needsUndo(c *change) bool {
	if c.result == nil {
		return true // no answer: it may have
	}
	if classify(c.err).Uncertain() {
		return true // the line in flight may have taken effect
	}
	return c.result.Applied > 0 || c.result.Committed
}

// undo rolls back one device's change.
func (e *executor) undo(ctx context.Context, c *change) RollbackReport {
	rr := RollbackReport{Step: c.step, Device: c.device}
	if !needsUndo(c) {
		rr.Skipped = "the change did not take effect: " + errString(c.err)
		e.record(c.step, c.device, RollbackSkippedData{Reason: rr.Skipped})
		e.emit(Event{Kind: EventRollbackConfig, Step: c.step, Device: c.device, Status: StatusSkipped, Message: rr.Skipped})
		return rr
	}
	if len(c.rollback) == 0 {
		rr.Skipped = "the step has no rollback_config: the change stays"
		e.record(c.step, c.device, RollbackSkippedData{Reason: rr.Skipped})
		e.emit(Event{Kind: EventRollbackConfig, Step: c.step, Device: c.device, Status: StatusFailed, Message: rr.Skipped})
		return rr
	}
	// A confirmed commit still pending is confirmed first, so that the
	// rollback configuration applies on top of it; if changegate dies
	// before, the device reverts by itself when the timer runs out.
	if c.pending {
		e.record(c.step, c.device, ConfirmIntentData{For: "rollback"})
		_, err := e.opts.Target.Confirm(ctx, c.device)
		e.record(c.step, c.device, ConfirmResultData{Error: errString(err), Class: classify(err)})
		if err != nil {
			rr.Error = "confirming the pending commit before rolling it back: " + err.Error() + " (the device reverts it by itself when its timer runs out)"
			return rr
		}
		c.pending = false
	}
	rr.Lines = c.rollback
	if !e.record(c.step, c.device, RollbackIntentData{Lines: c.rollback}) {
		rr.Error = e.journalErr().Error()
		return rr
	}
	e.emit(Event{Kind: EventRollbackConfig, Step: c.step, Device: c.device, Status: StatusRunning, Message: fmt.Sprintf("%d lines", len(c.rollback))})
	res, err := e.opts.Target.Configure(ctx, c.device, c.rollback, session.ConfigOptions{})
	rr.Config = res
	rr.Error = errString(err)
	e.record(c.step, c.device, RollbackResultData{Result: res, Error: rr.Error, Class: classify(err)})
	st, msg := StatusOK, "rolled back"
	if err != nil {
		st, msg = StatusFailed, err.Error()
	}
	e.emit(Event{Kind: EventRollbackConfig, Step: c.step, Device: c.device, Status: st, Message: msg})
	return rr
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// checkReturnedTo checks state k after its successor was rolled back: the
// checks of step k (the pre-checks for the baseline) and the routers of
// the undone step against the model. Without the plan (a recovery whose
// plan changed) there is nothing to check against.
func (e *executor) checkReturnedTo(ctx context.Context, k int, changes []*change) bool {
	if e.plan == nil || k > len(e.plan.Steps) {
		e.record(k, "", RollbackUncheckedData{Reason: "the plan is not available"})
		return true
	}
	var cs []deviceCheck
	if k == 0 {
		cs = checksOn(e.plan.PreChecks, nil)
	} else {
		ps := &e.plan.Steps[k-1]
		cs = checksOn(ps.Checks, ps.Devices)
	}
	for _, c := range cs {
		if e.checks[c.spec] == nil {
			return true // not compiled: a recovery without the plan's checks
		}
	}
	res, ok := e.runChecks(ctx, PhaseRollback, k, cs)
	e.rep.RollbackChecks = append(e.rep.RollbackChecks, res...)
	// Back at the baseline the whole network is compared; in between,
	// the routers of the undone step.
	var devs []string
	if k > 0 {
		devs = []string{}
		for _, c := range changes {
			if c.step == k+1 && !slices.Contains(devs, c.device) {
				devs = append(devs, c.device)
			}
		}
	}
	var obs []Observation
	if !e.observe(ctx, k, PhaseRollback, devs, &obs) {
		ok = false
	}
	return ok
}
