// Package golden compares test output with golden files, and rewrites
// them when the tests run with -update (go test ./... -update).
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files instead of comparing with them")

// Check compares got with the file at path; with -update it writes got
// there instead. A difference is reported as a diff (-want +got).
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the output (go test -update rewrites it) (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}

// Render writes a load's result in a stable text form for golden files:
// "# diagnostics" and one line per diagnostic, then "# KIND" and v as
// indented JSON, or "# no KIND" when v is nil.
func Render(ds diag.Diagnostics, kind string, v any) []byte {
	b := bytes.NewBuffer(Diagnostics(ds))
	if v == nil || reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil() {
		fmt.Fprintf(b, "# no %s\n", kind)
		return b.Bytes()
	}
	js, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		fmt.Fprintf(b, "# %s does not marshal: %v\n", kind, err)
		return b.Bytes()
	}
	fmt.Fprintf(b, "# %s\n%s\n", kind, js)
	return b.Bytes()
}

// Diagnostics writes "# diagnostics" and one line per diagnostic.
func Diagnostics(ds diag.Diagnostics) []byte {
	var b bytes.Buffer
	b.WriteString("# diagnostics\n")
	for _, d := range ds {
		fmt.Fprintln(&b, d)
	}
	return b.Bytes()
}
