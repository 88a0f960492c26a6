package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/testscale"
	"github.com/changegate/changegate/internal/topology"
)

// sunet is Sunet from the Topology Zoo (26 routers, 49 links, 17
// parallel pairs; used by no other test) as the model of an OSPF
// network, with what a real network has and an import lacks: a drained
// router (Trollhattan), a link whose metric differs by direction
// (Goteborg-Halmstad), a link that is down (the second Goteborg-Boras)
// and links slower than the rest (the veths of the lab report 10G for
// every one: the team's overlay says what they are).
func sunet(t *testing.T) (*topology.Network, string) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", "Sunet.graphml"))
	if err != nil {
		t.Skipf("the Topology Zoo data is not beside the repository: %v", err)
	}
	defer f.Close()
	net, ds, err := importer.GraphML(f, "Sunet.graphml", importer.GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil || ds.HasErrors() {
		t.Fatalf("import: %v %v", err, ds)
	}
	net.IGP = topology.IGPOSPF
	edit := map[string]func(l *topology.Link){
		"Goteborg-Halmstad":    func(l *topology.Link) { l.MetricBA = 333 },
		"Goteborg-Boras#2":     func(l *topology.Link) { l.Up = false },
		"Skovde-Trollhattan#2": func(l *topology.Link) { l.CapacityBps = 1e9 },
		"Orebro-Karlstad":      func(l *topology.Link) { l.CapacityBps = 2.5e9 },
	}
	for i := range net.Links {
		if f, ok := edit[net.Links[i].ID]; ok {
			f(&net.Links[i])
			delete(edit, net.Links[i].ID)
		}
	}
	for i := range net.Nodes {
		if net.Nodes[i].Name == "Trollhattan" {
			net.Nodes[i].Drained = true
		}
	}
	if len(edit) > 0 {
		t.Fatalf("Sunet has no links %v", edit)
	}
	var b bytes.Buffer
	if err := topology.Write(&b, net); err != nil {
		t.Fatal(err)
	}
	return net, b.String()
}

// capacityOverlay is the overlay a network team writes for the lab: the
// model's capacities by the discovered link ids (the lab's veths report
// 10G whatever tc shapes them to).
func capacityOverlay(t *testing.T, model, discovered *topology.Network) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("links:\n")
	for _, d := range discovered.Links {
		for _, m := range model.Links {
			if (m.A == d.A && m.AInterface == d.AInterface && m.B == d.B && m.BInterface == d.BInterface) ||
				(m.A == d.B && m.AInterface == d.BInterface && m.B == d.A && m.BInterface == d.AInterface) {
				fmt.Fprintf(&b, "  %q: {capacity: %s}\n", d.ID, topology.FormatRateExact(m.CapacityBps))
			}
		}
	}
	return b.String()
}

// TestTopologyDiscoverLab discovers a real OSPF network of FRR routers,
// finds it equal to the model it was built from (every link, both
// metrics, state, drain), and finds a cost changed by hand on one router.
func TestTopologyDiscoverLab(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	isolate(t)
	model, src := sunet(t)
	l, _ := lab.UpForTest(t, "discover", src)
	ctx := context.Background()
	if err := l.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	modelFile := writeFile(t, dir, "model.yaml", src)
	inv := l.InventoryFile()

	out, errs, code := run(t, "topology", "discover", "--inventory", inv)
	if code != 0 {
		t.Fatalf("discover: exit %d\n%s", code, errs)
	}
	discovered, ds := topology.Parse("discovered.yaml", []byte(out), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatalf("discovered topology: %v\n%s", ds, out)
	}
	if len(discovered.Nodes) != 26 || len(discovered.Links) != 48 {
		t.Errorf("discovered %d nodes and %d links, want 26 and 48 (49 less the one down)", len(discovered.Nodes), len(discovered.Links))
	}
	// Equal but for capacity: every link, both metrics, state and drain.
	capacities := 0
	for _, d := range topology.Diff(model, discovered) {
		if d.Kind == topology.CapacityDif {
			capacities++
			continue
		}
		t.Errorf("discovered differs from the model: %s", d)
	}
	if capacities == 0 {
		t.Errorf("no capacity differs, but the lab's interfaces all report 10G")
	}

	// With the team's overlay, the live network equals the model.
	overlay := writeFile(t, dir, "overlay.yaml", capacityOverlay(t, model, discovered))
	out, errs, code = run(t, "topology", "diff", modelFile, "--live", "--inventory", inv, "--overlay", overlay)
	if code != 0 || !strings.Contains(out, "are equal") {
		t.Fatalf("diff --live before the change: exit %d\n%s\n%s", code, out, errs)
	}

	// A cost changed by hand on a router, behind the model's back.
	if err := l.Configure(ctx, "Orebro", "interface cg-skovde", "ip ospf cost 77"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(testscale.Timeout(30 * time.Second))
	for {
		out, errs, code = run(t, "topology", "diff", modelFile, "--live", "--inventory", inv, "--overlay", overlay, "--format", "json")
		if code != 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var doc struct {
		Differences []topology.Difference
	}
	if err := json.Unmarshal([]byte(out), &doc); code != 2 || err != nil {
		t.Fatalf("diff --live after the change: exit %d %v\n%s\n%s", code, err, out, errs)
	}
	want := topology.Difference{Kind: topology.MetricDif, Link: "Skovde-Orebro", OtherLink: "Orebro-Skovde", From: "Orebro", To: "Skovde", Model: "10", Other: "77"}
	if len(doc.Differences) != 1 || doc.Differences[0] != want {
		t.Errorf("diff --live found %+v, want exactly %+v", doc.Differences, want)
	}

	// apply refuses a plan on another router before its first change.
	t.Setenv("CHANGEGATE_STATE_DIR", filepath.Join(dir, "state"))
	plan := writeFile(t, dir, "plan.yaml", sunetPlan)
	out, errs, code = run(t, "apply", plan, "--inventory", inv)
	if code != 2 || !strings.Contains(errs, "apply refused: the network differs from the model the gate checked (1 differences: link \"Skovde-Orebro\" (\"Orebro-Skovde\" in the network): metric Orebro->Skovde is 10 in the model, 77 in the network)") {
		t.Errorf("apply on the changed network: exit %d\n%s\n%s", code, out, errs)
	}
	if cfg, err := l.Vtysh(ctx, "Borlange", "show running-config"); err != nil || strings.Contains(cfg, "ip ospf cost 20000") {
		t.Errorf("apply changed Borlange although it refused (%v):\n%s", err, cfg)
	}
	// Once the router is as the model says, the same plan applies.
	if err := l.Configure(ctx, "Orebro", "interface cg-skovde", "ip ospf cost 10"); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(testscale.Timeout(30 * time.Second))
	for {
		_, _, code = run(t, "topology", "diff", modelFile, "--live", "--inventory", inv, "--overlay", overlay)
		if code != 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, errs, code = run(t, "apply", plan, "--inventory", inv, "--update-topology")
	if code != 0 || !strings.Contains(out, "APPLIED") || !strings.Contains(errs, "the network is as the model says: 26 routers and 48 links read") {
		t.Fatalf("apply on the restored network: exit %d\n%s\n%s", code, out, errs)
	}
	// The model carried forward is the network, and the next plan (the
	// cost put back) checks and applies against it without a hand edit.
	equal := func(when string) {
		t.Helper()
		if out, errs, code := run(t, "topology", "diff", modelFile, "--live", "--inventory", inv, "--overlay", overlay); code != 0 {
			t.Errorf("diff --live %s: exit %d\n%s\n%s", when, code, out, errs)
		}
	}
	equal("after the plan applied with --update-topology")
	back := writeFile(t, dir, "back.yaml", sunetBack)
	if out, errs, code := run(t, "check", back); code != 0 {
		t.Errorf("check of the next plan: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = run(t, "apply", back, "--inventory", inv, "--update-topology")
	if code != 0 || !strings.Contains(out, "APPLIED") {
		t.Fatalf("apply of the next plan: exit %d\n%s\n%s", code, out, errs)
	}
	equal("after the next plan")
	if text, _ := os.ReadFile(modelFile); string(text) != src {
		t.Errorf("after the cost out and back in, the model is not what it was:\n%s", text)
	}
}

// sunetBack puts the cost of Orebro-Borlange on Borlange back.
const sunetBack = `title: cost in Orebro-Borlange on Borlange
risk: low
topology: model.yaml
platform: frr_vtysh
steps:
  - name: cost in Orebro-Borlange on Borlange
    device: Borlange
    config: |
      interface cg-orebro
       ip ospf cost 10
    rollback_config: |
      interface cg-orebro
       ip ospf cost 20000
    effects:
      - {type: set_metric, link: Orebro-Borlange, metric: 10, from: Borlange}
    checks:
      - name: cost is 10
        command: show ip ospf interface cg-orebro
        expect: {regex: 'Cost: 10\b'}
`

// sunetPlan costs out Orebro-Borlange from Borlange.
const sunetPlan = `title: cost out Orebro-Borlange on Borlange
risk: low
topology: model.yaml
platform: frr_vtysh
steps:
  - name: cost out Orebro-Borlange on Borlange
    device: Borlange
    config: |
      interface cg-orebro
       ip ospf cost 20000
    rollback_config: |
      interface cg-orebro
       ip ospf cost 10
    effects:
      - {type: set_metric, link: Orebro-Borlange, metric: 20000, from: Borlange}
    checks:
      - name: cost is 20000
        command: show ip ospf interface cg-orebro
        expect: {regex: 'Cost: 20000\b'}
`

// TestTopologyDiscoverLabISIS discovers a real IS-IS network (level 2)
// of FRR routers: four routers with a parallel pair whose metrics differ
// by direction, and a router drained with the overload bit; it equals
// the model, and a metric changed by hand on one router is the one
// difference found.
func TestTopologyDiscoverLabISIS(t *testing.T) {
	lab.SkipUnlessAvailable(t)
	isolate(t)
	src := readFile(t, filepath.Join("..", "discover", "testdata", "frr84", "isis-parallel-drained", "lab-topology.yaml"))
	l, model := lab.UpForTest(t, "isisdisc", src)
	ctx := context.Background()
	if err := l.WaitConverged(ctx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	modelFile := writeFile(t, dir, "model.yaml", src)
	inv := l.InventoryFile()
	out, errs, code := run(t, "topology", "discover", "--igp", "isis", "--inventory", inv)
	if code != 0 {
		t.Fatalf("discover: exit %d\n%s", code, errs)
	}
	discovered, ds := topology.Parse("discovered.yaml", []byte(out), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatalf("discovered topology: %v\n%s", ds, out)
	}
	if d := topology.Diff(model, discovered); len(d) > 0 {
		t.Errorf("discovered differs from the model: %v", d)
	}
	if err := l.Configure(ctx, "c", "interface cg-b", "isis metric 44"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(testscale.Timeout(30 * time.Second))
	for {
		out, errs, code = run(t, "topology", "diff", modelFile, "--live", "--inventory", inv)
		if code != 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if code != 2 || !strings.HasSuffix(out, "metric c->b is 10 in "+modelFile+", 44 in the network\n1 difference between "+modelFile+" and the network\n") {
		t.Errorf("diff --live after the change: exit %d\n%s\n%s", code, out, errs)
	}
}
