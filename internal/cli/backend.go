package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/operation"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/report"
)

// The verbs build requests for package operation, which loads, checks and
// runs; this file gives it the configuration, the state directory's
// stores, SSH, and a view that prints.

// afterRecord, when set (by tests only), is called after every journal
// record of apply: the crash tests kill the process there.
var afterRecord func(journal.Record)

// settings are the operations' settings from the configuration.
func settings(cfg Config) operation.Settings {
	return operation.Settings{
		ConfigFile:     cfg.File,
		Scope:          cfg.Paths.scope(),
		RunbookDirs:    cfg.Runbook.Dirs,
		Policy:         cfg.Policy.options(nil),
		AllowedSigners: cfg.Approvals.AllowedSigners,
		Roles:          cfg.Approvals.Roles,
		Inventory:      devices.InventoryFile{Path: cfg.Inventory.File, Format: cfg.Inventory.Format},
		Apply: operation.ApplySettings{
			Concurrency:      cfg.Apply.Concurrency,
			RollbackTimeout:  cfg.Apply.RollbackTimeout,
			ConfirmMargin:    cfg.Apply.ConfirmMargin,
			Observe:          cfg.Apply.Observe,
			ObserveTolerance: cfg.Apply.ObserveTolerance,
			ObserveTimeout:   cfg.Apply.ObserveTimeout,
			ObserveSettled:   cfg.Apply.ObserveSettled,
		},
	}
}

// loader reads inputs with the configuration's settings, printing
// warnings to stderr as each file is read.
func (a *app) loader(cfg Config) operation.Loader {
	return operation.Loader{Settings: settings(cfg), Warn: a.printDiags, Stdin: a.stdinPlan}
}

// backend runs operations with the state directory's locks and journals
// and SSH to the devices (asking for credentials on the terminal).
func (a *app) backend(cfg Config) (*operation.Backend, string, error) {
	dir, err := cfg.State.dir()
	if err != nil {
		return nil, "", err
	}
	return &operation.Backend{
		Loader:      a.loader(cfg),
		Locks:       operation.LockDir{Locker: lock.New(dir)},
		Journals:    operation.JournalDir(dir),
		Devices:     operation.SSH{Prompter: terminalPrompter{in: a.stdin, out: a.stderr}},
		AfterRecord: afterRecord,
	}, dir, nil
}

// check checks a plan as every verb does (operation.Loader.Check), with
// problems of changegate.yaml reported at their line there.
func (a *app) check(cmd *cobra.Command, cfg Config, req operation.CheckRequest) (*operation.Checked, error) {
	c, err := a.loader(cfg).Check(cmd.Context(), req)
	return c, configErr(cfg, err)
}

// configErr reports a policy directory or a disabled policy that
// changegate.yaml names wrongly at its line there; other errors are
// returned as they are.
func configErr(cfg Config, err error) error {
	pc := cfg.Policy
	var dir *operation.PolicyDirError
	if errors.As(err, &dir) {
		var ds diag.Diagnostics
		ds.Add(pc.doc.itemPos("policy.dirs", dir.Dir), "check the path: it is relative to changegate.yaml", "policy.dirs: %v", dir.Err)
		return diagErr(ds)
	}
	var unknown *policy.UnknownPackageError
	if errors.As(err, &unknown) && pc.doc != nil {
		var ds diag.Diagnostics
		ds.Add(pc.doc.itemPos("policy.disable", unknown.Name), unknown.Hint, "policy.disable: %q is no policy package, so it cannot be disabled", unknown.Name)
		return diagErr(ds)
	}
	return err
}

// denied prints the verdict and the refusal of a *operation.DeniedError
// and returns errDenied (exit 2); other errors are returned as they are.
func (a *app) denied(cfg Config, err error) error {
	var d *operation.DeniedError
	if !errors.As(err, &d) {
		return configErr(cfg, err)
	}
	report.CheckText(a.stderr, d.Checked.Verdict, d.Checked.Engine.Packages(), cfg.Policy.Disable)
	fmt.Fprintf(a.stderr, "changegate: %s\n", d.Msg)
	return errDenied
}

// runView prints what a run does: notices to stderr, progress and the
// report to stdout, as text (a live view on a terminal) or JSON events.
type runView struct {
	a        *app
	stateDir string
	format   string
	sink     apply.Sink
}

func (a *app) runView(stateDir, format string) *runView {
	return &runView{a: a, stateDir: stateDir, format: format, sink: report.Progress(a.stdout, format, format == "text" && isTerminal(a.stdout))}
}

// Checked implements operation.View: what the configuration changed in
// the policy set, and the gate's verdict in a line (a refusal prints the
// whole verdict).
func (v *runView) Checked(c *operation.Checked, o *policy.Override) {
	w := v.a.stderr
	report.PolicySettings(w, c.PolicySet)
	switch {
	case c.Decision.Denied() && o != nil && len(c.Decision.Unoverridable()) == 0:
		fmt.Fprintf(w, "changegate: BREAK-GLASS: the gate denies this plan (%d denials); running it anyway on %s's authority: %s\n", countDenials(c.Decision), o.User, o.Reason)
	case !c.Decision.Denied() && len(c.Decision.Results) > 0:
		fmt.Fprintf(w, "changegate: the gate allows this plan, with %d warnings (changegate check lists them)\n", len(c.Decision.Results))
	}
}

// Started implements operation.View.
func (v *runView) Started(s operation.Started) {
	fmt.Fprintf(v.a.stderr, "changegate: run %s: %s (%d steps, %d devices); journal %s\n", s.Run, s.Plan.Title, len(s.Plan.Steps), len(s.Plan.Devices()), s.Journal)
}

// Recovering implements operation.View.
func (v *runView) Recovering(run *journal.Run, st *apply.State) {
	report.RunState(v.a.stderr, v.stateDir, run, st)
}

// Notice implements operation.View.
func (v *runView) Notice(msg string) { fmt.Fprintf(v.a.stderr, "changegate: %s\n", msg) }

// Event implements operation.View.
func (v *runView) Event(ev apply.Event) { v.sink(ev) }

// report prints a run's report, when there is one.
func (v *runView) report(rep *apply.Report) {
	if rep == nil {
		return
	}
	if v.format == "text" {
		report.RunText(v.a.stdout, rep)
	} else {
		report.RunEvent(v.a.stdout, rep)
	}
}
