package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/digest"
)

// TestCheckDocDigestsJSON: a verdict's JSON (docs/policies.md) holds its
// five digests, the inventory "" when there is none.
func TestCheckDocDigestsJSON(t *testing.T) {
	for _, tt := range []struct {
		name string
		doc  CheckDoc
		want string
	}{
		{"with an inventory", CheckDoc{Digests: digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd", Inventory: "sha256:ee"}},
			`"digests":{"plan":"sha256:aa","topology":"sha256:bb","traffic":"sha256:cc","policy":"sha256:dd","inventory":"sha256:ee"},`},
		{"without an inventory", CheckDoc{Digests: digest.Set{Plan: "sha256:aa", Topology: "sha256:bb", Traffic: "sha256:cc", Policy: "sha256:dd"}},
			`"digests":{"plan":"sha256:aa","topology":"sha256:bb","traffic":"sha256:cc","policy":"sha256:dd","inventory":""},`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.want) {
				t.Errorf("JSON %s\nwant it to hold %s", b, tt.want)
			}
		})
	}
}
