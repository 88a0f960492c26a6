package traffic

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/changegate/changegate/internal/importer"
)

// TestTopologyZoo runs the generators and the scaling on every Topology
// Zoo network: the totals must be exact, and after scaling the simulated
// peak utilisation must equal the target.
func TestTopologyZoo(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/data/topology-zoo/graphml/*.graphml")
	if len(files) == 0 {
		t.Skip("no Topology Zoo files in ../../../shared/data/topology-zoo/graphml")
	}
	if testing.Short() {
		files = files[:10]
	}
	const total, target = 100e9, 0.5
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		n, _, err := importer.GraphML(f, path, importer.GraphMLOptions{DefaultCapacity: 10e9})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if ds := Uniform(n, total); relErr(sum(ds), total) > 1e-9 {
			t.Errorf("%s: uniform total %v", path, sum(ds))
		}
		n.Demands = Gravity(n, total)
		if relErr(sum(n.Demands), total) > 1e-9 {
			t.Errorf("%s: gravity total %v", path, sum(n.Demands))
		}
		if _, err := ScaleToPeakUtilization(n, Peak{Utilization: target}); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got := peak(t, n); relErr(got, target) > 1e-9 {
			t.Errorf("%s: peak after scaling %v, want %v", path, got, target)
		}
	}
}
