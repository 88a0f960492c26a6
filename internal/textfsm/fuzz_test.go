package textfsm

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// FuzzCompile compiles arbitrary templates and runs those that compile
// over a few outputs: neither may panic, an error about a line names a
// line of the template, and records hold only the types Parse promises.
func FuzzCompile(f *testing.F) {
	f.Add(mustRead(f, ospfTemplate), mustRead(f, "../health/testdata/frr84_lab_ospf_neighbor.txt"))
	for _, s := range []string{
		"Value X (a)\n\nStart\n  ^${X} -> Record\n",
		"Value Filldown,Required A (\\S+)\nValue List L ((?P<a>\\d)(?P<b>\\d))\n\nStart\n  ^${A} ${L} -> Continue\n  ^end -> Record Next\n\nNext\n  ^x -> Start\n\nEOF\n",
		"Value X (a)\n\nStart\n  ^${X} -> Error \"boom\"\n",
		"Value Fillup X (a)\nValue Key Y (b)\n\nStart\n  ^$X$Y$$ -> Clearall\n  ^c -> End\n",
		"# comment\nValue X ([{}])\n\nStart\n  ^{{ ${X} }} -> Record\n",
	} {
		f.Add(s, "a\nb\nab\n11 22\nend\nx\n")
	}
	f.Fuzz(func(t *testing.T, tmpl, out string) {
		// gotextfsm compiles each rule's regex for every line of output:
		// big inputs only slow the fuzzer down.
		if len(tmpl) > 4<<10 || len(out) > 4<<10 {
			return
		}
		tm, err := Compile(tmpl)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Compile error %v is %T, not *Error", err, err)
			}
			if n := len(splitLines(tmpl)); e.Line < 0 || e.Line > n+1 {
				t.Fatalf("error at line %d of a %d-line template: %v", e.Line, n, err)
			}
			if e.Msg == "" {
				t.Fatal("error without a message")
			}
			return
		}
		recs, err := tm.Parse(out)
		if err != nil {
			return
		}
		if _, err := json.Marshal(recs); err != nil {
			t.Fatalf("records do not encode: %v", err)
		}
		for _, r := range recs {
			for k, v := range r {
				if !plainValue(v, 0) {
					t.Fatalf("record value %s = %#v (%T)", k, v, v)
				}
			}
		}
		// Parsing again gives the same records: nothing is left behind.
		again, err := tm.Parse(out)
		if err != nil || len(again) != len(recs) {
			t.Fatalf("second parse: %d records, %v; first: %d", len(again), err, len(recs))
		}
		_ = strings.Join(tm.Values(), ",")
	})
}

// plainValue reports whether v is a string, a map of strings, or a list
// of either.
func plainValue(v any, depth int) bool {
	switch v := v.(type) {
	case string:
		return true
	case map[string]any:
		for _, x := range v {
			if _, ok := x.(string); !ok {
				return false
			}
		}
		return true
	case []any:
		if depth > 0 {
			return false
		}
		for _, x := range v {
			if !plainValue(x, depth+1) {
				return false
			}
		}
		return true
	}
	return false
}
