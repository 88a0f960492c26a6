package importer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"

	"github.com/changegate/changegate/internal/golden"
)

// render writes what an import produced in a stable text form: the
// diagnostics, then either the network as JSON or the error.
func render(net *topology.Network, ds diag.Diagnostics, err error) []byte {
	var le *diag.ListError
	switch {
	case errors.As(err, &le):
		return fmt.Appendf(golden.Diagnostics(ds), "# error: %d problem(s), listed above\n", len(le.Diags.Errors()))
	case err != nil:
		return fmt.Appendf(golden.Diagnostics(ds), "# error\n%v\n", err)
	}
	return golden.Render(ds, "network", net)
}

// checkGolden compares got with testdata/<name>.golden, rewriting it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got)
}

// checkImport checks one import against its expectation: an error
// containing wantErr (no network with it), or a consistent network when
// wantErr is empty; then the golden file testdata/<golden>.golden.
func checkImport(t *testing.T, golden, wantErr string, net *topology.Network, ds diag.Diagnostics, err error) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Fatalf("error = %v, want one containing %q", err, wantErr)
	case err != nil && net != nil:
		t.Fatalf("a failed import returned a network")
	}
	if err == nil {
		if p := consistency(net); len(p) > 0 {
			t.Errorf("inconsistent network: %v", p)
		}
	}
	checkGolden(t, golden, render(net, ds, err))
}

// addSeeds adds every file matching pattern to the fuzz corpus.
func addSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkFuzzImport holds the invariants of any import: an error comes with
// error diagnostics and no network; success has no errors and a
// consistent network.
func checkFuzzImport(t *testing.T, net *topology.Network, ds diag.Diagnostics, err error) {
	t.Helper()
	if err != nil {
		if net != nil || !ds.HasErrors() {
			t.Fatalf("error %v with network %v and diagnostics %v", err, net != nil, ds)
		}
		return
	}
	if ds.HasErrors() {
		t.Fatalf("success with error diagnostics: %v", ds)
	}
	if p := consistency(net); len(p) > 0 {
		t.Fatalf("inconsistent network: %v", p)
	}
}
