package input

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/plans"
)

const topo = `name: tiny
nodes:
  - {name: a}
  - {name: b}
  - {name: c}
links:
  - {id: a-b, a: a, b: b, capacity: 10G, metric: 10}
  - {id: b-c, a: b, b: c, capacity: 10G, metric: 10}
  - {id: a-c, a: a, b: c, capacity: 10G, metric: 10}
demands:
  - {src: a, dst: c, rate: 1G}
`

const down = "  - name: down\n    effects:\n      - {type: link_down, link: a-c}\n"

// repo writes files into a repository of their own and returns its
// directory.
func repo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files[".git/HEAD"] = "ref: refs/heads/main\n"
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// got is what a test asserts of one problem: its stage, the file it is
// about (relative to the repository), and a part of its message.
type got struct {
	stage Stage
	file  string
	msg   string
}

func TestLoadStages(t *testing.T) {
	badCheck := "    checks:\n      - {name: up, device: a, command: show x, expect: {json: 'output.state =='}}\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []got
		// loaded says how far loading got: the plan as written, the plan
		// to check, the network.
		written, plan, network bool
	}{
		{"clean", map[string]string{"topo.yaml": topo, "p.yaml": "title: t\ntopology: topo.yaml\nsteps:\n" + down},
			nil, true, true, true},
		{"unreadable plan", map[string]string{"other.yaml": topo},
			[]got{{StagePlan, "p.yaml", "no such file"}}, false, false, false},
		{"syntax error", map[string]string{"p.yaml": "title: t\nstepz: []\n"},
			[]got{{StagePlan, "p.yaml", "stepz"}}, false, false, false},
		{"no topology", map[string]string{"p.yaml": "title: t\nsteps:\n" + down},
			nil, true, true, false},
		// A check that does not compile and a topology that is missing are
		// both reported: one pass says everything it can.
		{"bad check and missing topology", map[string]string{"p.yaml": "title: t\ntopology: nowhere.yaml\nsteps:\n" + down + badCheck},
			[]got{{StageChecks, "p.yaml", "parse Rego expression"}, {StageTopology, "p.yaml", "nowhere.yaml"}}, true, false, false},
		{"topology outside the repository", map[string]string{"p.yaml": "title: t\ntopology: /etc/passwd\nsteps:\n" + down},
			[]got{{StageTopology, "p.yaml", "outside"}}, true, false, false},
		{"invalid topology", map[string]string{"topo.yaml": "name: x\nnodes: [{name: a}]\nlinks:\n  - {id: l, a: a, b: zz, capacity: 1G}\n", "p.yaml": "title: t\ntopology: topo.yaml\nsteps:\n" + down},
			[]got{{StageTopology, "topo.yaml", "zz"}}, true, false, false},
		{"traffic naming an unknown node", map[string]string{"topo.yaml": topo, "tm.csv": "src,dst,rate\na,q,1G\n",
			"p.yaml": "title: t\ntopology: topo.yaml\ntraffic: tm.csv\nsteps:\n" + down},
			[]got{{StageTopology, "tm.csv", "q"}}, true, false, false},
		{"unknown runbook", map[string]string{"topo.yaml": topo, "p.yaml": "title: t\ntopology: topo.yaml\nplatform: frr_vtysh\nsteps:\n  - runbook: dwn\n    params: {link: a-b}\n"},
			[]got{{StageRunbooks, "p.yaml", `no runbook "dwn"`}}, true, false, true},
		{"runbook step", map[string]string{"topo.yaml": topo, "p.yaml": "title: t\ntopology: topo.yaml\nplatform: frr_vtysh\nsteps:\n  - runbook: interface-state\n    params: {device: a, link: a-b, interface: eth0, state: down}\n"},
			nil, true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := repo(t, tt.files)
			in, err := Loader{}.Load(context.Background(), Request{Plan: filepath.Join(dir, "p.yaml")})
			if err != nil {
				t.Fatal(err)
			}
			var failed []Problem
			for _, p := range in.Problems {
				if p.Failed() {
					failed = append(failed, p)
				}
			}
			if len(failed) != len(tt.want) {
				t.Fatalf("%d failed stages, want %d: %+v", len(failed), len(tt.want), in.Problems)
			}
			for i, w := range tt.want {
				p := failed[i]
				msg := problemText(p)
				if p.Stage != w.stage || p.File != filepath.Join(dir, w.file) || !strings.Contains(msg, w.msg) {
					t.Errorf("problem %d: stage %v, file %s, %q; want stage %v, file %s, containing %q", i, p.Stage, p.File, msg, w.stage, w.file, w.msg)
				}
			}
			if (in.Written != nil) != tt.written || (in.Plan != nil) != tt.plan || (in.Network != nil) != tt.network {
				t.Errorf("written %v, plan %v, network %v; want %v, %v, %v", in.Written != nil, in.Plan != nil, in.Network != nil, tt.written, tt.plan, tt.network)
			}
			if (in.Err() != nil) != (len(tt.want) > 0) {
				t.Errorf("Err() = %v with %d failed stages", in.Err(), len(tt.want))
			}
		})
	}
}

func problemText(p Problem) string {
	var b strings.Builder
	if p.Err != nil {
		b.WriteString(p.Err.Error())
	}
	for _, d := range p.Diags {
		b.WriteString(d.Msg)
	}
	return b.String()
}

// TestRunbookStepsExpanded: the plan to check has the steps the runbook
// rendered, not the runbook step itself; the plan as written keeps it.
func TestRunbookStepsExpanded(t *testing.T) {
	dir := repo(t, map[string]string{"topo.yaml": topo,
		"p.yaml": "title: t\ntopology: topo.yaml\nplatform: frr_vtysh\nsteps:\n  - runbook: interface-state\n    params: {device: a, link: a-b, interface: eth0, state: down}\n"})
	in, err := Loader{}.Load(context.Background(), Request{Plan: filepath.Join(dir, "p.yaml")})
	if err != nil || in.Err() != nil {
		t.Fatal(err, in.Err())
	}
	if !in.Written.HasRunbooks() || in.Plan.HasRunbooks() {
		t.Errorf("written has runbooks %v, expanded has runbooks %v", in.Written.HasRunbooks(), in.Plan.HasRunbooks())
	}
	if len(in.Plan.Steps) == 0 || in.Plan.Steps[0].FromRunbook == nil {
		t.Fatalf("expanded steps %+v", in.Plan.Steps)
	}
}

// TestErrJoinsStages: Err holds the errors of every stage, sorted by
// position, so that a user fixes them in one pass.
func TestErrJoinsStages(t *testing.T) {
	in := &Loaded{Problems: []Problem{
		{Stage: StageTopology, Err: errors.New("unreadable")},
		{Stage: StageChecks, Diags: diag.Diagnostics{{Severity: diag.Error, Pos: diag.Pos{File: "p.yaml", Line: 9}, Msg: "late"}}},
		{Stage: StagePlan, Diags: diag.Diagnostics{{Severity: diag.Error, Pos: diag.Pos{File: "p.yaml", Line: 2}, Msg: "early"}, {Severity: diag.Warning, Pos: diag.Pos{File: "p.yaml", Line: 1}, Msg: "note"}}},
	}}
	var le *diag.ListError
	if !errors.As(in.Err(), &le) {
		t.Fatalf("Err() = %T %v, want a diag.ListError", in.Err(), in.Err())
	}
	if len(le.Diags) != 2 || le.Diags[0].Msg != "early" || le.Diags[1].Msg != "late" {
		t.Errorf("Err() holds %+v, want early then late, no warning", le.Diags)
	}
	if ws := in.Warnings(); len(ws) != 1 || ws[0].Msg != "note" {
		t.Errorf("Warnings() = %+v", ws)
	}
	only := &Loaded{Problems: []Problem{{Stage: StageTopology, Err: &plans.FileError{What: "topology", Err: errors.New("gone")}}}}
	var fe *plans.FileError
	if !errors.As(only.Err(), &fe) {
		t.Errorf("Err() = %v, want the stage's own error", only.Err())
	}
}

// TestNetworksShared: every spelling of a topology's path is one entry,
// loaded once; the same topology with a traffic file is another.
func TestNetworksShared(t *testing.T) {
	dir := repo(t, map[string]string{"net/topo.yaml": topo, "tm.csv": "src,dst,rate\na,b,2G\n"})
	var c Networks
	ctx := context.Background()
	first := c.Get(ctx, Loader{}.Scope, filepath.Join(dir, "net/topo.yaml"), "")
	again := c.Get(ctx, Loader{}.Scope, filepath.Join(dir, "net/../net/topo.yaml"), "")
	if first != again || first.Net == nil {
		t.Fatalf("two spellings gave %p and %p (net %v)", first, again, first.Net != nil)
	}
	tm := c.Get(ctx, Loader{}.Scope, filepath.Join(dir, "net/topo.yaml"), filepath.Join(dir, "tm.csv"))
	if tm == first || tm.Net == nil || len(tm.Net.Demands) != 1 || tm.Net.Demands[0].Dst != "b" {
		t.Fatalf("with traffic: %+v", tm)
	}
	if len(first.Net.Demands) != 1 || first.Net.Demands[0].Dst != "c" {
		t.Errorf("the traffic file changed the shared topology's demands: %+v", first.Net.Demands)
	}
	if n := len(c.All()); n != 2 {
		t.Errorf("%d networks, want 2", n)
	}
	if _, _, err := first.Model(); err != nil {
		t.Error(err)
	}
}

// TestPartial: a plan with syntax errors is kept as far as it parsed,
// with its topology, when the request asks; it is never a plan to check.
func TestPartial(t *testing.T) {
	dir := repo(t, map[string]string{"topo.yaml": topo, "p.yaml": "title: t\ntopology: topo.yaml\nsteps:\n  - name: s\n    colour: red\n    effects:\n      - {type: link_down, link: zz}\n"})
	for _, partial := range []bool{false, true} {
		in, err := Loader{}.Load(context.Background(), Request{Plan: filepath.Join(dir, "p.yaml"), Partial: partial})
		if err != nil {
			t.Fatal(err)
		}
		if in.Err() == nil || in.Plan != nil {
			t.Errorf("partial %v: Err() = %v, Plan = %v: a plan with syntax errors must fail and not be checked", partial, in.Err(), in.Plan)
		}
		if (in.Written != nil) != partial || in.Partial != partial || (in.Network != nil) != partial {
			t.Errorf("partial %v: written %v, Partial %v, network %v", partial, in.Written != nil, in.Partial, in.Network != nil)
		}
		if partial && (len(in.Written.Steps) != 1 || in.Written.Steps[0].Effects[0].Link != "zz") {
			t.Errorf("the partial plan lost what parsed: %+v", in.Written.Steps)
		}
	}
}
