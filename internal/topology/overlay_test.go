package topology

import (
	"strings"
	"testing"
)

const discovered = `igp: ospf
nodes:
  - {name: a, loopback: 198.18.0.1}
  - {name: b, loopback: 198.18.0.2}
  - {name: c, loopback: 198.18.0.3}
links:
  - {id: a-b, a: "a:cg-b", b: "b:cg-a", capacity: 10G, metric: 10}
  - {id: a-b#2, a: "a:cg-b-2", b: "b:cg-a-2", capacity: 10G, metric: 10}
  - {id: b-c, a: "b:cg-c", b: "c:cg-b", capacity: 10G, metric: 10}
`

func discoveredNet(t *testing.T) *Network {
	t.Helper()
	n, ds := Parse("discovered.yaml", []byte(discovered), ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return n
}

func TestApplyOverlay(t *testing.T) {
	n := discoveredNet(t)
	ds := ApplyOverlay(n, "overlay.yaml", []byte(`name: lab
nodes:
  a: {role: core, site: dc1, zone: az1, position: {lat: 52.1, lon: 4.3}}
  c: {site: dc2}
links:
  a-b#2: {class: backup, srlg: [duct-7, duct-9], capacity: 100G}
demands:
  - {src: a, dst: c, rate: 1G}
demand_matrix:
  unit: M
  nodes: [a, b]
  rows: [[0, 5], [7, 0]]
`), ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if n.Name != "lab" || n.Nodes[0].Role != "core" || n.Nodes[0].Zone != "az1" || n.Nodes[0].Position == nil || n.Nodes[2].Site != "dc2" {
		t.Errorf("nodes not annotated: %+v", n.Nodes)
	}
	l := n.Links[1]
	if l.Class != "backup" || strings.Join(l.SRLG, ",") != "duct-7,duct-9" || l.CapacityBps != 100e9 {
		t.Errorf("link not annotated: %+v", l)
	}
	if n.Links[0].CapacityBps != 10e9 || n.Links[0].Class != "" {
		t.Errorf("another link changed: %+v", n.Links[0])
	}
	if len(n.Demands) != 3 || n.Demands[0].RateBps != 1e9 || n.Demands[2].RateBps != 7e6 {
		t.Errorf("demands: %+v", n.Demands)
	}
}

func TestApplyOverlayProblems(t *testing.T) {
	for _, tc := range []struct{ name, overlay, want string }{
		{"unknown node", "nodes:\n  a: {role: core}\n  x: {role: edge}\n", `overlay.yaml:3:3: overlay nodes: unknown node "x"`},
		{"near node", "nodes:\n  aa: {role: core}\n", `did you mean "a"?`},
		{"unknown link", "links:\n  a-c: {class: x}\n", `overlay.yaml:2:3: overlay links: unknown link "a-c"`},
		{"bad capacity", "links:\n  a-b: {capacity: fast}\n", "overlay.yaml:2:19: link a-b: capacity"},
		{"zero capacity", "links:\n  a-b: {capacity: 0}\n", "capacity must be greater than 0"},
		{"unknown field", "links:\n  a-b: {metric: 5}\n", `overlay.yaml:2:9: link a-b: unknown field "metric"`},
		{"twice", "nodes:\n  a: {role: core}\n  a: {site: x}\n", `overlay.yaml:3:3: overlay nodes: node "a" given twice`},
		{"demand", "demands:\n  - {src: a, dst: z, rate: 1G}\n", `overlay.yaml:2:19: demand 1: unknown dst node "z"`},
		{"list", "nodes: [a]\n", "overlay: nodes must be a mapping"},
		{"top", "nodez: {}\n", `unknown field "nodez"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := discoveredNet(t)
			before := n.Links[0]
			ds := ApplyOverlay(n, "overlay.yaml", []byte(tc.overlay), ParseOptions{})
			if !ds.HasErrors() {
				t.Fatalf("no error for %q", tc.overlay)
			}
			if got := ds.Err().Error(); !strings.Contains(got, tc.want) {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
			if n.Links[0].CapacityBps != before.CapacityBps || n.Nodes[0].Role != "" {
				t.Errorf("network changed although the overlay has errors")
			}
		})
	}
}

func TestApplyOverlayEmpty(t *testing.T) {
	n := discoveredNet(t)
	if ds := ApplyOverlay(n, "overlay.yaml", []byte("# nothing yet\n"), ParseOptions{}); ds.HasErrors() {
		t.Fatal(ds)
	}
}

func FuzzApplyOverlay(f *testing.F) {
	f.Add([]byte("nodes:\n  a: {role: core}\nlinks:\n  a-b: {capacity: 1G, srlg: x}\n"))
	f.Add([]byte("demand_matrix: {unit: G, nodes: [a, b], rows: [[0, 1], [1, 0]]}\n"))
	f.Add([]byte("nodes: {a: [1]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := discoveredNet(t)
		ds := ApplyOverlay(n, "o.yaml", data, ParseOptions{})
		for _, d := range ds {
			if d.Pos.File != "o.yaml" && d.Pos.File != "discovered.yaml" {
				t.Fatalf("problem outside the overlay: %v", d)
			}
		}
		if !ds.HasErrors() {
			if vs := n.Validate(); vs.HasErrors() {
				t.Fatalf("overlay accepted but the network is not valid: %v", vs)
			}
		}
	})
}
