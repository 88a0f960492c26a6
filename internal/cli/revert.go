package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/userfile"
	"github.com/changegate/changegate/plans"
)

// Keys of a revert's journal meta (Meta.Extra): the run it undoes and that
// run's plan file.
const (
	revertOfKey   = "revert_of"
	revertPlanKey = "revert_plan"
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
			cfg, err := a.config(cmd, nil)
			if err != nil {
				return err
			}
			stateDir, err := cfg.State.dir()
			if err != nil {
				return err
			}
			rv, err := a.buildRevert(cmd, cfg, stateDir, args[0], invFile, invFormat)
			if err != nil {
				return err
			}
			if err := rv.writeFiles(cmd.Context(), a, write); err != nil {
				return err
			}
			if write {
				fmt.Fprintf(a.stderr, "changegate: next: review %s (changegate review), have it approved as its risk needs (changegate approve), then run changegate revert %s\n", rv.file, rv.of)
				return nil
			}
			if invFile == "" {
				invFile = rv.inventory
			}
			// The run is apply's, on the inverse plan: every check apply
			// makes, the gate first, is made.
			ap := a.applyCommand()
			set := map[string]string{"format": format, "inventory": invFile, "inventory-format": invFormat}
			if cmd.Flags().Changed("break-glass") {
				set["break-glass"] = breakGlass
			}
			for flag, val := range set {
				if val == "" && flag != "break-glass" {
					continue
				}
				if err := ap.Flags().Set(flag, val); err != nil {
					return err
				}
			}
			for _, d := range dirs {
				if err := ap.Flags().Set("policy", d); err != nil {
					return err
				}
			}
			ap.SetContext(context.WithValue(cmd.Context(), revertKey{}, rv))
			err = ap.RunE(ap, []string{rv.file})
			switch {
			case errors.Is(err, errDenied):
				fmt.Fprintf(a.stderr, "changegate: revert of run %s refused: the gate denies its inverse plan %s (above). Approvals are given to that file as to any plan (changegate review, changegate approve); a denial of what the revert would do to the network stands\n", rv.of, rv.file)
			case err == nil && rv.runID != "":
				fmt.Fprintf(a.stderr, "changegate: run %s is reverted, by run %s\n", rv.of, rv.runID)
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

// revertKey carries a *revert from the revert verb to the apply it runs.
type revertKey struct{}

// revert is the inverse of a finished run, as revert built it: the plan,
// the model it is checked from, and the files they are written to.
type revert struct {
	of         string // the run undone
	original   string // its plan file
	planDigest string // its plan's digest
	inventory  string // the inventory it used

	plan     *plans.Plan // the inverse plan
	file     string      // where it is written
	planYAML []byte
	// The model after the run: the topology the inverse plan is checked
	// against, its file and content, and the digests apply must see.
	topoFile string
	topoYAML []byte
	topology string
	traffic  string

	runID string // the revert's own run, once apply has created it
}

// buildRevert checks that run can be reverted and builds its inverse,
// reading each step's configuration in the platforms of the inventory
// the revert runs with (invFile, else the run's).
func (a *app) buildRevert(cmd *cobra.Command, cfg Config, stateDir, runID, invFile, invFormat string) (*revert, error) {
	ctx := cmd.Context()
	run, err := journal.Read(stateDir, runID)
	if err != nil {
		return nil, err
	}
	st, err := apply.ReadState(run.Records)
	if err != nil {
		return nil, err
	}
	if err := revertRefusal(stateDir, run, st); err != nil {
		return nil, err
	}
	if err := laterRuns(stateDir, run, st); err != nil {
		return nil, err
	}

	plan, net, err := a.loadInputs(ctx, cfg, run.Meta.PlanFile, "")
	if err != nil {
		return nil, fmt.Errorf("revert needs the plan of run %s as it ran: %w", runID, err)
	}
	var changed []string
	for _, d := range []struct{ what, now, file string }{
		{"plan", plan.Digest(), plan.File},
		{"topology", net.TopologyDigest(), plan.TopologyPath()},
		{"traffic", net.TrafficDigest(), plan.TrafficPath()},
	} {
		if then := run.Meta.Digests[d.what]; then != "" && then != d.now {
			file := d.file
			if file == "" {
				file = plan.TopologyPath()
			}
			changed = append(changed, fmt.Sprintf("the %s (%s: %s now, %s when it ran)", d.what, file, d.now, then))
		}
	}
	if len(changed) > 0 {
		return nil, fmt.Errorf("revert refused: %s changed since run %s: the inverse must be built from exactly what ran; put the files back as they were (version control has them) and try again", strings.Join(changed, " and "), runID)
	}

	var platforms map[string]string
	if invFile == "" {
		invFile = strings.Split(run.Meta.Extra["inventory"], ",")[0]
	}
	if invFile != "" {
		devs, err := a.readInventory(cmd, cfg, invFile, invFormat)
		if err != nil {
			return nil, err
		}
		platforms = platformsOf(devs)
	}
	undo, ds, err := dryrun.Undo(net, plan, platforms)
	if err != nil {
		return nil, err
	}
	if ds.HasErrors() {
		return nil, diagErr(ds)
	}
	// The inverse of what the plan does: of the effects its configuration
	// has, as the dry-run reads them, not only of those it declares.
	inv, err := plans.Inverse(undo.Plan, undo.Steps)
	if err != nil {
		return nil, fmt.Errorf("revert refused: %w", err)
	}
	dir := filepath.Dir(plan.File)
	stem := strings.TrimSuffix(filepath.Base(plan.File), filepath.Ext(plan.File)) + ".revert-" + runID
	rv := &revert{
		of: runID, original: plan.File, planDigest: plan.Digest(),
		inventory: strings.Split(run.Meta.Extra["inventory"], ",")[0],
		plan:      inv,
		file:      filepath.Join(dir, stem+".yaml"),
		topoFile:  filepath.Join(dir, stem+".topology.yaml"),
		topology:  undo.After.TopologyDigest(),
		traffic:   net.TrafficDigest(),
	}
	when := run.Meta.Started.UTC().Format(time.RFC3339)
	inv.Description = fmt.Sprintf("Undoes run %s of %s (plan %s), started %s by %s@%s, which succeeded. It is checked against %s, the model of the network after that run.",
		runID, filepath.Base(plan.File), rv.planDigest, when, run.Meta.User, run.Meta.Host, filepath.Base(rv.topoFile))
	inv.Topology = filepath.Base(rv.topoFile)
	inv.Inventory = plan.Inventory // relative to the same directory

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Generated by changegate revert %s: the inverse of %s (%s).\n", runID, filepath.Base(plan.File), rv.planDigest)
	fmt.Fprintf(&buf, "# Review it and have it approved like any plan, then run changegate revert %s.\n", runID)
	buf.WriteString("# Its title, description, id, ticket, window, checks and soaks may be edited, and its\n")
	buf.WriteString("# risk raised; revert refuses it if anything else differs from what it builds.\n")
	if err := runbook.WritePlan(&buf, inv); err != nil {
		return nil, err
	}
	rv.planYAML = bytes.Clone(buf.Bytes())
	buf.Reset()
	fmt.Fprintf(&buf, "# The model of the network after run %s: %s with every effect of %s applied.\n", runID, filepath.Base(plan.TopologyPath()), filepath.Base(plan.File))
	fmt.Fprintf(&buf, "# Generated by changegate revert %s, which checks the revert from it. Do not edit it.\n", runID)
	if err := topology.Write(&buf, undo.After); err != nil {
		return nil, err
	}
	rv.topoYAML = bytes.Clone(buf.Bytes())
	return rv, nil
}

// revertRefusal says why run cannot be reverted, or nil: only a run that
// succeeded, and has not been reverted, can be.
func revertRefusal(stateDir string, run *journal.Run, st *apply.State) error {
	id := run.Meta.RunID
	switch {
	case run.JournalMissing:
		return fmt.Errorf("revert refused: run %s has no journal (%s is missing): nothing tells that it succeeded or what it changed", id, journal.PathOf(stateDir, id))
	case run.Live:
		return fmt.Errorf("revert refused: run %s is still running (%s@%s pid %d): wait for it to end", id, run.Meta.User, run.Meta.Host, run.Meta.PID)
	case run.Status == journal.Running || !st.Ended:
		return fmt.Errorf("revert refused: run %s did not finish: its process died (status %s). `changegate recover %s` rolls back what it left", id, runStatus(run.Summary), id)
	case st.Status == apply.RollbackFailed:
		return fmt.Errorf("revert refused: run %s failed and its rollback did not finish: `changegate recover %s` finishes the rollback", id, id)
	case run.Status != journal.Succeeded || st.Status != apply.Succeeded:
		return fmt.Errorf("revert refused: run %s did not succeed (%s): nothing it changed remains, so there is nothing to revert", id, run.Status)
	}
	return nil
}

// laterRuns refuses to revert run when the network has changed since:
// a revert of it exists (done, running or unfinished), or a later run
// that changed the same devices or the same network, and was not itself
// reverted, may have left changes. The inverse is checked from the
// network as run left it, which is then no longer the network.
func laterRuns(stateDir string, run *journal.Run, st *apply.State) error {
	id := run.Meta.RunID
	all, err := journal.List(stateDir)
	if err != nil {
		return err
	}
	// Later is by start time: run ids are only to the second. (Two runs
	// on one device cannot overlap in time: locks.)
	started := map[string]time.Time{}
	for _, s := range all {
		started[s.Meta.RunID] = s.Meta.Started
	}
	later := func(sid string) bool {
		t, ok := started[sid]
		return ok && !t.Before(run.Meta.Started)
	}
	// Runs undone by a revert that succeeded, and reverts of runs after
	// this one: neither leaves a change behind.
	undone := map[string]bool{}
	for _, s := range all {
		if of := s.Meta.Extra[revertOfKey]; of != "" && of != id && s.Status == journal.Succeeded && later(of) {
			undone[of], undone[s.Meta.RunID] = true, true
		}
	}
	devs := devicesOf(st)
	for _, s := range all {
		sid := s.Meta.RunID
		if sid == id || s.Problem != "" {
			continue
		}
		if s.Meta.Extra[revertOfKey] == id {
			switch {
			case s.Status == journal.Succeeded:
				return fmt.Errorf("revert refused: run %s was reverted already, by run %s (started %s)", id, sid, s.Meta.Started.Local().Format(time.DateTime))
			case s.Live:
				return fmt.Errorf("revert refused: run %s is being reverted right now, by run %s", id, sid)
			case s.Status == journal.Running, s.Status == journal.Failed:
				return fmt.Errorf("revert refused: run %s, an earlier revert of run %s, did not finish (%s): `changegate recover %s` first", sid, id, runStatus(s), sid)
			}
			continue // it undid itself
		}
		if !later(sid) || undone[sid] || s.Status == journal.RolledBack || s.Status == journal.Recovered {
			continue
		}
		why := ""
		if s.Meta.Digests["topology"] != "" && s.Meta.Digests["topology"] == run.Meta.Digests["topology"] {
			why = "on the same network"
		}
		if later, err := journal.Read(stateDir, sid); err == nil {
			if lst, err := apply.ReadState(later.Records); err == nil {
				for _, d := range devicesOf(lst) {
					if slices.Contains(devs, d) {
						why = "on " + d
						break
					}
				}
			}
		}
		if why != "" {
			return fmt.Errorf("revert refused: run %s (%s, %s) changed the network after run %s, %s, and was not reverted: the network is no longer as run %s left it, which is what its inverse would be checked from. Revert %s first (changes are undone last first), or write a plan for the network as it is", sid, s.Meta.PlanFile, runStatus(s), id, why, id, sid)
		}
	}
	return nil
}

// devicesOf lists the devices a run's journal says it configured.
func devicesOf(st *apply.State) []string {
	var out []string
	for _, c := range st.Changes {
		if !slices.Contains(out, c.Device) {
			out = append(out, c.Device)
		}
	}
	return out
}

// writeFiles writes the inverse plan and the model beside the run's plan:
// each file that is missing, and with overwrite each that differs.
func (rv *revert) writeFiles(ctx context.Context, a *app, overwrite bool) error {
	for _, f := range []struct {
		path string
		data []byte
		what string
	}{{rv.topoFile, rv.topoYAML, "the model of the network after run " + rv.of}, {rv.file, rv.planYAML, "the inverse plan of run " + rv.of}} {
		old, err := userfile.Read(ctx, f.path, userfile.Kind{Name: "file", Limit: userfile.Topology.Limit})
		existed := err == nil
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return fmt.Errorf("revert: %w", err)
		case bytes.Equal(old, f.data):
			fmt.Fprintf(a.stderr, "changegate: %s: %s, unchanged\n", f.path, f.what)
			continue
		case !overwrite:
			fmt.Fprintf(a.stderr, "changegate: %s: %s, kept as it is (changegate revert %s --write writes it again)\n", f.path, f.what, rv.of)
			continue
		}
		if err := writeReplacing(f.path, f.data); err != nil {
			return fmt.Errorf("revert: write %s: %w", f.path, err)
		}
		verb := "wrote"
		if existed {
			verb = "rewrote (approvals of what was there are stale now)"
		}
		fmt.Fprintf(a.stderr, "changegate: %s: %s %s\n", f.path, verb, f.what)
	}
	return nil
}

// writeReplacing writes data to path through a temporary file renamed
// over it, so that a reader never sees half of it.
func writeReplacing(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// revertFrom returns the revert that apply runs for (nil when apply was
// not started by revert), after checking that what apply loaded and the
// gate checked is the inverse revert built (see isInverse), against the
// model of the network after the run and with its traffic.
func revertFrom(ctx context.Context, v *gate.Verdict) (*revert, error) {
	rv, _ := ctx.Value(revertKey{}).(*revert)
	if rv == nil {
		return nil, nil
	}
	var diffs []string
	if v.Digests.Topology != rv.topology {
		diffs = append(diffs, fmt.Sprintf("the topology it names (%s) is not the model of the network after the run (%s, written to %s)", v.Digests.Topology, rv.topology, rv.topoFile))
	}
	if v.Digests.Traffic != rv.traffic {
		diffs = append(diffs, fmt.Sprintf("its traffic (%s) is not the run's (%s)", v.Digests.Traffic, rv.traffic))
	}
	if !isInverse(v.Plan, rv.plan) {
		diffs = append(diffs, "its steps (devices, configuration, rollback, effects, waves), author or risk are not those revert builds from the run's plan")
	}
	if len(diffs) > 0 {
		return nil, fmt.Errorf("revert refused: %s is not the inverse of run %s: %s. Write it again with `changegate revert %s --write`, review it and have it approved again", v.Plan.File, rv.of, strings.Join(diffs, "; "), rv.of)
	}
	return rv, nil
}

// isInverse reports whether got is the inverse plan built, but for what a
// person may change in it before it is approved, as in any plan: the
// title, description, id, ticket and window, the checks (pre, post and of
// each step) and soaks, and the risk, which may be raised. What it does to
// the devices and the model, and its author, are as built.
func isInverse(got, built *plans.Plan) bool {
	if len(got.Steps) != len(built.Steps) {
		return false
	}
	want := *built
	want.Title, want.Description, want.ID, want.Ticket, want.Window = got.Title, got.Description, got.ID, got.Ticket, got.Window
	want.PreChecks, want.PostChecks = got.PreChecks, got.PostChecks
	if slices.Index(plans.Risks(), got.Risk) >= slices.Index(plans.Risks(), built.Risk) {
		want.Risk = got.Risk
	}
	want.Steps = slices.Clone(built.Steps)
	for i := range want.Steps {
		want.Steps[i].Checks, want.Steps[i].Soak = got.Steps[i].Checks, got.Steps[i].Soak
	}
	return want.Digest() == got.Digest()
}

// extra adds to a revert's journal meta the run it undoes; it returns m.
func (rv *revert) extra(runID string, m map[string]string) map[string]string {
	if rv == nil {
		return m
	}
	rv.runID = runID
	m[revertOfKey] = rv.of
	m[revertPlanKey] = rv.original
	return m
}

// record writes the revert record to the revert's journal: which run it
// undoes, and from what.
func (rv *revert) record(j *journal.Journal) {
	if rv == nil {
		return
	}
	j.Append(journal.Record{Type: "revert", Data: mustJSON(map[string]any{
		"of": rv.of, "plan": rv.original, "plan_digest": rv.planDigest,
		"inverse": rv.file, "topology_after": rv.topoFile, "topology_after_digest": rv.topology,
	})})
}
