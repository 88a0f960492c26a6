package diag

import (
	"errors"
	"strings"
	"testing"
)

type jsonDoc struct {
	Version int `json:"version"`
	Name    string
	Digests struct {
		Plan string `json:"plan"`
	} `json:"digests"`
}

func TestJSONDecode(t *testing.T) {
	j := JSON{File: "a.json", Nested: []string{"digests"}}
	tests := []struct {
		name, data, want string // want: the error's text, "" for none
	}{
		{"good", "{\n \"version\": 1,\n \"digests\": {\"plan\": \"p\"}\n}\n", ""},
		{"byte order mark", "\ufeff{\"version\": 1}", ""},
		{"duplicate key", "{\n \"version\": 1,\n \"version\": 2\n}", `a.json:3: duplicate key "version" (the first is at line 2)`},
		{"duplicate nested key", "{\n \"digests\": {\n  \"plan\": \"a\",\n  \"plan\": \"b\"}\n}", `a.json:4: duplicate key "plan" (the first is at line 3)`},
		{"syntax", "{\n \"version\": 1,,\n}", "a.json:2:15: invalid character ',' looking for beginning of object key string"},
		{"cut", "{\n \"version\": 1", "a.json:2:14: the file ends before its JSON does"},
		{"empty", "", "a.json:1:1: the file ends before its JSON does"},
		{"not an object", "[1, 2]", "a.json:1:1: it is not a JSON object"},
		{"more after", "{\"version\": 1} {}", "a.json:1:16: more follows the JSON object"},
		{"unknown field", "{\n \"version\": 1,\n \"verison\": 2\n}", `a.json:3: unknown field "verison"`},
		{"wrong type", "{\n \"version\": \"one\"\n}", "a.json:2: version is a string, not a number"},
		{"out of range", "{\n \"version\": 1e400\n}", "a.json:2: version is a number out of range"},
		{"nested wrong type", "{\n \"digests\": [1]\n}", "a.json:2: digests is an array, not an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d jsonDoc
			_, err := j.Decode([]byte(tt.data), &d)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				return
			}
			var je *JSONError
			if !errors.As(err, &je) || je.Pos.Line < 1 {
				t.Fatalf("err = %v (%T), want a *JSONError with a line", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("err = %q\nwant  %q", err, tt.want)
			}
		})
	}
}

// A key of 10 kB is quoted as an excerpt, not whole.
func TestJSONDecodeClipsKeys(t *testing.T) {
	long := strings.Repeat("k", 10000)
	_, err := JSON{File: "a.json"}.Decode([]byte(`{"`+long+`": 1, "`+long+`": 2}`), &jsonDoc{})
	if err == nil || len(err.Error()) > 200 {
		t.Fatalf("err = %.300v", err)
	}
}

func FuzzJSONDecode(f *testing.F) {
	f.Add([]byte(`{"version": 1, "digests": {"plan": "x"}}`))
	f.Add([]byte(`{"version": 1, "version": 2}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d jsonDoc
		_, err := JSON{File: "f.json", Nested: []string{"digests"}}.Decode(data, &d)
		var je *JSONError
		if err != nil && (!errors.As(err, &je) || je.Pos.Line < 1 || je.Pos.File != "f.json") {
			t.Fatalf("err = %v (%T): want a *JSONError at a line of f.json", err, err)
		}
	})
}
