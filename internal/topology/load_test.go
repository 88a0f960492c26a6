package topology

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/golden"
	"github.com/changegate/changegate/userfile"
)

// memFiles serves demand files from memory for Parse.
func memFiles(files map[string]string) ParseOptions {
	return ParseOptions{Open: func(path string) (io.ReadCloser, error) {
		s, ok := files[path]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
		}
		return io.NopCloser(strings.NewReader(s)), nil
	}}
}

// render is the text compared with golden files: every diagnostic, then
// a summary of the network (or nil).
func render(n *Network, ds diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	b.WriteString("-- result --\n")
	if n == nil {
		b.WriteString("nil\n")
		return b.String()
	}
	fmt.Fprintf(&b, "network %q: %d nodes, %d links, %d demands (%s total), files %v\n",
		n.Name, len(n.Nodes), len(n.Links), len(n.Demands), FormatRate(n.TotalDemandBps()), n.Files)
	for _, l := range n.Links {
		fmt.Fprintf(&b, "link %s: %s:%s -> %s:%s %s metric %d/%d up=%v class=%q srlg=%q\n",
			l.ID, l.A, l.AInterface, l.B, l.BInterface, FormatRate(l.CapacityBps), l.MetricAB, l.MetricBA, l.Up, l.Class, l.SRLG)
	}
	for _, d := range n.Demands {
		fmt.Fprintf(&b, "demand %s -> %s %s\n", d.Src, d.Dst, FormatRateExact(d.RateBps))
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			n, ds, err := LoadFile(context.Background(), file, userfile.Scope{})
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			checkNilMeansErrors(t, n, ds)
			got := render(n, ds)
			checkGolden(t, strings.TrimSuffix(file, ".yaml")+".golden", got, "diagnostics")
		})
	}
}

func checkNilMeansErrors(t *testing.T, n *Network, ds diag.Diagnostics) {
	t.Helper()
	if (n == nil) != ds.HasErrors() {
		t.Fatalf("network nil = %v but HasErrors = %v:\n%s", n == nil, ds.HasErrors(), render(n, ds))
	}
}

// base is a valid topology the error cases below change one thing in.
const base = `name: t
nodes:
  - name: r1
  - name: r2
links:
  - a: r1
    b: r2
    capacity: 10G
`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		pos  string // file:line:col
		msg  string
		hint string
		warn bool // the one diagnostic is a warning and the network is returned
	}{
		{
			name: "unknown node in link, close to a known one",
			yaml: "nodes:\n  - name: core1\n  - name: core2\nlinks:\n  - {a: core1, b: core2, capacity: 1G}\n  - {a: core1, b: cor2, capacity: 1G}\n",
			pos:  "t.yaml:6:19", msg: `link "core1-cor2": unknown node "cor2"`, hint: `did you mean one of: "core2", "core1"?`,
		},
		{
			name: "unknown node in link, nothing close",
			yaml: base + "  - {a: r1, b: frankfurt-edge:eth0, capacity: 1G}\n",
			pos:  "t.yaml:9:16", msg: `link "r1-frankfurt-edge:eth0": unknown node "frankfurt-edge"`, hint: "declare it under nodes:",
		},
		{
			name: "unknown node in demand",
			yaml: base + "demands:\n  - {src: r3, dst: r2, rate: 1G}\n",
			pos:  "t.yaml:10:11", msg: `demand 1: unknown src node "r3"`, hint: `did you mean one of: "r1", "r2"?`,
		},
		{
			name: "duplicate node name",
			yaml: "nodes:\n  - name: r1\n  - name: r2\n  - name: r1\nlinks:\n  - {a: r1, b: r2, capacity: 1G}\n",
			pos:  "t.yaml:4:11", msg: `duplicate node name "r1"`, hint: "rename or remove one of them; the first is at t.yaml:2:11",
		},
		{
			name: "duplicate link id",
			yaml: base + "    id: core\n  - {id: core, a: r2, b: r1, capacity: 1G}\n",
			pos:  "t.yaml:10:10", msg: `duplicate link id "core"`, hint: "link ids must be unique; the first is at t.yaml:9:9",
		},
		{
			name: "zero capacity",
			yaml: strings.Replace(base, "capacity: 10G", "capacity: 0", 1),
			pos:  "t.yaml:8:15", msg: `link "r1-r2": capacity must be greater than 0, got 0`, hint: "give the capacity with a unit, e.g. 100G",
		},
		{
			name: "negative capacity",
			yaml: strings.Replace(base, "capacity: 10G", "capacity: -10G", 1),
			pos:  "t.yaml:8:15", msg: `link 1: capacity: "-10G" is negative`, hint: "rates and capacities must be 0 or more",
		},
		{
			name: "missing capacity",
			yaml: strings.Replace(base, "    capacity: 10G\n", "", 1),
			pos:  "t.yaml:6:5", msg: `link "r1-r2" has no capacity`, hint: "add capacity: with a unit, e.g. capacity: 100G",
		},
		{
			name: "bad capacity unit",
			yaml: strings.Replace(base, "capacity: 10G", "capacity: 10Gig", 1),
			pos:  "t.yaml:8:15", msg: `link 1: capacity: "10Gig" is not a rate`, hint: rateHint,
		},
		{
			name: "bad rate unit",
			yaml: base + "demands:\n  - {src: r1, dst: r2, rate: 5 furlongs}\n",
			pos:  "t.yaml:10:30", msg: `demand 1: rate: "5 furlongs" is not a rate`, hint: rateHint,
		},
		{
			name: "negative rate",
			yaml: base + "demands:\n  - {src: r1, dst: r2, rate: -1M}\n",
			pos:  "t.yaml:10:30", msg: `demand 1: rate: "-1M" is negative`, hint: "rates and capacities must be 0 or more",
		},
		{
			name: "metric zero",
			yaml: base + "    metric: 0\n",
			pos:  "t.yaml:9:13", msg: `link "r1-r2": metric 0 is out of range 1..4294967295`, hint: "use a whole number from 1 to 4294967295",
		},
		{
			name: "metric too large",
			yaml: base + "    metric: 4294967296\n",
			pos:  "t.yaml:9:13", msg: `link "r1-r2": metric 4294967296 is out of range 1..4294967295`, hint: "use a whole number from 1 to 4294967295",
		},
		{
			name: "metric ba out of range",
			yaml: base + "    metric: {ab: 10, ba: -3}\n",
			pos:  "t.yaml:9:26", msg: `link "r1-r2": metric ba -3 is out of range 1..4294967295`, hint: "use a whole number from 1 to 4294967295",
		},
		{
			name: "metric not an integer",
			yaml: base + "    metric: 10.5\n",
			pos:  "t.yaml:9:13", msg: `link 1: metric: "10.5" is not an integer`, hint: "use a whole number such as 10",
		},
		{
			name: "metric mapping without ba",
			yaml: base + "    metric: {ab: 10}\n",
			pos:  "t.yaml:9:13", msg: "link 1: metric: a metric mapping needs both ab and ba", hint: "give both directions, e.g. {ab: 10, ba: 20}, or one number for both",
		},
		{
			name: "self-loop",
			yaml: base + "  - {a: r1:eth0, b: r1:eth1, capacity: 1G}\n",
			pos:  "t.yaml:9:21", msg: `link "r1:eth0-r1:eth1" connects "r1" to itself`, hint: "a link needs two different nodes",
		},
		{
			name: "demand to itself",
			yaml: base + "demands:\n  - {src: r2, dst: r2, rate: 1G}\n",
			pos:  "t.yaml:10:20", msg: `demand 1: traffic from "r2" to itself`, hint: "a demand needs two different nodes",
		},
		{
			name: "empty node name",
			yaml: "nodes:\n  - name: r1\n  - name: \"\"\n  - name: r2\nlinks:\n  - {a: r1, b: r2, capacity: 1G}\n",
			pos:  "t.yaml:3:11", msg: "node 2: name is empty", hint: "give the router's name",
		},
		{
			name: "node without name",
			yaml: strings.Replace(base, "  - name: r2\n", "  - name: r2\n  - role: core\n", 1),
			pos:  "t.yaml:5:5", msg: "node 3 has no name", hint: "add name: with the router's name",
		},
		{
			name: "empty link id",
			yaml: base + `    id: ""` + "\n",
			pos:  "t.yaml:9:9", msg: "link 1: id is empty", hint: "remove id to get the default a-b id",
		},
		{
			name: "unknown top-level field",
			yaml: base + "demand:\n  - {src: r1, dst: r2, rate: 1G}\n",
			pos:  "t.yaml:9:1", msg: `topology: unknown field "demand"`, hint: `did you mean "demands"?`,
		},
		{
			name: "unknown link field",
			yaml: base + "    capacty: 10G\n",
			pos:  "t.yaml:9:5", msg: `link 1: unknown field "capacty"`, hint: `did you mean "capacity"?`,
		},
		{
			name: "duplicate key",
			yaml: base + "    capacity: 20G\n",
			pos:  "t.yaml:9:5", msg: `link 1: duplicate key "capacity"`, hint: "remove one of them (the first is at line 8)",
		},
		{
			name: "bad state",
			yaml: base + "    state: maintenance\n",
			pos:  "t.yaml:9:12", msg: `link 1: state "maintenance" is not up or down`, hint: "use up or down",
		},
		{
			name: "empty srlg",
			yaml: base + "    srlg: [a, '']\n",
			pos:  "t.yaml:9:11", msg: `link "r1-r2": empty shared-risk group name`, hint: "name the shared-risk group, e.g. conduit-7",
		},
		{
			name: "no nodes field",
			yaml: "name: t\n",
			pos:  "t.yaml:1:1", msg: "topology has no nodes field", hint: "list the routers under nodes: with a name each",
		},
		{
			name: "YAML syntax",
			yaml: "nodes: [r1\n",
			pos:  "t.yaml:1", msg: "invalid YAML: did not find expected ',' or ']'", hint: "fix the YAML syntax",
		},
		{
			name: "matrix diagonal",
			yaml: base + "demand_matrix:\n  nodes: [r1, r2]\n  rows: [[1, 2], [3, 0]]\n",
			pos:  "t.yaml:11:11", msg: "demand_matrix: row 1 (r1) has 1 on the diagonal", hint: "the diagonal is traffic from a node to itself: set it to 0",
		},
		{
			name: "matrix unknown node",
			yaml: base + "demand_matrix:\n  nodes: [r1, r3]\n  rows: [[0, 2], [3, 0]]\n",
			pos:  "t.yaml:10:15", msg: `demand_matrix: nodes: unknown node "r3"`, hint: `did you mean one of: "r1", "r2"?`,
		},
		{
			name: "matrix short row",
			yaml: base + "demand_matrix:\n  nodes: [r1, r2]\n  rows: [[0, 2], [3]]\n",
			pos:  "t.yaml:11:18", msg: "demand_matrix: row 2 has 1 entries for 2 nodes", hint: "give one rate per node, in the order of nodes",
		},
		{
			name: "matrix bad unit",
			yaml: base + "demand_matrix:\n  unit: Gbit\n  nodes: [r1, r2]\n  rows: [[0, 2], [3, 0]]\n",
			pos:  "t.yaml:10:9", msg: `demand_matrix: unit "Gbit" is not a rate unit`, hint: "use one of bps, k, M, G, T (or kbps, Mbps, Gbps, Tbps)",
		},
		{
			name: "matrix entry with its own unit",
			yaml: base + "demand_matrix:\n  unit: M\n  nodes: [r1, r2]\n  rows: [[0, 2G], [3, 0]]\n",
			pos:  "t.yaml:12:14", msg: `demand_matrix: row 1 column 2: "2G" has its own unit`, hint: "the matrix unit M applies to every entry: write the number alone",
		},
		{
			name: "matrix negative entry",
			yaml: base + "demand_matrix:\n  nodes: [r1, r2]\n  rows: [[0, -2], [3, 0]]\n",
			pos:  "t.yaml:11:14", msg: `demand_matrix: row 1 column 2: "-2" is negative`, hint: "rates and capacities must be 0 or more",
		},
		{
			name: "demand files without file access",
			yaml: base + "demand_files: [t.csv]\n",
			pos:  "t.yaml:9:16", msg: `demand_files: cannot read "t.csv": no file access`, hint: "load the topology from a file so that demand files can be read",
		},
		{
			name: "node with no links is a warning",
			yaml: strings.Replace(base, "links:", "  - name: spare\nlinks:", 1),
			pos:  "t.yaml:5:11", msg: `node "spare" has no links`, hint: "connect it with a link or remove it; traffic to or from it cannot be routed",
			warn: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ds := Parse("t.yaml", []byte(tt.yaml), ParseOptions{})
			checkNilMeansErrors(t, n, ds)
			if len(ds) != 1 {
				t.Fatalf("got %d diagnostics, want exactly 1:\n%s", len(ds), render(n, ds))
			}
			d := ds[0]
			if got := d.Pos.String(); got != tt.pos {
				t.Errorf("position = %s, want %s", got, tt.pos)
			}
			if d.Msg != tt.msg {
				t.Errorf("message = %q\n          want %q", d.Msg, tt.msg)
			}
			if d.Hint != tt.hint {
				t.Errorf("hint = %q\n       want %q", d.Hint, tt.hint)
			}
			if got := d.Severity == diag.Warning; got != tt.warn {
				t.Errorf("warning = %v, want %v", got, tt.warn)
			}
		})
	}
}

func TestFiveProblemsReportedAtOnce(t *testing.T) {
	n, ds, err := LoadFile(context.Background(), "testdata/five-problems.yaml", userfile.Scope{})
	if err != nil {
		t.Fatal(err)
	}
	if n != nil {
		t.Fatal("network returned despite errors")
	}
	want := []string{
		`testdata/five-problems.yaml:5:11: duplicate node name "r1"`,
		`testdata/five-problems.yaml:6:5: node 3: unknown field "sight"`,
		`testdata/five-problems.yaml:9:8: link "r1-r9": unknown node "r9"`,
		`testdata/five-problems.yaml:13:15: link "r1-r2": capacity must be greater than 0, got 0`,
		`testdata/five-problems.yaml:15:20: demand 1: traffic from "r2" to itself`,
	}
	var got []string
	for _, d := range ds.Errors() {
		got = append(got, d.Pos.String()+": "+d.Msg)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestParseExample(t *testing.T) {
	n, ds, err := LoadFile(context.Background(), "testdata/example.yaml", userfile.Scope{})
	if err != nil || len(ds) != 0 {
		t.Fatalf("LoadFile: %v\n%s", err, render(n, ds))
	}
	want := &Network{
		Name: "example",
		Nodes: []Node{
			{Name: "r1", Role: "core", Site: "dc1", Zone: "az1", Position: &Position{Lat: 52.1, Lon: 4.3}},
			{Name: "r2", Role: "core", Site: "dc1", Zone: "az2"},
			{Name: "r3", Role: "edge", Site: "dc2", Zone: "az3", Drained: true},
		},
		Links: []Link{
			{ID: "r1-r2", A: "r1", AInterface: "eth0", B: "r2", BInterface: "eth0", CapacityBps: 100e9, MetricAB: 10, MetricBA: 10, Up: true, Class: "primary", SRLG: []string{"conduit-7"}},
			{ID: "r1:eth1-r3:eth0", A: "r1", AInterface: "eth1", B: "r3", BInterface: "eth0", CapacityBps: 40e9, MetricAB: 10, MetricBA: 20, Up: true, SRLG: []string{"conduit-7"}},
			{ID: "r2-r3", A: "r2", B: "r3", CapacityBps: 10e9, MetricAB: 1, MetricBA: 1, Up: true, Class: "secondary", SRLG: []string{}},
			{ID: "r2-r3#2", A: "r2", B: "r3", CapacityBps: 10e9, MetricAB: 1, MetricBA: 1, Up: false, SRLG: []string{}},
		},
		Demands: []Demand{
			// list
			{"r1", "r2", 10e9}, {"r2", "r1", 2.5e9},
			// matrix, row by row, zeros skipped
			{"r1", "r2", 10e9}, {"r1", "r3", 5e9}, {"r2", "r1", 3e9}, {"r2", "r3", 1e9}, {"r3", "r2", 2e9},
			// file
			{"r3", "r1", 800e6}, {"r1", "r3", 1.2e9},
		},
		Files: []string{"testdata/example.yaml", "testdata/example-traffic.csv"},
	}
	if diff := cmp.Diff(want, n, ignorePos); diff != "" {
		t.Errorf("example (-want +got):\n%s", diff)
	}
	if n.Nodes[0].Pos != (diag.Pos{File: "testdata/example.yaml", Line: 4, Col: 5}) {
		t.Errorf("node r1 at %v, want testdata/example.yaml:4:5", n.Nodes[0].Pos)
	}
}

func TestParseLinkIDs(t *testing.T) {
	// Defaults are given in file order and never take an explicit id,
	// wherever the explicit one appears.
	src := `nodes: [{name: a}, {name: b}]
links:
  - {a: a, b: b, capacity: 1G}
  - {a: a, b: b, capacity: 1G}
  - {a: a, b: b, capacity: 1G, id: "a-b#2"}
  - {a: a:x, b: b, capacity: 1G}
  - {a: a, b: b, capacity: 1G}
`
	n, ds := Parse("t.yaml", []byte(src), ParseOptions{})
	if n == nil {
		t.Fatal(render(n, ds))
	}
	var got []string
	for _, l := range n.Links {
		got = append(got, l.ID)
	}
	want := []string{"a-b", "a-b#3", "a-b#2", "a:x-b", "a-b#4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}

func TestParseDemandFiles(t *testing.T) {
	const topo = `nodes: [{name: ams}, {name: fra}, {name: "new york"}]
links:
  - {a: ams, b: fra, capacity: 100G}
  - {a: fra, b: new york, capacity: 100G}
demand_files: d.csv
`
	tests := []struct {
		name    string
		csv     string
		want    []Demand
		diags   []string // pos: message (hint)
		wantNil bool
	}{
		{
			name: "plain",
			csv:  "src,dst,rate\nams,fra,10G\nfra,ams,2.5M\n",
			want: []Demand{{"ams", "fra", 10e9}, {"fra", "ams", 2.5e6}},
		},
		{
			name: "comments blank lines CRLF BOM spaces no final newline",
			csv:  "\xef\xbb\xbf# traffic\r\n\r\n  src , dst , rate\r\n  # indented comment\r\nams , fra , 1 Gbps\r\n\r\nfra,ams,1000",
			want: []Demand{{"ams", "fra", 1e9}, {"fra", "ams", 1000}},
		},
		{
			name: "columns in any order and any case",
			csv:  "RATE,Dst,SRC\n7k,fra,ams\n",
			want: []Demand{{"ams", "fra", 7e3}},
		},
		{
			name: "quoted fields",
			csv:  "src,dst,rate\n\"new york\",ams,1G\nams,\"new york\",\"2G\"\n",
			want: []Demand{{"new york", "ams", 1e9}, {"ams", "new york", 2e9}},
		},
		{
			name: "zero rate is kept",
			csv:  "src,dst,rate\nams,fra,0\n",
			want: []Demand{{"ams", "fra", 0}},
		},
		{
			name:    "unknown node",
			csv:     "src,dst,rate\nams,fra,1G\nams,frx,1G\n",
			diags:   []string{`d.csv:3:5: unknown dst node "frx" (hint: did you mean "fra"?)`},
			wantNil: true,
		},
		{
			name:    "unknown node with nothing close",
			csv:     "src,dst,rate\nlondon,fra,1G\n",
			diags:   []string{`d.csv:2:1: unknown src node "london" (hint: declare it under nodes:)`},
			wantNil: true,
		},
		{
			name:    "demand to itself",
			csv:     "src,dst,rate\nams, ams,1G\n",
			diags:   []string{`d.csv:2:6: demand from "ams" to itself (hint: a demand needs two different nodes)`},
			wantNil: true,
		},
		{
			name:    "bad rate",
			csv:     "src,dst,rate\nams,fra,ten\n",
			diags:   []string{`d.csv:2:9: rate: "ten" is not a rate (hint: ` + rateHint + `)`},
			wantNil: true,
		},
		{
			name:    "negative rate",
			csv:     "src,dst,rate\nams,fra,-1G\n",
			diags:   []string{`d.csv:2:9: rate: "-1G" is negative (hint: rates and capacities must be 0 or more)`},
			wantNil: true,
		},
		{
			name:    "wrong number of fields",
			csv:     "src,dst,rate\nams,fra\nams,fra,1G,extra\n",
			diags:   []string{`d.csv:2:1: line has 2 fields, the header has 3 (hint: write src,dst,rate in the order of the header)`, `d.csv:3:1: line has 4 fields, the header has 3 (hint: write src,dst,rate in the order of the header)`},
			wantNil: true,
		},
		{
			name:    "no header",
			csv:     "ams,fra,1G\n",
			diags:   []string{`d.csv:1:1: first line "ams,fra,1G" is not a header naming the columns src, dst and rate (hint: start the file with the header line src,dst,rate)`},
			wantNil: true,
		},
		{
			name:    "empty file",
			csv:     "# only a comment\n",
			diags:   []string{`d.csv:2:1: demand file has no header line (hint: start the file with the header line src,dst,rate)`},
			wantNil: true,
		},
		{
			name:    "misspelt column",
			csv:     "src,dts,rate\nams,fra,1G\n",
			diags:   []string{`d.csv:1:1: header has no dst column (hint: the header line is src,dst,rate)`, `d.csv:1:5: unknown column "dts" in header (hint: did you mean "dst"?)`},
			wantNil: true,
		},
		{
			name:    "unterminated quote",
			csv:     "src,dst,rate\n\"ams,fra,1G\n",
			diags:   []string{`d.csv:2:1: malformed quoted field (hint: close the quote, and keep each demand on one line)`},
			wantNil: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ds := Parse("t.yaml", []byte(topo), memFiles(map[string]string{"d.csv": tt.csv}))
			checkNilMeansErrors(t, n, ds)
			var got []string
			for _, d := range ds {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.diags, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if tt.wantNil {
				return
			}
			if diff := cmp.Diff(tt.want, n.Demands); diff != "" {
				t.Errorf("demands (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"t.yaml", "d.csv"}, n.Files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCSVProblemsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("src,dst,rate\n")
	for range 250 {
		b.WriteString("ams,nowhere,1G\n")
	}
	n, ds := Parse("t.yaml", []byte("nodes: [{name: ams}, {name: fra}]\nlinks: [{a: ams, b: fra, capacity: 1G}]\ndemand_files: d.csv\n"),
		memFiles(map[string]string{"d.csv": b.String()}))
	if n != nil {
		t.Fatal("network returned despite errors")
	}
	if len(ds) != maxCSVProblems+1 {
		t.Fatalf("got %d diagnostics, want %d", len(ds), maxCSVProblems+1)
	}
	if got, want := ds[0].String(), "d.csv: 150 more problems in this file not shown (hint: fix the problems shown and run again)"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}

func TestLoadFileResolvesDemandFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".git/HEAD", "ref: refs/heads/main\n") // a repository: net/ may name ../traffic/
	write("net/topo.yaml", "nodes: [{name: a}, {name: b}]\nlinks: [{a: a, b: b, capacity: 1G}]\ndemand_files: [../traffic/d.csv, e.csv]\n")
	write("traffic/d.csv", "src,dst,rate\na,b,1G\n")
	write("net/e.csv", "src,dst,rate\nb,a,2G\n")
	path := filepath.Join(dir, "net", "topo.yaml")

	n, ds, err := LoadFile(context.Background(), path, userfile.Scope{})
	if err != nil || n == nil {
		t.Fatalf("LoadFile: %v\n%s", err, render(n, ds))
	}
	wantFiles := []string{path, filepath.Join(dir, "traffic", "d.csv"), filepath.Join(dir, "net", "e.csv")}
	if diff := cmp.Diff(wantFiles, n.Files); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Demand{{"a", "b", 1e9}, {"b", "a", 2e9}}, n.Demands); diff != "" {
		t.Errorf("demands (-want +got):\n%s", diff)
	}

	t.Run("missing demand file is a diagnostic", func(t *testing.T) {
		write("net/missing.yaml", "nodes: [{name: a}, {name: b}]\nlinks: [{a: a, b: b, capacity: 1G}]\ndemand_files: nope.csv\n")
		n, ds, err := LoadFile(context.Background(), filepath.Join(dir, "net", "missing.yaml"), userfile.Scope{})
		if err != nil || n != nil || len(ds) != 1 {
			t.Fatalf("got %v, %v\n%s", n, err, render(n, ds))
		}
		wantMsg := `demand_files: cannot open "nope.csv": no such file or directory`
		if ds[0].Msg != wantMsg || ds[0].Pos.Line != 3 || ds[0].Pos.Col != 15 {
			t.Errorf("got %s, want line 3 col 15 %q", ds[0], wantMsg)
		}
		if want := "paths are relative to the topology file's directory " + filepath.Join(dir, "net"); ds[0].Hint != want {
			t.Errorf("hint = %q, want %q", ds[0].Hint, want)
		}
	})
	t.Run("a demand file that is a directory is refused at its name", func(t *testing.T) {
		if err := os.MkdirAll(filepath.Join(dir, "net", "dir.csv"), 0o755); err != nil {
			t.Fatal(err)
		}
		write("net/dir.yaml", "nodes: [{name: a}, {name: b}]\nlinks: [{a: a, b: b, capacity: 1G}]\ndemand_files: dir.csv\n")
		n, ds, err := LoadFile(context.Background(), filepath.Join(dir, "net", "dir.yaml"), userfile.Scope{})
		if err != nil || n != nil || !ds.HasErrors() {
			t.Fatalf("got network %v, error %v, %v; want a diagnostic", n, err, ds)
		}
		if d := ds.Errors()[0]; d.Pos.Line != 3 || !strings.Contains(d.Msg, "is a directory, not a regular file") {
			t.Errorf("diagnostic %v does not say, at the name, that it is a directory", d)
		}
	})
	t.Run("missing topology is an I/O error", func(t *testing.T) {
		_, _, err := LoadFile(context.Background(), filepath.Join(dir, "none.yaml"), userfile.Scope{})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error %v does not wrap fs.ErrNotExist", err)
		}
	})
}

func TestLoadDemandFile(t *testing.T) {
	nodes := []Node{{Name: "ams"}, {Name: "fra"}, {Name: "new york"}}
	tests := []struct {
		name  string
		csv   string
		want  []Demand
		diags []string
	}{
		{
			name: "plain",
			csv:  "# peak hour\nsrc,dst,rate\nams,fra,10G\n\"new york\",ams,2.5M\n",
			want: []Demand{{"ams", "fra", 10e9}, {"new york", "ams", 2.5e6}},
		},
		{
			name: "header only",
			csv:  "src,dst,rate\n",
			want: []Demand{},
		},
		{
			name:  "unknown node",
			csv:   "src,dst,rate\nams,frx,1G\n",
			diags: []string{`d.csv:2:5: unknown dst node "frx" (hint: did you mean "fra"?)`},
		},
		{
			name: "several problems at once",
			csv:  "src,dst,rate\nams,ams,1G\nams,fra,ten\n",
			diags: []string{
				`d.csv:2:5: demand from "ams" to itself (hint: a demand needs two different nodes)`,
				`d.csv:3:9: rate: "ten" is not a rate (hint: ` + rateHint + `)`,
			},
		},
		{
			name:  "no header",
			csv:   "",
			diags: []string{`d.csv:1:1: demand file has no header line (hint: start the file with the header line src,dst,rate)`},
		},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "d.csv")
			if err := os.WriteFile(path, []byte(tt.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			got, ds, err := LoadDemandFile(context.Background(), path, nodes)
			if err != nil {
				t.Fatal(err)
			}
			var msgs []string
			for _, d := range ds {
				msgs = append(msgs, strings.Replace(d.String(), path, "d.csv", 1))
			}
			if diff := cmp.Diff(tt.diags, msgs); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("demands (-want +got):\n%s", diff)
			}
			if (got == nil) != ds.HasErrors() {
				t.Errorf("demands nil = %v, HasErrors = %v", got == nil, ds.HasErrors())
			}
		})
	}

	t.Run("missing file is an I/O error", func(t *testing.T) {
		_, _, err := LoadDemandFile(context.Background(), filepath.Join(dir, "none.csv"), nodes)
		if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "read demand file "+filepath.Join(dir, "none.csv")+": ") {
			t.Fatalf("error %v: want one wrapping fs.ErrNotExist with context", err)
		}
	})
	t.Run("unreadable file is an I/O error", func(t *testing.T) {
		sub := filepath.Join(dir, "dir.csv")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		d, _, err := LoadDemandFile(context.Background(), sub, nodes)
		if err == nil || d != nil {
			t.Fatalf("got %v, %v; want an I/O error", d, err)
		}
	})
}

// writeBenchCSV writes lines demands over nodes nodes and the topology
// naming it; it returns the topology path and the CSV size.
func writeBenchCSV(tb testing.TB, dir string, nodes, lines int) (string, int64) {
	tb.Helper()
	var topo strings.Builder
	topo.WriteString("name: bench\nnodes:\n")
	for i := range nodes {
		fmt.Fprintf(&topo, "  - name: node%d\n", i)
	}
	topo.WriteString("links:\n")
	for i := range nodes {
		fmt.Fprintf(&topo, "  - {a: node%d, b: node%d, capacity: 100G}\n", i, (i+1)%nodes)
	}
	topo.WriteString("demand_files: [traffic.csv]\n")
	if err := os.WriteFile(filepath.Join(dir, "topo.yaml"), []byte(topo.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, "traffic.csv"))
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("# generated\nsrc,dst,rate\n")
	rates := []string{"1.5G", "250M", "1000", "12.345k", "10Gbps"}
	for k := range lines {
		i := k % nodes
		j := (i + 1 + (k/nodes)%(nodes-1)) % nodes
		fmt.Fprintf(w, "node%d,node%d,%s\n", i, j, rates[k%len(rates)])
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st, _ := f.Stat()
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "topo.yaml"), st.Size()
}

// TestCSVDoesNotAllocatePerLine guards the streaming reader: reading a
// demand file must not build strings for every line.
func TestCSVDoesNotAllocatePerLine(t *testing.T) {
	const lines = 20000
	path, _ := writeBenchCSV(t, t.TempDir(), 50, lines)
	allocs := testing.AllocsPerRun(3, func() {
		n, ds, err := LoadFile(context.Background(), path, userfile.Scope{})
		if err != nil || n == nil || len(n.Demands) != lines {
			t.Fatalf("LoadFile: %v, %d problems", err, len(ds))
		}
	})
	// The YAML of 50 nodes and links costs a few thousand allocations;
	// the 20000 lines must add almost nothing (slice growth only).
	if allocs > 8000 {
		t.Errorf("%v allocations for %d lines: the CSV reader allocates per line", allocs, lines)
	}
}

// BenchmarkLoadCSV4M loads a topology whose demand file has 4 million
// lines (2000 nodes). Run with: go test -run '^$' -bench LoadCSV4M -benchtime 1x
func BenchmarkLoadCSV4M(b *testing.B) {
	const lines = 4_000_000
	path, size := writeBenchCSV(b, b.TempDir(), 2000, lines)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		n, ds, err := LoadFile(context.Background(), path, userfile.Scope{})
		if err != nil || n == nil || len(n.Demands) != lines {
			b.Fatalf("LoadFile: %v\n%v", err, ds.Err())
		}
	}
	b.ReportMetric(float64(b.N*lines)/time.Since(start).Seconds(), "lines/s")
}

// FuzzParse checks that Parse never panics, that it returns a nil
// network exactly when it reports errors, and that a network it accepts
// survives Write and Parse unchanged.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(withLoopbacks("198.18.0.1", `"2001:db8::"`)))
	f.Add([]byte(withLoopbacks("::ffff:1.2.3.4", "fe80::1%eth0")))
	csvs := map[string]string{}
	paths, _ := filepath.Glob("testdata/*.csv")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		csvs[filepath.Base(p)] = string(data)
	}
	opts := memFiles(csvs)
	f.Fuzz(func(t *testing.T, data []byte) {
		n, ds := Parse("fuzz.yaml", data, opts)
		if (n == nil) != ds.HasErrors() {
			t.Fatalf("network nil = %v, HasErrors = %v", n == nil, ds.HasErrors())
		}
		if n == nil {
			return
		}
		var out strings.Builder
		if err := Write(&out, n); err != nil {
			t.Fatal(err)
		}
		back, ds := Parse("written.yaml", []byte(out.String()), ParseOptions{})
		if back == nil {
			t.Fatalf("written network does not parse:\n%s\n%s", out.String(), render(nil, ds))
		}
		if diff := cmp.Diff(n, back, ignorePos); diff != "" {
			t.Fatalf("round trip differs (-parsed +written):\n%s\n%s", diff, out.String())
		}
	})
}

// FuzzDemandCSV feeds arbitrary demand files to the CSV reader.
func FuzzDemandCSV(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.csv")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("src,dst,rate\nams,fra,1G\n")
	const topo = "nodes: [{name: ams}, {name: fra}, {name: lon}, {name: r1}, {name: r3}]\nlinks: [{a: ams, b: fra, capacity: 1G}, {a: lon, b: r1, capacity: 1G}, {a: r3, b: ams, capacity: 1G}]\ndemand_files: d.csv\n"
	nodes := []Node{{Name: "ams"}, {Name: "fra"}, {Name: "lon"}, {Name: "r1"}, {Name: "r3"}}
	f.Fuzz(func(t *testing.T, csv string) {
		n, ds := Parse("t.yaml", []byte(topo), memFiles(map[string]string{"d.csv": csv}))
		if (n == nil) != ds.HasErrors() {
			t.Fatalf("network nil = %v, HasErrors = %v", n == nil, ds.HasErrors())
		}
		// The same file read on its own gives the same demands and problems.
		alone, ads, err := ReadDemands("d.csv", strings.NewReader(csv), nodes)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(ds, ads); diff != "" {
			t.Fatalf("ReadDemands diagnostics differ from Parse (-parse +alone):\n%s", diff)
		}
		if n == nil {
			if alone != nil {
				t.Fatalf("ReadDemands returned demands despite errors")
			}
			return
		}
		if diff := cmp.Diff(n.Demands, alone); diff != "" {
			t.Fatalf("ReadDemands demands differ from Parse (-parse +alone):\n%s", diff)
		}
		if lines := strings.Count(csv, "\n") + 1; len(n.Demands) > lines {
			t.Fatalf("%d demands from %d lines", len(n.Demands), lines)
		}
		for _, d := range n.Demands {
			if d.Src == d.Dst || d.RateBps < 0 {
				t.Fatalf("bad demand accepted: %+v", d)
			}
		}
	})
}

// FuzzParseRateBytes checks that the CSV fast path agrees with ParseRate.
func FuzzParseRateBytes(f *testing.F) {
	for _, s := range []string{"10G", "2.5 Gbps", "1e9", "1_000", "-1G", "0x10", "inf", "1e400k", "+5M", "12.345k", "b/s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, wantErr := ParseRate(s)
		got, err := parseRateBytes([]byte(s))
		if (err != nil) != (wantErr != nil) || err == nil && got != want {
			t.Fatalf("parseRateBytes(%q) = %v, %v; ParseRate = %v, %v", s, got, err, want, wantErr)
		}
	})
}

// TestDocExample keeps the complete example of docs/topology.md equal to
// testdata/example.yaml.
func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/topology.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(doc)
	i := strings.Index(s, "## Complete example")
	if i < 0 {
		t.Fatal("docs/topology.md has no complete example")
	}
	s = s[i:]
	start := strings.Index(s, "```yaml\n") + len("```yaml\n")
	end := strings.Index(s[start:], "```")
	csvData, err := os.ReadFile("testdata/example-traffic.csv")
	if err != nil {
		t.Fatal(err)
	}
	fromDoc, ds := Parse("doc.yaml", []byte(s[start:start+end]), memFiles(map[string]string{"example-traffic.csv": string(csvData)}))
	if fromDoc == nil || len(ds) > 0 {
		t.Fatalf("doc example: %v", render(fromDoc, ds))
	}
	want, _, err := LoadFile(context.Background(), "testdata/example.yaml", userfile.Scope{})
	if err != nil || want == nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, fromDoc, ignorePos); diff != "" {
		t.Errorf("doc example differs from testdata/example.yaml (-testdata +doc):\n%s", diff)
	}
}

// checkGolden compares got with the golden file, rewriting it with -update.
func checkGolden(t *testing.T, path, got, _ string) {
	t.Helper()
	golden.Check(t, path, []byte(got))
}

func TestNodeLookup(t *testing.T) {
	n := &Network{Nodes: []Node{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "a"}}}
	idx := n.NodeIndex()
	look := n.NodeLookup()
	for _, name := range []string{"a", "b", "c", "a", "b", "c", "c", "x", "b", "a", "b", "x", "x", "c"} {
		want, wantOK := idx[name]
		if got, ok := look(name); got != want || ok != wantOK {
			t.Fatalf("NodeLookup(%q) = %d, %v; NodeIndex says %d, %v", name, got, ok, want, wantOK)
		}
	}
}
