package devices

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/changegate/changegate/internal/diag"

	"github.com/changegate/changegate/internal/golden"
)

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
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}
