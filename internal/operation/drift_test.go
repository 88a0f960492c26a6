package operation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
)

// recordedDevices answers the discovery commands with what the lab's
// routers printed (internal/discover/testdata/frr84/ospf-parallel-drained),
// and every other command with nothing.
type recordedDevices struct {
	*fakeDevices
	outputs map[string]string // "device command" -> output
	runs    int
}

func (r *recordedDevices) Target(inv *devices.Inventory) (apply.Target, func()) {
	_, done := r.fakeDevices.Target(inv)
	return r, done
}

func (r *recordedDevices) Run(_ context.Context, device, command string) (string, error) {
	r.mu.Lock()
	r.runs++
	r.mu.Unlock()
	return r.outputs[device+" "+command], nil
}

func newDriftFixture(t *testing.T, edit func(topology string) string) (*fixture, *recordedDevices) {
	t.Helper()
	rec := filepath.Join("..", "discover", "testdata", "frr84", "ospf-parallel-drained")
	topo, err := os.ReadFile(filepath.Join(rec, "lab-topology.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	if err := os.WriteFile(filepath.Join(f.dir, "topology.yaml"), []byte(edit(string(topo))), 0o644); err != nil {
		t.Fatal(err)
	}
	devs := &recordedDevices{fakeDevices: f.devs, outputs: map[string]string{}}
	for _, node := range []string{"a", "b", "c", "d"} {
		for kind, cmd := range map[string]string{"ospf-database-router": "show ip ospf database router json", "interface": "show interface json"} {
			b, err := os.ReadFile(filepath.Join(rec, node+"."+kind+".json"))
			if err != nil {
				t.Fatal(err)
			}
			devs.outputs[node+" "+cmd] = string(b)
		}
	}
	f.b.Devices = devs
	f.b.Apply.Observe = true
	return f, devs
}

// driftRecord is the drift record of the fixture's run.
func driftRecord(t *testing.T, f *fixture) apply.DriftData {
	t.Helper()
	if f.js.j == nil {
		t.Fatal("no journal")
	}
	for _, r := range f.js.j.records {
		if r.Type == apply.RecordDrift {
			var d apply.DriftData
			if err := apply.DecodeData(r, &d); err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	t.Fatalf("no drift record in %v", f.js.j.types())
	return apply.DriftData{}
}

// A network that differs from the model in forwarding refuses the run
// before any change, recorded; break-glass runs it, recorded too.
func TestRunRefusesDrift(t *testing.T) {
	changed := func(s string) string {
		return strings.Replace(s, "metric: {ab: 7, ba: 9}", "metric: {ab: 7, ba: 11}", 1)
	}
	f, devs := newDriftFixture(t, changed)
	_, err := f.b.Run(context.Background(), f.request("allowed.yaml"), f.view)
	var denied *DeniedError
	if !errors.As(err, &denied) || !strings.Contains(denied.Msg, `apply refused: the network differs from the model the gate checked (1 differences: link "d:cg-a-a:cg-d" ("a-d" in the network): metric a->d is 11 in the model, 9 in the network)`) {
		t.Fatalf("Run: %v", err)
	}
	if len(f.devs.configure) != 0 || devs.runs == 0 {
		t.Errorf("configured %v (want nothing), read %d times", f.devs.configure, devs.runs)
	}
	if d := driftRecord(t, f); d.Blocking != 1 || len(d.Differences) != 1 || d.Overridden {
		t.Errorf("drift record: %+v", d)
	}
	if st := f.js.j.status; len(st) == 0 || st[len(st)-1] != journal.NotStarted {
		t.Errorf("status %v, want not-started", st)
	}

	// Break-glass: the run goes on, and the record says it was overridden.
	f, _ = newDriftFixture(t, changed)
	req := f.request("allowed.yaml")
	req.BreakGlass = "CHG-7: the model is being fixed"
	_, _ = f.b.Run(context.Background(), req, f.view)
	if d := driftRecord(t, f); !d.Overridden || d.Blocking != 1 {
		t.Errorf("drift record with break-glass: %+v", d)
	}
	if !strings.Contains(strings.Join(f.view.notices, "\n"), "BREAK-GLASS: the network differs from the model (1 differences") {
		t.Errorf("notices: %v", f.view.notices)
	}
}

// An equal network is recorded and the run goes on; a capacity that
// differs is a notice, not a refusal.
func TestRunDriftEqual(t *testing.T) {
	f, _ := newDriftFixture(t, func(s string) string {
		return strings.Replace(s, `{a: "b:cg-c", b: "c:cg-b", capacity: 10G`, `{a: "b:cg-c", b: "c:cg-b", capacity: 40G`, 1)
	})
	_, err := f.b.Run(context.Background(), f.request("allowed.yaml"), f.view)
	var denied *DeniedError
	if errors.As(err, &denied) {
		t.Fatalf("refused: %v", err)
	}
	if d := driftRecord(t, f); d.Blocking != 0 || len(d.Differences) != 1 || d.Differences[0].Kind != "capacity" {
		t.Errorf("drift record: %+v", d)
	}
	notices := strings.Join(f.view.notices, "\n")
	if !strings.Contains(notices, "the network differs from the model (not in forwarding): link") || !strings.Contains(notices, "the network is as the model says: 4 routers and 5 links read") {
		t.Errorf("notices: %v", f.view.notices)
	}
}

// A network that cannot be read refuses the run.
func TestRunDriftUnreadable(t *testing.T) {
	f, devs := newDriftFixture(t, func(s string) string { return s })
	devs.outputs["c show interface json"] = "% Unknown command"
	_, err := f.b.Run(context.Background(), f.request("allowed.yaml"), f.view)
	var denied *DeniedError
	if !errors.As(err, &denied) || !strings.Contains(denied.Msg, "apply refused: the network could not be read") {
		t.Fatalf("Run: %v", err)
	}
	if d := driftRecord(t, f); d.Error == "" {
		t.Errorf("drift record: %+v", d)
	}
}
