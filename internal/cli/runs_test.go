package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lock"
)

// fakeRun writes a run into state as a process that died would leave it:
// its records, and its status when final is not empty.
func fakeRun(t *testing.T, state, id string, final journal.Status, records ...journal.Record) string {
	t.Helper()
	j, err := journal.Create(state, id, journal.Meta{PlanFile: "/plans/" + id + ".yaml", PlanTitle: id})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if _, err := j.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if final != "" {
		if err := j.SetStatus(final); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return j.Path()
}

func intent(step int, device string) journal.Record {
	return apply.NewRecord(step, device, apply.ConfigIntentData{Lines: []string{"interface ab", " shutdown"}, Rollback: []string{"interface ab", " no shutdown"}})
}

// TestRunsStateFiles: a deleted journal, an empty one and a symbolic link
// in place of one are told plainly by runs, runs show and recover; the
// link is not followed, and its target is left as it was.
func TestRunsStateFiles(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)

	// Deleted: the run succeeded, then its journal went.
	gone := fakeRun(t, state, "20261124T010000Z-aaaaaa", journal.Succeeded, apply.NewRecord(0, "", apply.RunStartData{}), apply.NewRecord(0, "", apply.RunEndData{Status: journal.Succeeded}))
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	// Empty: the process died right after creating it.
	fakeRun(t, state, "20261124T020000Z-bbbbbb", "")
	// A link planted in place of an abandoned run's journal.
	linked := fakeRun(t, state, "20261124T030000Z-cccccc", "", apply.NewRecord(0, "", apply.RunStartData{}), intent(1, "a"))
	target := writeFile(t, dir, "precious", "do not touch\n")
	os.Remove(linked)
	if err := os.Symlink(target, linked); err != nil {
		t.Fatal(err)
	}

	out, errs, code := run(t, "runs")
	if code != 0 {
		t.Fatalf("runs: exit %d %s", code, errs)
	}
	for _, want := range []string{
		"20261124T010000Z-aaaaaa  succeeded, JOURNAL MISSING",
		"20261124T020000Z-bbbbbb  ABANDONED (recover it)",
		"20261124T030000Z-cccccc  UNREADABLE (see below)",
		"\n20261124T030000Z-cccccc: read run 20261124T030000Z-cccccc: " + linked + " is a symbolic link (to " + target + "): refused",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("runs lacks %q:\n%s", want, out)
		}
	}

	out, _, code = run(t, "runs", "show", "20261124T010000Z-aaaaaa")
	if code != 0 || !strings.Contains(out, "journal: MISSING: "+gone+" is not there") || !strings.Contains(out, "What the run did is unknown") || strings.Contains(out, "step 0") {
		t.Errorf("runs show of a deleted journal: exit %d\n%s", code, out)
	}
	_, errs, code = run(t, "recover", "20261124T010000Z-aaaaaa")
	if code != 1 || !strings.Contains(errs, "recover refused: run 20261124T010000Z-aaaaaa has no journal: "+gone+" is missing") || strings.Contains(errs, "during )") {
		t.Errorf("recover of a deleted journal: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Errorf("recover made a journal: %v", err)
	}

	out, _, _ = run(t, "runs", "show", "20261124T020000Z-bbbbbb")
	if !strings.Contains(out, "with an empty journal: it stopped before writing anything, so it changed nothing") || strings.Contains(out, "during )") {
		t.Errorf("runs show of an empty journal:\n%s", out)
	}

	for _, args := range [][]string{{"recover", "20261124T030000Z-cccccc"}, {"runs", "show", "20261124T030000Z-cccccc"}} {
		_, errs, code = run(t, args...)
		if code != 1 || !strings.Contains(errs, linked+" is a symbolic link (to "+target+"): refused") {
			t.Errorf("%v through a symbolic link: exit %d\n%s", args, code, errs)
		}
	}
	if b, _ := os.ReadFile(target); string(b) != "do not touch\n" {
		t.Errorf("the link's target was written: %q", b)
	}
	if fi, err := os.Lstat(linked); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
}

// TestLockRefusals: a lock held by a run that died unfinished sends the
// operator to recover that run, not to lock break; a garbled lock file is
// reported as unreadable with its path and what to do, never as free.
func TestLockRefusals(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	t.Setenv("CHANGEGATE_APPLY_OBSERVE", "false")
	invFile, srvs := fakeDevices(t, dir, "a")
	writeFile(t, dir, "topology.yaml", fmt.Sprintf(triangle, "2G"))
	plan := writeFile(t, dir, "plan.yaml", upgrade)

	// Run dead died in step 1 on a, holding a's lock.
	const dead = "20261124T010000Z-dead00"
	fakeRun(t, state, dead, "", apply.NewRecord(0, "", apply.RunStartData{}), apply.NewRecord(1, "", apply.StepStartData{}), intent(1, "a"))
	h := lock.CurrentHolder(dead, "/plans/dead.yaml")
	h.Start++ // this pid, but another process: the holder is gone
	if _, err := lock.New(state).Acquire(context.Background(), []string{"a"}, h); err != nil {
		t.Fatal(err)
	}
	_, errs, code := run(t, "apply", plan, "--inventory", invFile)
	if code != 1 || !strings.Contains(errs, "device a is locked by run "+dead) || !strings.Contains(errs, "run `changegate recover "+dead+"`") || strings.Contains(errs, "lock break") {
		t.Errorf("apply over an abandoned run's lock: exit %d\n%s", code, errs)
	}
	out, _, _ := run(t, "lock", "list")
	if !strings.Contains(out, "STALE (its run died unfinished: recover "+dead+")") {
		t.Errorf("lock list:\n%s", out)
	}
	_, errs, code = run(t, "lock", "break", "a")
	if code != 0 || !strings.Contains(errs, "`changegate recover "+dead+"` rolls back what it left") {
		t.Errorf("lock break of an abandoned run's lock: exit %d\n%s", code, errs)
	}

	// A garbled lock file: a hand-written holder with pid 0 and no time.
	garbled := writeFile(t, filepath.Join(state, "locks"), "a.lock", `{"device": "a", "holder": {"run": "x"}}`)
	out, _, code = run(t, "lock", "list")
	if code != 0 || !strings.Contains(out, "UNREADABLE") || !strings.Contains(out, "its lock file "+garbled+" is unreadable (not a lock: no token)") ||
		!strings.Contains(out, "`changegate lock break a --unreadable`") || strings.Contains(out, "pid 0") || strings.Contains(out, "0001-01-01") {
		t.Errorf("lock list of a garbled lock:\n%s", out)
	}
	_, errs, code = run(t, "apply", plan, "--inventory", invFile)
	if code != 1 || !strings.Contains(errs, "apply refused: device a is locked, but its lock file "+garbled+" is unreadable") {
		t.Errorf("apply over a garbled lock: exit %d\n%s", code, errs)
	}
	if _, errs, code = run(t, "lock", "break", "a"); code != 1 || !strings.Contains(errs, "break lock refused") {
		t.Errorf("lock break of a garbled lock: exit %d\n%s", code, errs)
	}
	if _, errs, code = run(t, "lock", "break", "a", "--unreadable"); code != 0 || !strings.Contains(errs, "removed the unreadable lock file "+garbled) {
		t.Errorf("lock break --unreadable: exit %d\n%s", code, errs)
	}
	if connections(srvs) != 0 {
		t.Error("a refused apply contacted a device")
	}
	if _, err := os.Stat(garbled); !os.IsNotExist(err) {
		t.Errorf("the garbled lock is still there: %v", err)
	}
}

// TestNotStartedRun: a run whose pre-check fails changed nothing, and is
// recorded and listed as not-started (not as rolled back); recover has
// nothing to do for it, and it does not stand in the way of reverting an
// earlier run on the same network.
func TestNotStartedRun(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	t.Setenv("CHANGEGATE_APPLY_OBSERVE", "false")
	invFile, srvs := fakeDevices(t, dir, "a", "b", "c")
	writeFile(t, dir, "topology.yaml", fmt.Sprintf(triangle, "2G"))
	plan := writeFile(t, dir, "plan.yaml", upgrade)
	if out, errs, code := run(t, "apply", plan, "--inventory", invFile); code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", code, out, errs)
	}
	seen := map[string]bool{}
	applied := newRun(t, state, seen).Meta.RunID

	other := writeFile(t, dir, "other.yaml", strings.NewReplacer("title: upgrade ab", "title: other", "hostname a}}\nsteps", "hostname z}}\nsteps").Replace(upgrade))
	out, errs, code := run(t, "apply", other, "--inventory", invFile)
	if code != ExitRolledBack || !strings.Contains(out, "NOT STARTED") {
		t.Fatalf("apply with a failing pre-check: exit %d\n%s%s", code, out, errs)
	}
	notStarted := newRun(t, state, seen)
	if notStarted.Status != journal.NotStarted {
		t.Errorf("status %q, want %q", notStarted.Status, journal.NotStarted)
	}
	id := notStarted.Meta.RunID
	if out, _, _ = run(t, "runs"); !strings.Contains(out, id+"  not-started ") {
		t.Errorf("runs:\n%s", out)
	}
	if out, _, _ = run(t, "runs", "show", id); !strings.Contains(out, "status: not-started (ended: not-started)") {
		t.Errorf("runs show:\n%s", out)
	}
	before := connections(srvs)
	if _, errs, code = run(t, "recover", id); code != 1 || !strings.Contains(errs, "recover refused: run "+id+" ended: it stopped and was rolled back (not-started)") {
		t.Errorf("recover: exit %d\n%s", code, errs)
	}
	if connections(srvs) != before {
		t.Error("recover of a run that did not start contacted a device")
	}
	if _, errs, code = run(t, "revert", applied); code != 0 || strings.Contains(errs, "changed the network after") {
		t.Errorf("revert of the earlier run: exit %d\n%s", code, errs)
	}
}

// TestRunsLegacyState lists and shows the runs an earlier changegate
// wrote (internal/apply/testdata/state-b182884): a rollback that failed,
// which status.json called "failed", is listed as rollback-failed, and the
// unfinished run's changes are those to roll back, the one whose result
// was a timeout included.
func TestRunsLegacyState(t *testing.T) {
	isolate(t)
	t.Setenv("CHANGEGATE_STATE_DIR", abs(t, "../apply/testdata/state-b182884"))
	out, errs, code := run(t, "runs")
	if code != 0 {
		t.Fatalf("runs: exit %d\n%s", code, errs)
	}
	for id, status := range map[string]string{
		"20261124T010000Z-succeeded":      "succeeded",
		"20261124T020000Z-rolledback":     "rolled-back",
		"20261124T030000Z-rollbackfailed": "rollback-failed",
		"20261124T040000Z-notstarted":     "rolled-back",
		"20261124T050000Z-died":           `ABANDONED \(recover it\)`,
		"20261124T060000Z-recovered":      "recovered",
		"20261207T153139Z-58d731":         "succeeded",
	} {
		if !regexp.MustCompile(`(?m)^` + id + ` +` + status + `  `).MatchString(out) {
			t.Errorf("runs does not list %s as %s:\n%s", id, status, out)
		}
	}
	out, _, code = run(t, "runs", "show", "20261124T050000Z-died")
	for _, want := range []string{"(stopped at step 2, during config.result)", "! step 1 on r1: applied: set cost 500", "! step 2 on r2: intended: set cost 500", "2 changes (!) may still be in place"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("runs show lacks %q: exit %d\n%s", want, code, out)
		}
	}
}
