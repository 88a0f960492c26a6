package operation

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/devices"
	"github.com/changegate/changegate/internal/apply"
	"github.com/changegate/changegate/internal/journal"
	"github.com/changegate/changegate/internal/topology"
)

// commentedSquare is the square with comments, which the model written
// after a run keeps.
const commentedSquare = "# The lab's square.\n" + squareTopology + "# the end\n"

// failingPlan costs out a-b on a, and its check fails: rolled back.
const failingPlan = `title: cost out a-b, check fails
risk: low
topology: topology.yaml
platform: frr_vtysh
steps:
  - name: cost out a-b on a
    device: a
    config: |
      interface cg-b
       ip ospf cost 1000
    rollback_config: |
      interface cg-b
       ip ospf cost 10
    checks:
      - {name: never, command: show version, expect: {regex: 'never'}}
`

// costInPlan puts a-b's cost on a back to 10: a plan written for the
// model the allowed plan leaves.
const costInPlan = `title: cost in a-b
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
    effects:
      - {type: set_metric, link: ab, metric: 10, from: a}
    checks:
      - {name: a answers, command: show version, expect: {regex: '.*'}}
`

// modelFixture is the run fixture with the commented square, the plans
// above, a git repository around them, and the runs' directory real.
func modelFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	for name, data := range map[string]string{"topology.yaml": commentedSquare, "failing.yaml": failingPlan, "cost-in.yaml": costInPlan} {
		if err := os.WriteFile(filepath.Join(f.dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(f.dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	f.js.dir = filepath.Join(t.TempDir(), "runs", "x")
	if err := os.MkdirAll(f.js.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runEndModel is the model digest the run's last record holds.
func (f *fixture) runEndModel(t *testing.T) string {
	t.Helper()
	rs := f.js.j.records
	if len(rs) == 0 || rs[len(rs)-1].Type != apply.RecordRunEnd {
		t.Fatalf("the journal does not end with run.end: %v", f.js.j.types())
	}
	var d apply.RunEndData
	if err := apply.DecodeData(rs[len(rs)-1], &d); err != nil {
		t.Fatal(err)
	}
	return d.Model
}

// wantModel is the model after the allowed plan: a-b costs 1000 from a.
func wantModel(t *testing.T, text []byte) *topology.Network {
	t.Helper()
	n, ds := topology.Parse("after.yaml", text, topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatalf("the model written does not parse: %v\n%s", ds, text)
	}
	ab := n.Links[n.LinkIndex()["ab"]]
	if ab.MetricAB != 1000 || ab.MetricBA != 10 {
		t.Errorf("a-b costs %d/%d in the model written, want 1000/10:\n%s", ab.MetricAB, ab.MetricBA, text)
	}
	for _, c := range []string{"# The lab's square.", "# the end", `metric: {ab: 1000, ba: 10}}`} {
		if !bytes.Contains(text, []byte(c)) {
			t.Errorf("the model written lacks %q:\n%s", c, text)
		}
	}
	return n
}

// An applied run writes the model of the network it left beside its
// journal, the topology file with the values the plan changed, and
// leaves the topology file as it was; its last record holds the model's
// digest.
func TestRunWritesModelAfter(t *testing.T) {
	f := modelFixture(t)
	topo := filepath.Join(f.dir, "topology.yaml")
	res, err := f.b.Run(context.Background(), f.request("allowed.yaml"), f.view)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.js.dir, ModelAfterFile)
	m := res.Model
	if m == nil || m.Path != path || m.Updated || m.Whole || m.Note != "" {
		t.Fatalf("model %+v, want %s written", m, path)
	}
	after := wantModel(t, f.read(t, path))
	if m.Digest != after.TopologyDigest() || f.runEndModel(t) != m.Digest {
		t.Errorf("digests: model %s, run.end %s, file %s", m.Digest, f.runEndModel(t), after.TopologyDigest())
	}
	if got := f.read(t, topo); string(got) != commentedSquare {
		t.Errorf("the topology file changed:\n%s", got)
	}
	if !strings.Contains(strings.Join(f.view.notices, "\n"), "is in "+path) {
		t.Errorf("apply does not say where the model is: %q", f.view.notices)
	}
}

// With UpdateTopology the topology file itself is rewritten, comments
// kept, and a second plan written for the network as the first left it
// checks and runs against it without hand edits.
func TestRunUpdateTopology(t *testing.T) {
	f := modelFixture(t)
	topo := filepath.Join(f.dir, "topology.yaml")
	// Against the model as it was, the second plan's rollback would not
	// restore the state before it: denied.
	c, err := f.b.Check(context.Background(), CheckRequest{Plan: filepath.Join(f.dir, "cost-in.yaml"), Stage: "apply"})
	if err != nil || !c.Decision.Denied() {
		t.Fatalf("the second plan against the first's model: %v, denied %v", err, err == nil && c.Decision.Denied())
	}
	req := f.request("allowed.yaml")
	req.UpdateTopology = true
	res, err := f.b.Run(context.Background(), req, f.view)
	if err != nil {
		t.Fatal(err)
	}
	if m := res.Model; m == nil || m.Path != topo || !m.Updated || m.Whole || m.Note != "" || m.Digest != f.runEndModel(t) {
		t.Fatalf("model %+v, want %s rewritten", m, topo)
	}
	after := wantModel(t, f.read(t, topo))
	if after.TopologyDigest() != res.Model.Digest {
		t.Errorf("the rewritten file's digest %s, the model's %s", after.TopologyDigest(), res.Model.Digest)
	}
	if _, err := os.Stat(filepath.Join(f.js.dir, ModelAfterFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s written too: %v", ModelAfterFile, err)
	}
	if fi, err := os.Stat(topo); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("the rewritten file's mode: %v %v", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}

	// The second plan: it sets a-b back to 10 from a, which only makes
	// sense in the model the first left (a no-op in the old one warns).
	f.js.dir = filepath.Join(t.TempDir(), "runs", "y")
	if err := os.MkdirAll(f.js.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	req = f.request("cost-in.yaml")
	req.UpdateTopology = true
	res, err = f.b.Run(context.Background(), req, f.view)
	if err != nil {
		t.Fatal(err)
	}
	if res.Checked.Digests.Topology != after.TopologyDigest() || res.Report.Status != journal.Succeeded {
		t.Fatalf("second run: checked against %s (want %s), %s", res.Checked.Digests.Topology, after.TopologyDigest(), res.Report.Status)
	}
	if got := f.read(t, topo); string(got) != commentedSquare {
		t.Errorf("after the second plan the topology is not the square again:\n%s", got)
	}
}

// A run that is rolled back leaves the topology file byte for byte and
// writes no model, and says so; its run.end holds no model.
func TestRunRolledBackWritesNoModel(t *testing.T) {
	for _, update := range []bool{false, true} {
		f := modelFixture(t)
		topo := filepath.Join(f.dir, "topology.yaml")
		req := f.request("failing.yaml")
		req.UpdateTopology = update
		res, err := f.b.Run(context.Background(), req, f.view)
		if err != nil {
			t.Fatal(err)
		}
		if res.Report.Status != journal.RolledBack {
			t.Fatalf("status %s, want rolled back", res.Report.Status)
		}
		if got := f.read(t, topo); string(got) != commentedSquare {
			t.Errorf("update %v: the topology file changed:\n%s", update, got)
		}
		if _, err := os.Stat(filepath.Join(f.js.dir, ModelAfterFile)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("update %v: %s written: %v", update, ModelAfterFile, err)
		}
		if m := res.Model; m == nil || m.Path != "" || m.Digest != "" || !strings.Contains(m.Note, "the run was not applied (rolled-back)") {
			t.Errorf("update %v: model %+v", update, m)
		}
		if d := f.runEndModel(t); d != "" {
			t.Errorf("update %v: run.end records model %s", update, d)
		}
		if !strings.Contains(strings.Join(f.view.notices, "\n"), "nothing written") {
			t.Errorf("update %v: apply does not say that nothing was written: %q", update, f.view.notices)
		}
	}
}

// A topology outside the plan's repository (--topology elsewhere) is not
// rewritten: the model goes beside the journal, and apply says why.
func TestRunUpdateTopologyOutsideRepository(t *testing.T) {
	f := modelFixture(t)
	other := filepath.Join(t.TempDir(), "elsewhere.yaml")
	if err := os.WriteFile(other, []byte(commentedSquare), 0o644); err != nil {
		t.Fatal(err)
	}
	req := f.request("allowed.yaml")
	req.Topology = other
	req.UpdateTopology = true
	res, err := f.b.Run(context.Background(), req, f.view)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.js.dir, ModelAfterFile)
	if m := res.Model; m == nil || m.Updated || m.Path != path || !strings.Contains(m.Note, "not rewritten") || !strings.Contains(m.Note, "repository") {
		t.Fatalf("model %+v", m)
	}
	if got := f.read(t, other); string(got) != commentedSquare {
		t.Errorf("the topology outside the repository changed:\n%s", got)
	}
	wantModel(t, f.read(t, path))
}

// A topology file whose text cannot be edited in place (a value shared
// through an anchor) is not rewritten: the model is written whole beside
// the journal, and apply says why.
func TestRunModelWrittenWhole(t *testing.T) {
	f := modelFixture(t)
	topo := filepath.Join(f.dir, "topology.yaml")
	anchored := strings.Replace(commentedSquare, `capacity: 10G, metric: 10}`, `capacity: 10G, metric: &m 10}`, 1)
	anchored = strings.Replace(anchored, `"c:cg-b", capacity: 10G, metric: 10}`, `"c:cg-b", capacity: 10G, metric: *m}`, 1)
	if err := os.WriteFile(topo, []byte(anchored), 0o644); err != nil {
		t.Fatal(err)
	}
	req := f.request("allowed.yaml")
	req.UpdateTopology = true
	res, err := f.b.Run(context.Background(), req, f.view)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.js.dir, ModelAfterFile)
	if m := res.Model; m == nil || m.Updated || !m.Whole || m.Path != path || !strings.Contains(m.Note, "anchor") {
		t.Fatalf("model %+v", m)
	}
	if got := f.read(t, topo); string(got) != anchored {
		t.Errorf("the topology file changed:\n%s", got)
	}
	text := f.read(t, path)
	n, ds := topology.Parse(path, text, topology.ParseOptions{})
	if ds.HasErrors() || n.TopologyDigest() != res.Model.Digest {
		t.Errorf("the model written whole: %v\n%s", ds, text)
	}
}

// A run whose model was carried forward into the topology file cannot
// be reverted from it (the inverse is built from the model the run
// started from): revert says so, and what to do.
func TestRevertAfterUpdateTopology(t *testing.T) {
	f := modelFixture(t)
	state := t.TempDir()
	f.b.Journals = JournalDir(state)
	req := f.request("allowed.yaml")
	req.UpdateTopology = true
	res, err := f.b.Run(context.Background(), req, f.view)
	if err != nil || !res.Model.Updated {
		t.Fatalf("run: %v, model %+v", err, res.Model)
	}
	if _, err := os.Stat(filepath.Join(state, "runs", res.Run, "journal.jsonl")); err != nil {
		t.Fatal(err)
	}
	_, err = f.b.BuildRevert(context.Background(), res.Run, devices.InventoryFile{})
	if err == nil || !strings.Contains(err.Error(), "is the model of the network run "+res.Run+" left (as apply --update-topology writes it, or its topology-after.yaml copied over)") {
		t.Errorf("revert: %v", err)
	}
	// Put back as it was, the revert is built.
	if err := os.WriteFile(filepath.Join(f.dir, "topology.yaml"), []byte(commentedSquare), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := f.b.BuildRevert(context.Background(), res.Run, devices.InventoryFile{}); err != nil {
		t.Errorf("revert from the topology put back: %v", err)
	}
}

// A topology file that changed on disk since it was checked is not
// edited: the model is written whole, saying why.
func TestModelTextFileChanged(t *testing.T) {
	f := modelFixture(t)
	c, err := f.b.Check(context.Background(), CheckRequest{Plan: filepath.Join(f.dir, "allowed.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	after, err := modelAfter(c)
	if err != nil {
		t.Fatal(err)
	}
	if text, err := ModelText(context.Background(), c.Plan.File, c.Network, after); err != nil || !bytes.Contains(text, []byte("# The lab's square.")) {
		t.Fatalf("unchanged file: %v\n%s", err, text)
	}
	edited := strings.Replace(commentedSquare, `"c:cg-d", b: "d:cg-c", capacity: 10G, metric: 10}`, `"c:cg-d", b: "d:cg-c", capacity: 10G, metric: 20}`, 1)
	if err := os.WriteFile(c.Network.Files[0], []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	text, err := ModelText(context.Background(), c.Plan.File, c.Network, after)
	if err == nil || !strings.Contains(err.Error(), "no longer the model") || text == nil {
		t.Fatalf("changed file: %v", err)
	}
	n, ds := topology.Parse("whole.yaml", text, topology.ParseOptions{})
	if ds.HasErrors() || n.TopologyDigest() != after.TopologyDigest() || !bytes.HasPrefix(text, []byte("# The model of the network after allowed.yaml")) {
		t.Errorf("the model written whole: %v\n%s", ds, text)
	}
}
