package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/changegate/changegate/plans"
)

// reply is what the fake runner answers to one call.
type reply struct {
	out   string
	err   error
	block bool   // wait for ctx to be done, then return out and ctx.Err()
	do    func() // called before answering
}

// fakeRunner answers calls from a script, one reply per call, repeating
// the last reply once the script runs out. It records every call.
type fakeRunner struct {
	mu      sync.Mutex
	replies []reply
	calls   []call
}

type call struct {
	device, command string
	at              time.Time
}

func (f *fakeRunner) Run(ctx context.Context, device, command string) (string, error) {
	f.mu.Lock()
	i := len(f.calls)
	f.calls = append(f.calls, call{device, command, time.Now()})
	r := f.replies[min(i, len(f.replies)-1)]
	f.mu.Unlock()
	if r.do != nil {
		r.do()
	}
	if r.block {
		<-ctx.Done()
		return r.out, ctx.Err()
	}
	return r.out, r.err
}

func (f *fakeRunner) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

func mustCompile(t testing.TB, c plans.Check) *Check {
	t.Helper()
	k, err := Compile(c)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return k
}

func check(kind plans.ExpectKind, value string) plans.Check {
	return plans.Check{
		Name: "c", Device: "r1", Command: "show x",
		Expect:  plans.Expect{Kind: kind, Value: value},
		Timeout: 10 * time.Second,
	}
}

const ospfNeighbors = `{
  "neighbors": {
    "198.18.0.2": [{"nbrState": "Full/-", "ifaceName": "cglab-r1-r2:198.18.1.0"}],
    "198.18.0.3": [{"nbrState": "Init/-", "ifaceName": "cglab-r1-r3:198.18.1.2"}]
  }
}`

const ospfText = `Neighbor ID     Pri State           Up Time         Dead Time Address         Interface                        RXmtL RqstL DBsmL
198.18.0.2        1 Full/-          1m02s             3.456s 198.18.1.1      cglab-r1-r2:198.18.1.0               0     0     0
198.18.0.3        1 Full/-          1m01s             3.312s 198.18.1.3      cglab-r1-r3:198.18.1.2               0     0     0
`

func TestExpectations(t *testing.T) {
	tests := []struct {
		name   string
		kind   plans.ExpectKind
		value  string
		output string
		passed bool
		reason string // the attempt's reason, exactly
	}{
		{"contains", plans.ExpectContains, "Full", ospfText, true, `output contains "Full"`},
		{"contains missing", plans.ExpectContains, "Full", "Init/-", false, `output does not contain "Full"`},
		{"contains is case-sensitive", plans.ExpectContains, "full", "Full", false, `output does not contain "full"`},
		{"regex", plans.ExpectRegex, `Cost: \d+`, "  Cost: 500\n", true, `regex Cost: \d+ matches "Cost: 500"`},
		{"regex no line", plans.ExpectRegex, `^Cost: 500$`, "Cost: 10\nCost: 20\n", false, `regex ^Cost: 500$ matched 0 lines (of 2)`},
		{"regex needs (?m)", plans.ExpectRegex, `^Cost: 500$`, "Area 0\nCost: 500\n", false,
			`regex ^Cost: 500$ does not match the output, though it matches 1 of its 2 lines on their own: ^ and $ match at the start and end of the whole output; start the regex with (?m) to match them at each line`},
		{"regex multiline", plans.ExpectRegex, `(?m)^Cost: 500$`, "Area 0\nCost: 500\n", true, `regex (?m)^Cost: 500$ matches "Cost: 500"`},
		{"regex empty output", plans.ExpectRegex, `x`, "", false, `regex x matched 0 lines (of 0)`},

		{"json count", plans.ExpectJSON, `count(output.neighbors) >= 2`, ospfNeighbors, true,
			"expression `count(output.neighbors) >= 2` is true"},
		{"json count false", plans.ExpectJSON, `count(output.neighbors) >= 3`, ospfNeighbors, false,
			"expression `count(output.neighbors) >= 3` is false (count(output.neighbors) is 2)"},
		{"json both sides", plans.ExpectJSON, `output.neighbors["198.18.0.3"][0].nbrState == output.neighbors["198.18.0.2"][0].nbrState`, ospfNeighbors, false,
			"expression `output.neighbors[\"198.18.0.3\"][0].nbrState == output.neighbors[\"198.18.0.2\"][0].nbrState` is false (output.neighbors[\"198.18.0.3\"][0].nbrState is \"Init/-\"; output.neighbors[\"198.18.0.2\"][0].nbrState is \"Full/-\")"},
		{"json undefined", plans.ExpectJSON, `output.neighbors["198.18.0.9"][0].nbrState == "Full/-"`, ospfNeighbors, false,
			"expression `output.neighbors[\"198.18.0.9\"][0].nbrState == \"Full/-\"` is undefined (output.neighbors[\"198.18.0.9\"][0].nbrState is undefined)"},
		{"json not a boolean", plans.ExpectJSON, `count(output.neighbors)`, ospfNeighbors, false,
			"expression `count(output.neighbors)` is 2, not true"},
		{"json boolean call", plans.ExpectJSON, `startswith(output.neighbors["198.18.0.3"][0].nbrState, "Full")`, ospfNeighbors, false,
			"expression `startswith(output.neighbors[\"198.18.0.3\"][0].nbrState, \"Full\")` is false"},
		{"json two parts, second false", plans.ExpectJSON, "count(output.neighbors) == 2\n[id | some id, a in output.neighbors; not startswith(a[0].nbrState, \"Full\")] == []", ospfNeighbors, false,
			"expression `[id | some id, a in output.neighbors; not startswith(a[0].nbrState, \"Full\")] == []` is false ([id | some id, a in output.neighbors; not startswith(a[0].nbrState, \"Full\")] is [\"198.18.0.3\"])"},
		{"json body with some", plans.ExpectJSON, `some id, a in output.neighbors; startswith(a[0].nbrState, "Init")`, ospfNeighbors, true,
			"expression `some id, a in output.neighbors; startswith(a[0].nbrState, \"Init\")` is true"},
		{"json body false", plans.ExpectJSON, `every a in output.neighbors { startswith(a[0].nbrState, "Full") }`, ospfNeighbors, false,
			"expression `every a in output.neighbors { startswith(a[0].nbrState, \"Full\") }` is false or undefined"},
		{"json wildcard is existential", plans.ExpectJSON, `output.neighbors[_][_].nbrState == "Init/-"`, ospfNeighbors, true,
			"expression `output.neighbors[_][_].nbrState == \"Init/-\"` is true"},
		{"not json", plans.ExpectJSON, `count(output.neighbors) >= 2`, ospfText, false,
			"the output is not JSON (invalid character 'N' looking for beginning of value), so output is undefined: expression `count(output.neighbors) >= 2` is undefined (count(output.neighbors) is undefined)"},
		{"trailing text is not json", plans.ExpectJSON, `output.a == 1`, `{"a": 1} r1#`, false,
			"the output is not JSON (text after the JSON value at offset 8: \"r1#\"), so output is undefined: expression `output.a == 1` is undefined (output.a is undefined)"},
		{"json numbers exact", plans.ExpectJSON, `output.n == 18446744073709551615`, `{"n": 18446744073709551615}`, true,
			"expression `output.n == 18446744073709551615` is true"},
		{"lines count", plans.ExpectJSON, `count([l | some l in lines; contains(l, "Full")]) >= 2`, ospfText, true,
			"expression `count([l | some l in lines; contains(l, \"Full\")]) >= 2` is true"},
		{"lines count false", plans.ExpectJSON, `count([l | some l in lines; contains(l, "Full")]) >= 3`, ospfText, false,
			"expression `count([l | some l in lines; contains(l, \"Full\")]) >= 3` is false (count([l | some l in lines; contains(l, \"Full\")]) is 2)"},
		{"lines of text output", plans.ExpectJSON, `count(lines) == 3`, ospfText, true, "expression `count(lines) == 3` is true"},
		{"text", plans.ExpectJSON, `contains(text, "198.18.0.3")`, ospfText, true, "expression `contains(text, \"198.18.0.3\")` is true"},
		{"text of json output", plans.ExpectJSON, `contains(text, "Init")`, ospfNeighbors, true, "expression `contains(text, \"Init\")` is true"},
		{"regex in rego over lines", plans.ExpectJSON, `count([l | some l in lines; regex.match("^198\\.18\\.0\\.\\d+ +1 Full", l)]) == 2`, ospfText, true,
			"expression `count([l | some l in lines; regex.match(\"^198\\\\.18\\\\.0\\\\.\\\\d+ +1 Full\", l)]) == 2` is true"},
		{"input is there too", plans.ExpectJSON, `input.output.neighbors["198.18.0.2"][0].nbrState == "Full/-"`, ospfNeighbors, true,
			"expression `input.output.neighbors[\"198.18.0.2\"][0].nbrState == \"Full/-\"` is true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := mustCompile(t, check(tt.kind, tt.value))
			f := &fakeRunner{replies: []reply{{out: tt.output}}}
			res := k.Run(context.Background(), f, "r1")
			if len(res.Attempts) != 1 {
				t.Fatalf("got %d attempts, want 1", len(res.Attempts))
			}
			a := res.Attempts[0]
			if a.Passed != tt.passed || res.Passed != tt.passed {
				t.Errorf("passed = %v (result %v), want %v; reason %s", a.Passed, res.Passed, tt.passed, a.Reason)
			}
			if a.Reason != tt.reason {
				t.Errorf("reason:\n got %s\nwant %s", a.Reason, tt.reason)
			}
			if a.Err != nil {
				t.Errorf("err = %v", a.Err)
			}
			if a.Output != tt.output {
				t.Errorf("output not kept")
			}
			want := tt.reason
			if tt.passed {
				want += " (attempt 1 of 1)"
			}
			if res.Reason != want {
				t.Errorf("result reason:\n got %s\nwant %s", res.Reason, want)
			}
		})
	}
}

func TestRunRecordsWhatWasRun(t *testing.T) {
	k := mustCompile(t, check(plans.ExpectContains, "Full"))
	f := &fakeRunner{replies: []reply{{out: "Full"}}}
	res := k.Run(context.Background(), f, "r7")
	if res.Check != "c" || res.Device != "r7" || res.Command != "show x" {
		t.Errorf("result = %+v", res)
	}
	calls := f.Calls()
	if len(calls) != 1 || calls[0].device != "r7" || calls[0].command != "show x" {
		t.Errorf("calls = %+v", calls)
	}
	a := res.Attempts[0]
	if a.Started.IsZero() || a.Took < 0 {
		t.Errorf("attempt timing not recorded: %+v", a)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"check":"c"`, `"output":"Full"`, `"passed":true`, `"took_seconds":`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

// TestAttemptJSON reads back what an attempt writes (the run's journal
// keeps check results as JSON): its error as its message, its time.
func TestAttemptJSON(t *testing.T) {
	for _, a := range []Attempt{
		{Output: "Full", Passed: true, Reason: "ok", Started: time.Date(2026, 11, 24, 1, 0, 0, 5, time.UTC), Took: 52568 * time.Nanosecond},
		{Output: "partial", Err: errors.New("connection reset"), Reason: "connection reset", Took: 30 * time.Second},
	} {
		b, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var got Attempt
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		if got.Output != a.Output || got.Passed != a.Passed || got.Reason != a.Reason || !got.Started.Equal(a.Started) || got.Took != a.Took || fmt.Sprint(got.Err) != fmt.Sprint(a.Err) {
			t.Errorf("%s read back as %+v, want %+v", b, got, a)
		}
	}
}

func TestRetries(t *testing.T) {
	boom := errors.New("connection reset")
	k := mustCompile(t, plans.Check{
		Name: "neighbors", Command: "show ip ospf neighbor json",
		Expect:  plans.Expect{Kind: plans.ExpectJSON, Value: `count(output.neighbors) >= 2`},
		Retries: 4, Interval: time.Millisecond, Timeout: 10 * time.Second,
	})
	f := &fakeRunner{replies: []reply{
		{out: `{"neighbors": {}}`},
		{out: "partial", err: boom},
		{out: ospfNeighbors},
		{out: "never asked"},
	}}
	res := k.Run(context.Background(), f, "r1")
	if !res.Passed {
		t.Fatalf("not passed: %s", res.Reason)
	}
	if got := len(f.Calls()); got != 3 {
		t.Errorf("runner called %d times, want 3", got)
	}
	if len(res.Attempts) != 3 {
		t.Fatalf("got %d attempts, want 3", len(res.Attempts))
	}
	if a := res.Attempts[0]; a.Passed || a.Reason != "expression `count(output.neighbors) >= 2` is false (count(output.neighbors) is 0)" {
		t.Errorf("attempt 1: %+v", a)
	}
	if a := res.Attempts[1]; a.Passed || !errors.Is(a.Err, boom) || a.Output != "partial" ||
		a.Reason != `run "show ip ospf neighbor json": connection reset` {
		t.Errorf("attempt 2: %+v", a)
	}
	if res.Reason != "expression `count(output.neighbors) >= 2` is true (attempt 3 of 5)" {
		t.Errorf("reason = %s", res.Reason)
	}
	for i := 1; i < len(res.Attempts); i++ {
		if res.Attempts[i].Started.Before(res.Attempts[i-1].Started) {
			t.Errorf("attempts out of order")
		}
	}
}

func TestAllAttemptsFail(t *testing.T) {
	c := check(plans.ExpectContains, "Full")
	c.Retries = 2
	k := mustCompile(t, c)
	f := &fakeRunner{replies: []reply{{out: "Init"}, {out: "ExStart"}, {out: "Loading"}}}
	res := k.Run(context.Background(), f, "r1")
	if res.Passed || len(res.Attempts) != 3 {
		t.Fatalf("passed %v after %d attempts", res.Passed, len(res.Attempts))
	}
	if res.Reason != `output does not contain "Full" (all 3 attempts failed)` {
		t.Errorf("reason = %s", res.Reason)
	}
	for i, want := range []string{"Init", "ExStart", "Loading"} {
		if res.Attempts[i].Output != want {
			t.Errorf("attempt %d output %q, want %q", i+1, res.Attempts[i].Output, want)
		}
	}
}

func TestInterval(t *testing.T) {
	c := check(plans.ExpectContains, "Full")
	c.Retries, c.Interval = 2, 30*time.Millisecond
	k := mustCompile(t, c)
	f := &fakeRunner{replies: []reply{{out: "Init"}}}
	k.Run(context.Background(), f, "r1")
	calls := f.Calls()
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for i := 1; i < len(calls); i++ {
		// A lower bound only: a loaded machine may wait longer.
		if gap := calls[i].at.Sub(calls[i-1].at); gap < c.Interval {
			t.Errorf("gap %d is %s, want at least %s", i, gap, c.Interval)
		}
	}
}

func TestTimeoutBoundsEachTry(t *testing.T) {
	c := check(plans.ExpectContains, "Full")
	c.Retries, c.Interval, c.Timeout = 2, 0, 20*time.Millisecond
	k := mustCompile(t, c)
	f := &fakeRunner{replies: []reply{{out: "half an ans", block: true}}}
	res := k.Run(context.Background(), f, "r1")
	if res.Passed || len(res.Attempts) != 3 {
		t.Fatalf("passed %v after %d attempts, want 3 failed", res.Passed, len(res.Attempts))
	}
	for i, a := range res.Attempts {
		if !errors.Is(a.Err, context.DeadlineExceeded) {
			t.Errorf("attempt %d: err %v, want deadline exceeded", i+1, a.Err)
		}
		if a.Output != "half an ans" {
			t.Errorf("attempt %d: output %q dropped", i+1, a.Output)
		}
		if want := `run "show x": no answer within 20ms: context deadline exceeded`; a.Reason != want {
			t.Errorf("attempt %d: reason %s, want %s", i+1, a.Reason, want)
		}
		if a.Took < c.Timeout {
			t.Errorf("attempt %d took %s, less than the timeout", i+1, a.Took)
		}
	}
}

func TestContextCancellation(t *testing.T) {
	t.Run("before the first try", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		k := mustCompile(t, check(plans.ExpectContains, "Full"))
		f := &fakeRunner{replies: []reply{{out: "Full"}}}
		res := k.Run(ctx, f, "r1")
		if res.Passed || len(res.Attempts) != 0 || len(f.Calls()) != 0 {
			t.Fatalf("ran on a cancelled context: %+v", res)
		}
		if res.Reason != "not run: context canceled" {
			t.Errorf("reason = %s", res.Reason)
		}
	})
	t.Run("during a try", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := check(plans.ExpectContains, "Full")
		c.Retries, c.Interval = 5, 0
		k := mustCompile(t, c)
		f := &fakeRunner{replies: []reply{{out: "Init"}, {out: "Exchange", block: true, do: cancel}}}
		res := k.Run(ctx, f, "r1")
		if len(res.Attempts) != 2 || len(f.Calls()) != 2 {
			t.Fatalf("%d attempts, %d calls; want 2", len(res.Attempts), len(f.Calls()))
		}
		if a := res.Attempts[1]; !errors.Is(a.Err, context.Canceled) || a.Output != "Exchange" {
			t.Errorf("attempt 2: %+v", a)
		}
		want := `stopped after 2 of 6 attempts (context canceled); last attempt: run "show x": context canceled`
		if res.Reason != want {
			t.Errorf("reason:\n got %s\nwant %s", res.Reason, want)
		}
	})
	t.Run("during the interval", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c := check(plans.ExpectContains, "Full")
		c.Retries, c.Interval = 3, time.Hour
		k := mustCompile(t, c)
		f := &fakeRunner{replies: []reply{{out: "Init", do: cancel}}}
		done := make(chan Result)
		go func() { done <- k.Run(ctx, f, "r1") }()
		select {
		case res := <-done:
			if len(res.Attempts) != 1 || res.Passed {
				t.Errorf("%d attempts, passed %v", len(res.Attempts), res.Passed)
			}
			if want := `stopped after 1 of 4 attempts (context canceled); last attempt: output does not contain "Full"`; res.Reason != want {
				t.Errorf("reason = %s", res.Reason)
			}
		case <-time.After(time.Minute):
			t.Fatal("Run waited out the interval after the context was cancelled")
		}
	})
	t.Run("deadline of the caller", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		c := check(plans.ExpectContains, "Full")
		c.Retries, c.Timeout = 3, time.Hour
		k := mustCompile(t, c)
		f := &fakeRunner{replies: []reply{{block: true}}}
		res := k.Run(ctx, f, "r1")
		if len(res.Attempts) != 1 || !errors.Is(res.Attempts[0].Err, context.DeadlineExceeded) {
			t.Fatalf("attempts: %+v", res.Attempts)
		}
		if strings.Contains(res.Attempts[0].Reason, "no answer within") {
			t.Errorf("the caller's deadline is reported as the check's timeout: %s", res.Attempts[0].Reason)
		}
	})
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		c    plans.Check
		want string
	}{
		{"no command", plans.Check{Name: "n", Expect: plans.Expect{Kind: plans.ExpectContains, Value: "x"}}, `check "n": no command`},
		{"negative retries", plans.Check{Name: "n", Command: "c", Retries: -1, Expect: plans.Expect{Kind: plans.ExpectContains, Value: "x"}}, `check "n": retries is -1; it must be 0 or more`},
		{"empty value", plans.Check{Name: "n", Command: "c", Expect: plans.Expect{Kind: plans.ExpectRegex}}, `check "n": expect regex has no value`},
		{"unknown kind", plans.Check{Name: "n", Command: "c", Expect: plans.Expect{Kind: "ttp", Value: "x"}}, `check "n": unknown expect kind "ttp" (known: contains, regex, json, textfsm)`},
		{"bad regex", check(plans.ExpectRegex, `Cost: (`), "check \"c\": regex: error parsing regexp: missing closing ): `Cost: (`"},
		{"rego syntax", check(plans.ExpectJSON, `count(output.neighbors >= 2`), `check "c": parse Rego expression: 2 errors occurred:
1:27: rego_parse_error: unexpected eof token: expected "," or ")"`},
		{"rego type error", check(plans.ExpectJSON, `count(1) > 0`), `check "c": compile Rego expression: 1 error occurred: 1:1: rego_type_error: count: invalid argument(s)`},
		{"rego unsafe var", check(plans.ExpectJSON, `x > 1`), `check "c": compile Rego expression: 1 error occurred: 1:1: rego_unsafe_var_error: var x is unsafe`},
		{"rego unknown function", check(plans.ExpectJSON, `frobnicate(output)`), `check "c": compile Rego expression: 1 error occurred: 1:1: rego_type_error: undefined function frobnicate`},
		{"rego deprecated builtin (strict)", check(plans.ExpectJSON, `any([true])`), `check "c": compile Rego expression: 1 error occurred: 1:1: rego_type_error: undefined function any`},
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
}

func TestExpressionsCannotDoIO(t *testing.T) {
	for _, expr := range []string{
		`http.send({"method": "GET", "url": "http://198.18.0.1/"}).status_code == 200`,
		`count(net.lookup_ip_addr("example.com")) > 0`,
		`opa.runtime().env.HOME != ""`,
		`time.now_ns() > 0`,
		`rand.intn("x", 10) >= 0`,
		`uuid.rfc4122("x") != ""`,
		`trace("x")`,
	} {
		t.Run(expr, func(t *testing.T) {
			_, err := Compile(check(plans.ExpectJSON, expr))
			if err == nil {
				t.Fatal("compiled")
			}
			if !strings.Contains(err.Error(), "undefined function") {
				t.Errorf("error = %v, want undefined function", err)
			}
		})
	}
}

func TestBuiltinErrorAtRuntime(t *testing.T) {
	k := mustCompile(t, check(plans.ExpectJSON, `to_number(trim_space(text)) > 1`))
	f := &fakeRunner{replies: []reply{{out: "not a number\n"}}}
	res := k.Run(context.Background(), f, "r1")
	a := res.Attempts[0]
	if res.Passed || a.Err == nil {
		t.Fatalf("passed %v, err %v", res.Passed, a.Err)
	}
	if !strings.HasPrefix(a.Reason, "expression `to_number(trim_space(text)) > 1` failed: ") ||
		!strings.Contains(a.Reason, "to_number") {
		t.Errorf("reason = %s", a.Reason)
	}
}

func TestHugeOutput(t *testing.T) {
	var b strings.Builder
	for i := range 200_000 {
		fmt.Fprintf(&b, "198.18.%d.%d  1 Init/-   0.0.0.0  cglab-x\n", i/256%256, i%256)
	}
	b.WriteString("198.18.0.2  1 Full/-   198.18.1.1  cglab-r1-r2\n")
	text := b.String() // about 9 MB

	var j strings.Builder
	j.WriteString(`{"neighbors": {`)
	for i := range 50_000 {
		if i > 0 {
			j.WriteString(",")
		}
		fmt.Fprintf(&j, `"10.%d.%d.%d": [{"nbrState": "Full/-"}]`, i/65536, i/256%256, i%256)
	}
	j.WriteString("}}")

	tests := []struct {
		kind   plans.ExpectKind
		value  string
		output string
		passed bool
	}{
		{plans.ExpectContains, "Full/-", text, true},
		{plans.ExpectRegex, `(?m)^198\.18\.0\.2 +1 Full`, text, true},
		{plans.ExpectRegex, `^198\.18\.0\.2 +1 Full`, text, false},
		{plans.ExpectJSON, `count([l | some l in lines; contains(l, "Full")]) == 1`, text, true},
		{plans.ExpectJSON, `count(output.neighbors) == 50000`, j.String(), true},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+" "+tt.value, func(t *testing.T) {
			k := mustCompile(t, check(tt.kind, tt.value))
			res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: tt.output}}}, "r1")
			if res.Passed != tt.passed {
				t.Errorf("passed = %v: %s", res.Passed, res.Reason)
			}
			if res.Attempts[0].Output != tt.output {
				t.Error("output not kept whole")
			}
			if len(res.Reason) > 1000 {
				t.Errorf("reason is %d bytes long", len(res.Reason))
			}
		})
	}
}

func TestLongValuesAreCut(t *testing.T) {
	k := mustCompile(t, check(plans.ExpectJSON, `output.s == "x"`))
	res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: `{"s": "` + strings.Repeat("é", 1000) + `"}`}}}, "r1")
	if res.Passed || len(res.Reason) > 400 || !strings.Contains(res.Reason, "… (2002 bytes)") {
		t.Errorf("reason = %s", res.Reason)
	}
}

func TestConcurrentRuns(t *testing.T) {
	k := mustCompile(t, check(plans.ExpectJSON, `count(output.neighbors) >= 2`))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: ospfNeighbors}}}, "r1")
				if !res.Passed {
					t.Errorf("not passed: %s", res.Reason)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestNumberTooBigForOPA(t *testing.T) {
	k := mustCompile(t, check(plans.ExpectJSON, "output.n == 1\ncount(lines) == 1"))
	res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: `{"n": 1e1000000}`}}}, "r1")
	want := "the output is not JSON (invalid number: number too big), so output is undefined: expression `output.n == 1` is undefined (output.n is undefined)"
	if res.Passed || res.Attempts[0].Reason != want || res.Attempts[0].Err != nil {
		t.Errorf("got %+v\nwant reason %s", res.Attempts[0], want)
	}
}

func TestGlobalsAloneStayStandalone(t *testing.T) {
	k := mustCompile(t, check(plans.ExpectJSON, "count(lines) == 2\ncontains(text, \"x\")"))
	res := k.Run(context.Background(), &fakeRunner{replies: []reply{{out: "a\nb\n"}}}, "r1")
	if want := "expression `contains(text, \"x\")` is false"; res.Reason != want {
		t.Errorf("reason = %s, want %s", res.Reason, want)
	}
}
