package importer

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
)

func importGraphML(t *testing.T, name string, opts GraphMLOptions) (*topology.Network, diag.Diagnostics, error) {
	t.Helper()
	path := filepath.Join("testdata", "graphml", name+".graphml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return GraphML(strings.NewReader(string(data)), filepath.ToSlash(path), opts)
}

func TestGraphMLGolden(t *testing.T) {
	withDefault := GraphMLOptions{DefaultCapacity: 10e9}
	tests := []struct {
		golden, file string
		opts         GraphMLOptions
		wantErr      string // substring of the error; "" = must import
	}{
		{"basic", "basic", withDefault, ""},
		{"basic-hop", "basic", GraphMLOptions{DefaultCapacity: 10e9, Metric: MetricHop}, ""},
		{"basic-ref1T", "basic", GraphMLOptions{DefaultCapacity: 10e9, ReferenceBps: 1e12}, ""},
		{"selfloop", "selfloop", withDefault, ""},
		{"nospeed", "nospeed", GraphMLOptions{}, "--default-capacity"},
		{"nospeed-default", "nospeed", withDefault, ""},
		{"odd-attrs", "odd-attrs", withDefault, ""},
		{"directed", "directed", withDefault, "directed graphs are not supported"},
		{"unknown-node", "unknown-node", withDefault, `unknown node "c"`},
		{"malformed", "malformed", withDefault, "invalid XML"},
		{"no-nodes", "no-nodes", withDefault, "no nodes"},
		{"no-edges", "no-edges", withDefault, "no usable edges"},
		{"not-graphml", "not-graphml", withDefault, "not a GraphML file"},
		{"hyperedge", "hyperedge", withDefault, "<hyperedge> is not supported"},
		{"two-graphs", "two-graphs", withDefault, "more than one <graph>"},
		{"ports", "ports", withDefault, ""},
		{"ports-all", "ports-all", withDefault, ""},
		{"ports-bad", "ports-bad", withDefault, "used by two edges"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			net, ds, err := importGraphML(t, tt.file, tt.opts)
			checkImport(t, filepath.Join("graphml", tt.golden), tt.wantErr, net, ds, err)
		})
	}
}

// TestGraphMLMapping checks the attribute mapping of basic.graphml one
// rule at a time, so that a broken rule names itself.
func TestGraphMLMapping(t *testing.T) {
	net, ds, err := importGraphML(t, "basic", GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil {
		t.Fatal(err)
	}
	if net.Name != "Tiny Net" {
		t.Errorf("name = %q, want the graph label", net.Name)
	}
	wantNodes := []string{"New_York", "Washington_DC", "London_2", "London_3", "node_4", "Peer_AS_65000"}
	var gotNodes []string
	for _, n := range net.Nodes {
		gotNodes = append(gotNodes, n.Name)
	}
	if strings.Join(gotNodes, " ") != strings.Join(wantNodes, " ") {
		t.Errorf("node names = %v, want %v", gotNodes, wantNodes)
	}
	if p := net.Nodes[0].Position; p == nil || p.Lat != 40.71427 || p.Lon != -74.00597 {
		t.Errorf("New_York position = %+v", p)
	}
	if net.Nodes[2].Position != nil {
		t.Errorf("London_2 has no coordinates but got %+v", net.Nodes[2].Position)
	}
	if net.Nodes[4].Role != "hyperedge" || net.Nodes[5].Role != "external" || net.Nodes[0].Role != "" {
		t.Errorf("roles = %q %q %q, want hyperedge, external and none (Internal defaults to 1)", net.Nodes[4].Role, net.Nodes[5].Role, net.Nodes[0].Role)
	}
	links := map[string]topology.Link{}
	for _, l := range net.Links {
		links[l.ID] = l
	}
	tests := []struct {
		id       string
		capacity float64
		metric   int64
		up       bool
	}{
		{"New_York-Washington_DC", 10e9, 10, true},
		{"New_York-Washington_DC#2", 2.5e9, 40, true}, // parallel edge
		{"Washington_DC-London_2", 155e6, 645, true},  // LinkSpeed + LinkSpeedUnits
		{"London_2-node_4", 100e9, 1, true},           // reference/capacity = 1
		{"node_4-London_3", 400e9, 1, true},           // rounds to 0, floored at 1
		{"London_3-Peer_AS_65000", 10e9, 10, true},    // no speed: default capacity
		{"New_York-London_3", 10e9, 10, false},        // LinkStatus Planned
	}
	if len(net.Links) != len(tests) {
		t.Errorf("got %d links, want %d", len(net.Links), len(tests))
	}
	for _, tt := range tests {
		l, ok := links[tt.id]
		if !ok {
			t.Errorf("no link %s", tt.id)
			continue
		}
		if l.CapacityBps != tt.capacity || l.MetricAB != tt.metric || l.MetricBA != tt.metric || l.Up != tt.up {
			t.Errorf("%s: capacity %v metric %d/%d up %v, want %v %d %v", tt.id, l.CapacityBps, l.MetricAB, l.MetricBA, l.Up, tt.capacity, tt.metric, tt.up)
		}
	}
	if len(ds.Errors()) != 0 || len(ds.Warnings()) != 3 || !strings.Contains(ds[0].Msg, "14 of 14 link ends have no interface name") {
		t.Errorf("want 3 warnings (generated interface names, duplicate label, planned link), got:\n%v", ds)
	}
}

func TestGraphMLSelfLoopWarns(t *testing.T) {
	net, ds, err := importGraphML(t, "selfloop", GraphMLOptions{DefaultCapacity: 1e9})
	if err != nil {
		t.Fatal(err)
	}
	if len(net.Links) != 1 {
		t.Errorf("got %d links, want the self-loop skipped", len(net.Links))
	}
	ds = slices.DeleteFunc(ds, func(d diag.Diagnostic) bool { return strings.Contains(d.Msg, "no interface name") })
	if len(ds) != 1 || ds[0].Severity != diag.Warning || !strings.Contains(ds[0].Msg, "Dubai") || ds[0].Pos.Line != 8 {
		t.Errorf("want one warning naming Dubai at line 8 (besides the generated interface names), got %v", ds)
	}
}

func TestGraphMLMissingSpeed(t *testing.T) {
	_, ds, err := importGraphML(t, "nospeed", GraphMLOptions{})
	if err == nil {
		t.Fatal("want an error without a default capacity")
	}
	errs := ds.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0].Msg, "London-Paris") || !strings.Contains(errs[0].Hint, "--default-capacity") || errs[0].Pos.Line != 10 {
		t.Errorf("want one error naming London-Paris at line 10 with a --default-capacity hint, got %v", ds)
	}
}

func TestGraphMLOptionErrors(t *testing.T) {
	tests := []struct {
		name string
		opts GraphMLOptions
	}{
		{"unknown metric", GraphMLOptions{Metric: "igp"}},
		{"negative capacity", GraphMLOptions{DefaultCapacity: -1}},
		{"negative reference", GraphMLOptions{ReferenceBps: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, _, err := importGraphML(t, "basic", tt.opts)
			if err == nil || net != nil {
				t.Fatalf("want an option error, got %v", err)
			}
			var le *diag.ListError
			if errors.As(err, &le) {
				t.Errorf("an option error is not a file diagnostic: %v", err)
			}
		})
	}
}

func TestGraphMLReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, _, err := GraphML(iotest.ErrReader(boom), "x.graphml", GraphMLOptions{DefaultCapacity: 1})
	if !errors.Is(err, boom) {
		t.Errorf("error = %v, want it to wrap the reader's error", err)
	}
}

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"New York", "New_York"},
		{"Washington, DC", "Washington_DC"},
		{"NOAA {[Boulder, Colorado}}", "NOAA_Boulder_Colorado"},
		{"  Gary? ", "Gary"},
		{"St. Louis", "St_Louis"},
		{"a-b", "a_b"},
		{"Zürich", "Zürich"},
		{"???", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := safeName(tt.in); got != tt.want {
			t.Errorf("safeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInverseCapacityMetric(t *testing.T) {
	ld, err := checkLinkDefaults(0, "", MetricInverseCapacity, 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		capacity float64
		want     int64
	}{
		{100e9, 1}, {400e9, 1}, {10e9, 10}, {2.5e9, 40}, {155e6, 645}, {1e9, 100}, {64e3, 1562500}, {1e-3, topology.MaxMetric},
	}
	for _, tt := range tests {
		if got := ld.metricFor(tt.capacity); got != tt.want {
			t.Errorf("metric for %v bps = %d, want %d", tt.capacity, got, tt.want)
		}
	}
}

func FuzzGraphML(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "graphml", "*.graphml"))
	f.Fuzz(func(t *testing.T, data []byte) {
		net, ds, err := GraphML(strings.NewReader(string(data)), "fuzz.graphml", GraphMLOptions{DefaultCapacity: 1e9})
		checkFuzzImport(t, net, ds, err)
	})
}
