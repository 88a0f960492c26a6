package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/digest"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/policy"
)

// recover --resume refuses to go on under another policy set than the
// run was checked against, and says what changed.
func TestResumeRefusesAChangedPolicySet(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	state := dir + "/state"
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	strict := writeFile(t, dir, "strict.yaml", "policy:\n  params:\n    capacity:\n      threshold: 0.7\n")

	// The run was checked with capacity.threshold 0.7 and died.
	out, errs, code := run(t, "check", safePlan, "--format", "json", "--config", strict)
	if code != ExitOK && code != ExitDenied {
		t.Fatalf("check: exit %d: %s", code, errs)
	}
	var doc struct {
		Digests struct{ Plan, Policy string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	eng, err := policy.Load(context.Background(), policy.Options{Params: map[string]any{"capacity": map[string]any{"threshold": 0.7}}})
	if err != nil {
		t.Fatal(err)
	}
	if eng.Digest() != doc.Digests.Policy {
		t.Fatalf("engine digest %s, check's %s", eng.Digest(), doc.Digests.Policy)
	}
	id := journal.NewRunID(time.Now())
	j, err := journal.Create(state, id, journal.Meta{
		PlanFile: abs(t, safePlan),
		Digests:  digest.Set{Plan: doc.Digests.Plan, Policy: doc.Digests.Policy},
		Policy:   policyJSON(t, eng.Set()),
	})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()

	// Now the configuration has the default threshold: refused.
	_, errs, code = run(t, "recover", id, "--resume")
	want := "resume refused: the policy set changed since run " + id
	if code != ExitError || !strings.Contains(errs, want) || !strings.Contains(errs, "capacity.threshold back to its default 0.8, was 0.7") || !strings.Contains(errs, "recover without --resume") {
		t.Errorf("exit %d, want 1 with %q and what changed:\n%s", code, want, errs)
	}
	// With the run's configuration the policy set matches, and resume
	// goes on (to fail further on: this run has no inventory, and the plan
	// no approval).
	_, errs, code = run(t, "recover", id, "--resume", "--config", strict)
	if code == ExitOK || strings.Contains(errs, "policy set changed") {
		t.Errorf("same policy set: exit %d\n%s", code, errs)
	}
}

func policyJSON(t *testing.T, s policy.Set) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
