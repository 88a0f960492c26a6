package operation

import (
	"strings"
	"testing"
)

// readChecked reads a reviewed verdict strictly, and every refusal
// begins with file:line:column.
func TestReadChecked(t *testing.T) {
	good := `{
  "version": 1,
  "verdict": "allowed",
  "digests": {
    "plan": "sha256:1",
    "topology": "sha256:2",
    "traffic": "sha256:3",
    "policy": "sha256:4"
  },
  "results": [{"msg": "x", "facts": {"n": [1, {"m": 2}]}}]
}
`
	doc, lines, err := readChecked("v.json", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Verdict != "allowed" || doc.Digests.Policy != "sha256:4" {
		t.Errorf("read %+v", doc)
	}
	for key, want := range map[string]int{"": 1, "version": 2, "verdict": 3, "digests": 4, "digests.plan": 5, "digests.policy": 8, "results": 10} {
		if lines[key] != want {
			t.Errorf("line of %q = %d, want %d", key, lines[key], want)
		}
	}
	if _, _, err := readChecked("v.json", []byte("\ufeff"+good)); err != nil {
		t.Errorf("with a byte order mark: %v", err)
	}
	tests := []struct{ name, in, want string }{
		{"empty", "", "v.json:1:1: the file ends before its JSON does"},
		{"cut", good[:40], "v.json:3:"},
		{"not JSON", "title: x\n", "v.json:1:2: invalid character"},
		{"a list", "[1]\n", "v.json:1:1: it is not a JSON object"},
		{"two values", good + "{}\n", "v.json:12:1: more follows the JSON object"},
		{"duplicate key", strings.Replace(good, `"verdict": "allowed",`, `"verdict": "denied", "verdict": "allowed",`, 1), `v.json:3: duplicate key "verdict" (the first is at line 3)`},
		{"duplicate digest", strings.Replace(good, `"plan": "sha256:1",`, `"plan": "sha256:1", "plan": "sha256:9",`, 1), `v.json:5: duplicate key "plan" (the first is at line 5)`},
		{"version a string", strings.Replace(good, `"version": 1`, `"version": "1"`, 1), "v.json:2: version is a string, not a number"},
		{"huge version", strings.Replace(good, `"version": 1`, `"version": 1`+strings.Repeat("0", 400), 1), "v.json:2: version is a number out of range"},
		{"digests a string", strings.Replace(good, `"digests": {`, `"digests": "x", "d": {`, 1), "v.json:4: digests is a string, not an object"},
		{"no version", strings.Replace(good, `"version": 1,`, ``, 1), "v.json:1: it has no version"},
		{"version 2", strings.Replace(good, `"version": 1`, `"version": 2`, 1), "v.json:2: version 2: this changegate reads verdicts of version 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readChecked("v.json", []byte(tt.in))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant %s...", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "0000000000") {
				t.Errorf("the error quotes the number: %v", err)
			}
		})
	}
}
