package cli

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/report"
	"github.com/changegate/changegate/plans"
)

func (a *app) recoverCommand() *cobra.Command {
	var invFile, invFormat, format string
	var resume bool
	cmd := &cobra.Command{
		Use:   "recover RUN [--inventory FILE]",
		Short: "Finish a run whose process died: show what was in flight and roll back what it changed",
		Long: `Read the journal of a run that did not finish (its process was killed, the
machine rebooted) or whose rollback did not finish, say what it was doing
when it stopped, and roll back every change that may still be in place, in
reverse order: applied steps, and the step in flight (a configuration whose
result was never recorded may have taken effect). The rollback is written to
the same journal. Where the plan file is still there and unchanged (same
digest), the states returned to are checked with its health checks and
compared with the model, as apply does.

A confirmed commit left unconfirmed reverts by itself when its timer runs
out; recover confirms it and sends the rollback, so the device does not
depend on the timer.

With --resume, recover continues the run instead, as an explicit choice:
it needs the run's plan, unchanged (same digest), and the gate must still
allow it (checked again now, at stage apply). The changes of the step in
flight are rolled back, the state after the last completed step is
checked, and the run goes on from the step in flight, with rollback of
everything (earlier steps included) if anything fails.

Recover refuses a run whose process is still alive, and takes the run's
device locks (breaking the dead run's own locks).

Exit status: 0 nothing remains changed; 4 the rollback did not finish
(what remains is listed); 1 bad input or an error.`,
		Example: `  changegate runs                      # find the run
  changegate recover 20261124T005734Z-3f9a1c`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			stateDir, err := cfg.State.dir()
			if err != nil {
				return err
			}
			runID := args[0]
			// Refuse what recover is not for before opening the journal
			// for writing, then again under its lock (a run may end in
			// between).
			run, err := journal.Read(stateDir, runID)
			if err != nil {
				return err
			}
			st, err := apply.ReadState(run.Records)
			if err != nil {
				return err
			}
			if err := recoverRefusal(stateDir, run, st); err != nil {
				writeState(a.stderr, stateDir, run, st)
				return err
			}
			j, run, err := journal.Open(stateDir, runID)
			if err != nil {
				return err
			}
			defer j.Close()
			if st, err = apply.ReadState(run.Records); err != nil {
				return err
			}
			if err := recoverRefusal(stateDir, run, st); err != nil {
				return err
			}
			writeState(a.stderr, stateDir, run, st)
			todo := st.NeedsRollback()
			if st.Ended && len(todo) == 0 {
				fmt.Fprintf(a.stderr, "changegate: run %s ended (%s) and nothing of it remains to roll back\n", runID, st.Status)
				return nil
			}
			if resume {
				return a.resume(cmd, cfg, stateDir, j, run, st, invFile, invFormat, format)
			}
			var plan *plans.Plan
			if p, ds, err := plans.LoadFile(cmd.Context(), run.Meta.PlanFile, cfg.Paths.scope()); err == nil && !ds.HasErrors() && p.Digest() == run.Meta.Digests["plan"] && !p.HasRunbooks() {
				plan = p
			} else {
				fmt.Fprintf(a.stderr, "changegate: the plan %s is gone or changed since the run: rolling back from the journal alone, without health checks\n", run.Meta.PlanFile)
			}
			if invFile == "" {
				invFile = strings.Split(run.Meta.Extra["inventory"], ",")[0]
			}
			inv, err := a.loadInventory(cmd, invFile, invFormat)
			if err != nil {
				return err
			}
			var devs []string
			for _, c := range todo {
				if !slices.Contains(devs, c.Device) {
					devs = append(devs, c.Device)
				}
			}
			locks, err := takeOverLocks(cmd, lock.New(stateDir), devs, runID, run.Meta.PlanFile)
			if err != nil {
				return err
			}
			defer locks.Release()
			pool := devices.NewPool(inv, devices.DialOptions{Prompter: terminalPrompter{in: a.stdin, out: a.stderr}})
			defer pool.Close()
			rep, err := apply.Recover(cmd.Context(), plan, run.Records, apply.Options{
				Run: runID, Target: apply.PoolTarget{Pool: pool, Inventory: inv}, Journal: j,
				Sink:            progressSink(a.stdout, format, format == "text" && isTerminal(a.stdout)),
				Concurrency:     cfg.Apply.Concurrency,
				RollbackTimeout: cfg.Apply.RollbackTimeout,
			})
			if err != nil {
				return err
			}
			status := journal.Recovered
			if rep.Status != apply.RolledBack {
				status = journal.Failed
			}
			j.SetStatus(status)
			if format == "text" {
				writeApplyReport(a.stdout, rep)
			} else {
				writeReportEvent(a.stdout, rep)
			}
			if rep.Status != apply.RolledBack {
				return errRollbackFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&invFile, "inventory", "", "inventory file (default: the one the run used)")
	cmd.Flags().StringVar(&invFormat, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (one event per line)")
	cmd.Flags().BoolVar(&resume, "resume", false, "continue the run from the step in flight instead of rolling it back (the gate is checked again)")
	return cmd
}

// recoverRefusal says why recover must not touch run, or nil when it may:
// recover finishes a run whose process died, or whose rollback did not
// finish. A run that ended otherwise (succeeded, rolled back, recovered)
// is refused, saying what state it is in and what to do instead; so is a
// live run, and a run whose journal is missing.
func recoverRefusal(stateDir string, run *journal.Run, st *apply.State) error {
	id := run.Meta.RunID
	switch {
	case run.JournalMissing:
		return fmt.Errorf("recover refused: run %s has no journal: %s is missing (deleted, or the run's process died before it created it). What the run did is unknown, so recover cannot tell what to roll back. If the process died before creating its journal it changed nothing; otherwise check the devices it locked (changegate lock list) by hand, then break their locks", id, journal.PathOf(stateDir, id))
	case run.Live:
		return fmt.Errorf("recover refused: run %s is still running (%s@%s pid %d): recover is for a run whose process died; wait for it to end, or stop it (Ctrl-C rolls it back)", id, run.Meta.User, run.Meta.Host, run.Meta.PID)
	case !st.Ended, st.Status == apply.RollbackFailed:
		return nil
	case st.Status == apply.Succeeded:
		return fmt.Errorf("recover refused: run %s ended: it succeeded (every step applied and checked), so there is nothing to recover; recover only finishes a run whose process died or whose rollback did not finish. To undo the change the run made, use `changegate revert %s`: it builds the inverse plan, which the gate checks and approvers approve like any plan, and applies it", id, id)
	case run.Status == journal.Recovered:
		return fmt.Errorf("recover refused: run %s was recovered already: every change it left was rolled back (status %s), so there is nothing to recover", id, run.Status)
	case st.Status == apply.RolledBack, st.Status == apply.NotStarted:
		return fmt.Errorf("recover refused: run %s ended: it stopped and was rolled back (%s), so nothing it changed remains and there is nothing to recover", id, st.Status)
	}
	return fmt.Errorf("recover refused: run %s ended (%s): there is nothing to recover", id, st.Status)
}

// resume continues run from its journal (recover --resume).
func (a *app) resume(cmd *cobra.Command, cfg Config, stateDir string, j *journal.Journal, run *journal.Run, st *apply.State, invFile, invFormat, format string) error {
	if st.Ended {
		return fmt.Errorf("run %s ended (%s): there is nothing to resume", run.Meta.RunID, st.Status)
	}
	plan, net, err := a.loadInputs(cmd.Context(), cfg, run.Meta.PlanFile, "")
	if err != nil {
		return fmt.Errorf("resume needs the run's plan: %w", err)
	}
	if plan.Digest() != run.Meta.Digests["plan"] {
		return fmt.Errorf("resume refused: %s changed since the run (digest %s, the run's %s); recover without --resume rolls it back", plan.File, plan.Digest(), run.Meta.Digests["plan"])
	}
	eng, err := a.loadPolicies(cmd, cfg.Policy, nil)
	if err != nil {
		return err
	}
	if now := eng.Set(); now.Digest != run.Meta.Digests["policy"] {
		return errPolicyChanged(run, now)
	}
	if invFile == "" {
		invFile = strings.Split(run.Meta.Extra["inventory"], ",")[0]
	}
	inv, err := a.loadInventory(cmd, invFile, invFormat)
	if err != nil {
		return err
	}
	_, approvals, err := a.approvals(cmd.Context(), cfg, plan.File)
	if err != nil {
		return err
	}
	v, ds, err := gate.Check(cmd.Context(), plan, net, eng, gate.Options{Stage: policy.StageApply, Approvals: approvals, InventoryDigest: inv.Digest(), Platforms: platformsOf(inv)})
	if err != nil {
		return err
	}
	if ds.HasErrors() {
		return diagErr(ds)
	}
	if v.Decision.Denied() {
		report.CheckText(a.stderr, v, eng.Packages(), cfg.Policy.Disable)
		fmt.Fprintln(a.stderr, "changegate: resume refused: the gate denies the plan now; recover without --resume rolls the run back")
		return errDenied
	}
	locks, err := takeOverLocks(cmd, lock.New(stateDir), plan.Devices(), run.Meta.RunID, plan.File)
	if err != nil {
		return err
	}
	defer locks.Release()
	pool := devices.NewPool(inv, devices.DialOptions{Prompter: terminalPrompter{in: a.stdin, out: a.stderr}})
	defer pool.Close()
	target := apply.PoolTarget{Pool: pool, Inventory: inv}
	obs, err := a.observer(cfg, net, plan, target, inv)
	if err != nil {
		return err
	}
	j.SetStatus(journal.Running)
	rep, err := apply.Resume(cmd.Context(), plan, run.Records, apply.Options{
		Run: run.Meta.RunID, Target: target, Journal: j, Observer: obs,
		Sink:            progressSink(a.stdout, format, format == "text" && isTerminal(a.stdout)),
		Concurrency:     cfg.Apply.Concurrency,
		RollbackTimeout: cfg.Apply.RollbackTimeout,
		ConfirmMargin:   cfg.Apply.ConfirmMargin,
	})
	if err != nil {
		return err
	}
	j.SetStatus(journalStatus(rep.Status))
	if format == "text" {
		writeApplyReport(a.stdout, rep)
	} else {
		writeReportEvent(a.stdout, rep)
	}
	return runExit(rep)
}

// takeOverLocks takes devs' locks for a recovery of runID: every lock the
// dead run itself left is broken first; any other holder refuses.
func takeOverLocks(cmd *cobra.Command, l *lock.Locker, devs []string, runID, planFile string) (*lock.Set, error) {
	locks, err := l.List()
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
			if _, err := l.Break(lk.Device); err != nil {
				return nil, err
			}
		}
	}
	set, err := l.Acquire(cmd.Context(), devs, lock.CurrentHolder(runID, planFile))
	if err != nil {
		var held *lock.HeldError
		if errors.As(err, &held) {
			return nil, fmt.Errorf("recover refused: %w", explainHeld(filepath.Dir(l.Dir()), err))
		}
		return nil, err
	}
	return set, nil
}
