package operation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// Request asks for a plan to be run on the network (changegate apply).
type Request struct {
	CheckRequest
	// BreakGlass, when not empty, is the reason to run although the gate
	// denies (recorded); denials a policy marks not overridable still
	// refuse.
	BreakGlass string
	// User is who asks, as user@host: recorded with a break-glass.
	User string
	// Checked is the reviewed verdict (check --format json) the run must
	// match, digest for digest; "" for none.
	Checked string
	// Revert is the inverse of a finished run that this run undoes (set
	// by changegate revert); nil otherwise.
	Revert *Revert
	// UpdateTopology rewrites the topology file the plan was checked
	// against with the model of the network an applied run left (see
	// Model); otherwise that model goes to ModelAfterFile in the run's
	// directory.
	UpdateTopology bool
}

// Result is what a run did.
type Result struct {
	// Run is the run's id; "" when it was refused before it began.
	Run string
	// Checked is the gate's verdict the run went by.
	Checked *Checked
	// Report is the run's report; nil when it was refused before it
	// began.
	Report *apply.Report
	// Model is the model of the network the run left and where it was
	// written; nil when the run was refused before it began.
	Model *Model
}

// DeniedError refuses a run the gate denies: nothing was touched.
type DeniedError struct {
	Checked *Checked
	// Msg says why, and what to do.
	Msg string
}

func (e *DeniedError) Error() string { return e.Msg }

// Run runs a plan on the network, the way Terraform's backends run an
// operation: first the gate again, immediately before anything is
// touched (stage apply: missing approvals deny), over the digests of the
// plan, its topology, its traffic, the policies and the inventory the run
// uses; then the break-glass rule and the --checked match; then the
// devices' locks, the run's journal (the gate's record first) and the
// plan, step by step, with automatic rollback (package apply). A denied
// plan is refused with a *DeniedError and no device is contacted.
//
// The error is for a run that could not go on (the report, when not nil,
// says how far it got); a run that failed and was rolled back is a
// report with its status, not an error.
func (b *Backend) Run(ctx context.Context, req Request, view View) (*Result, error) {
	req.Stage = policy.StageApply
	var override *policy.Override
	if req.BreakGlass != "" {
		override = &policy.Override{Reason: req.BreakGlass, User: req.User, Time: time.Now()}
	}
	req.Override = override
	// The inventory is read once, before the gate: its digest is bound
	// with the others (approvals, --checked), and the run uses exactly
	// what was digested.
	c, err := b.Check(ctx, req.CheckRequest)
	if err != nil {
		return nil, err
	}
	if req.Checked != "" {
		if err := matchChecked(ctx, req.Checked, c.Verdict); err != nil {
			return nil, err
		}
	}
	if err := req.Revert.check(c.Verdict); err != nil {
		return nil, err
	}
	view.Checked(c, override)
	if err := enforce(c, override, "apply"); err != nil {
		return nil, err
	}
	inv, plan := c.Inventory, c.Plan
	if inv == nil {
		return nil, errors.New("no inventory: pass --inventory FILE, name one in the plan (inventory:), or set inventory.file in changegate.yaml (docs/config.md)")
	}
	if _, err := inv.Select(plan.Devices()); err != nil {
		return nil, fmt.Errorf("%s: %w", plan.File, err)
	}
	runID := journal.NewRunID(time.Now())
	locks, err := b.Locks.Acquire(ctx, plan.Devices(), lock.CurrentHolder(runID, plan.File))
	if err != nil {
		return nil, fmt.Errorf("apply refused: %w", b.explainHeld(err))
	}
	defer locks.Release()
	// Absolute paths: recover may run from another directory.
	j, err := b.Journals.Create(runID, journal.Meta{
		PlanFile: absPath(plan.File), PlanTitle: plan.Title,
		Digests: c.Digests,
		Extra:   req.Revert.extra(runExtra(inv, override, c.Verdict)),
		Policy:  mustJSON(c.PolicySet),
	})
	if err != nil {
		return nil, err
	}
	defer j.Close()
	// A run that stops before its first record changed nothing: its
	// journal says so (best effort: the journal is what failed).
	notStarted := func(err error) error {
		j.SetStatus(journal.NotStarted)
		return fmt.Errorf("run %s: %w", runID, err)
	}
	if override != nil {
		if _, err := j.Append(apply.NewRecord(0, "", apply.OverrideData{Reason: override.Reason, User: override.User, Denials: c.Decision.Results})); err != nil {
			return nil, notStarted(fmt.Errorf("recording the break-glass: %w", err))
		}
	}
	if err := req.Revert.record(j); err != nil {
		return nil, notStarted(err)
	}
	if _, err := j.Append(apply.NewRecord(0, "", apply.GateData{Allowed: c.Allowed(), Digests: apply.GateDigests(c.Digests), Results: c.Decision.Results})); err != nil {
		return nil, notStarted(fmt.Errorf("recording the gate's verdict: %w", err))
	}
	view.Started(Started{Run: runID, Plan: plan, Journal: j.Path()})

	target, closeTarget := b.Devices.Target(inv)
	defer closeTarget()
	if err := b.checkDrift(ctx, c, inv, target, override, j, view); err != nil {
		return nil, notStarted(err)
	}
	obs, err := b.observer(c.Network, plan, target, inv, view)
	if err != nil {
		return nil, notStarted(err)
	}
	// The model the run leaves if it is applied: its digest goes into
	// the run's last record, and the model is written after it.
	after, afterErr := modelAfter(c)
	opts := b.options(runID, target, j, obs, view)
	if afterErr == nil {
		opts.Model = after.TopologyDigest()
	}
	rep, err := apply.Execute(ctx, plan, opts)
	res := &Result{Run: runID, Checked: c, Report: rep}
	if rep != nil {
		j.SetStatus(rep.RunStatus())
	}
	res.Model = b.carryForward(ctx, c, after, afterErr, rep, err, req.UpdateTopology, filepath.Dir(j.Path()), view)
	if err != nil {
		return res, fmt.Errorf("run %s: %w (run changegate recover %s)", runID, err, runID)
	}
	return res, nil
}

// enforce refuses what the gate denies, unless the operator broke glass
// (o) and every denial may be overridden. verb names the operation in
// the refusal.
func enforce(c *Checked, o *policy.Override, verb string) error {
	if !c.Decision.Denied() {
		return nil
	}
	if o == nil {
		if off := disabledDenials(c.Decision); off != "" {
			return &DeniedError{Checked: c, Msg: fmt.Sprintf("%s refused: policies the configuration disables deny this plan (%s); policy.disable quiets check, not apply: enable them again, or apply with --break-glass REASON (recorded); no device was contacted", verb, off)}
		}
		return &DeniedError{Checked: c, Msg: verb + " refused: the gate denies this plan; no device was contacted"}
	}
	if hard := c.Decision.Unoverridable(); len(hard) > 0 {
		return &DeniedError{Checked: c, Msg: fmt.Sprintf("%s refused: %d denials cannot be overridden (%s); no device was contacted", verb, len(hard), hard[0].Msg)}
	}
	return nil
}

// disabledDenials names each disabled policy that denies, with how many
// denials and its first message: "changegate.capacity (16: link ...)".
func disabledDenials(d *policy.Decision) string {
	var order []string
	first := map[string]string{}
	n := map[string]int{}
	for _, r := range d.Results {
		if r.Kind != policy.Deny || !r.Disabled {
			continue
		}
		if n[r.Policy] == 0 {
			order = append(order, r.Policy)
			first[r.Policy] = strings.TrimPrefix(r.Msg, policy.DisabledDenies)
		}
		n[r.Policy]++
	}
	parts := make([]string, len(order))
	for i, p := range order {
		parts[i] = fmt.Sprintf("%s: %s", p, first[p])
		if n[p] > 1 {
			parts[i] += fmt.Sprintf(" (and %d more)", n[p]-1)
		}
	}
	return strings.Join(parts, "; ")
}

// options are the executor's options for a run.
func (b *Backend) options(runID string, target apply.Target, j Journal, obs apply.Observer, view View) apply.Options {
	return apply.Options{
		Run: runID, Target: target, Journal: j, Observer: obs,
		Sink:            view.Event,
		Concurrency:     b.Apply.Concurrency,
		RollbackTimeout: b.Apply.RollbackTimeout,
		ConfirmMargin:   b.Apply.ConfirmMargin,
		AfterRecord:     b.AfterRecord,
	}
}

// observer returns what compares the routers with the dry-run after each
// step, or nil (telling the view why) when apply.observe is off or the
// network cannot be observed.
func (b *Backend) observer(net *topology.Network, plan *plans.Plan, target apply.Target, inv *devices.Inventory, view View) (apply.Observer, error) {
	if !b.Apply.Observe {
		view.Notice("apply.observe is off: the routers are not compared with the model")
		return nil, nil
	}
	platform := func(d string) string {
		if dev, ok := inv.Device(d); ok {
			return dev.Platform
		}
		return ""
	}
	if why := apply.CanObserve(net, plan.Devices(), platform); why != "" {
		view.Notice("the routers will not be compared with the model: " + why)
		return nil, nil
	}
	pr, err := dryrun.NewPredictor(net, plan, inv.PlatformsByDevice())
	if err != nil {
		return nil, err
	}
	return &apply.ModelObserver{Net: net, Predictor: pr, Target: target, Tolerance: b.Apply.ObserveTolerance, Timeout: b.Apply.ObserveTimeout, Settled: b.Apply.ObserveSettled}, nil
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// runExtra is what a run's journal meta says beyond the plan: the
// inventory, the verdict and the break-glass.
func runExtra(inv *devices.Inventory, o *policy.Override, v *gate.Verdict) map[string]string {
	var files []string
	for _, f := range inv.Files {
		files = append(files, absPath(f))
	}
	m := map[string]string{apply.MetaInventory: strings.Join(files, ","), apply.MetaVerdict: "allowed"}
	if !v.Allowed() {
		m[apply.MetaVerdict] = "denied"
	}
	if o != nil {
		m[apply.MetaBreakGlass] = o.Reason
		m[apply.MetaBreakGlassUser] = o.User
	}
	return m
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"unmarshalable": err.Error()})
	}
	return b
}
