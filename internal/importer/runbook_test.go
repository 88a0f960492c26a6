package importer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/runbook"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/runbooks"
)

// TestZooRunbookRenders is the path from import to runbook: a Topology
// Zoo network (no interface names in the file) is imported, written and
// loaded back as a user's topology file, and the built-in link-metric
// runbook renders for FRR on a parallel link, from both ends, naming the
// interface the lab creates for that end.
func TestZooRunbookRenders(t *testing.T) {
	path := filepath.Join(zooDir, "Easynet.graphml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no Topology Zoo file %s (the shared data directory is not checked out next to the repository)", path)
	}
	imported, _, err := importFile(t, path, GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil {
		t.Fatal(err)
	}
	// link-metric is an OSPF runbook: say the network runs OSPF, as the
	// engineer importing an OSPF network does.
	imported.IGP = topology.IGPOSPF
	var file bytes.Buffer
	if err := topology.Write(&file, imported); err != nil {
		t.Fatal(err)
	}
	net, ds := topology.Parse("easynet.yaml", file.Bytes(), topology.ParseOptions{})
	if net == nil || ds.HasErrors() {
		t.Fatalf("the written topology does not load: %v", ds.Errors())
	}
	lib, ds, err := runbook.Load(context.Background(), runbooks.FS, nil)
	if err != nil || ds.HasErrors() {
		t.Fatalf("built-in runbooks: %v %v", err, ds.Errors())
	}
	r, err := lib.Get("link-metric")
	if err != nil {
		t.Fatal(err)
	}
	lay, err := lab.PlanLayout(net, "cg-", lab.DefaultCapacityScale, nil)
	if err != nil {
		t.Fatal(err)
	}
	const link = "London-New_York#2" // the second of two parallel links
	for _, tt := range []struct{ device, want string }{
		{"London", "cg-new-york-2"},
		{"New_York", "cg-london-2"},
	} {
		t.Run(tt.device, func(t *testing.T) {
			steps, ds := r.Render(runbook.RenderOptions{
				Platform: "frr_vtysh",
				Params:   map[string]string{"device": tt.device, "link": link, "metric": "500", "restore_metric": "10"},
				Topology: net,
			})
			if steps == nil || ds.HasErrors() {
				t.Fatalf("link-metric does not render on the imported network: %v", ds)
			}
			want := []string{"interface " + tt.want, " ip ospf cost 500"}
			if got := steps[0].Config; strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("config = %q, want %q", got, want)
			}
			if got := steps[0].RollbackConfig; len(got) == 0 || got[0] != "interface "+tt.want {
				t.Errorf("rollback config = %q, want it on interface %s", got, tt.want)
			}
			var inLab []string
			for _, e := range lay.Ends(tt.device) {
				if e.Link.ID == link {
					inLab = append(inLab, e.End.Interface)
				}
			}
			if len(inLab) != 1 || inLab[0] != tt.want {
				t.Errorf("the lab names %s's end of %s %q, want %q", tt.device, link, inLab, tt.want)
			}
		})
	}
}
