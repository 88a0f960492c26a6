package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/topology"
)

func TestTopologyTextLimitsDemands(t *testing.T) {
	net := &topology.Network{
		Name:  "n",
		Nodes: []topology.Node{{Name: "a"}, {Name: "b"}},
		Links: []topology.Link{{ID: "a-b", A: "a", B: "b", AInterface: "eth0", CapacityBps: 10e9, MetricAB: 1, MetricBA: 2, Up: true}},
		Demands: []topology.Demand{
			{Src: "a", Dst: "b", RateBps: 1e9}, {Src: "b", Dst: "a", RateBps: 2e9}, {Src: "a", Dst: "b", RateBps: 3e9},
		},
	}
	var b bytes.Buffer
	if err := TopologyText(&b, net, 1); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Network n: 2 nodes, 1 link, 3 demands, 6G in total", "a:eth0", "... and 2 more demands"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := TopologyText(&b, net, -1); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "more demands") || !strings.Contains(b.String(), "3G\n") {
		t.Errorf("-1 must list every demand:\n%s", b.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// A write error is reported, not swallowed.
func TestRenderersReportWriteErrors(t *testing.T) {
	res := &dryrun.Result{States: []dryrun.State{{}}}
	if err := DryRunText(failingWriter{}, res, DryRunOptions{Threshold: 0.8}); err == nil {
		t.Error("DryRunText ignored a write error")
	}
	if err := TopologyText(failingWriter{}, &topology.Network{}, 10); err == nil {
		t.Error("TopologyText ignored a write error")
	}
	if err := WriteJSON(failingWriter{}, res); err == nil {
		t.Error("WriteJSON ignored a write error")
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 steps", 1: "1 step", 2: "2 steps"} {
		if got := plural(n, "step"); got != want {
			t.Errorf("plural(%d) = %q, want %q", n, got, want)
		}
	}
}
