package zoo

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/topology"
)

// TestImport imports the lab test's Zoo network and checks what a lab
// needs of it: OSPF, every node the lab's loopback, 10G where the file
// says nothing, and a layout the lab can build (interfaces named as the
// import names them).
func TestImport(t *testing.T) {
	n := Network(t, zooLabFile)
	if n.IGP != topology.IGPOSPF {
		t.Errorf("igp %q, want ospf", n.IGP)
	}
	if len(n.Nodes) != 21 || len(n.Links) != 31 {
		t.Errorf("%d nodes, %d links; want 21 and 31", len(n.Nodes), len(n.Links))
	}
	for i, nd := range n.Nodes {
		if want := lab.LoopbackAddr(i).String(); nd.Loopback != want {
			t.Errorf("%s: loopback %q, want %s", nd.Name, nd.Loopback, want)
		}
	}
	for _, l := range n.Links {
		if l.CapacityBps != DefaultCapacity || l.MetricAB != 10 || l.MetricBA != 10 {
			t.Errorf("link %s: capacity %g, metrics %d/%d; want 10G and 10", l.ID, l.CapacityBps, l.MetricAB, l.MetricBA)
		}
	}
	lay, err := lab.PlanLayout(n, "cg-", lab.DefaultCapacityScale, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lay.Links {
		for _, e := range []lab.End{l.A, l.B} {
			if e.Interface != e.Model {
				t.Errorf("link %s at %s: the lab names the interface %q, the import %q", l.ID, e.Node, e.Interface, e.Model)
			}
		}
	}
}

// TestImportAll imports every Topology Zoo network and plans its lab:
// every one can be built (metrics above OSPF's range capped, with a
// warning).
func TestImportAll(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(zooLabFile), "*.graphml"))
	if len(files) == 0 {
		t.Skip("no Topology Zoo files (the shared data directory is not checked out next to the repository)")
	}
	capped := 0
	for _, f := range files {
		n, ds, err := Import(f)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
			continue
		}
		for _, d := range ds.Warnings() {
			if strings.Contains(d.Msg, "OSPF's largest interface cost") {
				capped++
			}
		}
		if _, err := lab.PlanLayout(n, "cg-", lab.DefaultCapacityScale, nil); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
	if capped == 0 {
		t.Error("no network had a metric capped (Cynet's 64 kbit/s links should)")
	}
}

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Import(filepath.Join(dir, "missing.graphml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.graphml")
	os.WriteFile(bad, []byte("<graphml><graph><node id=\"a\"/>"), 0o644)
	if _, _, err := Import(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("broken file: error %v does not name %s", err, bad)
	}
}
