package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/changegate/changegate/internal/policy"
)

// What apply, recover and runs say about the policy set: what the
// configuration changed in it, and how it changed since a run.

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
