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
