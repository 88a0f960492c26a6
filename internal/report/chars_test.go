package report

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/changegate/changegate/internal/dryrun"
	"github.com/changegate/changegate/internal/gate"
	"github.com/changegate/changegate/internal/policy"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/plans"
)

// hostileVerdict holds, everywhere a name or a line can be, what the
// parsers refuse (as if it had got past them): line breaks, a carriage
// return, escapes, bidirectional and invisible characters, and a line
// that would end a Markdown code block.
func hostileVerdict() *gate.Verdict {
	const bad = "p1\r\n\x1b[2J\u202Ep2\u200B"
	step := "drain " + bad
	net := &topology.Network{
		Name:    "net" + bad,
		Nodes:   []topology.Node{{Name: bad, Role: bad, Site: bad, Zone: bad}, {Name: "p3"}},
		Links:   []topology.Link{{ID: "l" + bad, A: bad, B: "p3", AInterface: bad, CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true, Class: bad, SRLG: []string{bad}}},
		Demands: []topology.Demand{{Src: bad, Dst: "p3", RateBps: 1e6}},
	}
	p := &plans.Plan{ID: "CHG\u202E1", Title: "title " + bad, Author: "author " + bad, Ticket: bad, Risk: plans.Risk(bad), File: "plan" + bad + ".yaml", Steps: []plans.Step{{
		Name: step, Devices: []string{bad}, Wave: &plans.Wave{Batch: 1},
		Config:         []string{"interface eth1", "```", " description " + bad},
		RollbackConfig: []string{"no " + bad},
		Checks:         []plans.Check{{Name: bad, Device: bad, Command: "show `x`" + bad, Expect: plans.Expect{Kind: plans.ExpectContains, Value: bad}}},
		Effects:        []plans.Effect{{Type: plans.Drain, Node: bad}},
	}}}
	link := &dryrun.LinkRef{ID: "l" + bad, From: bad, To: "p3"}
	load := []dryrun.LinkLoad{{ID: "l" + bad, From: bad, To: "p3", Class: bad, Up: true, Utilization: 0.95, LoadBps: 9.5e8, CapacityBps: 1e9}}
	res := &dryrun.Result{
		Topology: dryrun.TopologyInfo{Name: net.Name, Nodes: 2, Links: 1, Demands: 1, TotalDemandBps: 1e6},
		Plan:     &dryrun.PlanInfo{ID: p.ID, Title: p.Title, File: p.File, Steps: 1},
		States: []dryrun.State{
			{Index: 0, Links: load, MaxLink: link, MaxUtilization: 0.95},
			{Index: 1, Step: &step, Links: load, MaxLink: link, MaxUtilization: 0.95, DroppedBps: 1e6,
				Unreachable: []dryrun.Demand{{Src: bad, Dst: "p3", RateBps: 1e6}}, Partitioned: true, Components: 2, Islands: [][]string{{bad}}},
		},
		Rollback: &dryrun.Rollback{Steps: []dryrun.RollbackStep{{Index: 1, Step: step, Differences: []string{bad}}}},
	}
	return &gate.Verdict{Plan: p, Network: net, DryRun: res,
		Decision: &policy.Decision{Results: []policy.Result{{Kind: policy.Deny, Policy: "changegate." + bad, File: bad, Line: 3, Msg: "message " + bad, Step: 1}}}}
}

// TestRenderersEscapeWhatGotThrough: whatever reaches a renderer, no
// control (but the line feeds it writes itself), bidirectional or
// invisible character comes out raw, no value adds a line, and no
// configuration line ends the Markdown code block it is in.
func TestRenderersEscapeWhatGotThrough(t *testing.T) {
	v := hostileVerdict()
	approvals := []ReviewApproval{{Approver: "jane\u202E@x", Status: "DOES NOT COUNT", Why: "why\r\nnot", Roles: []string{"ops", "r\u202E\x1b[2J"}, Comment: "ok\r\n\x1b[2J\u202Ep2\u200B", Denied: true}}
	renderers := map[string]func(*bytes.Buffer) error{
		"review markdown": func(b *bytes.Buffer) error { return ReviewMarkdown(b, v, approvals) },
		"review html":     func(b *bytes.Buffer) error { return ReviewHTML(b, v, approvals) },
		"check text":      func(b *bytes.Buffer) error { return CheckText(b, v, nil, []string{"x\u202E"}) },
		"dry-run text":    func(b *bytes.Buffer) error { return DryRunText(b, v.DryRun, DryRunOptions{Threshold: 0.8}) },
		"topology text":   func(b *bytes.Buffer) error { return TopologyText(b, v.Network, -1) },
	}
	for name, render := range renderers {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := render(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, r := range out {
				if r != '\n' && unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp) {
					t.Fatalf("output holds %U raw:\n%s", r, out)
				}
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "[2J") || strings.HasPrefix(l, `\x1b[2J`) {
					t.Errorf("a value started a line of its own: %q", l)
				}
			}
			if !strings.Contains(out, `\u202e`) {
				t.Errorf("the override is not shown escaped:\n%s", out)
			}
		})
	}

	var b bytes.Buffer
	if err := ReviewMarkdown(&b, v, nil); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if !strings.Contains(md, "Configuration:\n\n````\ninterface eth1\n```\n description p1\\r\\n\\x1b[2J\\u202ep2\\u200b\n````\n") {
		t.Errorf("the configuration block is not fenced by four backticks, or its lines are not escaped:\n%s", md)
	}
	if !strings.Contains(md, "`` show `x`p1") {
		t.Errorf("the command is not in double-backtick inline code:\n%s", md)
	}
}

func TestCodeFence(t *testing.T) {
	for _, tt := range []struct {
		lines []string
		want  string
	}{
		{[]string{"a", "b"}, "```"},
		{[]string{"a`b``c"}, "```"},
		{[]string{"```"}, "````"},
		{[]string{"x", "`````y"}, "``````"},
	} {
		if got := codeFence(tt.lines); got != tt.want {
			t.Errorf("codeFence(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
	if got := inlineCode("show ip"); got != "`show ip`" {
		t.Errorf("inlineCode = %q", got)
	}
	if got := inlineCode("a``b"); got != "``` a``b ```" {
		t.Errorf("inlineCode = %q", got)
	}
}
