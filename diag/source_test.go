package diag

import (
	"encoding/json"
	"strings"
	"testing"
)

// ReadJSON reports each way a command's output is not one JSON value at
// the line and column where it goes wrong.
func TestSourceReadJSON(t *testing.T) {
	read := func(dec *json.Decoder) error {
		var v any
		return dec.Decode(&v)
	}
	for _, tt := range []struct {
		name, data, want string
	}{
		{"fine", "{\"a\": [1, 2]}\n", ""},
		{"empty", " \n", "out:1:1: x: the output is empty"},
		{"not JSON", "\n% Unknown command\n", "out:2:1: x: the output is not JSON: % Unknown command"},
		{"text after", "{}\n junk", "out:2:2: x: invalid JSON: text after the JSON value"},
		{"cut off", "{\"a\": [1,", "x: invalid JSON: the output ends inside a JSON value (cut off?)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ds := NewSource("out", []byte(tt.data)).ReadJSON("x", "hint", func(s string) string { return s }, read)
			got := ""
			if len(ds) > 0 {
				got = ds[0].String()
			}
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("ReadJSON = %q, want %q", got, tt.want)
			}
		})
	}
}
