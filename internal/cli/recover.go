package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/plans"
)

func (a *app) recoverCommand() *cobra.Command {
	var invFile, invFormat, format string
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
			j, run, err := journal.Open(stateDir, runID)
			if err != nil {
				return err
			}
			defer j.Close()
			st, err := apply.ReadState(run.Records)
			if err != nil {
				return err
			}
			writeState(a.stderr, run, st)
			todo := st.NeedsRollback()
			if st.Ended && len(todo) == 0 {
				fmt.Fprintf(a.stderr, "changegate: run %s ended (%s) and nothing of it remains to roll back\n", runID, st.Status)
				return nil
			}
			var plan *plans.Plan
			if p, ds, err := plans.LoadFile(run.Meta.PlanFile); err == nil && !ds.HasErrors() && p.Digest() == run.Meta.Digests["plan"] && !p.HasRunbooks() {
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
				if !contains(devs, c.Device) {
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
	return cmd
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
			return nil, fmt.Errorf("recover refused: %w", err)
		}
		return nil, err
	}
	return set, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
