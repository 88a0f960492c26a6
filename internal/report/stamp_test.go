package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/changegate/changegate/internal/buildinfo"
)

// Every JSON object WriteJSON writes says first which changegate wrote
// it; the rest is the value as it was, and other JSON values are left
// alone.
func TestStamp(t *testing.T) {
	info := buildinfo.Info{Version: "v1.2.3", Revision: "abc", Go: "go1.26.8"}
	for _, tt := range []struct {
		name string
		v    any
		want string
	}{
		{"object", map[string]int{"a": 1, "b": 2}, "{\n  \"changegate\": {\n    \"version\": \"v1.2.3\",\n    \"revision\": \"abc\",\n    \"go\": \"go1.26.8\"\n  },\n  \"a\": 1,\n  \"b\": 2\n}"},
		{"empty object", struct{}{}, "{\n  \"changegate\": {\n    \"version\": \"v1.2.3\",\n    \"revision\": \"abc\",\n    \"go\": \"go1.26.8\"\n  }\n}"},
		{"list", []int{1, 2}, "[\n  1,\n  2\n]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.MarshalIndent(tt.v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got, err := stamp(data, info)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Error("not valid JSON")
			}
		})
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, map[string]int{"a": 1}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Changegate buildinfo.Info `json:"changegate"`
		A          int            `json:"a"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || doc.Changegate.Version == "" || doc.A != 1 {
		t.Errorf("WriteJSON wrote %s (%v)", b.Bytes(), err)
	}
}
