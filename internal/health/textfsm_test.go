package health

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/textfsm"
	"github.com/changegate/changegate/plans"
)

// ospfTemplate parses FRR's show ip ospf neighbor (text, not json).
const ospfTemplateFile = "frr_show_ip_ospf_neighbor.textfsm"

func fixture(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func textFSMCheck(t testing.TB, template, expr string) plans.Check {
	t.Helper()
	c := check(plans.ExpectTextFSM, expr)
	c.Command = "show ip ospf neighbor"
	c.Expect.Template = template
	return c
}

func TestTextFSM(t *testing.T) {
	tmpl := fixture(t, ospfTemplateFile)
	tests := []struct {
		name, fixture, expr string
		passed              bool
		reason              string
	}{
		{"two Full", "frr84_lab_ospf_neighbor.txt",
			`count([r | some r in output; startswith(r.STATE, "Full")]) >= 2`, true,
			"the template parsed 4 records; expression `count([r | some r in output; startswith(r.STATE, \"Full\")]) >= 2` is true"},
		{"every neighbour Full", "frr84_lab_ospf_neighbor.txt",
			`[r.NEIGHBOR_ID | some r in output; not startswith(r.STATE, "Full")] == []`, true,
			"the template parsed 4 records; expression `[r.NEIGHBOR_ID | some r in output; not startswith(r.STATE, \"Full\")] == []` is true"},
		{"not every neighbour Full", "frr84_ospf_neighbor_exstart.txt",
			`[sprintf("%s is %s", [r.NEIGHBOR_ID, r.STATE]) | some r in output; not startswith(r.STATE, "Full")] == []`, false,
			"the template parsed 4 records; expression `[sprintf(\"%s is %s\", [r.NEIGHBOR_ID, r.STATE]) | some r in output; not startswith(r.STATE, \"Full\")] == []` is false " +
				"([sprintf(\"%s is %s\", [r.NEIGHBOR_ID, r.STATE]) | some r in output; not startswith(r.STATE, \"Full\")] is [\"198.18.0.4 is ExStart/-\",\"198.18.0.9 is Init/-\"])"},
		{"a neighbour on an interface", "frr84_lab_ospf_neighbor.txt",
			`some r in output; r.NEIGHBOR_ID == "198.18.0.4"; startswith(r.INTERFACE, "cg-p2:"); r.STATE == "Full/-"`, true,
			"the template parsed 4 records; expression `some r in output; r.NEIGHBOR_ID == \"198.18.0.4\"; startswith(r.INTERFACE, \"cg-p2:\"); r.STATE == \"Full/-\"` is true"},
		{"a neighbour missing", "frr84_ospf_neighbor_exstart.txt",
			`some r in output; r.NEIGHBOR_ID == "198.18.0.7"`, false,
			"the template parsed 4 records; expression `some r in output; r.NEIGHBOR_ID == \"198.18.0.7\"` is false or undefined"},
		{"records and lines together", "frr84_lab_ospf_neighbor.txt",
			`count(output) == count([l | some l in lines; regex.match("^198\\.18\\.", l)])`, true,
			"the template parsed 4 records; expression `count(output) == count([l | some l in lines; regex.match(\"^198\\\\.18\\\\.\", l)])` is true"},
		{"zero records: json output", "frr84_lab_ospf_neighbor.json",
			`count(output) >= 2`, false,
			"the template parsed no records from the output (100 lines): check that it matches what the command prints; expression `count(output) >= 2` is false (count(output) is 0)"},
		{"zero records: empty output", "frr_empty.json",
			`count(output) >= 2`, false,
			"the template parsed no records from the output (1 line): check that it matches what the command prints; expression `count(output) >= 2` is false (count(output) is 0)"},
		{"zero records can pass", "frr84_lab_ospf_neighbor.json",
			`count(output) == 0`, true,
			"the template parsed 0 records; expression `count(output) == 0` is true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := mustCompile(t, textFSMCheck(t, tmpl, tt.expr))
			res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: fixture(t, tt.fixture)}}}, "p1")
			a := res.Attempts[0]
			if res.Passed != tt.passed || a.Reason != tt.reason {
				t.Errorf("passed = %v, reason:\n%s\nwant %v:\n%s", res.Passed, a.Reason, tt.passed, tt.reason)
			}
			if a.Err != nil {
				t.Errorf("attempt error: %v", a.Err)
			}
		})
	}
}

func TestTextFSMTemplateError(t *testing.T) {
	tmpl := "Value ID (\\S+)\n\nStart\n  ^Neighbor ID\n  ^${ID}\\s+\\d+\\s+Full -> Record\n  ^\\S -> Error \"neighbour not Full\"\n"
	k := mustCompile(t, textFSMCheck(t, tmpl, `count(output) >= 1`))
	res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: fixture(t, "frr84_ospf_neighbor_exstart.txt")}}}, "p1")
	a := res.Attempts[0]
	if res.Passed || a.Err == nil {
		t.Fatalf("passed = %v, err = %v; want a failure with an error", res.Passed, a.Err)
	}
	want := `the TextFSM template could not parse the output: the template's Error action: Error: "neighbour not Full". Rule Line: 6. Input Line: 198.18.0.4        1 ExStart/-       1.204s             3.018s 198.19.0.9      cg-p2:198.19.0.8                     0     0     0.`
	if a.Reason != want {
		t.Errorf("reason:\n%s\nwant\n%s", a.Reason, want)
	}
}

func TestTextFSMCompileErrors(t *testing.T) {
	good := fixture(t, ospfTemplateFile)
	fromFile := textFSMCheck(t, "Value X (a)\n\nStart\n  ^${NEIGHBOR} -> Record\n", "true")
	fromFile.Expect.TemplateFile = "templates/x.textfsm"
	tests := []struct {
		name string
		c    plans.Check
		want string
	}{
		{"no template", textFSMCheck(t, "", "true"), `check "c": expect textfsm has no template`},
		{"no expression", textFSMCheck(t, good, ""), `check "c": expect textfsm has no value`},
		{"bad template", textFSMCheck(t, "Value X (a)\n\nBegin\n  ^a\n", "true"), `check "c": TextFSM template: line 3: the template has no Start state (its first state is Begin)`},
		{"bad template from a file", fromFile, `check "c": TextFSM template templates/x.textfsm: line 4: the rule uses $NEIGHBOR, but the template has no Value NEIGHBOR (its Values: X)`},
		{"bad expression", textFSMCheck(t, good, "count(output >= 2"), `check "c": parse Rego expression:`},
		{"unknown function", textFSMCheck(t, good, "frobnicate(output)"), `check "c": compile Rego expression: 1 error occurred: 1:1: rego_type_error: undefined function frobnicate`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.c)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n got %v\nwant prefix %s", err, tt.want)
			}
		})
	}
	var te *textfsm.Error
	if _, err := Compile(fromFile); !errors.As(err, &te) || te.Line != 4 {
		t.Errorf("the error does not carry the template line: %#v", err)
	}
}

// TestTextFSMTimeout: a try does not wait for a parse past its timeout.
// The same parse, started just before the try, is still running when the
// try comes back (it takes seconds; the try's timeout is 20ms).
func TestTextFSMTimeout(t *testing.T) {
	var b strings.Builder
	b.WriteString("Value X (\\d+)\n\nStart\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  ^x%d ${X} -> Record\n", i)
	}
	c := textFSMCheck(t, b.String(), "count(output) > 0")
	c.Timeout = 20 * time.Millisecond
	k := mustCompile(t, c)
	out := strings.Repeat("a line that no rule matches\n", 1000)
	tmpl, err := textfsm.Compile(b.String())
	if err != nil {
		t.Fatal(err)
	}
	parsed := make(chan struct{})
	go func() {
		tmpl.Parse(out)
		close(parsed)
	}()
	res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: out}}}, "p1")
	select {
	case <-parsed:
		t.Errorf("the try came back after a whole parse of the output, not at its 20ms timeout")
	default:
	}
	if res.Passed || !errors.Is(res.Attempts[0].Err, context.DeadlineExceeded) {
		t.Errorf("passed = %v, err = %v; want a deadline error", res.Passed, res.Attempts[0].Err)
	}
	if want := "the TextFSM template did not finish parsing the output"; !strings.Contains(res.Reason, want) {
		t.Errorf("reason %q does not say %q", res.Reason, want)
	}
}

// TestTextFSMConcurrentRuns runs one compiled check on many devices at
// once, with different outputs: each gets its own records.
func TestTextFSMConcurrentRuns(t *testing.T) {
	k := mustCompile(t, textFSMCheck(t, fixture(t, ospfTemplateFile), `[r | some r in output; not startswith(r.STATE, "Full")] == []`))
	good, bad := fixture(t, "frr84_lab_ospf_neighbor.txt"), fixture(t, "frr84_ospf_neighbor_exstart.txt")
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			out, want := good, true
			if i%2 == 1 {
				out, want = bad, false
			}
			res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: out}}}, "p1")
			if res.Passed != want || !strings.HasPrefix(res.Reason, "the template parsed 4 records") {
				t.Errorf("run %d: passed = %v: %s", i, res.Passed, res.Reason)
			}
		})
	}
	wg.Wait()
}
