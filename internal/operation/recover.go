package operation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/plans"
)

// RecoverRequest asks for a run whose process died, or whose rollback
// did not finish, to be finished (changegate recover).
type RecoverRequest struct {
	// Run is the run's id.
	Run string
	// Inventory is the inventory to reach the devices with; a zero Path
	// for the one the run used.
	Inventory devices.InventoryFile
	// Resume continues the run from the step in flight instead of
	// rolling it back (the gate is checked again).
	Resume bool
	// UpdateTopology, with Resume, rewrites the topology file with the
	// model of the network a resumed run that is applied leaves, as
	// Request.UpdateTopology does for apply.
	UpdateTopology bool
}

// Recover finishes a run whose process died or whose rollback did not
// finish: it tells the view the run's state, then rolls back every change
// that may remain, in reverse order (with the plan's health checks when
// the plan is still there and unchanged), or with req.Resume continues
// the run (see resume). It refuses a live run, a run that ended, and a
// run without a journal. The result is nil when there was nothing to do.
func (b *Backend) Recover(ctx context.Context, req RecoverRequest, view View) (*Result, error) {
	runID := req.Run
	// Refuse what recover is not for before opening the journal for
	// writing, then again under its lock (a run may end in between).
	run, st, err := b.readRun(runID)
	if err != nil {
		return nil, err
	}
	if err := b.recoverRefusal(run, st); err != nil {
		view.Recovering(run, st)
		return nil, err
	}
	j, run, err := b.Journals.Open(runID)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	if st, err = apply.ReadState(run.Records); err != nil {
		return nil, err
	}
	if err := b.recoverRefusal(run, st); err != nil {
		return nil, err
	}
	view.Recovering(run, st)
	todo := st.NeedsRollback()
	if st.Ended && len(todo) == 0 {
		view.Notice(fmt.Sprintf("run %s ended (%s) and nothing of it remains to roll back", runID, st.Status))
		return nil, nil
	}
	if req.Inventory.Path == "" {
		req.Inventory.Path = strings.Split(run.Meta.Extra[apply.MetaInventory], ",")[0]
	}
	if req.Resume {
		return b.resume(ctx, j, run, st, req.Inventory, req.UpdateTopology, view)
	}
	var plan *plans.Plan
	if p, ds, err := plans.LoadFile(ctx, run.Meta.PlanFile, b.Scope); err == nil && !ds.HasErrors() && p.Digest() == run.Meta.Digests.Plan && !p.HasRunbooks() {
		plan = p
	} else {
		view.Notice(fmt.Sprintf("the plan %s is gone or changed since the run: rolling back from the journal alone, without health checks", run.Meta.PlanFile))
	}
	inv, err := b.Inventory(ctx, req.Inventory)
	if err != nil {
		return nil, err
	}
	var devs []string
	for _, c := range todo {
		if !slices.Contains(devs, c.Device) {
			devs = append(devs, c.Device)
		}
	}
	locks, err := b.takeOverLocks(ctx, devs, runID, run.Meta.PlanFile)
	if err != nil {
		return nil, err
	}
	defer locks.Release()
	target, closeTarget := b.Devices.Target(inv)
	defer closeTarget()
	opts := b.options(runID, target, j, nil, view)
	opts.ConfirmMargin, opts.AfterRecord = 0, nil
	rep, err := apply.Recover(ctx, plan, run.Records, opts)
	if err != nil {
		return nil, err
	}
	j.SetStatus(rep.RunStatus())
	return &Result{Run: runID, Report: rep}, nil
}

// readRun reads a run's journal and what it tells of the run.
func (b *Backend) readRun(runID string) (*journal.Run, *apply.State, error) {
	run, err := b.Journals.Read(runID)
	if err != nil {
		return nil, nil, err
	}
	st, err := apply.ReadState(run.Records)
	if err != nil {
		return nil, nil, err
	}
	return run, st, nil
}

// recoverRefusal says why recover must not touch run, or nil when it may:
// recover finishes a run whose process died, or whose rollback did not
// finish. A run that ended otherwise (succeeded, rolled back, recovered)
// is refused, saying what state it is in and what to do instead; so is a
// live run, and a run whose journal is missing.
func (b *Backend) recoverRefusal(run *journal.Run, st *apply.State) error {
	id := run.Meta.RunID
	switch {
	case run.JournalMissing:
		return fmt.Errorf("recover refused: run %s has no journal: %s is missing (deleted, or the run's process died before it created it). What the run did is unknown, so recover cannot tell what to roll back. If the process died before creating its journal it changed nothing; otherwise check the devices it locked (changegate lock list) by hand, then break their locks", id, b.Journals.Path(id))
	case run.Live:
		return fmt.Errorf("recover refused: run %s is still running (%s@%s pid %d): recover is for a run whose process died; wait for it to end, or stop it (Ctrl-C rolls it back)", id, run.Meta.User, run.Meta.Host, run.Meta.PID)
	case !st.Ended, st.Status == journal.RollbackFailed:
		return nil
	case st.Status == journal.Succeeded:
		return fmt.Errorf("recover refused: run %s ended: it succeeded (every step applied and checked), so there is nothing to recover; recover only finishes a run whose process died or whose rollback did not finish. To undo the change the run made, use `changegate revert %s`: it builds the inverse plan, which the gate checks and approvers approve like any plan, and applies it", id, id)
	case run.Status == journal.Recovered:
		return fmt.Errorf("recover refused: run %s was recovered already: every change it left was rolled back (status %s), so there is nothing to recover", id, run.Status)
	case st.Status == journal.RolledBack, st.Status == journal.NotStarted:
		return fmt.Errorf("recover refused: run %s ended: it stopped and was rolled back (%s), so nothing it changed remains and there is nothing to recover", id, st.Status)
	}
	return fmt.Errorf("recover refused: run %s ended (%s): there is nothing to recover", id, st.Status)
}

// resume continues run from its journal (recover --resume): it needs the
// run's plan, unchanged, and the same policy set, and the gate must
// still allow the plan (checked again now, at stage apply).
func (b *Backend) resume(ctx context.Context, j Journal, run *journal.Run, st *apply.State, inv devices.InventoryFile, update bool, view View) (*Result, error) {
	if st.Ended {
		return nil, fmt.Errorf("run %s ended (%s): there is nothing to resume", run.Meta.RunID, st.Status)
	}
	plan, _, err := b.Inputs(ctx, run.Meta.PlanFile, "")
	if err != nil {
		return nil, fmt.Errorf("resume needs the run's plan: %w", err)
	}
	if plan.Digest() != run.Meta.Digests.Plan {
		return nil, fmt.Errorf("resume refused: %s changed since the run (digest %s, the run's %s); recover without --resume rolls it back", plan.File, plan.Digest(), run.Meta.Digests.Plan)
	}
	eng, err := b.Policies(ctx, nil)
	if err != nil {
		return nil, err
	}
	if now := eng.Set(); now.Digest != run.Meta.Digests.Policy {
		return nil, errPolicyChanged(run, now)
	}
	c, err := b.Check(ctx, CheckRequest{Plan: run.Meta.PlanFile, Inventory: inv, Stage: policy.StageApply})
	if err != nil {
		return nil, err
	}
	if c.Decision.Denied() {
		return nil, &DeniedError{Checked: c, Msg: "resume refused: the gate denies the plan now; recover without --resume rolls the run back"}
	}
	locks, err := b.takeOverLocks(ctx, c.Plan.Devices(), run.Meta.RunID, c.Plan.File)
	if err != nil {
		return nil, err
	}
	defer locks.Release()
	target, closeTarget := b.Devices.Target(c.Inventory)
	defer closeTarget()
	obs, err := b.observer(c.Network, c.Plan, target, c.Inventory, view)
	if err != nil {
		return nil, err
	}
	j.SetStatus(journal.Running)
	opts := b.options(run.Meta.RunID, target, j, obs, view)
	opts.AfterRecord = nil
	after, afterErr := modelAfter(c)
	if afterErr == nil {
		opts.Model = after.TopologyDigest()
	}
	rep, err := apply.Resume(ctx, c.Plan, run.Records, opts)
	if err != nil {
		return nil, err
	}
	j.SetStatus(rep.RunStatus())
	res := &Result{Run: run.Meta.RunID, Checked: c, Report: rep}
	res.Model = b.carryForward(ctx, c, after, afterErr, rep, nil, update, filepath.Dir(j.Path()), view)
	return res, nil
}

// errPolicyChanged refuses to resume run with the policy set now: it is
// not the one the run was checked and approved against.
func errPolicyChanged(run *journal.Run, now policy.Set) error {
	what := "the run did not record its policy set"
	if len(run.Meta.Policy) > 0 {
		var was policy.Set
		if err := json.Unmarshal(run.Meta.Policy, &was); err != nil {
			what = fmt.Sprintf("the run's record of its policy set is unreadable: %v", err)
		} else {
			what = strings.Join(now.Changes(was), "; ")
		}
	}
	return fmt.Errorf("resume refused: the policy set changed since run %s (digest %s, the run's %s): %s; load the policies and configuration the run used (the directories of apply --policy go in policy.dirs), or recover without --resume to roll the run back",
		run.Meta.RunID, now.Digest, run.Meta.Digests.Policy, what)
}

// takeOverLocks takes devs' locks for a recovery of runID: every lock the
// dead run itself left is broken first; any other holder refuses.
func (b *Backend) takeOverLocks(ctx context.Context, devs []string, runID, planFile string) (Lease, error) {
	locks, err := b.Locks.List()
	if err != nil {
		return nil, err
	}
	// Every lock the dead run left goes, also on devices with nothing to
	// roll back; recover holds those it rolls back on.
	for _, lk := range locks {
		if lk.Holder.Run == runID {
			if !lk.Stale {
				return nil, fmt.Errorf("run %s is still alive (pid %d on %s): it is not abandoned", runID, lk.Holder.PID, lk.Holder.Host)
			}
			if _, err := b.Locks.Break(lk.Device); err != nil {
				return nil, err
			}
		}
	}
	set, err := b.Locks.Acquire(ctx, devs, lock.CurrentHolder(runID, planFile))
	if err != nil {
		var held *lock.HeldError
		if errors.As(err, &held) {
			return nil, fmt.Errorf("recover refused: %w", b.explainHeld(err))
		}
		return nil, err
	}
	return set, nil
}

// Recoverable reports whether run died unfinished, with its journal in
// place, so that `changegate recover RUN` can finish it: its process is
// gone, and the journal has no end or ended with its rollback unfinished.
func Recoverable(js Journals, run string) bool {
	r, err := js.Read(run)
	if err != nil || !r.Abandoned() || r.JournalMissing {
		return false
	}
	st, err := apply.ReadState(r.Records)
	return err == nil && (!st.Ended || st.Status == journal.RollbackFailed)
}

// explainHeld marks a lock refusal whose holder is a run that died
// unfinished (lock.HeldError.Abandoned), so that it says to recover that
// run instead of breaking its lock. It returns err.
func (b *Backend) explainHeld(err error) error {
	var held *lock.HeldError
	if errors.As(err, &held) && held.Stale && Recoverable(b.Journals, held.Holder.Run) {
		held.Abandoned = true
	}
	return err
}
