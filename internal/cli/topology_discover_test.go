package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/fakedev"
	"github.com/changegate/changegate/internal/testscale"
)

// recordedNetwork starts fake FRR devices a..d answering what the lab's
// routers printed (internal/discover/testdata/frr84/NAME), and writes
// their inventory into a temporary directory, which it returns.
func recordedNetwork(t *testing.T, name string) string {
	t.Helper()
	isolate(t)
	dir := t.TempDir()
	rec := filepath.Join("..", "discover", "testdata", "frr84", name)
	pw := writeFile(t, dir, "password", fakePW+"\n")
	kh := filepath.Join(dir, "known_hosts")
	var inv strings.Builder
	fmt.Fprintf(&inv, "defaults:\n  platform: frr_vtysh\n  host: 127.0.0.1\n  username: admin\n  password: {file: %s}\n  host_key: {known_hosts: %s}\n  timeouts: {command: %s}\ndevices:\n", pw, kh, testscale.Timeout(10*time.Second))
	for _, node := range []string{"a", "b", "c", "d"} {
		p, err := fakedev.Platform("frr_vtysh", node)
		if err != nil {
			t.Fatal(err)
		}
		for kind, cmd := range map[string]string{"ospf-database-router": "show ip ospf database router json", "interface": "show interface json"} {
			b, err := os.ReadFile(filepath.Join(rec, node+"."+kind+".json"))
			if err != nil {
				t.Fatal(err)
			}
			p.Respond(cmd, strings.TrimRight(string(b), "\n"))
		}
		srv, err := fakedev.Start(context.Background(), fakedev.Options{Personality: p, Users: map[string]string{"admin": fakePW}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		if err := srv.WriteKnownHosts(kh); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&inv, "  %s: {port: %d}\n", node, srv.Port())
	}
	writeFile(t, dir, "inventory.yaml", inv.String())
	b, err := os.ReadFile(filepath.Join(rec, "..", "ospf-parallel-drained", "lab-topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "model.yaml", string(b))
	return dir
}

func TestTopologyDiscoverAndDiff(t *testing.T) {
	dir := recordedNetwork(t, "ospf-parallel-drained")
	inv := filepath.Join(dir, "inventory.yaml")
	model := filepath.Join(dir, "model.yaml")

	// Discover: the topology the routers describe.
	out, errs, code := run(t, "topology", "discover", "--inventory", inv)
	if code != 0 || errs != "" {
		t.Fatalf("discover: exit %d\n%s", code, errs)
	}
	for _, want := range []string{"  - id: a-b#2\n    a: a:cg-b-2\n    b: b:cg-a-2\n    capacity: 10G\n    metric: {ab: 20, ba: 30}\n", "  - name: d\n    drained: true\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("discover: no %q in\n%s", want, out)
		}
	}
	discovered := writeFile(t, dir, "discovered.yaml", out)

	// With an overlay, to a file.
	overlay := writeFile(t, dir, "overlay.yaml", "nodes:\n  a: {site: lon}\nlinks:\n  a-b#2: {class: backup, capacity: 40G}\n")
	annotated := filepath.Join(dir, "annotated.yaml")
	_, errs, code = run(t, "topology", "discover", "--inventory", inv, "--overlay", overlay, "-o", annotated)
	if b, err := os.ReadFile(annotated); code != 0 || err != nil || !strings.Contains(string(b), "capacity: 40G") || !strings.Contains(string(b), "class: backup") || !strings.Contains(string(b), "site: lon") {
		t.Errorf("discover --overlay: exit %d %v\n%s\n%s", code, err, errs, b)
	}

	// An overlay naming what the network does not have: the line, nothing written.
	bad := writeFile(t, dir, "bad.yaml", "links:\n  a-b#3: {class: x}\n")
	_, errs, code = run(t, "topology", "discover", "--inventory", inv, "--overlay", bad)
	if code != 1 || !strings.Contains(errs, `bad.yaml:2:3: overlay links: unknown link "a-b#3"`) {
		t.Errorf("bad overlay: exit %d\n%s", code, errs)
	}

	// Diff with the network and with the file: equal.
	out, _, code = run(t, "topology", "diff", model, "--live", "--inventory", inv)
	if code != 0 || !strings.Contains(out, "and the network are equal") {
		t.Errorf("diff --live: exit %d\n%s", code, out)
	}
	out, _, code = run(t, "topology", "diff", model, discovered)
	if code != 0 {
		t.Errorf("diff files: exit %d\n%s", code, out)
	}

	// A model that differs: exit 2, every difference.
	changed := writeFile(t, dir, "changed.yaml", strings.NewReplacer("metric: {ab: 7, ba: 9}", "metric: {ab: 7, ba: 11}", "drained: true", "drained: false").Replace(readFile(t, model)))
	out, _, code = run(t, "topology", "diff", changed, "--live", "--inventory", inv)
	if code != 2 || !strings.Contains(out, `node "d" is not drained in `) || !strings.Contains(out, `metric a->d is 11 in `) || !strings.Contains(out, "2 differences between") {
		t.Errorf("diff changed: exit %d\n%s", code, out)
	}
	out, _, code = run(t, "topology", "diff", changed, "--live", "--inventory", inv, "--format", "json")
	var doc struct {
		Equal       bool
		Differences []struct{ Kind, Node, Link, From, To, Model, Other string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 2 || doc.Equal || len(doc.Differences) != 2 || doc.Differences[1].Kind != "metric" || doc.Differences[1].Other != "9" {
		t.Errorf("diff json: exit %d %v\n%s", code, err, out)
	}

	// Usage errors: exit 1.
	for _, args := range [][]string{
		{"topology", "diff", model},
		{"topology", "diff", model, discovered, "--live", "--inventory", inv},
		{"topology", "diff", model, discovered, "--overlay", overlay},
		{"topology", "discover", "--inventory", inv, "--igp", "eigrp"},
	} {
		if _, errs, code := run(t, args...); code != 1 {
			t.Errorf("%v: exit %d\n%s", args, code, errs)
		}
	}
}

// recordedPlan changes b-c's metric on b, with a check.
const recordedPlan = `title: cost b-c
risk: low
topology: TOPOLOGY
platform: frr_vtysh
steps:
  - name: cost b-c on b
    device: b
    config: ["interface cg-c", " ip ospf cost 20"]
    rollback_config: ["interface cg-c", " ip ospf cost 10"]
    effects: [{type: set_metric, link: "b:cg-c-c:cg-b", metric: 20, from: b}]
    checks:
      - {name: cost 20, command: show running-config, expect: {contains: ip ospf cost 20}}
post_checks:
  - {name: b is b, device: b, command: show running-config, expect: {contains: hostname b}}
`

// TestCheckLive: check --live shows the drift to the policies, and the
// drift policy denies a topology the network differs from.
func TestCheckLive(t *testing.T) {
	dir := recordedNetwork(t, "ospf-parallel-drained")
	inv := filepath.Join(dir, "inventory.yaml")
	writeFile(t, dir, "changed.yaml", strings.Replace(readFile(t, filepath.Join(dir, "model.yaml")), "metric: {ab: 7, ba: 9}", "metric: {ab: 7, ba: 11}", 1))
	plan := writeFile(t, dir, "plan.yaml", strings.Replace(recordedPlan, "TOPOLOGY", "model.yaml", 1))
	changed := writeFile(t, dir, "plan-changed.yaml", strings.Replace(recordedPlan, "TOPOLOGY", "changed.yaml", 1))

	out, errs, code := run(t, "check", plan, "--live", "--inventory", inv)
	if code != 0 || strings.Contains(out, "drift") {
		t.Errorf("check --live, equal: exit %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = run(t, "check", changed, "--live", "--inventory", inv)
	if code != ExitDenied || !strings.Contains(out, `DENY  drift: the network differs from the topology: link "d:cg-a-a:cg-d" ("a-d" in the network): metric a->d is 11 in the model, 9 in the network`) {
		t.Errorf("check --live, changed: exit %d\n%s\n%s", code, out, errs)
	}
	// Without --live the network is not read.
	if out, errs, code := run(t, "check", changed, "--inventory", inv); code != 0 {
		t.Errorf("check, changed: exit %d\n%s\n%s", code, out, errs)
	}
	// --live needs an inventory.
	if _, errs, code := run(t, "check", changed, "--live"); code != 1 || !strings.Contains(errs, "needs an inventory") {
		t.Errorf("check --live without an inventory: exit %d\n%s", code, errs)
	}
}
