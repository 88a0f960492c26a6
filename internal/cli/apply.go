package cli

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/report"
)

// Exit codes of apply and recover beyond the common ones: the run failed
// and was rolled back; the rollback itself did not finish (changes
// remain, listed).
const (
	ExitRolledBack     = 3
	ExitRollbackFailed = 4
)

// afterRecord, when set (by tests only), is called after every journal
// record of apply: the crash tests kill the process there.
var afterRecord func(journal.Record)

var (
	errRolledBack     = errors.New("the run failed and was rolled back")
	errNotStarted     = errors.New("the run did not start: nothing was changed")
	errRollbackFailed = errors.New("the rollback did not finish: changes remain")
)

func (a *app) applyCommand() *cobra.Command {
	var topoFile, invFile, invFormat, format, breakGlass, checked string
	var dirs []string
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

Exit status: 0 applied; 2 denied by the gate (nothing touched); 3 failed and
rolled back; 4 the rollback did not finish (what remains changed is listed);
1 bad input or an error.`,
		Example: `  changegate apply change.yaml --inventory inventory.yaml
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
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			plan, net, err := a.loadInputs(cmd.Context(), cfg, args[0], topoFile)
			if err != nil {
				return err
			}
			eng, err := a.loadPolicies(cmd, cfg.Policy, dirs)
			if err != nil {
				return err
			}
			who := currentUser()
			var override *policy.Override
			if breakGlass != "" {
				override = &policy.Override{Reason: breakGlass, User: who, Time: time.Now()}
			}
			// The inventory is read once, before the gate: its digest is
			// bound with the others (approvals, --checked), and the run
			// uses exactly what was digested.
			inv, err := a.planInventory(cmd, cfg, plan, inventoryFlags{file: invFile, format: invFormat})
			if err != nil {
				return err
			}
			_, approvals, err := a.approvals(cmd.Context(), cfg, plan.File)
			if err != nil {
				return err
			}
			v, ds, err := gate.Check(ctx, plan, net, eng, gate.Options{Stage: policy.StageApply, Override: override, Approvals: approvals, InventoryDigest: inventoryDigest(inv), Platforms: platformsOf(inv)})
			if err != nil {
				return err
			}
			if ds.HasErrors() {
				return diagErr(ds)
			}
			if checked != "" {
				if err := matchChecked(cmd.Context(), checked, v); err != nil {
					return err
				}
			}
			// Run by changegate revert: what was loaded must be the
			// inverse it built (nil otherwise).
			rv, err := revertFrom(ctx, v)
			if err != nil {
				return err
			}
			writePolicySettings(a.stderr, v.PolicySet)
			if v.Decision.Denied() {
				if override == nil {
					report.CheckText(a.stderr, v, eng.Packages(), cfg.Policy.Disable)
					if off := disabledDenials(v.Decision); off != "" {
						fmt.Fprintf(a.stderr, "changegate: apply refused: policies the configuration disables deny this plan (%s); policy.disable quiets check, not apply: enable them again, or apply with --break-glass REASON (recorded); no device was contacted\n", off)
						return errDenied
					}
					fmt.Fprintln(a.stderr, "changegate: apply refused: the gate denies this plan; no device was contacted")
					return errDenied
				}
				if hard := v.Decision.Unoverridable(); len(hard) > 0 {
					report.CheckText(a.stderr, v, eng.Packages(), cfg.Policy.Disable)
					fmt.Fprintf(a.stderr, "changegate: apply refused: %d denials cannot be overridden (%s); no device was contacted\n", len(hard), hard[0].Msg)
					return errDenied
				}
				fmt.Fprintf(a.stderr, "changegate: BREAK-GLASS: the gate denies this plan (%d denials); running it anyway on %s's authority: %s\n", countDenials(v.Decision), who, breakGlass)
			} else if n := len(v.Decision.Results); n > 0 {
				fmt.Fprintf(a.stderr, "changegate: the gate allows this plan, with %d warnings (changegate check lists them)\n", n)
			}

			if inv == nil {
				return errors.New("no inventory: pass --inventory FILE, name one in the plan (inventory:), or set inventory.file in changegate.yaml (docs/config.md)")
			}
			if _, err := selectDevices(inv, plan.Devices()); err != nil {
				return fmt.Errorf("%s: %w", plan.File, err)
			}
			stateDir, err := cfg.State.dir()
			if err != nil {
				return err
			}
			runID := journal.NewRunID(time.Now())
			locks, err := lock.New(stateDir).Acquire(ctx, plan.Devices(), lock.CurrentHolder(runID, plan.File))
			if err != nil {
				return fmt.Errorf("apply refused: %w", explainHeld(stateDir, err))
			}
			defer locks.Release()
			// Absolute paths: recover may run from another directory.
			j, err := journal.Create(stateDir, runID, journal.Meta{
				PlanFile: absPath(plan.File), PlanTitle: plan.Title,
				Digests: map[string]string{"plan": v.Digests.Plan, "topology": v.Digests.Topology, "traffic": v.Digests.Traffic, "policy": v.Digests.Policy, "inventory": v.Digests.Inventory},
				Extra:   rv.extra(runID, runExtra(inv, override, v)),
				Policy:  mustJSON(v.PolicySet),
			})
			if err != nil {
				return err
			}
			defer j.Close()
			if override != nil {
				j.Append(journal.Record{Type: "override", Data: mustJSON(map[string]any{"reason": override.Reason, "user": override.User, "denials": v.Decision.Results})})
			}
			rv.record(j)
			j.Append(journal.Record{Type: "gate", Data: mustJSON(map[string]any{"allowed": v.Allowed(), "digests": v.Digests, "results": v.Decision.Results})})
			fmt.Fprintf(a.stderr, "changegate: run %s: %s (%d steps, %d devices); journal %s\n", runID, plan.Title, len(plan.Steps), len(plan.Devices()), j.Path())

			pool := devices.NewPool(inv, devices.DialOptions{Prompter: terminalPrompter{in: a.stdin, out: a.stderr}})
			defer pool.Close()
			target := apply.PoolTarget{Pool: pool, Inventory: inv}
			obs, err := a.observer(cfg, net, plan, target, inv)
			if err != nil {
				return err
			}
			rep, err := apply.Execute(ctx, plan, apply.Options{
				Run: runID, Target: target, Journal: j, Observer: obs,
				Sink:            progressSink(a.stdout, format, format == "text" && isTerminal(a.stdout)),
				Concurrency:     cfg.Apply.Concurrency,
				RollbackTimeout: cfg.Apply.RollbackTimeout,
				ConfirmMargin:   cfg.Apply.ConfirmMargin,
				AfterRecord:     afterRecord,
			})
			if rep != nil {
				j.SetStatus(journalStatus(rep.Status))
				if format == "text" {
					writeApplyReport(a.stdout, rep)
				} else {
					writeReportEvent(a.stdout, rep)
				}
			}
			if err != nil {
				return fmt.Errorf("run %s: %w (run changegate recover %s)", runID, err, runID)
			}
			return runExit(rep)
		},
	}
	cmd.Flags().StringVar(&topoFile, "topology", "", "topology file (default: the plan's topology:)")
	cmd.Flags().StringVar(&invFile, "inventory", "", "inventory file (default: the plan's inventory:, else inventory.file of the configuration)")
	cmd.Flags().StringVar(&invFormat, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory of your own policies (repeatable)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text (a live view on a terminal, one line per event otherwise) or json (one event per line)")
	cmd.Flags().StringVar(&checked, "checked", "", "the JSON verdict (changegate check --format json) that was reviewed: refuse unless this run's plan, topology, traffic, policies and inventory have the same digests")
	cmd.Flags().StringVar(&breakGlass, "break-glass", "", "run although the gate denies, for this reason (recorded in the journal and shown to policies)")
	return cmd
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
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

func runExtra(inv *devices.Inventory, o *policy.Override, v *gate.Verdict) map[string]string {
	var files []string
	for _, f := range inv.Files {
		files = append(files, absPath(f))
	}
	m := map[string]string{"inventory": strings.Join(files, ","), "verdict": "allowed"}
	if !v.Allowed() {
		m["verdict"] = "denied"
	}
	if o != nil {
		m["break_glass"] = o.Reason
		m["break_glass_user"] = o.User
	}
	return m
}

func journalStatus(s string) journal.Status {
	switch s {
	case apply.Succeeded:
		return journal.Succeeded
	case apply.RolledBack, apply.NotStarted:
		return journal.RolledBack
	}
	return journal.Failed
}

// runExit maps a run's outcome to its exit status.
func runExit(rep *apply.Report) error {
	switch rep.Status {
	case apply.Succeeded:
		return nil
	case apply.RolledBack:
		return errRolledBack
	case apply.NotStarted:
		return errNotStarted
	}
	return errRollbackFailed
}
