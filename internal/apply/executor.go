package apply

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/health"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/plans"
)

// Journal is where the executor records every intent before acting and
// every result after. *journal.Journal implements it.
type Journal interface {
	Append(r journal.Record) (journal.Record, error)
}

// resultAppender is a Journal that can write a record without waiting
// for the disk (*journal.Journal): for records that report what already
// happened. The next intent's Append makes them durable.
type resultAppender interface {
	AppendResult(r journal.Record) (journal.Record, error)
}

// durableFirst are the records that must be on disk before the action
// they announce (a change to a device), and the run's end.
var durableFirst = map[string]bool{
	RecordRunStart: true, RecordConfigIntent: true, RecordConfirmIntent: true,
	RecordRollbackIntent: true, RecordRollbackStart: true, RecordRecoverStart: true, RecordRunEnd: true,
}

// Observer compares what devices forward now with the model's prediction
// for a state (0 the baseline, k after step k). A difference beyond its
// tolerance is an Observation with Passed false. devices nil asks for
// the whole network: every router the observer can read (the executor
// asks so at the baseline, after the last step and after a rollback to
// the baseline); a list asks for those routers (and those the observer
// adds, such as the routers whose predicted forwarding the step changes).
type Observer interface {
	Observe(ctx context.Context, state int, devices []string) ([]Observation, error)
}

// UnchangedObserver is an Observer that can compare a network in which
// nothing has been changed (before a run's first step): a difference
// that stays as it is there is not convergence, and is reported without
// waiting for the routers to converge.
type UnchangedObserver interface {
	Observer
	ObserveUnchanged(ctx context.Context, state int, devices []string) ([]Observation, error)
}

// Options are what Execute works with.
type Options struct {
	// Run is the run's id, for the report.
	Run     string
	Target  Target
	Journal Journal
	// Observer compares the routers with the model: the whole network
	// before the first step, after the last and after a rollback to the
	// baseline; the step's routers after the others. nil skips the
	// comparison (recorded as skipped).
	Observer Observer
	// Sink receives progress events; nil discards them.
	Sink Sink
	// Concurrency bounds the devices configured at once (default 20).
	Concurrency int
	// RollbackTimeout bounds the rollback once the run's context is done
	// (an interrupt): the rollback runs on its own context (default 10m).
	RollbackTimeout time.Duration
	// ConfirmMargin is added to the time a confirmed commit is given
	// (the step's soak and checks at their slowest) (default 2m).
	ConfirmMargin time.Duration
	// AfterRecord, when set, is called after every journal record is
	// written (tests use it to kill the process at each phase boundary).
	AfterRecord func(journal.Record)
	// Model is the digest of the model of the network once every step
	// is applied (the dry-run's state after the last step): the run.end
	// record of a run that succeeds records it. Empty records none.
	Model string
}

// Phases of checks and failures.
const (
	PhasePre      = "pre"
	PhaseStep     = "step"
	PhasePost     = "post"
	PhaseRollback = "rollback"
)

// change is a step's configuration on one device, from the moment its
// intent is recorded: what the rollback must undo.
type change struct {
	step     int
	device   string
	lines    []string
	rollback []string
	// result is what Configure returned (nil until it returns, and when
	// the process died before).
	result  *session.ConfigResult
	err     error
	pending bool // a confirmed commit awaits confirmation
	// undone is set once the change was rolled back during the run (a
	// device that failed within a wave's budget).
	undone bool
}

type executor struct {
	plan  *plans.Plan
	opts  Options
	start time.Time
	rep   *Report

	mu      sync.Mutex // guards changes, emit and the journal error
	changes []*change
	jerr    error

	checks map[*plans.Check]*health.Check
}

// Execute runs plan on opts.Target, journalling everything, and rolls it
// back when a step fails or ctx ends (an interrupt). The plan must have
// passed the gate, with its runbook steps expanded, and the caller holds
// the locks of its devices. The Report says what happened; the error is
// only for a journal that cannot be written (the run stops and rolls
// back as far as it can).
func Execute(ctx context.Context, plan *plans.Plan, opts Options) (*Report, error) {
	e, ok := newExecutor(plan, opts)
	if !ok {
		return e.finish(), nil
	}
	e.record(0, "", RunStartData{Plan: plan.File, Title: plan.Title, Steps: len(plan.Steps), Devices: plan.Devices()})
	e.emit(Event{Kind: EventRunStart, Steps: len(plan.Steps), Name: plan.Title, Status: StatusRunning, Message: fmt.Sprintf("%d steps on %d devices", len(plan.Steps), len(plan.Devices()))})

	// Pre-checks: nothing is changed when they fail.
	res, ok := e.runChecks(ctx, PhasePre, 0, checksOn(plan.PreChecks, nil))
	e.rep.PreChecks = res
	if !ok {
		e.rep.Status = journal.NotStarted
		return e.finish(), e.journalErr()
	}
	// The routers must forward as the model says before anything changes:
	// otherwise its verdict is about another network.
	if !e.observeUnchanged(ctx, &e.rep.Observed) {
		e.rep.Status = journal.NotStarted
		return e.finish(), e.journalErr()
	}
	return e.from(ctx, 1)
}

// newExecutor sets the defaults and compiles the plan's checks; false
// (with the report saying why) when they do not compile.
func newExecutor(plan *plans.Plan, opts Options) (*executor, bool) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 20
	}
	if opts.RollbackTimeout <= 0 {
		opts.RollbackTimeout = 10 * time.Minute
	}
	if opts.ConfirmMargin <= 0 {
		opts.ConfirmMargin = 2 * time.Minute
	}
	e := &executor{plan: plan, opts: opts, start: time.Now(), checks: map[*plans.Check]*health.Check{}}
	e.rep = &Report{Run: opts.Run, Plan: plan.File, Started: e.start}
	for i := range plan.Steps {
		e.rep.Steps = append(e.rep.Steps, StepReport{Index: i + 1, Name: plan.Steps[i].Name, Status: StatusSkipped})
	}
	if err := e.compile(); err != nil {
		e.rep.Status, e.rep.Reason = journal.NotStarted, err.Error()
		return e, false
	}
	return e, true
}

// from runs steps first.. and the post-checks, rolling back on failure.
func (e *executor) from(ctx context.Context, first int) (*Report, error) {
	for k := first; k <= len(e.plan.Steps); k++ {
		if !e.step(ctx, k) {
			e.rollback(ctx, k)
			return e.finish(), e.journalErr()
		}
	}
	res, ok := e.runChecks(ctx, PhasePost, 0, checksOn(e.plan.PostChecks, nil))
	e.rep.PostChecks = res
	if !ok {
		e.rollback(ctx, len(e.plan.Steps))
		return e.finish(), e.journalErr()
	}
	e.rep.Status = journal.Succeeded
	return e.finish(), e.journalErr()
}

// compile compiles every health check of the plan once.
func (e *executor) compile() error {
	add := func(cs []plans.Check) error {
		for i := range cs {
			c, err := health.Compile(cs[i])
			if err != nil {
				return fmt.Errorf("%s: %w", cs[i].Pos, err)
			}
			e.checks[&cs[i]] = c
		}
		return nil
	}
	if err := add(e.plan.PreChecks); err != nil {
		return err
	}
	if err := add(e.plan.PostChecks); err != nil {
		return err
	}
	for i := range e.plan.Steps {
		if err := add(e.plan.Steps[i].Checks); err != nil {
			return err
		}
	}
	return nil
}

func (e *executor) finish() *Report {
	e.rep.Took = time.Since(e.start).Seconds()
	end := RunEndData{Status: e.rep.Status, Reason: e.rep.Reason, Remaining: e.rep.Remaining, Failure: e.rep.Failure}
	if e.rep.Status == journal.Succeeded {
		end.Model = e.opts.Model
	}
	e.record(0, "", end)
	msg := e.rep.Reason
	if e.rep.Status == journal.Succeeded {
		msg = fmt.Sprintf("%d steps applied, every check passed", len(e.plan.Steps))
	}
	st := StatusOK
	if e.rep.Status != journal.Succeeded && e.rep.RunStatus() != journal.Recovered {
		st = StatusFailed
	}
	e.emit(Event{Kind: EventRunEnd, Status: st, Name: string(e.rep.Status), Message: msg})
	return e.rep
}

// record writes one journal record. A journal that cannot be written
// stops the run: the error is kept and every later action is refused.
func (e *executor) record(step int, device string, d Data) bool {
	rec := NewRecord(step, device, d)
	var r journal.Record
	var err error
	if ra, ok := e.opts.Journal.(resultAppender); ok && !durableFirst[rec.Type] {
		r, err = ra.AppendResult(rec)
	} else {
		r, err = e.opts.Journal.Append(rec)
	}
	e.mu.Lock()
	first := err != nil && e.jerr == nil
	if first {
		e.jerr = fmt.Errorf("journal: %w", err)
	}
	ok := e.jerr == nil
	e.mu.Unlock()
	if first {
		e.fail(Failure{Step: step, Phase: "journal", Device: device, Reason: fmt.Sprintf("cannot write the journal (%v): stopping, since nothing may be done that is not recorded first", err)})
	}
	if err == nil && e.opts.AfterRecord != nil {
		e.opts.AfterRecord(r)
	}
	return ok
}

func (e *executor) journalErr() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.jerr
}

func (e *executor) emit(ev Event) {
	if e.opts.Sink == nil {
		return
	}
	ev.Time = time.Now()
	ev.Elapsed = ev.Time.Sub(e.start)
	if ev.Steps == 0 {
		ev.Steps = len(e.plan.Steps)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opts.Sink(ev)
}

// fail records the first failure of the run.
func (e *executor) fail(f Failure) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.rep.Failure == nil {
		e.rep.Failure = &f
		if e.rep.Reason == "" {
			e.rep.Reason = describeFailure(f)
		}
	}
}

func describeFailure(f Failure) string {
	where := f.Phase
	if f.Step > 0 && f.Phase == PhaseStep {
		where = fmt.Sprintf("step %d", f.Step)
	}
	switch {
	case f.Check != "":
		return fmt.Sprintf("%s: check %q on %s failed: %s", where, f.Check, f.Device, f.Reason)
	case f.Device != "":
		return fmt.Sprintf("%s: %s: %s", where, f.Device, f.Reason)
	}
	return fmt.Sprintf("%s: %s", where, f.Reason)
}

// interrupted reports whether ctx is done, recording it as the failure.
func (e *executor) interrupted(ctx context.Context, step int, phase string) bool {
	if ctx.Err() == nil {
		return false
	}
	e.fail(Failure{Step: step, Phase: phase, Reason: fmt.Sprintf("interrupted (%v)", context.Cause(ctx))})
	return true
}

// deviceCheck is a compiled check and the device it runs on.
type deviceCheck struct {
	spec   *plans.Check
	device string
}

// checksOn pairs checks with their devices: their own, else each of
// devs.
func checksOn(cs []plans.Check, devs []string) []deviceCheck {
	var out []deviceCheck
	for i := range cs {
		if cs[i].Device != "" {
			out = append(out, deviceCheck{&cs[i], cs[i].Device})
			continue
		}
		for _, d := range devs {
			out = append(out, deviceCheck{&cs[i], d})
		}
	}
	return out
}

// runChecks runs checks in parallel (bounded), records each result, and
// reports whether all passed. The first failure is the run's failure
// unless one is recorded already.
func (e *executor) runChecks(ctx context.Context, phase string, step int, cs []deviceCheck) ([]health.Result, bool) {
	on := make([]health.On, len(cs))
	for i, c := range cs {
		on[i] = health.On{Check: e.checks[c.spec], Device: c.device}
	}
	results := health.RunAll(ctx, e.opts.Target, on, health.RunOptions{
		Concurrency: e.opts.Concurrency,
		Started: func(i int) {
			e.emit(Event{Kind: EventCheck, Step: step, Phase: phase, Device: cs[i].device, Name: cs[i].spec.Name, Status: StatusRunning})
		},
		Finished: func(i int, r health.Result) {
			e.record(step, cs[i].device, CheckResultData{Phase: phase, Result: r})
			st := StatusOK
			if !r.Passed {
				st = StatusFailed
			}
			e.emit(Event{Kind: EventCheck, Step: step, Phase: phase, Device: cs[i].device, Name: cs[i].spec.Name, Status: st, Message: r.Reason})
		},
	})
	ok := e.journalErr() == nil
	for _, r := range results {
		if !r.Passed {
			if ok {
				out := ""
				if n := len(r.Attempts); n > 0 {
					out = r.Attempts[n-1].Output
				}
				e.fail(Failure{Step: step, Phase: phase, Device: r.Device, Check: r.Check, Reason: r.Reason, Output: out})
			}
			ok = false
		}
	}
	return results, ok
}

// sleep waits d or until ctx is done; false when ctx ended it.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
