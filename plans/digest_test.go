package plans

import (
	"strings"
	"testing"
)

const digestPlan = `id: CHG-1
title: cost out
topology: net.yaml
steps:
  - name: cost out p1-p2
    effects:
      - {type: set_metric, link: p1-p2, metric: 100, from: p1}
      - {type: set_capacity, link: p1-p2, capacity: 40G}
    rollback:
      - {type: set_metric, link: p1-p2, metric: 10, from: p1}
  - name: drain p2
    effects: [{type: drain, node: p2}]
`

func parsed(t *testing.T, src string) *Plan {
	t.Helper()
	p, ds := Parse("p.yaml", []byte(src))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return p
}

func TestDigestIgnoresFormatting(t *testing.T) {
	a := parsed(t, digestPlan)
	b := parsed(t, `# reformatted, keys reordered, another topology path
title: cost out
id: CHG-1
steps:
  - effects:
      - metric: 100
        from: p1
        type: set_metric
        link: p1-p2
      - {capacity: 40000M, link: p1-p2, type: set_capacity}
    rollback: [{from: p1, type: set_metric, link: p1-p2, metric: 10}]
    name: cost out p1-p2
  - {name: drain p2, effects: [{node: p2, type: drain}]}
topology: ../elsewhere/net.yaml
`)
	if a.Digest() != b.Digest() {
		t.Errorf("digest changed with formatting: %s vs %s", a.Digest(), b.Digest())
	}
}

func TestDigestSeesEveryChange(t *testing.T) {
	base := parsed(t, digestPlan).Digest()
	for _, c := range [][2]string{
		{"id: CHG-1", "id: CHG-2"},
		{"title: cost out", "title: cost out p2"},
		{"metric: 100", "metric: 101"},
		{"from: p1}\n      - {type: set_capacity", "from: p2}\n      - {type: set_capacity"},
		{"capacity: 40G", "capacity: 41G"},
		{"metric: 10, from: p1}", "metric: 11, from: p1}"},
		{"    rollback:\n      - {type: set_metric, link: p1-p2, metric: 10, from: p1}\n", ""},
		{"node: p2", "node: p3"},
		{"name: drain p2", "name: drain p2 now"},
	} {
		if !strings.Contains(digestPlan, c[0]) {
			t.Fatalf("plan lacks %q", c[0])
		}
		if got := parsed(t, strings.Replace(digestPlan, c[0], c[1], 1)).Digest(); got == base {
			t.Errorf("changing %q to %q left the digest unchanged", c[0], c[1])
		}
	}
	// Step order matters.
	swapped := parsed(t, `id: CHG-1
title: cost out
steps:
  - name: drain p2
    effects: [{type: drain, node: p2}]
  - name: cost out p1-p2
    effects:
      - {type: set_metric, link: p1-p2, metric: 100, from: p1}
      - {type: set_capacity, link: p1-p2, capacity: 40G}
    rollback:
      - {type: set_metric, link: p1-p2, metric: 10, from: p1}
`)
	if swapped.Digest() == base {
		t.Error("swapping two steps left the digest unchanged")
	}
}
