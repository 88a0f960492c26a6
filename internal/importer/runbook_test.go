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

// TestImportedRunbookRenders is the path from import to runbook: an
// imported network is written and loaded back as a user's topology file,
// and the built-in link-metric runbook renders for FRR on one of its
// links, from both ends, on the interface of that end: the file's
// (containerlab), or the one the lab creates (a Topology Zoo network,
// whose file names no interfaces).
func TestImportedRunbookRenders(t *testing.T) {
	type end struct{ device, iface string }
	tests := []struct {
		name     string
		load     func(t *testing.T) *topology.Network
		link     string
		ends     []end
		matchLab bool // the interfaces are those lab.PlanLayout creates
	}{
		{
			name: "Topology Zoo Easynet, the second of two parallel links",
			load: func(t *testing.T) *topology.Network {
				path := filepath.Join(zooDir, "Easynet.graphml")
				if _, err := os.Stat(path); err != nil {
					t.Skipf("no Topology Zoo file %s (the shared data directory is not checked out next to the repository)", path)
				}
				net, _, err := importFile(t, path, GraphMLOptions{DefaultCapacity: 10e9})
				if err != nil {
					t.Fatal(err)
				}
				return net
			},
			link:     "London-New_York#2",
			ends:     []end{{"London", "cg-new-york-2"}, {"New_York", "cg-london-2"}},
			matchLab: true,
		},
		{
			name: "containerlab frr",
			load: func(t *testing.T) *topology.Network {
				net, _, err := importClab(t, "frr", ContainerlabOptions{DefaultCapacity: 10e9})
				if err != nil {
					t.Fatal(err)
				}
				return net
			},
			link: "core1:eth2-core2:eth2",
			ends: []end{{"core1", "eth2"}, {"core2", "eth2"}},
		},
	}
	lib, ds, err := runbook.Load(context.Background(), runbooks.FS, nil)
	if err != nil || ds.HasErrors() {
		t.Fatalf("built-in runbooks: %v %v", err, ds.Errors())
	}
	r, err := lib.Get("link-metric")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imported := tt.load(t)
			// link-metric is an OSPF runbook: say the network runs OSPF,
			// as the engineer importing an OSPF network does.
			imported.IGP = topology.IGPOSPF
			var file bytes.Buffer
			if err := topology.Write(&file, imported); err != nil {
				t.Fatal(err)
			}
			net, ds := topology.Parse("imported.yaml", file.Bytes(), topology.ParseOptions{})
			if net == nil || ds.HasErrors() {
				t.Fatalf("the written topology does not load: %v", ds.Errors())
			}
			lay, err := lab.PlanLayout(net, "cg-", lab.DefaultCapacityScale, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range tt.ends {
				steps, ds := r.Render(runbook.RenderOptions{
					Platform: "frr_vtysh",
					Params:   map[string]string{"device": e.device, "link": tt.link, "metric": "500", "restore_metric": "10"},
					Topology: net,
				})
				if steps == nil || ds.HasErrors() {
					t.Fatalf("link-metric does not render for %s on the imported network: %v", e.device, ds)
				}
				want := []string{"interface " + e.iface, " ip ospf cost 500"}
				if got := steps[0].Config; strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%s: config = %q, want %q", e.device, got, want)
				}
				if got := steps[0].RollbackConfig; len(got) == 0 || got[0] != "interface "+e.iface {
					t.Errorf("%s: rollback config = %q, want it on interface %s", e.device, got, e.iface)
				}
				if !tt.matchLab {
					continue
				}
				var inLab []string
				for _, le := range lay.Ends(e.device) {
					if le.Link.ID == tt.link {
						inLab = append(inLab, le.End.Interface)
					}
				}
				if len(inLab) != 1 || inLab[0] != e.iface {
					t.Errorf("the lab names %s's end of %s %q, want %q", e.device, tt.link, inLab, e.iface)
				}
			}
		})
	}
}
