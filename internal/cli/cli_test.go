package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/golden"
)

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), []byte(got))
}

func TestDryRunGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"outage.txt", []string{"dryrun", "../../examples/outage-plan.yaml"}},
		{"safe.txt", []string{"dryrun", "../../examples/safe-plan.yaml"}},
		{"outage.json", []string{"dryrun", "../../examples/outage-plan.yaml", "--format", "json"}},
		{"baseline.txt", []string{"dryrun", "--topology", "../../examples/april-2011.yaml"}},
		{"show.txt", []string{"topology", "show", "../../examples/april-2011.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out, errs, code := run(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			checkGolden(t, tt.golden, out)
		})
	}
}

// The JSON form carries the fields docs/dryrun.md promises.
func TestDryRunJSONShape(t *testing.T) {
	out, errs, code := run(t, "dryrun", "../../examples/outage-plan.yaml", "--format", "json")
	if code != 0 {
		t.Fatal(errs)
	}
	var res struct {
		States []struct {
			Step  *string `json:"step"`
			Links []struct {
				ID          string  `json:"id"`
				From        string  `json:"from"`
				To          string  `json:"to"`
				LoadBps     float64 `json:"load_bps"`
				CapacityBps float64 `json:"capacity_bps"`
				Utilization float64 `json:"utilization"`
			} `json:"links"`
			DroppedBps  *float64          `json:"dropped_bps"`
			Unreachable []json.RawMessage `json:"unreachable"`
			N1          *struct {
				Links []struct {
					ID               string  `json:"id"`
					WorstUtilization float64 `json:"worst_utilization"`
					WorstFailure     *string `json:"worst_failure"`
				} `json:"links"`
				Failures []struct {
					Failure        string  `json:"failure"`
					DroppedBps     float64 `json:"dropped_bps"`
					MaxUtilization float64 `json:"max_utilization"`
				} `json:"failures"`
			} `json:"n1"`
		} `json:"states"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.States) != 5 || res.States[0].Step != nil || res.States[2].Step == nil {
		t.Fatalf("want 5 states, baseline step null: %+v", res.States)
	}
	st := res.States[2]
	found := false
	for _, l := range st.Links {
		if l.ID == "s1-s2" && l.From == "s1" {
			found = true
			if l.Utilization < 5 || l.LoadBps != 60e9 || l.CapacityBps != 10e9 {
				t.Errorf("s1-s2 after step 2: %+v, want 60G on 10G", l)
			}
		}
	}
	if !found || st.DroppedBps == nil || st.Unreachable == nil || st.N1 == nil || len(st.N1.Failures) == 0 || len(st.N1.Links) != len(st.Links) {
		t.Errorf("state 2 is missing fields: %+v", st)
	}
}

func TestBadInputExitsOneWithPositions(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	os.WriteFile(plan, []byte("title: t\ntopology: "+abs(t, "../../examples/april-2011.yaml")+"\nsteps:\n  - name: a\n    effects: [{type: set_metric, link: p1-p33, metric: 5}]\n    bogus: 1\n"), 0o644)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"plan typo and bad reference", []string{"dryrun", plan}, []string{plan + ":6:5: step 1: unknown field \"bogus\""}},
		{"unknown link", []string{"dryrun", "--topology", "../../examples/april-2011.yaml", writeFile(t, dir, "p2.yaml", "title: t\nsteps:\n  - name: a\n    effects: [{type: link_down, link: p1-p33}]\n")}, []string{"p2.yaml:4:39", `did you mean one of: "p1-p3", "p1-p2"?`}},
		{"unknown format", []string{"dryrun", "../../examples/outage-plan.yaml", "--format", "yaml"}, []string{`unknown format "yaml": use one of text, json`}},
		{"no topology", []string{"dryrun"}, []string{"--topology FILE"}},
		{"missing file", []string{"topology", "show", filepath.Join(dir, "nope.yaml")}, []string{"nope.yaml", "no such file"}},
		{"bad topology", []string{"topology", "show", writeFile(t, dir, "t.yaml", "nodes:\n  - {name: a}\nlinks:\n  - {a: a, b: x, capacity: 10Q}\n")}, []string{"t.yaml:4:", "unknown node", "10Q"}},
		{"import without format", []string{"topology", "import", "../../examples/april-2011.yaml"}, []string{"--from graphml or --from containerlab"}},
		{"demands without size", []string{"topology", "import", "--from", "graphml", "x", "--demands", "gravity"}, []string{"exactly one of --demand-total RATE or --peak-utilization"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs, code := run(t, tt.args...)
			if code != ExitError {
				t.Fatalf("exit %d, want 1; stderr:\n%s", code, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if strings.Contains(errs, "goroutine") || strings.Contains(errs, "panic") {
				t.Errorf("stack trace in stderr:\n%s", errs)
			}
		})
	}
}

func TestConfigPrecedence(t *testing.T) {
	example := abs(t, "../../examples/outage-plan.yaml")
	dir := t.TempDir()
	t.Chdir(dir)
	threshold := func(args ...string) string {
		t.Helper()
		out, errs, code := run(t, append([]string{"dryrun", example, "--n1=false"}, args...)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		i := strings.Index(out, "Highlight above ")
		return strings.TrimSuffix(strings.Fields(out[i+len("Highlight above "):])[0], ".")
	}
	if got := threshold(); got != "80.0%" {
		t.Errorf("default threshold %s, want 80.0%%", got)
	}
	writeFile(t, dir, "changegate.yaml", "dryrun:\n  threshold: 0.5\n")
	if got := threshold(); got != "50.0%" {
		t.Errorf("config file threshold %s, want 50.0%%", got)
	}
	t.Setenv("CHANGEGATE_DRYRUN_THRESHOLD", "0.6")
	if got := threshold(); got != "60.0%" {
		t.Errorf("env threshold %s, want 60.0%% (env beats file)", got)
	}
	if got := threshold("--threshold", "0.7"); got != "70.0%" {
		t.Errorf("flag threshold %s, want 70.0%% (flag beats env)", got)
	}
	writeFile(t, dir, "changegate.yaml", "dryrun:\n  treshold: 0.5\n")
	_, errs, code := run(t, "dryrun", example)
	if code != ExitError || !strings.Contains(errs, `changegate.yaml:2:3: unknown key "dryrun.treshold" (hint: did you mean "dryrun.threshold"?)`) {
		t.Errorf("a typo in the config file must be an error naming it; exit %d, stderr %s", code, errs)
	}
	// Only changegate.yaml/.yml are configuration; other files named
	// changegate (the binary, a .json) are not read.
	os.Remove(filepath.Join(dir, "changegate.yaml"))
	t.Setenv("CHANGEGATE_DRYRUN_THRESHOLD", "")
	writeFile(t, dir, "changegate", "\x7fELF binary")
	writeFile(t, dir, "changegate.json", `{"dryrun": {"threshold": 0.1}}`)
	if got := threshold(); got != "80.0%" {
		t.Errorf("threshold %s with only changegate and changegate.json present, want the default 80.0%%", got)
	}
	// A threshold written as a percentage is refused, not read as 8000%.
	_, errs, code = run(t, "dryrun", example, "--threshold", "80")
	if code != ExitError || !strings.Contains(errs, "0.8 for 80%") {
		t.Errorf("--threshold 80: exit %d, stderr %s", code, errs)
	}
}

// An imported Topology Zoo network with generated demands dry-runs.
func TestImportThenDryRun(t *testing.T) {
	zoo := "../../../shared/data/topology-zoo/graphml/Abilene.graphml"
	if _, err := os.Stat(zoo); err != nil {
		t.Skipf("Topology Zoo data not found (%v): skipping", err)
	}
	out := filepath.Join(t.TempDir(), "abilene.yaml")
	_, errs, code := run(t, "topology", "import", "--from", "graphml", zoo, "--default-capacity", "10G", "--demands", "gravity", "--peak-utilization", "0.5", "-o", out)
	if code != 0 {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	js, errs, code := run(t, "dryrun", "--topology", out, "--format", "json")
	if code != 0 {
		t.Fatalf("dryrun: exit %d: %s", code, errs)
	}
	var res struct {
		States []struct {
			MaxUtilization float64 `json:"max_utilization"`
		} `json:"states"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	// Rates are rounded down to 4 significant digits: the peak is at most
	// the target, and within 0.1% of it.
	if u := res.States[0].MaxUtilization; u < 0.4995 || u > 0.5+1e-12 {
		t.Errorf("peak utilisation after import %v, want 0.5 or just under", u)
	}
}

func abs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// plan digest prints the digests the dry-run records, and they survive
// reformatting the plan but not changing it.
func TestPlanDigest(t *testing.T) {
	out, errs, code := run(t, "plan", "digest", "../../examples/outage-plan.yaml", "--format", "json")
	if code != 0 {
		t.Fatal(errs)
	}
	var d struct{ Plan, Topology, Traffic, Policy string }
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if cj, _, _ := run(t, "check", "../../examples/outage-plan.yaml", "--format", "json"); policyDigest(t, cj) != d.Policy || d.Policy == "" {
		t.Errorf("plan digest gives policy %q; check gives %q", d.Policy, policyDigest(t, cj))
	}
	js, _, _ := run(t, "dryrun", "../../examples/outage-plan.yaml", "--format", "json", "--n1=false")
	var res struct {
		Digests struct{ Plan, Topology, Traffic string } `json:"digests"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	if res.Digests.Plan != d.Plan || res.Digests.Topology != d.Topology || res.Digests.Traffic != d.Traffic || d.Plan == "" || d.Topology == "" || d.Traffic == "" {
		t.Fatalf("dry-run digests %+v, plan digest %+v", res.Digests, d)
	}
	src, err := os.ReadFile("../../examples/outage-plan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	topo := writeFile(t, dir, "april-2011.yaml", readFile(t, "../../examples/april-2011.yaml")) // named by its absolute path
	reformatted := strings.ReplaceAll(string(src), "topology: april-2011.yaml", "topology: "+topo) + "\n# a trailing comment\n"
	p := writeFile(t, dir, "reformatted.yaml", reformatted)
	out2, _, _ := run(t, "plan", "digest", p, "--format", "json")
	if out2 != out {
		t.Errorf("comments and the topology path changed the digests:\n%s\n%s", out, out2)
	}
	changed := writeFile(t, dir, "changed.yaml", strings.Replace(reformatted, "node: p1}", "node: p2}", 1))
	out3, _, _ := run(t, "plan", "digest", changed, "--format", "json")
	var d3 struct{ Plan, Topology, Traffic string }
	json.Unmarshal([]byte(out3), &d3)
	if d3.Plan == d.Plan || d3.Topology != d.Topology {
		t.Errorf("changing a step: plan digest %s (was %s), topology %s (was %s)", d3.Plan, d.Plan, d3.Topology, d.Topology)
	}
}

// Geant2012 has 155M access links on a 10G backbone: scaled against every
// link the whole matrix is sized by one stub; with --peak-min-capacity the
// backbone runs at the target, and the command says what it scaled to and
// which left-out link runs hotter. Generated rates are written as people
// write rates.
func TestImportPeakMinCapacity(t *testing.T) {
	zoo := "../../../shared/data/topology-zoo/graphml/Geant2012.graphml"
	if _, err := os.Stat(zoo); err != nil {
		t.Skipf("Topology Zoo data not found (%v): skipping", err)
	}
	dir := t.TempDir()
	total := func(file string) float64 {
		js, errs, code := run(t, "dryrun", "--topology", file, "--format", "json", "--n1=false")
		if code != 0 {
			t.Fatalf("dryrun: exit %d: %s", code, errs)
		}
		var res struct {
			Topology struct {
				TotalDemandBps float64 `json:"total_demand_bps"`
			} `json:"topology"`
		}
		if err := json.Unmarshal([]byte(js), &res); err != nil {
			t.Fatal(err)
		}
		return res.Topology.TotalDemandBps
	}
	all := filepath.Join(dir, "all.yaml")
	_, errs, code := run(t, "topology", "import", "--from", "graphml", zoo, "--default-capacity", "10G", "--demands", "gravity", "--peak-utilization", "0.5", "-o", all)
	if code != 0 || !strings.Contains(errs, "scaled the demands to ") || !strings.Contains(errs, "(155M) at 50%") {
		t.Fatalf("import: exit %d: %s", code, errs)
	}
	backbone := filepath.Join(dir, "backbone.yaml")
	_, errs, code = run(t, "topology", "import", "--from", "graphml", zoo, "--default-capacity", "10G", "--demands", "gravity", "--peak-utilization", "0.5", "--peak-min-capacity", "1G", "-o", backbone)
	if code != 0 || !strings.Contains(errs, "left out, runs at") || strings.Contains(errs, "(155M) at 50%") {
		t.Fatalf("import --peak-min-capacity: exit %d: %s", code, errs)
	}
	if a, b := total(all), total(backbone); !(b > 2*a) {
		t.Errorf("total demand %v with every link, %v without the stubs: the stubs still size the matrix", a, b)
	}
	text, _ := os.ReadFile(backbone)
	if strings.Contains(string(text), "e+") || regexp.MustCompile(`\d{6}\.\d`).Match(text) {
		t.Errorf("the rates are not written as people write them:\n%.600s", text)
	}
	if _, errs, code = run(t, "topology", "import", "--from", "graphml", zoo, "--default-capacity", "10G", "--peak-min-capacity", "1G"); code != ExitError || !strings.Contains(errs, "give --peak-utilization too") {
		t.Errorf("--peak-min-capacity alone: exit %d: %s", code, errs)
	}
}
