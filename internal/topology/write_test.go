package topology

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/userfile"
)

// ignorePos compares networks as the model, without where they came from.
var ignorePos = cmp.Options{
	cmpopts.IgnoreFields(Node{}, "Pos"),
	cmpopts.IgnoreFields(Link{}, "Pos"),
	cmpopts.IgnoreFields(Network{}, "Files"),
	cmpopts.EquateEmpty(),
}

// roundTrip writes n, parses the output and fails unless it is equal.
func roundTrip(t *testing.T, n *Network) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, n); err != nil {
		t.Fatal(err)
	}
	back, ds := Parse("written.yaml", buf.Bytes(), ParseOptions{})
	if back == nil {
		t.Fatalf("written network does not parse:\n%s\n%s", render(nil, ds), buf.String())
	}
	if diff := cmp.Diff(n, back, ignorePos); diff != "" {
		t.Fatalf("round trip (-original +read back):\n%s\nwritten:\n%s", diff, buf.String())
	}
	return buf.String()
}

func TestWriteRoundTripExample(t *testing.T) {
	n, ds, err := LoadFile(context.Background(), "testdata/example.yaml", userfile.Scope{})
	if err != nil || n == nil {
		t.Fatalf("%v %v", err, ds)
	}
	got := roundTrip(t, n)
	checkGolden(t, "testdata/example.write.golden", got, "Write output")
}

func TestWriteRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		net  *Network
		// must and mustNot are substrings the output must (not) contain.
		must, mustNot []string
	}{
		{
			name: "names that need quoting",
			net: &Network{
				Name: "net: #1",
				Nodes: []Node{
					{Name: "new york"}, {Name: "null"}, {Name: "-edge"}, {Name: "yes"}, {Name: "a,b"},
					{Name: "#hash"}, {Name: "zürich"}, {Name: `say "hi"`}, {Name: "x-"}, {Name: "10"},
					{Name: " padded "}, {Name: "@home"}, {Name: "[list]"}, {Name: "&anchor"}, {Name: "a  b"},
				},
				Links: []Link{
					{ID: "l1", A: "new york", B: "null", AInterface: "Ethernet1/1", BInterface: "ge-0/0/0.0:1", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "l2", A: "-edge", B: "yes", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true, Class: "a: b", SRLG: []string{"duct #1", "x,y"}},
					{ID: "l3", A: "a,b", B: "#hash", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "l4", A: "zürich", B: `say "hi"`, CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "l5", A: "x-", B: "10", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "l6", A: " padded ", B: "@home", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "l7", A: "[list]", B: "&anchor", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "l8", A: "a  b", B: "10", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
				},
				Demands: []Demand{{"new york", "null", 1}, {"#hash", "a,b", 2}},
			},
			must: []string{`name: "null"`, "name: new york", `"#hash"`},
		},
		{
			name: "defaults are left out",
			net: &Network{
				Nodes: []Node{{Name: "a"}, {Name: "b"}},
				Links: []Link{
					{ID: "a-b", A: "a", B: "b", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "a-b#2", A: "a", B: "b", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
				},
			},
			mustNot: []string{"id:", "metric", "state", "drained", "class", "srlg", "demands", "name: \n"},
		},
		{
			name: "every field set",
			net: &Network{
				Name: "full",
				Nodes: []Node{
					{Name: "a", Role: "core", Site: "dc1", Zone: "az1", Drained: true, Position: &Position{Lat: -33.8688, Lon: 151.2093}},
					{Name: "b", Position: &Position{Lat: 0, Lon: 1e-7}},
				},
				Links: []Link{
					{ID: "custom", A: "a", AInterface: "et-0/0/1", B: "b", BInterface: "et-0/0/2", CapacityBps: 400e9, MetricAB: 10, MetricBA: 20, Up: false, Class: "replication", SRLG: []string{"conduit-7", "bridge-2"}},
					{ID: "a-b#3", A: "a", B: "b", CapacityBps: 1.0 / 3 * 1e9, MetricAB: MaxMetric, MetricBA: MaxMetric, Up: true},
				},
				Demands: []Demand{{"a", "b", 0}, {"b", "a", 1234.5678}, {"a", "b", 1e-3}, {"a", "b", 1e13}},
			},
			must: []string{"id: custom", "metric: {ab: 10, ba: 20}", "state: down", "drained: true", "id: a-b#3", "metric: 4294967295", "position: {lat: -33.8688, lon: 151.2093}"},
		},
		{
			name: "default id taken by an explicit id",
			net: &Network{
				Nodes: []Node{{Name: "a"}, {Name: "b"}},
				Links: []Link{
					{ID: "a-b#2", A: "a", B: "b", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "a-b", A: "b", B: "a", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
					{ID: "b-a", A: "a", B: "b", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
				},
			},
			// The first link's id is what the loader gives it, so it is left out.
			must:    []string{"  - a: a\n", "id: a-b\n", "id: b-a"},
			mustNot: []string{"a-b#2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := roundTrip(t, tt.net)
			for _, s := range tt.must {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.mustNot {
				if strings.Contains(out, s) {
					t.Errorf("output contains %q:\n%s", s, out)
				}
			}
		})
	}
}

// mesh is a ring of k nodes with demands between every ordered pair, in
// row order, rate(i, j) giving each rate.
func mesh(k int, rate func(i, j int) float64) *Network {
	n := &Network{Name: fmt.Sprintf("mesh%d", k)}
	for i := range k {
		n.Nodes = append(n.Nodes, Node{Name: fmt.Sprintf("n%d", i)})
		n.Links = append(n.Links, Link{ID: fmt.Sprintf("n%d-n%d", i, (i+1)%k), A: fmt.Sprintf("n%d", i), B: fmt.Sprintf("n%d", (i+1)%k), CapacityBps: 100e9, MetricAB: 1, MetricBA: 1, Up: true})
	}
	for i := range k {
		for j := range k {
			if i != j {
				n.Demands = append(n.Demands, Demand{n.Nodes[i].Name, n.Nodes[j].Name, rate(i, j)})
			}
		}
	}
	return n
}

func TestWriteDemandMatrix(t *testing.T) {
	tests := []struct {
		name     string
		net      *Network
		matrix   bool
		unitLine string // "" when no unit line is expected
	}{
		{"few demands stay a list", mesh(30, func(i, j int) float64 { return 1e9 }), false, ""},
		{"many demands in G", mesh(40, func(i, j int) float64 { return float64(i+j) * 1e9 }), true, "  unit: G\n"},
		{"many demands in M", mesh(40, func(i, j int) float64 { return float64(i*40+j) * 1e6 }), true, "  unit: M\n"},
		{"fractions of a bit per second", mesh(40, func(i, j int) float64 { return float64(i*40+j) + 0.25 }), true, ""},
		{"zero rate forces a list", mesh(40, func(i, j int) float64 { return float64(i) * 1e9 }), false, ""},
	}
	// Out of row order: a matrix would reorder demands.
	shuffled := mesh(40, func(i, j int) float64 { return 1e9 })
	shuffled.Demands[0], shuffled.Demands[1000] = shuffled.Demands[1000], shuffled.Demands[0]
	tests = append(tests, struct {
		name     string
		net      *Network
		matrix   bool
		unitLine string
	}{"out of order forces a list", shuffled, false, ""})
	// In row order for the order of first appearance, not of n.Nodes.
	reversed := mesh(40, func(i, j int) float64 { return 1e9 })
	for i, j := 0, len(reversed.Nodes)-1; i < j; i, j = i+1, j-1 {
		reversed.Nodes[i], reversed.Nodes[j] = reversed.Nodes[j], reversed.Nodes[i]
	}
	tests = append(tests, struct {
		name     string
		net      *Network
		matrix   bool
		unitLine string
	}{"order of first appearance", reversed, true, "  unit: G\n"})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := roundTrip(t, tt.net)
			if got := strings.Contains(out, "demand_matrix:"); got != tt.matrix {
				t.Errorf("matrix written = %v, want %v", got, tt.matrix)
			}
			if tt.matrix {
				if got := strings.Contains(out, "unit:"); got != (tt.unitLine != "") {
					t.Errorf("unit line present = %v, want %q", got, tt.unitLine)
				}
				if tt.unitLine != "" && !strings.Contains(out, tt.unitLine) {
					t.Errorf("output lacks %q", tt.unitLine)
				}
				if strings.Contains(out, "demands:") {
					t.Error("both a matrix and a list written")
				}
			}
		})
	}
}

// TestWriteLargeMeshIsCompact is the imported Kdl case: 754 nodes with
// demands between all pairs must be a matrix, not 567,762 list items.
func TestWriteLargeMeshIsCompact(t *testing.T) {
	if testing.Short() {
		t.Skip("large network")
	}
	n := mesh(754, func(i, j int) float64 { return float64((i*7+j*13)%50+1) * 1e8 })
	var buf bytes.Buffer
	if err := Write(&buf, n); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "demand_matrix:\n  unit: M\n") {
		t.Fatalf("no matrix in M written; output starts:\n%.300s", out[strings.Index(out, "demand"):])
	}
	// 754 rows of 754 short numbers: about 3.6 MB, against some 20 MB
	// as a list.
	t.Logf("754-node all-pairs network: %d bytes", buf.Len())
	if buf.Len() > 4<<20 {
		t.Errorf("output is %d bytes", buf.Len())
	}
	back, ds := Parse("kdl.yaml", buf.Bytes(), ParseOptions{})
	if back == nil {
		t.Fatal(ds.Err())
	}
	if !slices.Equal(n.Demands, back.Demands) {
		t.Errorf("demands differ after round trip:\n%.2000s", cmp.Diff(n.Demands, back.Demands))
	}
}

func TestMatrixUnit(t *testing.T) {
	tests := []struct {
		rates []float64
		want  string
	}{
		{[]float64{1e9, 2.5e9, 400e9}, "G"},
		{[]float64{1500, 2500}, "k"},
		{[]float64{1, 2}, ""},       // 1 is shorter than 0.001k
		{[]float64{1e12, 2e9}, "G"}, // 1000 and 2 beat 1 and 0.002
		{[]float64{1e9, 0.5}, "G"},  // 1 and 5e-10 are shorter than 1000000000 and 0.5
	}
	for _, tt := range tests {
		var ds []Demand
		for _, r := range tt.rates {
			ds = append(ds, Demand{"a", "b", r})
		}
		if got, _ := matrixUnit(ds); got != tt.want {
			t.Errorf("matrixUnit(%v) = %q, want %q", tt.rates, got, tt.want)
		}
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	n := mesh(40, func(i, j int) float64 { return float64(i+j+1) * 1e9 })
	var a, b bytes.Buffer
	if err := Write(&a, n); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, n); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two writes of the same network differ")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestWriteReportsWriterErrors(t *testing.T) {
	n := mesh(3, func(i, j int) float64 { return 1 })
	err := Write(failWriter{}, n)
	if err == nil || !strings.Contains(err.Error(), "write topology: disk full") {
		t.Fatalf("err = %v, want write topology: disk full", err)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"r1", "r1"},
		{"new york", "new york"},
		{"r1:eth0", "r1:eth0"},
		{"ge-0/0/0.1", "ge-0/0/0.1"},
		{"", `""`},
		{"null", `"null"`},
		{"~", `"~"`},
		{"-x", `"-x"`},
		{"a: b", `"a: b"`},
		{"x:", `"x:"`},
		{"a #b", `"a #b"`},
		{"#b", `"#b"`},
		{"a-b#2", "a-b#2"},
		{" a", `" a"`},
		{"a,b", `"a,b"`},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestJSONFields pins the JSON field names documented in
// docs/topology.md ("JSON form") to the struct tags of the model.
func TestJSONFields(t *testing.T) {
	n := &Network{
		Name:    "x",
		Nodes:   []Node{{Name: "a", Role: "r", Site: "s", Zone: "z", Drained: true, Loopback: "198.18.0.1", Position: &Position{1, 2}}},
		Links:   []Link{{ID: "l", A: "a", AInterface: "i", B: "b", BInterface: "j", CapacityBps: 1, MetricAB: 1, MetricBA: 2, Up: true, Class: "c", SRLG: []string{"g"}}},
		Demands: []Demand{{"a", "b", 1}},
	}
	data, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	keys := func(v any) []string {
		var out []string
		for k := range v.(map[string]any) {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	first := func(k string) any { return got[k].([]any)[0] }
	for _, tt := range []struct {
		what string
		v    any
		want []string
	}{
		{"network", got, []string{"demands", "links", "name", "nodes"}},
		{"node", first("nodes"), []string{"drained", "loopback", "name", "position", "role", "site", "zone"}},
		{"position", first("nodes").(map[string]any)["position"], []string{"lat", "lon"}},
		{"link", first("links"), []string{"a", "a_interface", "b", "b_interface", "capacity_bps", "class", "id", "metric_ab", "metric_ba", "srlg", "up"}},
		{"demand", first("demands"), []string{"dst", "rate_bps", "src"}},
	} {
		if diff := cmp.Diff(tt.want, keys(tt.v)); diff != "" {
			t.Errorf("%s JSON fields (-documented +model):\n%s", tt.what, diff)
		}
	}
}
