package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
)

func importClab(t *testing.T, name string, opts ContainerlabOptions) (*topology.Network, diag.Diagnostics, error) {
	t.Helper()
	path := filepath.ToSlash(filepath.Join("testdata", "containerlab", name+".clab.yml"))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Containerlab(strings.NewReader(string(data)), path, opts)
}

func TestContainerlabGolden(t *testing.T) {
	withDefault := ContainerlabOptions{DefaultCapacity: 10e9}
	tests := []struct {
		golden, file string
		opts         ContainerlabOptions
		wantErr      string // substring of the error; "" = must import
	}{
		{"frr", "frr", withDefault, ""},
		{"frr-inverse-capacity", "frr", ContainerlabOptions{DefaultCapacity: 10e9, Metric: MetricInverseCapacity}, ""},
		{"edge-cases", "edge-cases", withDefault, ""},
		{"bad-links", "bad-links", withDefault, "problems"},
		{"no-capacity", "no-capacity", ContainerlabOptions{}, "--default-capacity"},
		{"invalid-yaml", "invalid-yaml", withDefault, "invalid YAML"},
		{"no-nodes", "no-nodes", withDefault, "no nodes"},
		{"no-topology", "no-topology", withDefault, "no topology section"},
		{"only-host-links", "only-host-links", withDefault, "no links between two lab nodes"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			net, ds, err := importClab(t, tt.file, tt.opts)
			checkImport(t, filepath.Join("containerlab", tt.golden), tt.wantErr, net, ds, err)
		})
	}
}

func TestContainerlabFRR(t *testing.T) {
	net, ds, err := importClab(t, "frr", ContainerlabOptions{DefaultCapacity: 10e9})
	if err != nil {
		t.Fatal(err)
	}
	if net.Name != "frr-ospf" {
		t.Errorf("name = %q", net.Name)
	}
	wantNodes := []topology.Node{
		{Name: "core1", Role: "core", Site: "ams", Zone: "dc-a"}, // role from group, zone from defaults
		{Name: "core2", Role: "core", Site: "fra", Zone: "dc-b"},
		{Name: "edge1", Role: "pe", Site: "ams", Zone: "dc-a"}, // role from labels
		{Name: "edge2", Role: "pe", Site: "fra", Zone: "dc-b"},
		{Name: "client1", Role: "host", Site: "ams", Zone: "dc-a"},
	}
	if len(net.Nodes) != len(wantNodes) {
		t.Fatalf("got %d nodes, want %d", len(net.Nodes), len(wantNodes))
	}
	for i, w := range wantNodes {
		g := net.Nodes[i]
		if g.Name != w.Name || g.Role != w.Role || g.Site != w.Site || g.Zone != w.Zone || g.Pos.Line == 0 {
			t.Errorf("node %d = %+v, want %+v", i, g, w)
		}
	}
	tests := []struct {
		id       string
		capacity float64
		metric   int64
	}{
		{"core1:eth1-core2:eth1", 100e9, 5}, // vars.capacity and vars.metric
		{"core1:eth2-core2:eth2", 100e9, 5},
		{"core1:eth3-edge1:eth1", 10e9, 1}, // extended format
		{"core2:eth3-edge2:eth1", 10e9, 1},
		{"core1:eth4-edge2:eth2", 10e9, 1}, // default capacity, hop metric
		{"core2:eth4-edge1:eth2", 10e9, 1},
		{"edge1:eth3-client1:eth1", 1e9, 1},
	}
	if len(net.Links) != len(tests) {
		t.Fatalf("got %d links, want %d (the host link skipped)", len(net.Links), len(tests))
	}
	for i, tt := range tests {
		l := net.Links[i]
		if l.ID != tt.id || l.CapacityBps != tt.capacity || l.MetricAB != tt.metric || l.MetricBA != tt.metric || !l.Up {
			t.Errorf("link %d = %s cap %v metric %d/%d up %v, want %s %v %d", i, l.ID, l.CapacityBps, l.MetricAB, l.MetricBA, l.Up, tt.id, tt.capacity, tt.metric)
		}
	}
	if len(ds) != 1 || ds[0].Severity != diag.Warning || !strings.Contains(ds[0].Msg, "type host") {
		t.Errorf("want one warning for the host link, got %v", ds)
	}
}

func TestContainerlabInheritance(t *testing.T) {
	net, ds, err := importClab(t, "edge-cases", ContainerlabOptions{DefaultCapacity: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if net.Name != "edge-cases" {
		t.Errorf("name = %q, want it from the file name", net.Name)
	}
	want := map[string][3]string{ // role, site, zone
		"spine1": {"spine", "hall-1", "z-srl"},   // group via merge key, zone from kinds
		"spine2": {"superspine", "lab", "z-srl"}, // own group wins over the merged one
		"leaf1":  {"leaf", "lab", "rack-1"},      // role from groups.leaf labels
		"leaf2":  {"leaf", "lab", "z1"},          // groups.leaf kind is not in kinds: defaults zone
		"srv1":   {"", "lab", "z1"},              // no settings: defaults only
	}
	if len(net.Nodes) != len(want) {
		t.Errorf("got %d nodes, want %d (the bridge skipped)", len(net.Nodes), len(want))
	}
	for _, n := range net.Nodes {
		w, ok := want[n.Name]
		if !ok || n.Role != w[0] || n.Site != w[1] || n.Zone != w[2] {
			t.Errorf("node %s: role %q site %q zone %q, want %q", n.Name, n.Role, n.Site, n.Zone, w)
		}
	}
	if len(net.Links) != 7 {
		t.Errorf("got %d links, want 7", len(net.Links))
	}
	var skipped, typo int
	for _, d := range ds {
		if d.Severity != diag.Warning {
			t.Errorf("unexpected error %v", d)
		}
		switch {
		case strings.Contains(d.Msg, "skipped"):
			skipped++
		case strings.Contains(d.Msg, `unknown field "mut"`) && d.Hint == `did you mean "mtu"?`:
			typo++
		}
	}
	// br0 itself, its link, host, mgmt-net and macvlan endpoints,
	// macvlan, mgmt-net, dummy and vxlan types, and the loop.
	if skipped != 10 || typo != 1 {
		t.Errorf("got %d skip warnings (want 10) and %d typo warnings (want 1):\n%v", skipped, typo, ds)
	}
}

func TestContainerlabReportsEveryBrokenLink(t *testing.T) {
	_, ds, err := importClab(t, "bad-links", ContainerlabOptions{DefaultCapacity: 1e9})
	if err == nil {
		t.Fatal("want an error")
	}
	want := []struct {
		line int
		msg  string
	}{
		{9, `unknown node "r4"`},
		{10, `"r1eth3" is not node:interface`},
		{11, "exactly 2 endpoints"},
		{12, `unknown link type "wire"`},
		{14, "interface r1:eth1 is used by two links"},
		{16, "vars.capacity"},
		{16, "vars.metric 0 is out of range"},
		{17, "has no endpoints"},
		{18, "must be a mapping"},
		{22, "has no interface"},
		{23, "single endpoint"},
	}
	errs := ds.Errors()
	if len(errs) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(errs), len(want), ds)
	}
	for _, w := range want {
		found := false
		for _, d := range errs {
			if d.Pos.Line == w.line && strings.Contains(d.Msg, w.msg) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error at line %d containing %q", w.line, w.msg)
		}
	}
	if hints := fmt.Sprint(ds); !strings.Contains(hints, `unknown node "r4" (hint: did you mean one of: "r1", "r2", "r3"?)`) {
		t.Errorf("unknown node r4 should list the three names one edit away, not pick one:\n%v", ds)
	}
}

func TestContainerlabOptionErrors(t *testing.T) {
	for _, opts := range []ContainerlabOptions{{Metric: "ospf"}, {DefaultCapacity: -5}, {ReferenceBps: -1}} {
		if _, _, err := importClab(t, "frr", opts); err == nil {
			t.Errorf("options %+v: want an error", opts)
		}
	}
}

func TestContainerlabReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, _, err := Containerlab(iotest.ErrReader(boom), "x.clab.yml", ContainerlabOptions{DefaultCapacity: 1})
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want it to wrap the reader's error", err)
	}
}

func FuzzContainerlab(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "containerlab", "*.clab.yml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		net, ds, err := Containerlab(strings.NewReader(string(data)), "fuzz.clab.yml", ContainerlabOptions{DefaultCapacity: 1e9})
		checkFuzzImport(t, net, ds, err)
	})
}

// TestContainerlabHostileYAML checks that anchors and merge keys cannot
// loop or expand without bound, and that a link using one interface for
// both ends is reported as a loop.
func TestContainerlabHostileYAML(t *testing.T) {
	bomb := "x0: &a0 {k: v}\n"
	for i := 1; i <= 7; i++ {
		prev := fmt.Sprintf("*a%d", i-1)
		bomb += fmt.Sprintf("x%d: &a%d {<<: [%s%s]}\n", i, i, strings.Repeat(prev+", ", 20), prev)
	}
	bomb += "topology:\n  nodes:\n    r1: {<<: *a7}\n"
	tests := []struct {
		name, in, want string
		severity       diag.Severity
	}{
		{"merge cycle", "topology:\n  nodes:\n    r1: &r {<<: *r}\n", "merge keys nest more than 8 deep", diag.Error},
		{"merge bomb", bomb, "expand to more than 10000 merges", diag.Error},
		{"same interface twice", `topology: {nodes: {r1: }, links: [{endpoints: ["r1:e1", "r1:e1"]}]}`, "loops back to its own node", diag.Warning},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds, _ := Containerlab(strings.NewReader(tt.in), "hostile.clab.yml", ContainerlabOptions{DefaultCapacity: 1})
			n := 0
			for _, d := range ds {
				if strings.Contains(d.Msg, tt.want) && d.Severity == tt.severity {
					n++
				}
			}
			if n != 1 {
				t.Errorf("want exactly one %v containing %q, got:\n%v", tt.severity, tt.want, ds)
			}
		})
	}
}

// A name of 10,000 characters is shown clipped, wherever a message
// names it: no message prints more of the file than diag.Excerpt does.
func TestLongNamesAreClipped(t *testing.T) {
	long := strings.Repeat("n", 10000)
	clab := `topology: {nodes: {r1: {kind: linux}}, links: [{endpoints: ["r1:e1", "` + long + `:e1"]}]}`
	gml := `<graphml><key attr.name="LinkSpeedRaw" for="edge" id="d1"/><graph edgedefault="undirected">
<node id="a"/><node id="b"/><edge source="a" target="` + long + `"/><edge source="a" target="b"><data key="d1">fast</data></edge></graph></graphml>`
	_, cds, _ := Containerlab(strings.NewReader(clab), "long.clab.yml", ContainerlabOptions{DefaultCapacity: 1})
	_, gds, _ := GraphML(strings.NewReader(gml), "long.graphml", GraphMLOptions{DefaultCapacity: 1})
	for _, ds := range []diag.Diagnostics{cds, gds} {
		if len(ds) == 0 {
			t.Error("no diagnostics")
		}
		for _, d := range ds {
			if strings.Contains(d.String(), strings.Repeat("n", diag.ExcerptRunes+1)) {
				t.Errorf("more than %d characters of the name shown: %.200s", diag.ExcerptRunes, d)
			}
		}
	}
}
