package topology

import (
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/diag"
)

// imported is a valid network as an importer builds it: no positions.
func imported() *Network {
	return &Network{
		Name:  "zoo",
		Nodes: []Node{{Name: "Amsterdam"}, {Name: "Frankfurt"}, {Name: "London"}},
		Links: []Link{
			{ID: "e0", A: "Amsterdam", B: "Frankfurt", CapacityBps: 10e9, MetricAB: 1, MetricBA: 1, Up: true},
			{ID: "e1", A: "Frankfurt", B: "London", CapacityBps: 10e9, MetricAB: 1, MetricBA: 1, Up: true},
		},
		Demands: []Demand{{"Amsterdam", "London", 1e9}},
		Files:   []string{"zoo.graphml"},
	}
}

func TestValidateBuiltNetworks(t *testing.T) {
	tests := []struct {
		name   string
		change func(n *Network)
		want   []string // Diagnostic.String()
	}{
		{"valid", func(n *Network) {}, nil},
		{"unknown link node", func(n *Network) { n.Links[1].B = "Londn" },
			[]string{
				`zoo.graphml: link "e1": unknown node "Londn" (hint: did you mean "London"?)`,
				`zoo.graphml: warning: node "London" has no links (hint: connect it with a link or remove it; traffic to or from it cannot be routed)`,
			}},
		{"colon in node name", func(n *Network) { n.Nodes[0].Name = "AMS:1"; n.Links[0].A = "AMS:1"; n.Demands[0].Src = "AMS:1" },
			[]string{`zoo.graphml: node name "AMS:1" contains ':' (hint: rename it: link ends are written node:interface, so a node name cannot hold a colon)`,
				`zoo.graphml: link "e0": unknown node "AMS:1" (hint: declare it under nodes:)`,
				`zoo.graphml: demand 1: unknown src node "AMS:1" (hint: declare it under nodes:)`,
			}},
		{"unknown demand node", func(n *Network) { n.Demands[0].Dst = "Paris" },
			[]string{`zoo.graphml: demand 1: unknown dst node "Paris" (hint: declare it under nodes:)`}},
		{"duplicate node names the first by index", func(n *Network) { n.Nodes = append(n.Nodes, Node{Name: "London"}) },
			[]string{`zoo.graphml: duplicate node name "London" (hint: rename or remove one of them; the first is node 3)`}},
		{"duplicate link id", func(n *Network) { n.Links[1].ID = "e0" },
			[]string{`zoo.graphml: duplicate link id "e0" (hint: link ids must be unique; the first is link 1)`}},
		{"missing link id", func(n *Network) { n.Links[1].ID = "" },
			[]string{`zoo.graphml: link 2 (Frankfurt-London) has no id (hint: give the link an id (the YAML loader does this with AssignLinkIDs))`}},
		{"zero capacity", func(n *Network) { n.Links[0].CapacityBps = 0 },
			[]string{`zoo.graphml: link "e0": capacity must be greater than 0, got 0 (hint: give the capacity with a unit, e.g. 100G)`}},
		{"NaN capacity", func(n *Network) { n.Links[0].CapacityBps = math.NaN() },
			[]string{`zoo.graphml: link "e0": capacity must be greater than 0, got NaN (hint: give the capacity with a unit, e.g. 100G)`}},
		{"metric out of range in one direction", func(n *Network) { n.Links[0].MetricBA = 0 },
			[]string{`zoo.graphml: link "e0": metric ba 0 is out of range 1..4294967295 (hint: use a whole number from 1 to 4294967295)`}},
		{"self-loop", func(n *Network) { n.Links[0].B = "Amsterdam" },
			[]string{`zoo.graphml: link "e0" connects "Amsterdam" to itself (hint: a link needs two different nodes)`}},
		{"negative rate", func(n *Network) { n.Demands[0].RateBps = -1 },
			[]string{`zoo.graphml: demand 1 (Amsterdam -> London): rate -1 is not valid (hint: rates must be finite and 0 or more)`}},
		{"empty names", func(n *Network) { n.Nodes[2].Name = ""; n.Demands[0].Src = "" },
			[]string{
				`zoo.graphml: node 3: name is empty (hint: give the router's name)`,
				`zoo.graphml: link "e1": unknown node "London" (hint: declare it under nodes:)`,
				`zoo.graphml: demand 1: src is empty (hint: give a node name)`,
				`zoo.graphml: demand 1: unknown dst node "London" (hint: declare it under nodes:)`,
			}},
		{"isolated node is a warning", func(n *Network) { n.Nodes = append(n.Nodes, Node{Name: "Paris"}) },
			[]string{`zoo.graphml: warning: node "Paris" has no links (hint: connect it with a link or remove it; traffic to or from it cannot be routed)`}},
		{"positions are used when set", func(n *Network) {
			n.Links[0].Pos = diag.Pos{File: "zoo.graphml", Line: 40}
			n.Links[0].CapacityBps = -5
		}, []string{`zoo.graphml:40: link "e0": capacity must be greater than 0, got -5 (hint: give the capacity with a unit, e.g. 100G)`}},
		{"non-finite position", func(n *Network) { n.Nodes[0].Position = &Position{Lat: math.Inf(1)} },
			[]string{`zoo.graphml: node "Amsterdam": position {lat: +Inf, lon: 0} is not a finite coordinate (hint: use finite numbers)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := imported()
			tt.change(n)
			var got []string
			for _, d := range n.Validate() {
				got = append(got, d.String())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateEmptyAndOddNetworksDoNotPanic(t *testing.T) {
	for _, n := range []*Network{
		{},
		{Links: []Link{{}}},
		{Demands: []Demand{{}}},
		{Nodes: []Node{{}}, Links: []Link{{A: "x"}}, Demands: []Demand{{RateBps: math.NaN()}}},
	} {
		ds := n.Validate()
		if len(n.Links)+len(n.Demands) > 0 && !ds.HasErrors() {
			t.Errorf("no errors for %+v", n)
		}
	}
}

func TestAssignLinkIDs(t *testing.T) {
	links := []Link{
		{A: "a", B: "b"},
		{A: "a", B: "b", ID: "a-b#2"},
		{A: "a", B: "b"},
		{A: "a", AInterface: "e1", B: "b", BInterface: "e2"},
		{A: "b", B: "a"},
		{A: "a", B: "b", ID: "kept"},
	}
	AssignLinkIDs(links)
	var got []string
	for _, l := range links {
		got = append(got, l.ID)
	}
	want := []string{"a-b", "a-b#2", "a-b#3", "a:e1-b:e2", "b-a", "kept"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
}
