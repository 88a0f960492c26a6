package dryrun

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/digest"
)

// TestResultDigestsJSON: a result's digests are those of what was
// analysed (docs/dryrun.md): the plan (absent without one), the topology
// and the traffic, and nothing the dry-run does not bind.
func TestResultDigestsJSON(t *testing.T) {
	for _, tt := range []struct {
		name string
		res  Result
		want string
	}{
		{"with a plan", Result{Digests: digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc"}},
			`"digests":{"plan":"sha256:aa","topology":"sha256:bb","traffic":"sha256:cc"},`},
		{"without a plan", Result{Digests: digest.Set{Topology: "sha256:bb", Traffic: "sha256:cc"}},
			`"digests":{"topology":"sha256:bb","traffic":"sha256:cc"},`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.res)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.want) {
				t.Errorf("JSON %s\nwant it to hold %s", b, tt.want)
			}
		})
	}
}
