package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/topology"
)

// costInAB puts a-b's cost back to 10 from both ends: a plan written for
// the network as examples/lab/cost-out.yaml leaves it. Against the model
// that plan started from, its rollback would not restore the state
// before it, and its first observation would find the routers unlike
// the model.
const costInAB = `title: cost in a-b
risk: low
topology: topology.yaml
platform: frr_vtysh
steps:
  - name: cost in a-b on a
    device: a
    config: |
      interface cg-b
       ip ospf cost 10
    rollback_config: |
      interface cg-b
       ip ospf cost 1000
    checks:
      - name: cost is 10
        command: show ip ospf interface cg-b
        expect: {regex: 'Cost: 10\b'}
  - name: cost in a-b on b
    device: b
    config: |
      interface cg-a
       ip ospf cost 10
    rollback_config: |
      interface cg-a
       ip ospf cost 1000
    checks:
      - name: cost is 10
        command: show ip ospf interface cg-a
        expect: {regex: 'Cost: 10\b'}
post_checks:
  - name: a reaches b directly
    device: a
    command: show ip route 198.18.0.2/32 json
    expect:
      json: |
        some r in output["198.18.0.2/32"]
        [h.interfaceName | some h in r.nexthops] == ["cg-b"]
    retries: 20
    interval: 250ms
`

// TestApplyLabForward applies examples/lab/cost-out.yaml with
// --update-topology on real FRR routers, then a second plan, written for
// the network as the first left it, against the rewritten model without
// any hand edit: it checks, apply's comparison of the routers with the
// model passes before its first change, and it applies. Each run's last
// journal record holds the digest of the model it wrote; after both the
// topology file is again byte for byte what it was.
func TestApplyLabForward(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	isolate(t)
	topo := labExample(t, "topology.yaml")
	l, _ := lab.UpForTest(t, "forward", topo)
	dir := t.TempDir()
	topoFile := writeFile(t, dir, "topology.yaml", topo)
	costOut := writeFile(t, dir, "cost-out.yaml", costOutAB(t, "0s"))
	costIn := writeFile(t, dir, "cost-in.yaml", costInAB)
	state := filepath.Join(dir, "state")
	t.Setenv("CHANGEGATE_STATE_DIR", state)
	t.Setenv("CHANGEGATE_INVENTORY_FILE", l.InventoryFile())
	ctx := context.Background()
	if err := l.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	baseline := routes(t, l)
	defer func() {
		if err := l.ResetCosts(ctx); err != nil {
			t.Error(err)
		}
	}()

	// The model carried forward, checked against the file and the journal.
	carried := func(t *testing.T, out, errs string) {
		t.Helper()
		if !strings.Contains(errs, "is in "+topoFile+", rewritten with the values the plan changed (--update-topology)") {
			t.Errorf("apply does not say it rewrote %s:\n%s", topoFile, errs)
		}
		text, err := os.ReadFile(topoFile)
		if err != nil {
			t.Fatal(err)
		}
		n, ds := topology.Parse(topoFile, text, topology.ParseOptions{})
		if ds.HasErrors() {
			t.Fatalf("the rewritten topology: %v\n%s", ds, text)
		}
		id := runID(t, out)
		r, err := journal.Read(state, id)
		if err != nil {
			t.Fatal(err)
		}
		last := r.Records[len(r.Records)-1]
		var end apply.RunEndData
		if err := apply.DecodeData(last, &end); err != nil || end.Model != n.TopologyDigest() {
			t.Errorf("run %s's run.end records model %q (%v), the file is %s", id, end.Model, err, n.TopologyDigest())
		}
		if _, err := os.Stat(filepath.Join(state, "runs", id, "topology-after.yaml")); err == nil {
			t.Errorf("run %s wrote topology-after.yaml too", id)
		}
		// The model carried forward is the network: discovery finds no
		// difference.
		if out, errs, code := run(t, "topology", "diff", topoFile, "--live", "--inventory", l.InventoryFile()); code != ExitOK {
			t.Errorf("topology diff --live after run %s: exit %d\n%s%s", id, code, out, errs)
		}
	}

	// Against the model as it is before the first plan, the second is
	// denied: its rollback would not restore the state before it.
	if out, errs, code := run(t, "check", costIn); code != ExitDenied {
		t.Fatalf("check of the second plan before the first: exit %d, want %d\n%s\n%s", code, ExitDenied, out, errs)
	}

	out, errs, code := run(t, "apply", costOut, "--update-topology")
	if code != 0 || !strings.Contains(out, "APPLIED: run ") {
		t.Fatalf("cost out: exit %d\n%s\n%s", code, out, errs)
	}
	carried(t, out, errs)
	text, _ := os.ReadFile(topoFile)
	for _, want := range []string{"# A square of four FRR routers", `{id: ab, a: "a:cg-b", b: "b:cg-a", capacity: 10G, metric: 1000}`, `{id: bc, a: "b:cg-c", b: "c:cg-b", capacity: 10G, metric: 10}`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the rewritten topology lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(string(text), "\n") != strings.Count(topo, "\n") {
		t.Errorf("the rewritten topology has other lines than the one changed:\n%s", text)
	}

	// The second plan, against the rewritten model, without hand edits.
	if out, errs, code := run(t, "check", costIn); code != 0 {
		t.Fatalf("check of the second plan: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = run(t, "apply", costIn, "--update-topology")
	if code != 0 || !strings.Contains(out, "APPLIED: run ") {
		t.Fatalf("cost in: exit %d\n%s\n%s", code, out, errs)
	}
	// Before its first change, apply compares every router of the
	// network with the model: they agree.
	if before, _, _ := strings.Cut(out, "step 1/2"); !strings.Contains(before, " observe OK: the 4 routers forward as the model predicts (the whole network)") {
		t.Errorf("the routers were not found to agree with the model before the change:\n%s", out)
	}
	carried(t, out, errs)
	if text, _ := os.ReadFile(topoFile); string(text) != topo {
		t.Errorf("after cost out and cost in the topology is not what it was:\n%s", text)
	}
	waitRoutes(t, l, baseline)
}

// runID is the run id apply printed ("APPLIED: run ID").
func runID(t *testing.T, out string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, "APPLIED: run ")
	if !ok {
		t.Fatalf("no run id in:\n%s", out)
	}
	id, _, _ := strings.Cut(rest, " ")
	return strings.TrimSpace(strings.TrimRight(id, ":,\n"))
}
