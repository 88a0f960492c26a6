package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/devices/session"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/plans"
)

func check(name, device, want string) plans.Check {
	return plans.Check{Name: name, Device: device, Command: "show cost", Expect: plans.Expect{Kind: plans.ExpectContains, Value: want}, Timeout: time.Second}
}

// twoSteps costs out r1 then r2, each step checked on its device.
func twoSteps() *plans.Plan {
	return &plans.Plan{
		File:      "plan.yaml",
		Title:     "cost out",
		PreChecks: []plans.Check{check("r1 at 10", "r1", "cost 10"), check("r2 at 10", "r2", "cost 10")},
		Steps: []plans.Step{
			{Name: "r1", Devices: []string{"r1"}, Config: []string{"set cost 500"}, RollbackConfig: []string{"set cost 10"},
				Checks: []plans.Check{check("cost 500", "", "cost 500")}},
			{Name: "r2", Devices: []string{"r2"}, Config: []string{"set cost 500"}, RollbackConfig: []string{"set cost 10"},
				Checks: []plans.Check{check("cost 500", "", "cost 500")}},
		},
		PostChecks: []plans.Check{check("r1 at 500", "r1", "cost 500")},
	}
}

func run(t *testing.T, p *plans.Plan, n *fakeNet) (*Report, *memJournal) {
	t.Helper()
	j := &memJournal{}
	rep, err := Execute(context.Background(), p, Options{Run: "test", Target: n, Journal: j})
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	return rep, j
}

func TestSucceeds(t *testing.T) {
	n := newFakeNet("r1", "r2")
	rep, j := run(t, twoSteps(), n)
	if rep.Status != journal.Succeeded {
		t.Fatalf("status %s: %s", rep.Status, rep.Reason)
	}
	want := []string{
		"run.start", "check.result@r1", "check.result@r2", "observe.skipped",
		"step.start", "config.intent@r1", "config.result@r1", "check.result@r1", "observe.skipped", "step.done",
		"step.start", "config.intent@r2", "config.result@r2", "check.result@r2", "observe.skipped", "step.done",
		"check.result@r1", "run.end",
	}
	got := j.types()
	// The pre-checks run in parallel: compare them as a set.
	if len(got) > 3 && got[1] > got[2] {
		got[1], got[2] = got[2], got[1]
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("journal (-want +got):\n%s", d)
	}
	if c := n.snapshot(); c["r1"]["cost"] != "500" || c["r2"]["cost"] != "500" {
		t.Errorf("devices: %v", c)
	}
	for _, s := range rep.Steps {
		if s.Status != StatusOK || len(s.Checks) != 1 || !s.Checks[0].Passed {
			t.Errorf("step %d: %+v", s.Index, s)
		}
	}
}

// TestRollsBack fails each way a run can fail and checks that every
// device is back where it started, the rollback ran in reverse order,
// and the report says why.
func TestRollsBack(t *testing.T) {
	for _, tc := range []struct {
		name       string
		setup      func(p *plans.Plan, n *fakeNet)
		wantReason string
		wantCalls  []string
	}{
		{
			name: "check fails at step 2",
			setup: func(p *plans.Plan, n *fakeNet) {
				p.Steps[1].Checks[0].Expect.Value = "cost 999"
			},
			wantReason: `step 2: check "cost 500" on r2 failed: output does not contain "cost 999"`,
			wantCalls:  []string{"r1: set cost 500", "r2: set cost 500", "r2: set cost 10", "r1: set cost 10"},
		},
		{
			name:       "device refuses step 2",
			setup:      func(p *plans.Plan, n *fakeNet) { n.refuse["r2|set cost 500"] = true },
			wantReason: `step 2: r2: device r2: "set cost 500": command failed on the device`,
			// r2 took nothing: only r1 is rolled back.
			wantCalls: []string{"r1: set cost 500", "r2: set cost 500", "r1: set cost 10"},
		},
		{
			name:       "device times out after taking the line",
			setup:      func(p *plans.Plan, n *fakeNet) { n.hang["r2|set cost 500"] = true },
			wantReason: `step 2: r2: device r2: no answer in time`,
			// The line may have taken effect: r2 is rolled back too.
			wantCalls: []string{"r1: set cost 500", "r2: set cost 500", "r2: set cost 10", "r1: set cost 10"},
		},
		{
			name: "post-check fails",
			setup: func(p *plans.Plan, n *fakeNet) {
				p.PostChecks[0].Expect.Value = "cost 1"
			},
			wantReason: `post: check "r1 at 500" on r1 failed`,
			wantCalls:  []string{"r1: set cost 500", "r2: set cost 500", "r2: set cost 10", "r1: set cost 10"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, n := twoSteps(), newFakeNet("r1", "r2")
			before := n.snapshot()
			tc.setup(p, n)
			rep, j := run(t, p, n)
			if rep.Status != journal.RolledBack {
				t.Fatalf("status %s (%s), want %s", rep.Status, rep.Reason, journal.RolledBack)
			}
			if !strings.HasPrefix(rep.Reason, tc.wantReason) {
				t.Errorf("reason %q, want it to start %q", rep.Reason, tc.wantReason)
			}
			if d := cmp.Diff(before, n.snapshot()); d != "" {
				t.Errorf("devices not back to the start (-before +after):\n%s", d)
			}
			if d := cmp.Diff(tc.wantCalls, n.calls); d != "" {
				t.Errorf("calls (-want +got):\n%s", d)
			}
			// Every rollback intent is journalled before its result.
			types := strings.Join(j.types(), " ")
			if strings.Count(types, "rollback.intent") != strings.Count(types, "rollback.result") || !strings.Contains(types, "rollback.start") || !strings.HasSuffix(types, "run.end") {
				t.Errorf("journal: %s", types)
			}
			// The state returned to was checked: the pre-checks passed.
			var pre int
			for _, r := range rep.RollbackChecks {
				if !r.Passed {
					t.Errorf("rollback check %s on %s failed: %s", r.Check, r.Device, r.Reason)
				}
				if strings.HasSuffix(r.Check, "at 10") {
					pre++
				}
			}
			if pre != 2 {
				t.Errorf("%d pre-checks run after the rollback, want 2: %+v", pre, rep.RollbackChecks)
			}
		})
	}
}

func TestRollbackFailureIsLoud(t *testing.T) {
	p, n := twoSteps(), newFakeNet("r1", "r2")
	p.Steps[1].Checks[0].Expect.Value = "cost 999"
	n.refuse["r1|set cost 10"] = true // r1 cannot be rolled back
	rep, _ := run(t, p, n)
	if rep.Status != journal.RollbackFailed {
		t.Fatalf("status %s", rep.Status)
	}
	want := []Remaining{{Step: 1, Device: "r1", Lines: []string{"set cost 500"}, Why: `device r1: "set cost 10": command failed on the device`}}
	if d := cmp.Diff(want, rep.Remaining); d != "" {
		t.Errorf("remaining (-want +got):\n%s", d)
	}
	if c := n.snapshot(); c["r2"]["cost"] != "10" {
		t.Errorf("r2 not rolled back: %v", c)
	}
}

func TestPreCheckFailsNothingChanged(t *testing.T) {
	p, n := twoSteps(), newFakeNet("r1", "r2")
	p.PreChecks[0].Expect.Value = "cost 11"
	rep, _ := run(t, p, n)
	if rep.Status != journal.NotStarted || len(n.calls) != 0 || rep.Failure == nil || rep.Failure.Output != "cost 10" {
		t.Errorf("status %s, calls %v, failure %+v", rep.Status, n.calls, rep.Failure)
	}
}

// TestWaves runs a step over five devices in waves of two with a budget
// of one failure: the canary goes first, one failure is tolerated, the
// second stops the step and everything is rolled back.
func TestWaves(t *testing.T) {
	devs := []string{"r1", "r2", "r3", "r4", "r5"}
	plan := func() *plans.Plan {
		return &plans.Plan{File: "p.yaml", Steps: []plans.Step{{
			Name: "all", Devices: devs, Wave: &plans.Wave{Batch: 2, MaxFailures: 1},
			Config: []string{"set cost 500"}, RollbackConfig: []string{"set cost 10"},
			Checks: []plans.Check{check("cost 500", "", "cost 500")},
		}}}
	}
	if got := batches(&plan().Steps[0]); !cmp.Equal(got, [][]string{{"r1"}, {"r2", "r3"}, {"r4", "r5"}}) {
		t.Errorf("batches %v", got)
	}
	n := newFakeNet(devs...)
	n.refuse["r2|set cost 500"] = true
	rep, _ := run(t, plan(), n)
	if rep.Status != journal.Succeeded || rep.Failure != nil || len(rep.Steps[0].Tolerated) != 1 || !strings.HasPrefix(rep.Steps[0].Tolerated[0], "r2: ") {
		t.Fatalf("one failure within budget: %s %s %+v", rep.Status, rep.Reason, rep.Steps[0].Tolerated)
	}
	if c := n.snapshot(); c["r2"]["cost"] != "10" || c["r3"]["cost"] != "500" {
		t.Errorf("the tolerated failure was not put back, or the others not applied: %v", c)
	}
	n = newFakeNet(devs...)
	n.refuse["r2|set cost 500"] = true
	n.refuse["r4|set cost 500"] = true
	before := n.snapshot()
	rep, _ = run(t, plan(), n)
	if rep.Status != journal.RolledBack || !strings.Contains(rep.Reason, "2 devices failed, more than the wave's budget of 1: r2: ") || !strings.Contains(rep.Reason, "; r4: ") {
		t.Fatalf("two failures: %s %s", rep.Status, rep.Reason)
	}
	if n.calls[0] != "r1: set cost 500" {
		t.Errorf("canary not first: %v", n.calls)
	}
	if d := cmp.Diff(before, n.snapshot()); d != "" {
		t.Errorf("not rolled back:\n%s", d)
	}
}

// TestInterruptRollsBack interrupts a run during step 1's soak, which
// lasts a day: the run returns only if the interrupt ends the soak, and
// it rolls back what step 1 changed.
func TestInterruptRollsBack(t *testing.T) {
	p, n := twoSteps(), newFakeNet("r1", "r2")
	p.Steps[0].Soak = 24 * time.Hour
	before := n.snapshot()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	j := &memJournal{}
	sink := func(ev Event) {
		if ev.Kind == EventSoak {
			cancel() // Ctrl-C during the soak
		}
	}
	rep, err := Execute(ctx, p, Options{Target: n, Journal: j, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != journal.RolledBack || !strings.Contains(rep.Reason, "interrupted") {
		t.Fatalf("%s: %s", rep.Status, rep.Reason)
	}
	if f := rep.Failure; f == nil || f.Step != 1 || f.Phase != PhaseStep {
		t.Errorf("failure %+v, want step 1 in its soak", f)
	}
	if d := cmp.Diff(before, n.snapshot()); d != "" {
		t.Errorf("not rolled back:\n%s", d)
	}
}

// TestConfirmedCommit checks that a platform with confirmed commits gets
// a window covering the step, is confirmed once the checks pass, and on
// a failure is confirmed and then rolled back.
func TestConfirmedCommit(t *testing.T) {
	p, n := twoSteps(), newFakeNet("r1", "r2")
	n.guar = session.Guarantees{Atomic: true, ConfirmedCommit: true}
	rep, _ := run(t, p, n)
	if rep.Status != journal.Succeeded || !rep.Steps[0].Devices[0].Confirmed {
		t.Fatalf("%s %s %+v", rep.Status, rep.Reason, rep.Steps[0].Devices)
	}
	if !cmp.Equal(n.calls, []string{"r1: set cost 500", "r1: confirm", "r2: set cost 500", "r2: confirm"}) {
		t.Errorf("calls %v", n.calls)
	}
	if w := (&executor{opts: Options{ConfirmMargin: time.Minute}}).confirmWindow(&plans.Step{Soak: time.Minute, Checks: []plans.Check{{Retries: 2, Timeout: 10 * time.Second, Interval: 5 * time.Second}}}); w != 2*(time.Minute+40*time.Second)+time.Minute {
		t.Errorf("confirm window %s", w)
	}
	p, n = twoSteps(), newFakeNet("r1", "r2")
	n.guar = session.Guarantees{Atomic: true, ConfirmedCommit: true}
	p.Steps[0].Checks[0].Expect.Value = "nope"
	rep, _ = run(t, p, n)
	if rep.Status != journal.RolledBack || !cmp.Equal(n.calls, []string{"r1: set cost 500", "r1: confirm", "r1: set cost 10"}) {
		t.Errorf("%s: calls %v", rep.Status, n.calls)
	}
}

// TestRecoverAtEveryRecord kills a run after each journal record in turn
// (the devices stop changing at that moment, as when the process dies)
// and checks that Recover, from the records written, brings every device
// back to where it started.
func TestRecoverAtEveryRecord(t *testing.T) {
	_, full := run(t, twoSteps(), newFakeNet("r1", "r2"))
	total := len(full.all())
	for cut := 1; cut < total; cut++ {
		n := newFakeNet("r1", "r2")
		before := n.snapshot()
		j := &memJournal{dieAfter: cut, onDeath: n.freeze}
		Execute(context.Background(), twoSteps(), Options{Target: n, Journal: j})
		records := j.all()
		st, err := ReadState(records)
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		n.mu.Lock()
		n.frozen = false
		n.calls = nil
		n.mu.Unlock()
		rj := &memJournal{records: records}
		rep, err := Recover(context.Background(), twoSteps(), records, Options{Target: n, Journal: rj})
		if err != nil {
			t.Fatalf("cut %d (%s): recover: %v", cut, records[cut-1].Type, err)
		}
		if d := cmp.Diff(before, n.snapshot()); d != "" {
			t.Errorf("cut after record %d (%s): not back to the start:\n%s", cut, records[cut-1].Type, d)
		}
		if rep.Status != journal.RolledBack {
			t.Errorf("cut %d (%s): status %s %s", cut, records[cut-1].Type, rep.Status, rep.Reason)
		}
		if len(st.NeedsRollback()) == 0 && len(n.calls) != 0 {
			t.Errorf("cut %d: nothing to roll back but sent %v", cut, n.calls)
		}
	}
}

// fakeObserver fails the comparison in the states listed. Asked for the
// whole network, it reads r1, r2 and r3, and cannot read r9; calls, when
// set, gets "state:routers" for each call ("2:network", "1:r1").
type fakeObserver struct {
	failIn map[int]bool
	calls  *[]string
}

func (o fakeObserver) Observe(_ context.Context, state int, devs []string) ([]Observation, error) {
	var out []Observation
	scope := strings.Join(devs, ",")
	if devs == nil {
		devs, scope = []string{"r1", "r2", "r3"}, "network"
		out = append(out, Observation{Device: "r9", Passed: true, Skipped: "not compared: no device of the inventory is this node"})
	}
	if o.calls != nil {
		*o.calls = append(*o.calls, fmt.Sprintf("%d:%s", state, scope))
	}
	for _, d := range devs {
		ok := !o.failIn[state]
		expl := "forwards as predicted"
		if !ok {
			expl = d + " -> r9: the model predicts via r2; the router forwards via r3"
		}
		out = append(out, Observation{Device: d, Passed: ok, Explanation: expl})
	}
	return out, nil
}

// TestObservedAgainstPredicted checks that a router forwarding otherwise
// than the model predicts stops the run: before anything changed (not
// started), or after a step (rolled back).
func TestObservedAgainstPredicted(t *testing.T) {
	for _, tc := range []struct {
		state      int
		wantStatus journal.Status
		wantCalls  int
	}{
		{0, journal.NotStarted, 0},
		{1, journal.RolledBack, 2},
		{2, journal.RolledBack, 4},
	} {
		n := newFakeNet("r1", "r2")
		before := n.snapshot()
		rep, err := Execute(context.Background(), twoSteps(), Options{Target: n, Journal: &memJournal{}, Observer: fakeObserver{failIn: map[int]bool{tc.state: true}}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != tc.wantStatus || !strings.Contains(rep.Reason, "do not forward as the model predicts") || len(n.calls) != tc.wantCalls {
			t.Errorf("state %d: %s (%s), calls %v", tc.state, rep.Status, rep.Reason, n.calls)
		}
		if d := cmp.Diff(before, n.snapshot()); d != "" {
			t.Errorf("state %d: not back:\n%s", tc.state, d)
		}
	}
}

// TestResumeAtEveryRecord kills a run after each journal record in turn
// and resumes it: every device ends as if the run had never stopped, and
// no completed step is applied twice.
func TestResumeAtEveryRecord(t *testing.T) {
	_, full := run(t, twoSteps(), newFakeNet("r1", "r2"))
	total := len(full.all())
	for cut := 1; cut < total; cut++ {
		n := newFakeNet("r1", "r2")
		j := &memJournal{dieAfter: cut, onDeath: n.freeze}
		Execute(context.Background(), twoSteps(), Options{Target: n, Journal: j})
		records := j.all()
		st, _ := ReadState(records)
		n.mu.Lock()
		n.frozen, n.calls = false, nil
		n.mu.Unlock()
		rep, err := Resume(context.Background(), twoSteps(), records, Options{Target: n, Journal: &memJournal{records: records}})
		if err != nil {
			t.Fatalf("cut %d (%s): %v", cut, records[cut-1].Type, err)
		}
		if rep.Status != journal.Succeeded {
			t.Errorf("cut %d (%s): %s %s", cut, records[cut-1].Type, rep.Status, rep.Reason)
		}
		if c := n.snapshot(); c["r1"]["cost"] != "500" || c["r2"]["cost"] != "500" {
			t.Errorf("cut %d: devices %v", cut, c)
		}
		if st.Done >= 1 && slices.Contains(n.calls, "r1: set cost 500") {
			t.Errorf("cut %d (%s): step 1 was done but applied again: %v", cut, records[cut-1].Type, n.calls)
		}
		// What resume undid of the step in flight is not a rollback of
		// the run, which succeeded.
		if len(rep.Rollback) != 0 || len(rep.Undone) != len(st.NeedsRollback())-countDone(st) {
			t.Errorf("cut %d (%s): rollback %+v, undone %+v", cut, records[cut-1].Type, rep.Rollback, rep.Undone)
		}
	}
}

// unchangedObserver is a fakeObserver that also compares networks in
// which nothing has been changed, and says which comparisons were asked
// of it that way ("unchanged 0:network").
type unchangedObserver struct{ fakeObserver }

func (o unchangedObserver) ObserveUnchanged(ctx context.Context, state int, devs []string) ([]Observation, error) {
	*o.calls = append(*o.calls, "unchanged")
	return o.Observe(ctx, state, devs)
}

// Only the comparison before the first step, where nothing has been
// changed, is asked as one of an unchanged network; the comparisons
// after steps and after the rollback wait for convergence.
func TestObserveUnchangedOnlyBeforeTheFirstStep(t *testing.T) {
	var calls []string
	o := unchangedObserver{fakeObserver{failIn: map[int]bool{2: true}, calls: &calls}}
	if _, err := Execute(context.Background(), twoSteps(), Options{Target: newFakeNet("r1", "r2"), Journal: &memJournal{}, Observer: o}); err != nil {
		t.Fatal(err)
	}
	want := []string{"unchanged", "0:network", "1:r1", "2:network", "1:r2", "0:network"}
	if d := cmp.Diff(want, calls); d != "" {
		t.Errorf("comparisons (-want +got):\n%s", d)
	}
}

// The whole network is compared at the baseline, after the last step and
// after the rollback to the baseline; the steps in between compare their
// routers. The journal says which routers each comparison read.
func TestObserveScopes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		failIn map[int]bool
		want   []string
	}{
		{"applied", nil, []string{"0:network", "1:r1", "2:network"}},
		{"rolled back after the last step", map[int]bool{2: true}, []string{"0:network", "1:r1", "2:network", "1:r2", "0:network"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls []string
			j := &memJournal{}
			if _, err := Execute(context.Background(), twoSteps(), Options{Target: newFakeNet("r1", "r2"), Journal: j, Observer: fakeObserver{failIn: tc.failIn, calls: &calls}}); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, calls); d != "" {
				t.Errorf("comparisons (-want +got):\n%s", d)
			}
			var first ObserveResultData
			for _, r := range j.all() {
				if r.Type == RecordObserveResult {
					if err := DecodeData(r, &first); err != nil {
						t.Fatal(err)
					}
					break
				}
			}
			if first.Scope != ScopeNetwork || !slices.Equal(first.Read, []string{"r1", "r2", "r3"}) || !slices.Equal(first.NotRead, []string{"r9"}) {
				t.Errorf("the baseline's record: scope %q, read %v, not read %v", first.Scope, first.Read, first.NotRead)
			}
		})
	}
}

// countDone is how many of the changes st needs rolled back belong to
// completed steps (resume keeps them).
func countDone(st *State) int {
	n := 0
	for _, c := range st.NeedsRollback() {
		if c.Step <= st.Done {
			n++
		}
	}
	return n
}
