package plans

import (
	"strings"
	"testing"
)

// A step that sends configuration without a rollback_config cannot be
// inverted; a model-only step whose rollback is empty has no inverse step.
func TestInverseRefuses(t *testing.T) {
	p, ds := Parse("plan.yaml", []byte(`title: t
steps:
  - name: one way
    device: a
    config: ["interface ab", " shutdown"]
    effects: [{type: link_down, link: ab}]
  - name: model only
    effects: [{type: link_down, link: ac}]
    rollback: []
`))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	_, err := Inverse(p, [][]Effect{{}, {}})
	if err == nil || !strings.Contains(err.Error(), `step "one way" sends configuration but has no rollback_config`) {
		t.Errorf("Inverse = %v", err)
	}
	p.Steps[0].RollbackConfig = []string{"interface ab", " no shutdown"}
	inv, err := Inverse(p, [][]Effect{{{Type: LinkUp, Link: "ab"}}, {}})
	if err != nil || len(inv.Steps) != 1 || inv.Steps[0].Name != "undo one way" {
		t.Errorf("Inverse = %+v, %v", inv, err)
	}
}
