package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/policy"
)

// What apply, recover and runs say about the policy set: what the
// configuration changed in it, and how it changed since a run.

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

// writePolicySettings says, when there is anything to say, what the
// configuration changed in the policy set the gate used.
func writePolicySettings(w io.Writer, s policy.Set) {
	if len(s.Disabled) > 0 {
		fmt.Fprintf(w, "changegate: policies disabled by configuration: %s\n", strings.Join(s.Disabled, ", "))
	}
	for _, p := range s.Params {
		fmt.Fprintf(w, "changegate: policy parameter set by configuration: %s\n", p)
	}
}

// writeRunPolicy says what the configuration had changed in the policy
// set a run was checked against, as its meta records it.
func writeRunPolicy(w io.Writer, meta json.RawMessage) {
	if len(meta) == 0 {
		return
	}
	var s policy.Set
	if err := json.Unmarshal(meta, &s); err != nil {
		fmt.Fprintf(w, "  policy set: unreadable (%v)\n", err)
		return
	}
	if len(s.Disabled) > 0 {
		fmt.Fprintf(w, "  policies disabled by configuration: %s\n", strings.Join(s.Disabled, ", "))
	}
	for _, p := range s.Params {
		fmt.Fprintf(w, "  policy parameter set by configuration: %s\n", p)
	}
}

// errPolicyChanged refuses to resume run with the policy set now: it is
// not the one the run was checked and approved against.
func errPolicyChanged(run *journal.Run, now policy.Set) error {
	what := "the run did not record its policy set"
	if len(run.Meta.Policy) > 0 {
		var was policy.Set
		if err := json.Unmarshal(run.Meta.Policy, &was); err != nil {
			what = fmt.Sprintf("the run's record of its policy set is unreadable: %v", err)
		} else {
			what = strings.Join(now.Changes(was), "; ")
		}
	}
	return fmt.Errorf("resume refused: the policy set changed since run %s (digest %s, the run's %s): %s; load the policies and configuration the run used (the directories of apply --policy go in policy.dirs), or recover without --resume to roll the run back",
		run.Meta.RunID, now.Digest, run.Meta.Digests["policy"], what)
}
