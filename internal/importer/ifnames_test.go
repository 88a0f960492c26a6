package importer

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/topology"
)

func TestNameInterfaces(t *testing.T) {
	type link struct {
		a, b   string // "node" or "node:interface"
		down   bool
		wantAB string // "a-interface b-interface" after naming
	}
	tests := []struct {
		name  string
		nodes []string
		links []link
		named int
	}{
		{"one link", []string{"r1", "r2"}, []link{
			{"r1", "r2", false, "cg-r2 cg-r1"},
		}, 2},
		{"names as the lab's hostnames", []string{"New_York", "Washington_DC"}, []link{
			{"New_York", "Washington_DC", false, "cg-washington-d cg-new-york"}, // cut to 15 characters
		}, 2},
		{"parallel links numbered per node", []string{"a", "b", "c"}, []link{
			{"a", "b", false, "cg-b cg-a"},
			{"b", "a", false, "cg-a-2 cg-b-2"},
			{"a", "b", false, "cg-b-3 cg-a-3"},
			{"a", "c", false, "cg-c cg-a"},
		}, 8},
		{"long parallel names keep the suffix inside 15 characters", []string{"Frankfurt_am_Main", "Paris"}, []link{
			{"Paris", "Frankfurt_am_Main", false, "cg-frankfurt-am cg-paris"},
			{"Paris", "Frankfurt_am_Main", false, "cg-frankfurt-2 cg-paris-2"}, // "cg-frankfurt-a" cut, "-" trimmed
		}, 4},
		{"down links named after the up ones", []string{"a", "b"}, []link{
			{"a", "b", true, "cg-b-2 cg-a-2"},
			{"a", "b", false, "cg-b cg-a"},
		}, 4},
		{"hostnames made unique in node order", []string{"Ab", "AB", "ab_2"}, []link{
			{"AB", "Ab", false, "cg-ab cg-ab-2"},
			{"Ab", "ab_2", false, "cg-ab-2-2 cg-ab"}, // AB's hostname is ab-2, so ab_2's is ab-2-2
		}, 4},
		{"a name with no letters a-z is numbered", []string{"東京", "Osaka"}, []link{
			{"東京", "Osaka", false, "cg-osaka cg-n1"},
		}, 2},
		{"interfaces the file gives are kept and take their place", []string{"a", "b"}, []link{
			{"a:ge-0/0/0", "b", false, "ge-0/0/0 cg-a"}, // the lab names a's end cg-b
			{"a", "b:cg-a-2", false, "cg-b-2 cg-a-2"},   // b's end still uses up a name (cg-a-3)
			{"a", "b", false, "cg-b-3 cg-a-4"},          // and cg-a-2 is the file's
		}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net := &topology.Network{}
			for _, n := range tt.nodes {
				net.Nodes = append(net.Nodes, topology.Node{Name: n})
			}
			for i, l := range tt.links {
				a, ai, _ := strings.Cut(l.a, ":")
				b, bi, _ := strings.Cut(l.b, ":")
				net.Links = append(net.Links, topology.Link{ID: fmt.Sprint(i), A: a, AInterface: ai, B: b, BInterface: bi, Up: !l.down})
			}
			named, _ := nameInterfaces(net)
			if named != tt.named {
				t.Errorf("named %d ends, want %d", named, tt.named)
			}
			for i, l := range net.Links {
				if got := l.AInterface + " " + l.BInterface; got != tt.links[i].wantAB {
					t.Errorf("link %d %s-%s: interfaces %q, want %q", i+1, l.A, l.B, got, tt.links[i].wantAB)
				}
			}
		})
	}
}

// TestGeneratedNamesAreTheLabs brings every Topology Zoo network's layout
// up on paper (lab.PlanLayout, which creates nothing) and checks that each
// veth end the lab would create has the name the importer gave that link
// end: a runbook rendered from the imported topology configures the
// interfaces that exist in the lab.
func TestGeneratedNamesAreTheLabs(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(zooDir, "*.graphml"))
	if len(files) == 0 {
		t.Skipf("no Topology Zoo files in %s (the shared data directory is not checked out next to the repository)", zooDir)
	}
	for _, path := range files {
		// Hop metrics: the lab refuses OSPF costs over 65535.
		net, _, err := importFile(t, path, GraphMLOptions{DefaultCapacity: 10e9, Metric: MetricHop})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		lay, err := lab.PlanLayout(net, "cg-", lab.DefaultCapacityScale, nil)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, l := range lay.Links {
			for _, e := range []lab.End{l.A, l.B} {
				if e.Model == "" || e.Interface != e.Model {
					t.Errorf("%s: link %s at %s: the lab names the interface %q, the import %q", filepath.Base(path), l.ID, e.Node, e.Interface, e.Model)
				}
			}
		}
	}
}
