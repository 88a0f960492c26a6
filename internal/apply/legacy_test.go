package apply

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/journal"
)

// legacyState is a state directory written by an earlier changegate
// (testdata/state-b182884/README.md).
const legacyState = "testdata/state-b182884"

// TestLegacyJournals reads the runs an earlier changegate wrote: their
// status, and what their journals say happened.
func TestLegacyJournals(t *testing.T) {
	for _, tc := range []struct {
		run    string
		status journal.Status
		ended  bool
		end    journal.Status // the run.end record's status
		step   int
		done   int
		todo   []string // "step@device" of NeedsRollback
	}{
		{run: "20261124T010000Z-succeeded", status: journal.Succeeded, ended: true, end: journal.Succeeded, step: 2, done: 2, todo: []string{"1@r1", "2@r2"}},
		{run: "20261124T020000Z-rolledback", status: journal.RolledBack, ended: true, end: journal.RolledBack, step: 1},
		// status.json says "failed", as RollbackFailed was written then.
		{run: "20261124T030000Z-rollbackfailed", status: journal.RollbackFailed, ended: true, end: journal.RollbackFailed, step: 2, done: 1, todo: []string{"1@r1"}},
		// A run that did not start was written as rolled back then.
		{run: "20261124T040000Z-notstarted", status: journal.RolledBack, ended: true, end: journal.NotStarted},
		// The timeout leaves it unknown whether r2 took the line.
		{run: "20261124T050000Z-died", status: journal.Running, step: 2, done: 1, todo: []string{"1@r1", "2@r2"}},
		{run: "20261124T060000Z-recovered", status: journal.Recovered, ended: true, end: journal.RolledBack, step: 2, done: 1},
		{run: "20261124T070000Z-resumed", status: journal.Succeeded, ended: true, end: journal.Succeeded, step: 2, done: 2, todo: []string{"1@r1", "2@r2"}},
		{run: "20261207T153139Z-f3214e", status: journal.Succeeded, ended: true, end: journal.Succeeded, step: 2, done: 2, todo: []string{"1@a", "2@c"}},
		{run: "20261207T153139Z-24424a", status: journal.Succeeded, ended: true, end: journal.Succeeded, step: 2, done: 2, todo: []string{"1@c", "2@a"}},
		{run: "20261207T153139Z-58d731", status: journal.Succeeded, ended: true, end: journal.Succeeded, step: 2, done: 2, todo: []string{"1@a", "2@c"}},
	} {
		t.Run(tc.run, func(t *testing.T) {
			run, err := journal.Read(legacyState, tc.run)
			if err != nil {
				t.Fatal(err)
			}
			if run.Status != tc.status || run.Torn != nil {
				t.Errorf("status %q, torn %q; want %q", run.Status, run.Torn, tc.status)
			}
			st, err := ReadState(run.Records)
			if err != nil {
				t.Fatal(err)
			}
			if st.Ended != tc.ended || st.Status != tc.end || st.Step != tc.step || st.Done != tc.done {
				t.Errorf("ended %v (%q), step %d, done %d; want %v (%q), %d, %d", st.Ended, st.Status, st.Step, st.Done, tc.ended, tc.end, tc.step, tc.done)
			}
			var todo []string
			for _, c := range st.NeedsRollback() {
				todo = append(todo, fmt.Sprintf("%d@%s", c.Step, c.Device))
			}
			if d := cmp.Diff(tc.todo, todo); d != "" {
				t.Errorf("needs rollback (-want +got):\n%s", d)
			}
		})
	}
}

// TestRecoverLegacyJournal recovers a run an earlier changegate left
// unfinished: both its changes are rolled back, the one whose result
// was a timeout included.
func TestRecoverLegacyJournal(t *testing.T) {
	run, err := journal.Read(legacyState, "20261124T050000Z-died")
	if err != nil {
		t.Fatal(err)
	}
	n := newFakeNet("r1", "r2")
	n.config["r1"]["cost"], n.config["r2"]["cost"] = "500", "500"
	rep, err := Recover(context.Background(), twoSteps(), run.Records, Options{Target: n, Journal: &memJournal{records: run.Records}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != journal.RolledBack {
		t.Errorf("status %s: %s", rep.Status, rep.Reason)
	}
	if d := cmp.Diff(newFakeNet("r1", "r2").snapshot(), n.snapshot()); d != "" {
		t.Errorf("not back to the start (-want +got):\n%s", d)
	}
	if want := []string{"r2: set cost 10", "r1: set cost 10"}; !cmp.Equal(want, n.calls) {
		t.Errorf("calls %q, want %q", n.calls, want)
	}
}
