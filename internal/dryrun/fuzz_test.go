package dryrun

import (
	"context"
	"os"
	"testing"

	"github.com/changegate/changegate/plans"
)

// FuzzRun feeds arbitrary plans through parsing and the dry-run against
// the example network: never a panic, a result exactly when there are no
// errors, one state per step plus the baseline, and a rollback entry per
// step.
func FuzzRun(f *testing.F) {
	for _, p := range []string{"../../examples/outage-plan.yaml", "../../examples/safe-plan.yaml"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("title: t\nsteps:\n  - name: a\n    effects: [{type: link_down, link: p1-p3}, {type: link_down, link: p1-p3}]\n    rollback: [{type: drain, node: s1}]\n"))
	f.Add([]byte("title: t\nsteps:\n  - name: a\n    effects: [{type: set_metric, link: s1-s2, metric: 1, from: s2}]\n"))
	net, _ := load(f, "../../examples/outage-plan.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, ds := plans.Parse("fuzz.yaml", data)
		if ds.HasErrors() {
			return
		}
		res, ds, err := Run(context.Background(), net, p, Options{TopMovers: 3})
		if err != nil {
			t.Fatalf("error: %v", err)
		}
		if (res == nil) != ds.HasErrors() {
			t.Fatalf("result %v with diagnostics %v", res != nil, ds)
		}
		if res == nil {
			return
		}
		if len(res.States) != len(p.Steps)+1 || len(res.Rollback.Steps) != len(p.Steps) || len(res.Rollback.Path) != len(p.Steps) {
			t.Fatalf("%d states, %d rollback steps for %d steps", len(res.States), len(res.Rollback.Steps), len(p.Steps))
		}
		for _, st := range res.States {
			if st.MovedBps < 0 || st.DroppedBps < 0 || st.N1 == nil {
				t.Fatalf("state %d: moved %v dropped %v n1 %v", st.Index, st.MovedBps, st.DroppedBps, st.N1 != nil)
			}
		}
	})
}
