package textfsm

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// template builds a template from lines, so that line numbers in tests
// are easy to read.
func template(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Error
	}{
		{"empty", "  \n", Error{Line: 1, Msg: "the template is empty"}},
		{"no states", template("Value X (a)"),
			Error{Line: 1, Msg: "the template has no states: after its Value lines, a blank line, then Start and its rules"}},
		{"no Value lines", template("# a comment", "Start", "  ^a"),
			Error{Line: 2, Msg: "a template starts with its Value lines (Value NAME (REGEX)), then a blank line"}},
		{"bad option", template("Value Filldwn X (a)", "", "Start", "  ^a"),
			Error{Line: 1, Msg: "Invalid option Filldwn"}},
		{"regex not in parentheses", template("Value X (a)+", "", "Start", "  ^a"),
			Error{Line: 1, Msg: "Value '(a)+' must be contained within a '()' pair."}},
		{"bad Value regex", template("Value X ([)", "", "Start", "  ^a"),
			Error{Line: 1, Msg: "Invalid regular expression '([)'. Error: 'error parsing regexp: missing closing ]: `[)`'"}},
		{"Value twice", template("Value X (a)", "Value Y (b)", "Value X (c)", "", "Start", "  ^a"),
			Error{Line: 3, Msg: "Value X is declared twice (first at line 1)"}},
		{"no Start", template("Value X (a)", "", "Begin", "  ^${X} -> Record"),
			Error{Line: 3, Msg: "the template has no Start state (its first state is Begin)"}},
		{"Value name with a regex's characters", template("Value X (a)", "Value Y[2J (b)", "", "Start", "  ^${X} -> Record"),
			Error{Line: 2, Msg: `Value name "Y[2J": use at most 48 letters, digits and underscores`}},
		{"Value name too long", template("Value Required "+strings.Repeat("N", 49)+" (a)", "", "Start", "  ^a"),
			Error{Line: 1, Msg: `Value name "` + strings.Repeat("N", 48) + `…": use at most 48 letters, digits and underscores`}},
		{"a long regex is quoted clipped", template("Value X ("+strings.Repeat("r", 100)+")+", "", "Start", "  ^a"),
			Error{Line: 1, Msg: "Value '(" + strings.Repeat("r", 47) + "…' must be contained within a '()' pair."}},
		{"a long rule regex is quoted clipped", template("Value X (a)", "", "Start", "  ^${X} ("+strings.Repeat("r", 100)+" -> Record"),
			Error{Line: 4, Msg: "Invalid regular expression '^(?P<X>a) (" + strings.Repeat("r", 37) + "…'. Error: 'error parsing regexp: missing closing ): `^(?P<X>a) (" + strings.Repeat("r", 37) + "…`'"}},
		{"rule without indent", template("Value X (a)", "", "Start", "^${X} -> Record"),
			Error{Line: 4, Msg: "Missing white space or carat ('^') before rule."}},
		{"unknown state", template("Value X (a)", "", "Start", "  ^x", "  ^${X} -> Neighbours", "", "Neighbors", "  ^y"),
			Error{Line: 5, Msg: "state Start goes to state Neighbours, which the template does not define (did you mean Neighbors?)"}},
		{"unknown state, nothing close", template("Value X (a)", "", "Start", "  ^${X} -> Neighbors"),
			Error{Line: 4, Msg: "state Start goes to state Neighbors, which the template does not define"}},
		{"Continue with a state", template("Value X (a)", "", "Start", "  ^${X} -> Continue Other", "", "Other", "  ^b"),
			Error{Line: 4, Msg: "Action 'Continue' with new state Other specified"}},
		{"End with rules", template("Value X (a)", "", "Start", "  ^${X} -> Record", "", "End", "  ^b"),
			Error{Line: 6, Msg: "state End must have no rules"}},
		{"bad rule regex", template("Value X (a)", "", "Start", "  ^${X} (b -> Record"),
			Error{Line: 4, Msg: "Invalid regular expression '^(?P<X>a) (b'. Error: 'error parsing regexp: missing closing ): `^(?P<X>a) (b`'"}},
		{"unknown Value, close to one", template("Value NEIGHBOR_ID (\\S+)", "", "Start", "  ^${NEIGHBOUR_ID} -> Record"),
			Error{Line: 4, Msg: "the rule uses $NEIGHBOUR_ID, but the template has no Value NEIGHBOUR_ID (did you mean $NEIGHBOR_ID?)"}},
		{"unknown Value without braces", template("Value A (\\S+)", "Value B (\\S+)", "", "Start", "  ^$A $STATE -> Record"),
			Error{Line: 5, Msg: "the rule uses $STATE, but the template has no Value STATE (its Values: A, B)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.in)
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Compile error = %v (%T), want an *Error", err, err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReferences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`^${A}\s+$B $$`, []string{"A", "B"}},
		{`^a$$`, nil},
		{`^$$$A`, []string{"A"}},
		{`^${A`, nil},
		{`^$`, nil},
		{`^$1`, nil},
		{`^$_x9 y`, []string{"_x9"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, references(tt.in)); diff != "" {
			t.Errorf("references(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

const ospfTemplate = "../health/testdata/frr_show_ip_ospf_neighbor.textfsm"

func mustRead(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestParseFRROSPFNeighbors(t *testing.T) {
	tm, err := Compile(mustRead(t, ospfTemplate))
	if err != nil {
		t.Fatal(err)
	}
	wantValues := []string{"NEIGHBOR_ID", "PRIORITY", "STATE", "UP_TIME", "DEAD_TIME", "ADDRESS", "INTERFACE", "RXMTL", "RQSTL", "DBSML"}
	if diff := cmp.Diff(wantValues, tm.Values()); diff != "" {
		t.Errorf("Values mismatch (-want +got):\n%s", diff)
	}
	recs, err := tm.Parse(mustRead(t, "../health/testdata/frr84_lab_ospf_neighbor.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4: %v", len(recs), recs)
	}
	want := map[string]any{
		"NEIGHBOR_ID": "198.18.0.1", "PRIORITY": "1", "STATE": "Full/-", "UP_TIME": "1.161s", "DEAD_TIME": "3.836s",
		"ADDRESS": "198.19.0.0", "INTERFACE": "cg-ebs1:198.19.0.1", "RXMTL": "0", "RQSTL": "0", "DBSML": "0",
	}
	if diff := cmp.Diff(want, recs[0]); diff != "" {
		t.Errorf("first record mismatch (-want +got):\n%s", diff)
	}
	var ids []string
	for _, r := range recs {
		ids = append(ids, r["NEIGHBOR_ID"].(string))
	}
	if diff := cmp.Diff([]string{"198.18.0.1", "198.18.0.2", "198.18.0.4", "198.18.0.9"}, ids); diff != "" {
		t.Errorf("neighbour IDs mismatch (-want +got):\n%s", diff)
	}
}

func TestParseValueKinds(t *testing.T) {
	tm, err := Compile(template(
		`Value Filldown AREA (\S+)`,
		`Value Required IFACE (\S+)`,
		`Value List NBRS (\S+)`,
		`Value ADDR ((?P<ip>[\d.]+)/(?P<len>\d+))`,
		``,
		`Start`,
		`  ^Area ${AREA}`,
		`  ^Interface ${IFACE} ${ADDR}`,
		`  ^  neighbor ${NBRS}`,
		`  ^end -> Record`,
	))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := tm.Parse(strings.Join([]string{
		"Area 0", "Interface eth1 198.18.1.0/31", "  neighbor 198.18.0.2", "  neighbor 198.18.0.3", "end",
		"Interface eth2 198.18.1.2/31", "end",
		"end", // no IFACE: Required drops the record
	}, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"AREA": "0", "IFACE": "eth1", "NBRS": []any{"198.18.0.2", "198.18.0.3"}, "ADDR": map[string]any{"ip": "198.18.1.0", "len": "31"}},
		{"AREA": "0", "IFACE": "eth2", "NBRS": []any{}, "ADDR": map[string]any{"ip": "198.18.1.2", "len": "31"}},
	}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
}

func TestParseErrors(t *testing.T) {
	tm, err := Compile(template(`Value X (\d+)`, ``, `Start`, `  ^${X} -> Record`, `  ^bad -> Error "unexpected line"`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tm.Parse("1\nbad\n2\n"); err == nil || !strings.Contains(err.Error(), "unexpected line") {
		t.Errorf("Error action: err = %v, want the template's message", err)
	}
	if _, err := tm.Parse(strings.Repeat("x", maxLine+1)); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Errorf("long line: err = %v", err)
	}
	// A line longer than bufio's default 64 KiB is fine.
	recs, err := tm.Parse(strings.Repeat("7", 100_000) + "\n")
	if err != nil || len(recs) != 1 {
		t.Errorf("100 kB line: %d records, err %v", len(recs), err)
	}
}

// TestParseIsIndependent runs one template over different outputs at
// once and in turn: no record, Filldown value or List leaks from one
// parse into another.
func TestParseIsIndependent(t *testing.T) {
	tm, err := Compile(template(`Value Filldown A (\S+)`, `Value List L (\d+)`, ``, `Start`, `  ^a ${A}`, `  ^l ${L}`, `  ^end -> Record`, ``, `EOF`))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			in, want := "a x\nl 1\nl 2\nend\n", 1
			if i%2 == 1 {
				in = "l 3\nend\n"
			}
			recs, err := tm.Parse(in)
			if err != nil || len(recs) != want {
				t.Errorf("parse %d: %v, %v", i, recs, err)
				return
			}
			if i%2 == 1 && (recs[0]["A"] != "" || len(recs[0]["L"].([]any)) != 1) {
				t.Errorf("parse %d: state leaked from another parse: %v", i, recs)
			}
		})
	}
	wg.Wait()
}
