package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/plans"
)

// batches splits a step's devices into waves: without a wave, all at
// once; with one, a canary (the first device) and then batches of
// Wave.Batch.
func batches(s *plans.Step) [][]string {
	if len(s.Devices) == 0 {
		return nil
	}
	if s.Wave == nil || s.Wave.Batch <= 0 || len(s.Devices) == 1 {
		return [][]string{s.Devices}
	}
	out := [][]string{s.Devices[:1]}
	for rest := s.Devices[1:]; len(rest) > 0; {
		n := min(s.Wave.Batch, len(rest))
		out = append(out, rest[:n])
		rest = rest[n:]
	}
	return out
}

// step applies step k and checks it: its start, its configuration wave
// by wave, the soak, its checks, the routers against the model, the
// confirmation of its confirmed commits, its end. It reports whether the
// step succeeded; on failure the run's failure is recorded and the
// caller rolls back.
func (e *executor) step(ctx context.Context, k int) bool {
	s := &e.plan.Steps[k-1]
	t0 := time.Now()
	rep := &e.rep.Steps[k-1]
	rep.Status = StatusRunning
	defer func() { rep.Took = time.Since(t0).Seconds() }()
	if !e.startStep(k, s) {
		rep.Status = StatusFailed
		return false
	}
	tolerated, ok := e.applyWaves(ctx, k, s, rep)
	if !ok || !e.soak(ctx, k, s) || !e.checkStep(ctx, k, s, rep) ||
		!e.observe(ctx, k, PhaseStep, e.stepScope(k, without(s.Devices, tolerated)), &rep.Observed) ||
		!e.confirmAll(ctx, k, rep) {
		rep.Status = StatusFailed
		return false
	}
	rep.Status = StatusOK
	e.endStep(k, s, t0)
	return true
}

// startStep records the start of step k; false (the run's failure) when
// the journal cannot be written.
func (e *executor) startStep(k int, s *plans.Step) bool {
	if !e.record(k, "", StepStartData{Name: s.Name, Devices: s.Devices}) {
		e.fail(Failure{Step: k, Phase: PhaseStep, Reason: e.journalErr().Error()})
		return false
	}
	e.emit(Event{Kind: EventStepStart, Step: k, Name: s.Name, Status: StatusRunning, Message: strings.Join(s.Devices, ", ")})
	return true
}

// perWaveChecks reports whether the checks of step s without a device run
// on each wave, just after it is configured (a step with waves), rather
// than after the soak with the others.
func perWaveChecks(s *plans.Step) bool { return s.Wave != nil && s.Wave.Batch > 0 }

// applyWaves configures step k's devices wave by wave (all at once when
// the step has no waves). Devices that fail within the wave's budget are
// tolerated: rolled back at once and left out of the rest of the step,
// and returned. It returns false when the step failed: interrupted, or
// more devices failed than the budget allows.
func (e *executor) applyWaves(ctx context.Context, k int, s *plans.Step, rep *StepReport) (tolerated []string, ok bool) {
	budget := 0
	if s.Wave != nil {
		budget = s.Wave.MaxFailures
	}
	failures := 0
	confirm := e.confirmWindow(s)
	for w, batch := range batches(s) {
		if e.interrupted(ctx, k, PhaseStep) {
			return tolerated, false
		}
		e.mu.Lock()
		savedFailure, savedReason := e.rep.Failure, e.rep.Reason
		e.mu.Unlock()
		failed := e.configureWave(ctx, k, w, batch, s, confirm, rep)
		failures += len(failed)
		if failures > budget {
			if budget > 0 {
				all := append(append([]string(nil), rep.Tolerated...), failureReasons(e.rep.Failure, failed)...)
				f := Failure{Step: k, Phase: PhaseStep, Reason: fmt.Sprintf("%d devices failed, more than the wave's budget of %d: %s", failures, budget, strings.Join(all, "; "))}
				e.mu.Lock()
				e.rep.Failure, e.rep.Reason = &f, describeFailure(f)
				e.mu.Unlock()
			}
			return tolerated, false
		}
		if len(failed) > 0 {
			// Within the budget: not the run's failure.
			e.mu.Lock()
			rep.Tolerated = append(rep.Tolerated, failureReasons(e.rep.Failure, failed)...)
			e.rep.Failure, e.rep.Reason = savedFailure, savedReason
			e.mu.Unlock()
			e.emit(Event{Kind: EventStepWave, Step: k, Status: StatusFailed, Message: fmt.Sprintf("wave %d: %d failed (%s); %d of %d failures allowed so far; rolling them back", w, len(failed), strings.Join(failed, ", "), failures, budget)})
			e.undoTolerated(ctx, k, failed)
			tolerated = append(tolerated, failed...)
		}
	}
	return tolerated, true
}

// configureWave configures the devices of wave w of step k and, when the
// step checks per wave, runs its checks without a device on those that
// took the configuration. It returns the devices that failed either.
func (e *executor) configureWave(ctx context.Context, k, w int, batch []string, s *plans.Step, confirm time.Duration, rep *StepReport) []string {
	failed := e.configure(ctx, k, w, batch, s, confirm, rep)
	if !perWaveChecks(s) || len(failed) == len(batch) {
		return failed
	}
	res, _ := e.runChecks(ctx, PhaseStep, k, devicelessOn(s.Checks, without(batch, failed)))
	rep.Checks = append(rep.Checks, res...)
	for _, r := range res {
		if !r.Passed && !slices.Contains(failed, r.Device) {
			failed = append(failed, r.Device)
		}
	}
	return failed
}

// undoTolerated puts the devices of step k that failed within the wave's
// budget back as they were.
func (e *executor) undoTolerated(ctx context.Context, k int, failed []string) {
	for _, c := range e.changesOf(k) {
		if slices.Contains(failed, c.device) && !c.undone {
			rr := e.undo(ctx, c)
			e.rep.Rollback = append(e.rep.Rollback, rr)
			if rr.Error == "" {
				c.undone = true
			}
		}
	}
}

// soak waits step k's soak time; false (the run's failure) when the run
// is interrupted meanwhile.
func (e *executor) soak(ctx context.Context, k int, s *plans.Step) bool {
	if s.Soak <= 0 {
		return true
	}
	e.record(k, "", SoakData{Seconds: s.Soak.Seconds()})
	e.emit(Event{Kind: EventSoak, Step: k, Status: StatusRunning, Message: fmt.Sprintf("soaking %s", s.Soak)})
	if !sleep(ctx, s.Soak) {
		e.interrupted(ctx, k, PhaseStep)
		return false
	}
	return true
}

// checkStep runs the checks of step k after its soak: those that name a
// device, and those that do not on each device of the step unless they
// ran per wave.
func (e *executor) checkStep(ctx context.Context, k int, s *plans.Step, rep *StepReport) bool {
	cs := withDeviceOnly(s.Checks)
	if !perWaveChecks(s) {
		cs = checksOn(s.Checks, s.Devices)
	}
	res, ok := e.runChecks(ctx, PhaseStep, k, cs)
	rep.Checks = append(rep.Checks, res...)
	return ok
}

// endStep records that step k, started at t0, is done.
func (e *executor) endStep(k int, s *plans.Step, t0 time.Time) {
	e.record(k, "", StepDoneData{TookSeconds: time.Since(t0).Seconds()})
	e.emit(Event{Kind: EventStepDone, Step: k, Name: s.Name, Status: StatusOK, Message: fmt.Sprintf("in %s", time.Since(t0).Round(time.Millisecond))})
}

// without returns devs without those in drop, in order.
func without(devs, drop []string) []string {
	var out []string
	for _, d := range devs {
		if !slices.Contains(drop, d) {
			out = append(out, d)
		}
	}
	return out
}

// confirmWindow is how long a confirmed commit of step s is given: the
// soak, every check at its slowest, twice over, and the margin.
func (e *executor) confirmWindow(s *plans.Step) time.Duration {
	var checks time.Duration
	for _, c := range s.Checks {
		n := time.Duration(c.Retries + 1)
		checks += n*c.Timeout + (n-1)*c.Interval
	}
	return 2*(s.Soak+checks) + e.opts.ConfirmMargin
}

// configure sends step k's configuration to the devices of one wave, in
// parallel, and returns those that failed.
func (e *executor) configure(ctx context.Context, k, wave int, batch []string, s *plans.Step, confirm time.Duration, rep *StepReport) []string {
	if len(s.Config) == 0 {
		return nil
	}
	var mu sync.Mutex
	var failed []string
	reports := make([]DeviceReport, len(batch))
	var g errgroup.Group
	g.SetLimit(e.opts.Concurrency)
	for i, d := range batch {
		g.Go(func() error {
			dr := DeviceReport{Device: d, Wave: wave}
			err := e.configureDevice(ctx, k, d, s, confirm, &dr)
			reports[i] = dr
			if err != nil {
				mu.Lock()
				failed = append(failed, d)
				mu.Unlock()
				e.fail(Failure{Step: k, Phase: PhaseStep, Device: d, Reason: err.Error(), Output: lastOutput(dr.Config)})
			}
			return nil
		})
	}
	_ = g.Wait() // the tasks return no error: a failure is in the report
	rep.Devices = append(rep.Devices, reports...)
	return failed
}

// configureDevice records the intent, sends the configuration and
// records the result.
func (e *executor) configureDevice(ctx context.Context, k int, d string, s *plans.Step, confirm time.Duration, dr *DeviceReport) error {
	g := e.opts.Target.Guarantees(d)
	opts := session.ConfigOptions{}
	if g.ConfirmedCommit {
		opts.ConfirmWithin = confirm
	}
	c := &change{step: k, device: d, lines: s.Config, rollback: s.RollbackConfig}
	// The change is rollback's to undo from the moment it is intended:
	// the device may have taken some lines even if no answer comes back.
	e.mu.Lock()
	e.changes = append(e.changes, c)
	e.mu.Unlock()
	if !e.record(k, d, ConfigIntentData{Lines: s.Config, Rollback: s.RollbackConfig, ConfirmWithinSeconds: opts.ConfirmWithin.Seconds(), Guarantees: g}) {
		c.err = e.journalErr()
		return c.err
	}
	e.emit(Event{Kind: EventConfig, Step: k, Device: d, Status: StatusRunning, Message: fmt.Sprintf("%d lines (%s)", len(s.Config), g.Method)})
	res, err := e.opts.Target.Configure(ctx, d, s.Config, opts)
	e.mu.Lock()
	c.result, c.err = res, err
	c.pending = res != nil && res.PendingConfirm
	e.mu.Unlock()
	dr.Config = res
	dr.Error = errString(err)
	e.record(k, d, ConfigResultData{Result: res, Error: dr.Error, Class: classify(err)})
	if err != nil {
		e.emit(Event{Kind: EventConfig, Step: k, Device: d, Status: StatusFailed, Message: err.Error()})
		return err
	}
	msg := "committed"
	if c.pending {
		msg = fmt.Sprintf("committed, confirm by %s", res.ConfirmBy.Format(time.TimeOnly))
	}
	e.emit(Event{Kind: EventConfig, Step: k, Device: d, Status: StatusOK, Message: msg})
	return nil
}

// stepScope is what step k's routers are compared in: the whole network
// (nil) after the last step, devs after the others.
func (e *executor) stepScope(k int, devs []string) []string {
	if k == len(e.plan.Steps) {
		return nil
	}
	if devs == nil {
		return []string{}
	}
	return devs
}

// Scopes of a comparison of the routers with the model.
const (
	ScopeNetwork = "network" // every router the observer can read
	ScopeDevices = "devices" // the routers asked for, and those the observer adds
)

// observeUnchanged compares the whole network with the baseline before
// the first step, where nothing has been changed (UnchangedObserver).
func (e *executor) observeUnchanged(ctx context.Context, into *[]Observation) bool {
	observe := e.opts.Observer
	if u, ok := observe.(UnchangedObserver); ok {
		observe = unchanged{u}
	}
	return e.observeWith(ctx, observe, 0, PhasePre, nil, into)
}

// unchanged is an UnchangedObserver seen as an Observer of a network in
// which nothing has been changed.
type unchanged struct{ u UnchangedObserver }

func (u unchanged) Observe(ctx context.Context, state int, devices []string) ([]Observation, error) {
	return u.u.ObserveUnchanged(ctx, state, devices)
}

// observe compares the routers with the model's state k: devs nil, the
// whole network; otherwise devs (nothing to compare when it is empty).
func (e *executor) observe(ctx context.Context, k int, phase string, devs []string, into *[]Observation) bool {
	return e.observeWith(ctx, e.opts.Observer, k, phase, devs, into)
}

func (e *executor) observeWith(ctx context.Context, observer Observer, k int, phase string, devs []string, into *[]Observation) bool {
	if observer == nil || (devs != nil && len(devs) == 0) {
		e.record(k, "", ObserveSkippedData{Reason: "no observer"})
		return true
	}
	scope, what := ScopeDevices, "comparing routes with the model: "+strings.Join(devs, ", ")+" and the routers whose predicted forwarding changes"
	if devs == nil {
		scope, what = ScopeNetwork, "comparing routes with the model: every router"
	}
	e.emit(Event{Kind: EventObserve, Step: k, Phase: phase, Status: StatusRunning, Message: what})
	obs, err := observer.Observe(ctx, k, devs)
	*into = append(*into, obs...)
	var read, skipped []string
	for _, o := range obs {
		if o.Skipped != "" {
			skipped = append(skipped, o.Device)
		} else {
			read = append(read, o.Device)
		}
	}
	e.record(k, "", ObserveResultData{State: k, Scope: scope, Read: read, NotRead: skipped, Observations: obs, Error: errString(err)})
	if err != nil {
		e.fail(Failure{Step: k, Phase: phase, Reason: "comparing the routers with the model: " + err.Error()})
		e.emit(Event{Kind: EventObserve, Step: k, Phase: phase, Status: StatusFailed, Message: err.Error()})
		return false
	}
	ok := true
	for _, o := range obs {
		if !o.Passed {
			ok = false
			e.fail(Failure{Step: k, Phase: phase, Device: o.Device, Reason: "the routers do not forward as the model predicts, so its verdict does not hold: " + o.Explanation})
			e.emit(Event{Kind: EventObserve, Step: k, Phase: phase, Device: o.Device, Status: StatusFailed, Message: o.Explanation})
		}
	}
	if ok {
		msg := forwardsAsPredicted(len(read))
		if scope == ScopeNetwork {
			msg += " (the whole network"
			if len(skipped) > 0 {
				msg += fmt.Sprintf("; %d not compared: %s", len(skipped), strings.Join(first(skipped, 5), ", "))
			}
			msg += ")"
		} else {
			msg += " (" + strings.Join(first(read, 8), ", ") + ")"
		}
		e.emit(Event{Kind: EventObserve, Step: k, Phase: phase, Status: StatusOK, Message: msg})
	}
	return ok
}

// confirmAll confirms the pending confirmed commits of step k.
func (e *executor) confirmAll(ctx context.Context, k int, rep *StepReport) bool {
	ok := true
	for _, c := range e.changesOf(k) {
		if !c.pending {
			continue
		}
		if !e.record(k, c.device, ConfirmIntentData{}) {
			return false
		}
		outs, err := e.opts.Target.Confirm(ctx, c.device)
		if err != nil {
			e.fail(Failure{Step: k, Phase: PhaseStep, Device: c.device, Reason: "confirming the commit: " + err.Error()})
			ok = false
		} else {
			e.mu.Lock()
			c.pending = false
			e.mu.Unlock()
			for i := range rep.Devices {
				if rep.Devices[i].Device == c.device {
					rep.Devices[i].Confirmed = true
				}
			}
		}
		e.record(k, c.device, ConfirmResultData{Outputs: outs, Error: errString(err), Class: classify(err)})
	}
	return ok
}

func (e *executor) changesOf(k int) []*change {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []*change
	for _, c := range e.changes {
		if c.step == k {
			out = append(out, c)
		}
	}
	return out
}

// devicelessOn pairs the checks without a device with each of devs.
func devicelessOn(cs []plans.Check, devs []string) []deviceCheck {
	var out []deviceCheck
	for i := range cs {
		if cs[i].Device == "" {
			for _, d := range devs {
				out = append(out, deviceCheck{&cs[i], d})
			}
		}
	}
	return out
}

// withDeviceOnly pairs the checks that name a device with it.
func withDeviceOnly(cs []plans.Check) []deviceCheck {
	var out []deviceCheck
	for i := range cs {
		if cs[i].Device != "" {
			out = append(out, deviceCheck{&cs[i], cs[i].Device})
		}
	}
	return out
}

func lastOutput(r *session.ConfigResult) string {
	if r == nil || len(r.Outputs) == 0 {
		return ""
	}
	return r.Outputs[len(r.Outputs)-1].Text
}

func forwardsAsPredicted(n int) string {
	if n == 1 {
		return "the router forwards as the model predicts"
	}
	return fmt.Sprintf("the %d routers forward as the model predicts", n)
}

// failureReasons names the devices that failed within a wave's budget;
// f is the failure recorded for the first of them.
func failureReasons(f *Failure, devs []string) []string {
	var out []string
	for _, d := range devs {
		if f != nil && f.Device == d {
			out = append(out, d+": "+f.Reason)
		} else {
			out = append(out, d)
		}
	}
	return out
}
