package plans

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/diag"
)

func TestParseRunbookStep(t *testing.T) {
	src := "title: t\nplatform: frr_vtysh\nsteps:\n  - name: cost out\n    runbook: link-metric\n    platform: cisco_iosxe\n    params: {device: p2, metric: 500, shut: true}\n"
	p, ds := Parse("p.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatal(ds.Err())
	}
	if p.Platform != "frr_vtysh" || !p.HasRunbooks() {
		t.Fatalf("plan: %+v", p)
	}
	want := &RunbookRef{
		Name: "link-metric", Platform: "cisco_iosxe",
		Params:   map[string]string{"device": "p2", "metric": "500", "shut": "true"},
		ParamPos: map[string]diag.Pos{"device": {File: "p.yaml", Line: 7, Col: 22}, "metric": {File: "p.yaml", Line: 7, Col: 34}, "shut": {File: "p.yaml", Line: 7, Col: 45}},
		NamePos:  diag.Pos{File: "p.yaml", Line: 5, Col: 14},
		Pos:      diag.Pos{File: "p.yaml", Line: 4, Col: 5},
	}
	if diff := cmp.Diff(want, p.Steps[0].Runbook); diff != "" {
		t.Errorf("runbook ref (-want +got):\n%s", diff)
	}
	if p.Steps[0].Name != "cost out" {
		t.Errorf("name %q", p.Steps[0].Name)
	}
	// The reference is part of the digest.
	q, _ := Parse("p.yaml", []byte(strings.Replace(src, "500", "501", 1)))
	if p.Digest() == q.Digest() {
		t.Error("changing a runbook parameter does not change the digest")
	}
}

func TestParseRunbookStepErrors(t *testing.T) {
	tests := []struct {
		name, step, want string
	}{
		{"config with runbook", "  - runbook: x\n    config: [a]\n", "config with runbook"},
		{"effects with runbook", "  - runbook: x\n    effects: []\n", "effects with runbook"},
		{"params without runbook", "  - name: a\n    effects: [{type: drain, node: p1}]\n    params: {a: 1}\n", "params without runbook"},
		{"platform without runbook", "  - name: a\n    effects: [{type: drain, node: p1}]\n    platform: x\n", "platform without runbook"},
		{"params not a mapping", "  - runbook: x\n    params: [1]\n", "params must be a mapping"},
		{"nested parameter", "  - runbook: x\n    params: {a: [1]}\n", `parameter "a" must be a single value`},
		{"empty runbook name", "  - runbook: \"\"\n", "runbook is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := Parse("p.yaml", []byte("title: t\nsteps:\n"+tt.step))
			if !ds.HasErrors() || !strings.Contains(ds.Err().Error(), tt.want) {
				t.Errorf("got %v, want an error with %q", ds, tt.want)
			}
		})
	}
}
