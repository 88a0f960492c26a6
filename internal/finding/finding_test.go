package finding

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/golden"
)

const ms = time.Millisecond

// sample is a report with several suites, files and severities, a passing
// case, a finding without a location, and text hostile to XML, Markdown,
// terminals and workflow commands.
func sample() *Report {
	return &Report{
		Tool:    "changegate",
		Version: "0.4.0",
		URI:     "https://github.com/changegate/changegate",
		Rules: []Rule{
			{
				ID:          "changegate.capacity",
				Title:       "Links stay below the utilisation threshold",
				Description: "After every step of the plan, and with any one link down, no link carries more than the threshold.",
				HelpURI:     "https://github.com/changegate/changegate/blob/main/docs/policy-input.md",
				Severity:    Error,
			},
			{ID: "plan/unknown-link", Title: "Steps name links that exist"},
		},
		Cases: []Case{
			{
				Suite: "runbooks", Name: "runbooks/drain.yaml", File: "runbooks/dir with space/ü,x:y.yaml", Time: 2 * ms,
				Findings: []Finding{{
					Severity: Warning, Rule: "runbook/odd-name",
					Message: `name <script>alert('x')</script> & "quotes" ]]> **bold** | pipe 🚦 Zürich`,
					Hint:    "line one\nline two, with: colon 100%\r\n::error::not a command",
					File:    "runbooks/dir with space/ü,x:y.yaml", Line: 3,
				}},
			},
			{
				Suite: "plans/maintenance.yaml", Name: "plans/maintenance.yaml", File: "plans/maintenance.yaml", Time: 12 * ms,
				Findings: []Finding{
					{Severity: Warning, Rule: "plan/no-rollback", Message: "step 3 has no rollback", Hint: "add a rollback: block to the step", File: "plans/maintenance.yaml", Line: 20, Col: 5},
					{Severity: Error, Rule: "plan/unknown-link", Message: `link "core1-core9" does not exist`, Hint: "use one of: core1-core2, core2-core3", File: "plans/maintenance.yaml", Line: 12, Col: 9},
					{Severity: Error, Rule: "plan/unknown-link", Message: `link "core7-core8" does not exist`, File: "plans/maintenance.yaml", Line: 7, Col: 9},
				},
			},
			{Suite: "topologies", Name: "topo/wan.yaml", File: "topo/wan.yaml", Time: 3 * ms},
			{
				Suite: "policies", Name: "changegate.window", Time: 1 * ms,
				Findings: []Finding{{Severity: Note, Rule: "changegate.window", Message: "the change window ends in 45 minutes"}},
			},
			{
				Suite: "policies", Name: "changegate.capacity", File: "plans/maintenance.yaml", Time: 40 * ms,
				Findings: []Finding{{
					Severity: Error, Rule: "changegate.capacity",
					Message: "link core1-core2 would carry 9.2G of 10G (92%) after step 2",
					Hint:    "drain core1-core2 first, or raise the threshold in policy data",
					Facts:   map[string]any{"link": "core1-core2", "load_bps": 9.2e9, "capacity_bps": 1e10, "step": 2},
				}},
			},
		},
	}
}

// reports are the reports the golden files hold.
func reports() map[string]*Report {
	return map[string]*Report{
		"sample": sample(),
		"empty":  {Tool: "changegate", Version: "0.4.0"},
		"pass":   {Tool: "changegate", Cases: []Case{{Suite: "plans", Name: "plans/a.yaml", File: "plans/a.yaml"}}},
	}
}

// extensions maps each format to its golden file's extension.
var extensions = map[Format]string{
	Text:   "txt",
	JSON:   "json",
	JUnit:  "junit.xml",
	SARIF:  "sarif",
	GitHub: "github.txt",
}

func write(t testing.TB, f Format, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, f, r); err != nil {
		t.Fatalf("Write(%s): %v", f, err)
	}
	return b.Bytes()
}

func TestWritersGolden(t *testing.T) {
	for name, r := range reports() {
		for _, f := range Formats() {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				got := write(t, f, r)
				path := filepath.Join("testdata", name+"."+extensions[f])
				golden.Check(t, path, got)
			})
		}
	}
}

// The output depends on the report's content, not on the order of cases,
// findings or map iteration.
func TestWritersDeterministic(t *testing.T) {
	shuffled := sample()
	slices.Reverse(shuffled.Cases)
	for i := range shuffled.Cases {
		slices.Reverse(shuffled.Cases[i].Findings)
	}
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			want := write(t, f, sample())
			for range 5 {
				if got := write(t, f, shuffled); !bytes.Equal(got, want) {
					t.Fatalf("reordered input changed the output:\n%s\nwant:\n%s", got, want)
				}
			}
		})
	}
}

// Writers sort copies: the caller's report keeps its order.
func TestWritersDoNotModifyReport(t *testing.T) {
	r := sample()
	for _, f := range Formats() {
		write(t, f, r)
	}
	if !reflect.DeepEqual(r, sample()) {
		t.Error("a writer changed the report it was given")
	}
}

func TestText(t *testing.T) {
	out := string(write(t, Text, sample()))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, want := range []string{
		`plans/maintenance.yaml:7:9: error: link "core7-core8" does not exist (plan/unknown-link)`,
		`plans/maintenance.yaml: error: link core1-core2 would carry 9.2G of 10G (92%) after step 2 (changegate.capacity)`,
		`    hint: drain core1-core2 first, or raise the threshold in policy data`,
		`runbooks/dir with space/ü,x:y.yaml:3: warning: name <script>`,
		`    line two, with: colon 100%`,
		`5 cases checked, 2 failed: 3 errors, 2 warnings, 1 note`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	// Findings without a location come first, then by file, line and
	// column; a finding without a file is located at its case's file.
	if !strings.HasPrefix(lines[0], "note: the change window") ||
		!strings.HasPrefix(lines[1], "plans/maintenance.yaml: error: link core1-core2") {
		t.Errorf("findings out of order:\n%s", out)
	}
	if a, b := strings.Index(out, ":7:9:"), strings.Index(out, ":12:9:"); a > b {
		t.Errorf("line 7 prints after line 12:\n%s", out)
	}
	// Control characters and bidi overrides cannot reach the terminal.
	r := &Report{Cases: []Case{{Findings: []Finding{{Severity: Error, Rule: "r", Message: "a\x1b[31mred\u202e\x00b\tc"}}}}}
	if got := string(write(t, Text, r)); !strings.HasPrefix(got, "error: a\uFFFD[31mred\uFFFD\uFFFDb c (r)\n") {
		t.Errorf("control characters not neutralised: %q", got)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	r := sample()
	out := write(t, JSON, r)
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	var doc jsonReport
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	// Encoding what was decoded gives the same bytes.
	var again bytes.Buffer
	enc := json.NewEncoder(&again)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Bytes(), out) {
		t.Errorf("re-encoded JSON differs:\n%s\nwant:\n%s", again.Bytes(), out)
	}
	if doc.Version != JSONVersion || doc.Tool != (jsonTool{"changegate", "0.4.0"}) || !doc.Failed || doc.Summary != r.Summary() {
		t.Errorf("header = %d %+v failed=%v %+v", doc.Version, doc.Tool, doc.Failed, doc.Summary)
	}
	if len(doc.Cases) != len(r.Cases) {
		t.Errorf("%d cases, want %d", len(doc.Cases), len(r.Cases))
	}
	// Every finding comes back with its case and all its fields.
	var want []jsonFinding
	for _, c := range r.Cases {
		for _, f := range c.Findings {
			if f.File == "" {
				f.File, f.Line = c.File, 0
			}
			line, col := f.lineCol()
			facts := f.Facts
			if facts != nil { // numbers decode as float64
				b, _ := json.Marshal(facts)
				facts = nil
				if err := json.Unmarshal(b, &facts); err != nil {
					t.Fatal(err)
				}
			}
			want = append(want, jsonFinding{f.Severity, f.Rule, f.Message, f.Hint, f.File, line, col, c.Suite, c.Name, facts})
		}
	}
	key := func(f jsonFinding) string { return f.Suite + "\x00" + f.Case + "\x00" + f.Message }
	sortBy := func(s []jsonFinding) {
		slices.SortFunc(s, func(a, b jsonFinding) int { return strings.Compare(key(a), key(b)) })
	}
	got := slices.Clone(doc.Findings)
	sortBy(got)
	sortBy(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings did not round-trip:\n got %+v\nwant %+v", got, want)
	}
}

func TestJUnitStructure(t *testing.T) {
	var doc junitSuites
	if err := xml.Unmarshal(write(t, JUnit, sample()), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 5 || doc.Failures != 2 || doc.Errors != 0 || doc.Time != "0.058" {
		t.Errorf("testsuites tests=%d failures=%d errors=%d time=%s", doc.Tests, doc.Failures, doc.Errors, doc.Time)
	}
	var names []string
	for _, s := range doc.Suites {
		names = append(names, s.Name)
	}
	if want := []string{"plans/maintenance.yaml", "policies", "runbooks", "topologies"}; !slices.Equal(names, want) {
		t.Errorf("suites = %q, want %q", names, want)
	}
	plan := doc.Suites[0].Cases[0]
	if plan.Failure == nil || plan.Failure.Message != `link "core7-core8" does not exist` || plan.Failure.Type != "plan/unknown-link" {
		t.Fatalf("plan failure = %+v", plan.Failure)
	}
	for _, want := range []string{"plans/maintenance.yaml:12:9: error:", "    hint: use one of", "plans/maintenance.yaml:20:5: warning:"} {
		if !strings.Contains(plan.Failure.Body, want) {
			t.Errorf("failure body lacks %q:\n%s", want, plan.Failure.Body)
		}
	}
	if !strings.Contains(plan.SystemOut, "step 3 has no rollback") || strings.Contains(plan.SystemOut, "error:") {
		t.Errorf("system-out must hold the warnings only:\n%s", plan.SystemOut)
	}
	topo := doc.Suites[3].Cases[0]
	if topo.Failure != nil || topo.SystemOut != "" || topo.Name != "topo/wan.yaml" || topo.File != "topo/wan.yaml" {
		t.Errorf("passing case = %+v", topo)
	}
	hostile := doc.Suites[2].Cases[0]
	if hostile.Failure != nil || !strings.Contains(hostile.SystemOut, `<script>alert('x')</script> & "quotes" ]]>`) {
		t.Errorf("hostile text did not survive XML escaping: %+v", hostile)
	}
}

func TestSARIFStructure(t *testing.T) {
	var log sarifLog
	if err := json.Unmarshal(write(t, SARIF, sample()), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	var ids []string
	for _, r := range run.Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	// The described rules in order, then the others sorted.
	want := []string{"changegate.capacity", "plan/unknown-link", "changegate.window", "plan/no-rollback", "runbook/odd-name"}
	if !slices.Equal(ids, want) {
		t.Errorf("rules = %q, want %q", ids, want)
	}
	levels := map[string]Severity{}
	for _, r := range run.Tool.Driver.Rules {
		levels[r.ID] = r.DefaultConfiguration.Level
	}
	if levels["changegate.capacity"] != Error || levels["plan/unknown-link"] != Error || levels["changegate.window"] != Note {
		t.Errorf("default levels = %v", levels)
	}
	if len(run.Results) != 6 {
		t.Fatalf("%d results, want 6", len(run.Results))
	}
	for _, res := range run.Results {
		if rule := run.Tool.Driver.Rules[res.RuleIndex]; rule.ID != res.RuleID {
			t.Errorf("result %q has ruleIndex %d, which is %q", res.RuleID, res.RuleIndex, rule.ID)
		}
		switch res.RuleID {
		case "changegate.window":
			if res.Locations != nil {
				t.Errorf("%s: a finding without a file has locations %+v", res.RuleID, res.Locations)
			}
		case "changegate.capacity":
			// No file of its own: located at its case's file, with no region.
			loc := res.Locations[0].PhysicalLocation
			if loc.ArtifactLocation.URI != "plans/maintenance.yaml" || loc.Region != nil {
				t.Errorf("location = %+v %+v", loc.ArtifactLocation, loc.Region)
			}
		case "runbook/odd-name":
			loc := res.Locations[0].PhysicalLocation
			if loc.ArtifactLocation != (sarifArtifact{"runbooks/dir%20with%20space/%C3%BC,x:y.yaml", "%SRCROOT%"}) ||
				*loc.Region != (sarifRegion{StartLine: 3}) {
				t.Errorf("location = %+v %+v", loc.ArtifactLocation, loc.Region)
			}
			if !strings.Contains(res.Message.Text, "\nhint: line one\n") {
				t.Errorf("message lacks the hint: %q", res.Message.Text)
			}
		}
	}
}

func TestArtifactURI(t *testing.T) {
	for _, tc := range []struct{ path, uri, base string }{
		{"plans/a.yaml", "plans/a.yaml", "%SRCROOT%"},
		{"./plans//a.yaml", "plans/a.yaml", "%SRCROOT%"},
		{`plans\win\a.yaml`, "plans/win/a.yaml", "%SRCROOT%"},
		{"../up.yaml", "../up.yaml", "%SRCROOT%"},
		{"a b#c?d%e.yaml", "a%20b%23c%3Fd%25e.yaml", "%SRCROOT%"},
		{"c:odd.yaml", "./c:odd.yaml", "%SRCROOT%"},
		{"/abs/plan.yaml", "file:///abs/plan.yaml", ""},
		{`C:\repo\plan.yaml`, "file:///C:/repo/plan.yaml", ""},
	} {
		if uri, base := artifactURI(tc.path); uri != tc.uri || base != tc.base {
			t.Errorf("artifactURI(%q) = %q, %q; want %q, %q", tc.path, uri, base, tc.uri, tc.base)
		}
	}
}

func TestGitHubEscaping(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Finding
		want string
	}{
		{
			"plain",
			Finding{Severity: Error, Rule: "plan/unknown-link", Message: "no such link", File: "plans/a.yaml", Line: 3, Col: 5},
			"::error file=plans/a.yaml,line=3,col=5,title=plan/unknown-link::no such link\n",
		},
		{
			"hostile",
			Finding{
				Severity: Warning, Rule: "r,1:x", File: "odd,name:1.yaml", Line: 2,
				Message: "100% bad\r\n::error file=x::injected", Hint: "a\nb%0A",
			},
			"::warning file=odd%2Cname%3A1.yaml,line=2,title=r%2C1%3Ax::100%25 bad%0D%0A::error file=x::injected%0Ahint: a%0Ab%250A\n",
		},
		{
			"no location",
			Finding{Severity: Note, Rule: "changegate.window", Message: "window ends soon", Line: 4, Col: 2},
			"::notice title=changegate.window::window ends soon\n",
		},
		{
			"column without line",
			Finding{Severity: Error, Rule: "r", Message: "m", File: "f.yaml", Col: 7},
			"::error file=f.yaml,title=r::m\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Report{Cases: []Case{{Findings: []Finding{tc.f}}}}
			if got := string(write(t, GitHub, r)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats() {
		if got, err := ParseFormat(string(f)); err != nil || got != f {
			t.Errorf("ParseFormat(%q) = %q, %v", f, got, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"yaml", `unknown format "yaml": use one of text, json, junit, sarif, github`},
		{"", `unknown format "": use one of text, json, junit, sarif, github`},
		{"jsno", `(did you mean "json"?)`},
		{"JSON", `(did you mean "json"?)`},
		{"sarif2", `(did you mean "sarif"?)`},
		{"txt", `(did you mean "text"?)`},
		{"xml", `(did you mean "junit"?)`},
		{"actions", `(did you mean "github"?)`},
	} {
		_, err := ParseFormat(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseFormat(%q) error = %v, want it to contain %q", tc.in, err, tc.want)
		}
	}
	// A command offering a subset lists only it, and suggests only from it.
	if f, err := ParseFormat("json", Text, JSON); err != nil || f != JSON {
		t.Errorf("ParseFormat(json, text|json) = %v, %v", f, err)
	}
	for _, tc := range []struct{ in, want, not string }{
		{"yaml", `unknown format "yaml": use one of text, json`, "junit"},
		{"xml", `use one of text, json`, "did you mean"},
		{"sarif", `use one of text, json`, "did you mean"},
		{"jsno", `(did you mean "json"?)`, "junit"},
	} {
		_, err := ParseFormat(tc.in, Text, JSON)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.not) {
			t.Errorf("ParseFormat(%q, text|json) error = %v, want %q and not %q", tc.in, err, tc.want, tc.not)
		}
	}
	if err := Write(&bytes.Buffer{}, "yaml", sample()); err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Errorf("Write with an unknown format: %v", err)
	}
}

func TestFailedAndSummary(t *testing.T) {
	r := sample()
	if !r.Failed() {
		t.Error("sample has errors but Failed is false")
	}
	if got, want := r.Summary(), (Summary{Cases: 5, Failed: 2, Errors: 3, Warnings: 2, Notes: 1}); got != want {
		t.Errorf("Summary = %+v, want %+v", got, want)
	}
	warnOnly := &Report{Cases: []Case{{Findings: []Finding{{Severity: Warning, Rule: "r"}, {Severity: Note, Rule: "r"}}}}}
	if warnOnly.Failed() || (&Report{}).Failed() {
		t.Error("warnings and notes alone must not fail the report")
	}
}

func TestInvalidReports(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    *Report
		want string
	}{
		{"unknown severity", &Report{Cases: []Case{{Suite: "s", Name: "n", Findings: []Finding{{Severity: "fatal", Rule: "r"}}}}}, `s n: unknown severity "fatal"`},
		{"empty severity", &Report{Cases: []Case{{Findings: []Finding{{Rule: "r"}}}}}, `unknown severity ""`},
		{"no rule", &Report{Cases: []Case{{Findings: []Finding{{Severity: Error, Message: "m"}}}}}, `finding "m" has no rule`},
		{"rule without id", &Report{Rules: []Rule{{Title: "t"}}}, `a rule has no ID (title "t")`},
		{"duplicate rule", &Report{Rules: []Rule{{ID: "a"}, {ID: "a"}}}, `rule "a" is described twice`},
		{"rule severity", &Report{Rules: []Rule{{ID: "a", Severity: "high"}}}, `rule "a": unknown severity "high"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range Formats() {
				var b bytes.Buffer
				err := Write(&b, f, tc.r)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: error = %v, want %q", f, err, tc.want)
				}
				if b.Len() != 0 {
					t.Errorf("%s wrote output for an invalid report: %q", f, b.String())
				}
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	for _, f := range Formats() {
		if err := Write(failingWriter{}, f, sample()); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%s: write error = %v", f, err)
		}
	}
}

// A nil report writes as an empty one.
func TestNilReport(t *testing.T) {
	for _, f := range Formats() {
		if !bytes.Equal(write(t, f, nil), write(t, f, &Report{})) {
			t.Errorf("%s: nil report differs from an empty one", f)
		}
	}
}
