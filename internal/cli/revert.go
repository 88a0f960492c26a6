package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/operation"
)

func (a *app) revertCommand() *cobra.Command {
	var write bool
	var invFile, invFormat, format, breakGlass string
	var dirs []string
	cmd := &cobra.Command{
		Use:   "revert RUN [--write] [--inventory FILE]",
		Short: "Undo a run that succeeded: write its inverse plan, check it through the gate and approvals like any plan, and apply it",
		Long: `Undo the change a run made, once the run has succeeded. A finished change is
undone by a new change, which goes through the gate like any other: revert
builds the run's inverse plan, writes it beside the run's plan, and applies
it as apply does (the gate at stage apply, approvals, locks, the journal,
health checks and automatic rollback). Only a run that succeeded can be
reverted; a run whose process died is finished by 'changegate recover RUN'.

The inverse plan undoes the plan's steps in reverse order: the step that
undoes step k sends k's rollback_config (and k's config is its rollback),
changes the model by k's rollback effects (or the exact inverse of its
effects) and checks the state it returns to with the checks of step k-1;
the plan's post-checks become its pre-checks and its pre-checks its
post-checks. It is checked against the network as the run left it, not as
it was before: a second file holds that model, the run's topology with
every effect of its plan applied, and the inverse plan names it. So the
gate sees the revert's every intermediate state from where the network is
now (undoing a capacity upgrade that relieved a hot link is denied, as it
should be).

The files, beside the run's plan PLAN.yaml:
  PLAN.revert-RUN.yaml            the inverse plan: review and approve it
  PLAN.revert-RUN.topology.yaml   the model it is checked from

As with terraform plan -destroy -out and apply: --write writes them and
stops, for review ('changegate review', 'changegate approve' as for any
plan); revert RUN then applies what was written and approved. Without
--write, revert writes them if they are missing and goes on, which is
enough for a plan whose risk needs no approval. In the inverse plan, the
title, description, id, ticket and window may be edited (and the risk
raised), and so may the checks and soaks; anything else (devices,
configuration, rollback, effects, waves, author) that differs from what
revert builds from the run's plan is refused.

Refused: a run that did not succeed, a run already reverted, a run that a
later run changed the same devices or network after (revert those first:
changes are undone last first), and a run whose plan, topology or traffic
changed since it ran (the inverse must be built from exactly what ran).

Exit status as apply: 0 reverted; 2 the gate denies the revert (nothing
touched); 3 the revert failed and was rolled back; 4 its rollback did not
finish; 1 refused, bad input or an error.`,
		Example: `  changegate revert 20261124T005734Z-3f9a1c --write     # write the inverse plan for review
  changegate approve plans/maint.revert-20261124T005734Z-3f9a1c.yaml --key ~/.ssh/id_ed25519
  changegate revert 20261124T005734Z-3f9a1c             # check it again, and apply it`,
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
			b, _, err := a.backend(cfg)
			if err != nil {
				return err
			}
			inv := devices.InventoryFile{Path: invFile, Format: invFormat}
			rv, err := b.BuildRevert(cmd.Context(), args[0], inv)
			if err != nil {
				return err
			}
			written, err := rv.Write(cmd.Context(), write)
			for _, w := range written {
				writeWritten(a.stderr, w, rv.Of)
			}
			if err != nil {
				return err
			}
			if write {
				fmt.Fprintf(a.stderr, "changegate: next: review %s (changegate review), have it approved as its risk needs (changegate approve), then run changegate revert %s\n", rv.File, rv.Of)
				return nil
			}
			if inv.Path == "" {
				inv.Path = rv.Inventory
			}
			// The run is apply's, on the inverse plan: every check apply
			// makes, the gate first, is made.
			res, err := a.run(cmd, cfg, operation.Request{
				CheckRequest: operation.CheckRequest{Plan: rv.File, Inventory: inv, PolicyDirs: dirs},
				BreakGlass:   breakGlass,
				User:         currentUser(),
				Revert:       rv,
			}, format)
			switch {
			case errors.Is(err, errDenied):
				fmt.Fprintf(a.stderr, "changegate: revert of run %s refused: the gate denies its inverse plan %s (above). Approvals are given to that file as to any plan (changegate review, changegate approve); a denial of what the revert would do to the network stands\n", rv.Of, rv.File)
			case err == nil && res != nil && res.Run != "":
				fmt.Fprintf(a.stderr, "changegate: run %s is reverted, by run %s\n", rv.Of, res.Run)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&write, "write", false, "write the inverse plan and the model it is checked from, and stop (for review and approval)")
	cmd.Flags().StringVar(&invFile, "inventory", "", "inventory file (default: the one the run used)")
	cmd.Flags().StringVar(&invFormat, "inventory-format", "", "inventory format: native, nornir or containerlab (default: from the file name)")
	cmd.Flags().StringArrayVar(&dirs, "policy", nil, "a directory of your own policies (repeatable)")
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json (one event per line), as apply")
	cmd.Flags().StringVar(&breakGlass, "break-glass", "", "run the revert although the gate denies it, for this reason (recorded), as apply --break-glass")
	return cmd
}

// writeWritten says what revert did with one of its files.
func writeWritten(w io.Writer, f operation.Written, of string) {
	switch f.Action {
	case operation.WriteUnchanged:
		fmt.Fprintf(w, "changegate: %s: %s, unchanged\n", f.Path, f.What)
	case operation.WriteKept:
		fmt.Fprintf(w, "changegate: %s: %s, kept as it is (changegate revert %s --write writes it again)\n", f.Path, f.What, of)
	case operation.WriteReplaced:
		fmt.Fprintf(w, "changegate: %s: rewrote (approvals of what was there are stale now) %s\n", f.Path, f.What)
	default:
		fmt.Fprintf(w, "changegate: %s: wrote %s\n", f.Path, f.What)
	}
}
