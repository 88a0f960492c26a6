package devices

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// render writes a load's result in a stable text form: the diagnostics,
// then the inventory as JSON, or nothing when it is nil.
func render(inv *Inventory, ds diag.Diagnostics) []byte {
	var b bytes.Buffer
	b.WriteString("# diagnostics\n")
	for _, d := range ds {
		fmt.Fprintln(&b, d)
	}
	if inv == nil {
		b.WriteString("# no inventory\n")
		return b.Bytes()
	}
	js, err := json.MarshalIndent(inv, "", "  ")
	if err != nil {
		panic(err) // an Inventory always marshals
	}
	b.WriteString("# inventory\n")
	b.Write(js)
	b.WriteByte('\n')
	return b.Bytes()
}

// checkGolden compares got with testdata/<name>.golden, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
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
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it) (-want +got):\n%s", path, cmp.Diff(string(want), string(got)))
	}
}
