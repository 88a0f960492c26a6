package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/operation"
)

func (a *app) recoverCommand() *cobra.Command {
	var invFile, invFormat, format string
	var resume, updateTopology bool
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
everything (earlier steps included) if anything fails. A resumed run that
is applied writes the model of the network it left as apply does
(topology-after.yaml in the run's directory, or with --update-topology the
topology file itself).

Recover refuses a run whose process is still alive, and takes the run's
device locks (breaking the dead run's own locks).

Exit status: 0 nothing remains changed; 4 the rollback did not finish
(what remains is listed); 1 bad input or an error.`,
		Example: `  changegate runs                      # find the run
  changegate recover 20261124T005734Z-3f9a1c`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: use text or json", format)
			}
			if updateTopology && !resume {
				return fmt.Errorf("--update-topology goes with --resume: a run rolled back leaves the model as it was")
			}
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			b, stateDir, err := a.backend(cfg)
			if err != nil {
				return err
			}
			view := a.runView(stateDir, format)
			res, err := b.Recover(cmd.Context(), operation.RecoverRequest{
				Run: args[0], Inventory: devices.InventoryFile{Path: invFile, Format: invFormat}, Resume: resume, UpdateTopology: updateTopology,
			}, view)
			if err != nil {
				return a.denied(cfg, err)
			}
			if res == nil { // nothing to do
				return nil
			}
			view.report(res.Report)
			if resume {
				return runExit(res.Report)
			}
			if res.Report.Status != journal.RolledBack {
				return errRollbackFailed
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&invFile, "inventory", "", "inventory file (default: the one the run used)")
	cmd.Flags().StringVar(&invFormat, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (one event per line)")
	cmd.Flags().BoolVar(&resume, "resume", false, "continue the run from the step in flight instead of rolling it back (the gate is checked again)")
	cmd.Flags().BoolVar(&updateTopology, "update-topology", false, "with --resume: after the run is applied, rewrite the topology file with the model of the network it left")
	return cmd
}
