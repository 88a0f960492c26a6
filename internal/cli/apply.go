package cli

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/internal/policy"
)

// Exit codes of apply and recover beyond the common ones: the run failed
// and was rolled back; the rollback itself did not finish (changes
// remain, listed).
const (
	ExitRolledBack     = 3
	ExitRollbackFailed = 4
)

var (
	errRolledBack     = errors.New("the run failed and was rolled back")
	errNotStarted     = errors.New("the run did not start: nothing was changed")
	errRollbackFailed = errors.New("the rollback did not finish: changes remain")
)

func (a *app) applyCommand() *cobra.Command {
	var topoFile, invFile, invFormat, format, breakGlass, checked string
	var dirs []string
	var updateTopology bool
	cmd := &cobra.Command{
		Use:   "apply PLAN [--inventory FILE]",
		Short: "Run a plan on the devices, step by step, with health checks and automatic rollback",
		Long: `Run the plan on the network. First the gate again, immediately before
anything is touched: the dry-run with N-1, every policy, approvals at stage
"apply" (missing approvals deny here), over the digests of the plan, its
topology, its traffic, the policies and the inventory the run uses
(--inventory, else the plan's inventory:, else inventory.file): an
approval given for another inventory, or without one, does not count. A
denied plan is refused and no device is contacted. There is no flag that skips the gate: --break-glass
REASON runs a denied plan anyway, except denials a policy marks
"overridable": false; the override, its reason and who gave it are in the
policy input, the journal and the output.

Then every device of the plan is locked (a run touching a locked device is
refused with who holds it), the run's journal is created in the state
directory, and the plan runs: pre-checks; for each step the configuration
(in waves with a canary when the step says so; confirmed commits where the
platform has them), the soak, the step's health checks, and a comparison
of the routers' forwarding with the dry-run's prediction; post-checks.
Every intent is in the journal before it is acted on.

When a check fails, a device refuses or times out, or you press Ctrl-C, the
run stops and rolls back every step it applied, in reverse order, checking
the state it returns to. If the process dies, 'changegate recover RUN'
finishes the job from the journal.

After an applied run the model is carried forward: the topology file with
the values the plan changed (metrics, link states, capacities, drains;
comments and layout kept) is written to topology-after.yaml in the run's
directory, or, with --update-topology, over the topology file itself, so
that the next plan is checked against the network as this run left it.
The run's last journal record holds the new model's digest. A run that is
rolled back writes nothing.

Exit status: 0 applied; 2 denied by the gate (nothing touched); 3 failed and
rolled back; 4 the rollback did not finish (what remains changed is listed);
1 bad input or an error.`,
		Example: `  changegate apply change.yaml --inventory inventory.yaml
  changegate apply change.yaml --update-topology
  changegate apply change.yaml --format json > run.jsonl
  changegate apply change.yaml --break-glass "INC-4711: restoring service, approved by phone by J. Doe"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: use text or json", format)
			}
			if cmd.Flags().Changed("break-glass") && strings.TrimSpace(breakGlass) == "" {
				return errors.New("--break-glass needs a reason: say why the gate is overridden (it is recorded)")
			}
			if err := needsPlanFile(args[0], "apply records the plan file in the run's journal (recover and revert read it again), and its approvals are kept beside it"); err != nil {
				return err
			}
			a.plan = args[0]

			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			req := operation.Request{
				CheckRequest:   operation.CheckRequest{Plan: args[0], Topology: topoFile, Inventory: devices.InventoryFile{Path: invFile, Format: invFormat}, PolicyDirs: dirs},
				BreakGlass:     breakGlass,
				User:           currentUser(),
				Checked:        checked,
				UpdateTopology: updateTopology,
			}
			_, err = a.run(cmd, cfg, req, format)
			return err
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology:)")
	cmd.Flags().StringVar(&invFile, "inventory", "", "inventory file (default: the plan's inventory:, else inventory.file of the configuration)")
	cmd.Flags().StringVar(&invFormat, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory of your own policies (repeatable)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text (a live view on a terminal, one line per event otherwise) or json (one event per line)")
	cmd.Flags().StringVar(&checked, "checked", "", "the JSON verdict (changegate check --format json) that was reviewed: refuse unless this run's plan, topology, traffic, policies and inventory have the same digests")
	cmd.Flags().BoolVar(&updateTopology, "update-topology", false, "after an applied run, rewrite the topology file with the model of the network the run left (default: write it to topology-after.yaml in the run's directory)")
	cmd.Flags().StringVar(&breakGlass, "break-glass", "", "run although the gate denies, for this reason (recorded in the journal and shown to policies)")
	return cmd
}

func countDenials(d *policy.Decision) int {
	n := 0
	for _, r := range d.Results {
		if r.Kind == policy.Deny {
			n++
		}
	}
	return n
}

func currentUser() string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

// runExit maps a run's outcome to its exit status.
func runExit(rep *apply.Report) error {
	switch rep.Status {
	case journal.Succeeded:
		return nil
	case journal.RolledBack:
		return errRolledBack
	case journal.NotStarted:
		return errNotStarted
	}
	return errRollbackFailed
}

// run runs req (apply, and revert's apply of the inverse plan), printing
// its progress and report; the error gives the exit status.
func (a *app) run(cmd *cobra.Command, cfg Config, req operation.Request, format string) (*operation.Result, error) {
	b, stateDir, err := a.backend(cfg)
	if err != nil {
		return nil, err
	}
	view := a.runView(stateDir, format)
	res, err := b.Run(cmd.Context(), req, view)
	if res != nil {
		view.report(res.Report)
	}
	if err != nil {
		return res, a.denied(cfg, err)
	}
	return res, runExit(res.Report)
}
