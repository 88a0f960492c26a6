package discover

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
)

// seedFiles adds the recordings matching glob, and some broken inputs.
func seedFiles(f *testing.F, glob string, extra ...string) {
	paths, _ := filepath.Glob(glob)
	if len(paths) == 0 {
		f.Fatalf("no recordings match %s", glob)
	}
	for _, p := range paths[:min(len(paths), 2)] {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// checkParse is what every parser promises: a result exactly when there
// is no error, only for valid JSON, and every problem positioned inside
// the input.
func checkParse(t *testing.T, name string, data []byte, isNil bool, err error) {
	t.Helper()
	if (err == nil) == isNil {
		t.Fatalf("result nil %v with error %v", isNil, err)
	}
	if err == nil {
		if !json.Valid(data) {
			t.Fatalf("accepted invalid JSON %q", data)
		}
		return
	}
	var le *diag.ListError
	if !errors.As(err, &le) {
		t.Fatalf("error is not a diag list: %T %v", err, err)
	}
	lines := 1
	for _, c := range data {
		if c == '\n' {
			lines++
		}
	}
	for _, d := range le.Diags {
		if d.Pos.File != name || d.Pos.Line < 1 || d.Pos.Line > lines || d.Pos.Col < 1 {
			t.Fatalf("problem outside the input (%d lines): %v", lines, d)
		}
	}
}

func FuzzParseFRROSPFDatabase(f *testing.F) {
	seedFiles(f, "testdata/frr84/*/*.ospf-database-router.json",
		`{"routerId":"198.18.0.1"}`,
		`{"routerId":"x","routerLinkStates":{"areas":{"0.0.0.0":[{"advertisingRouter":"198.18.0.1","routerLinks":{"link0":{"linkType":"Stub Network","networkAddress":"198.19.0.0","networkMask":"255.0.255.0","tos0Metric":1}}}]}}}`,
		`{"routerId":"198.18.0.1","routerLinkStates":{"areas":{"0.0.0.0":[{"advertisingRouter":"198.18.0.1","routerLinks":{"linkX":{"tos0Metric":1.5}}}]}}}`,
		`% Unknown command`, `{"routerId": [`)
	f.Fuzz(func(t *testing.T, data []byte) {
		db, err := ParseFRROSPFDatabase("db", data)
		checkParse(t, "db", data, db == nil, err)
	})
}

func FuzzParseFRRInterfaces(f *testing.F) {
	seedFiles(f, "testdata/frr84/*/*.interface.json",
		`{"eth0":{"administrativeStatus":"up","ipAddresses":[{"address":"198.19.0.0"}]}}`,
		`{"eth0":{"speed":"fast"}}`, `[]`, `{"":{}}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		ifs, err := ParseFRRInterfaces("ifs", data)
		checkParse(t, "ifs", data, ifs == nil, err)
	})
}

func FuzzParseFRRISISHostnames(f *testing.F) {
	seedFiles(f, "testdata/frr84/*/*.isis-hostname.txt",
		"vrf     : default\nLevel  System ID      Dynamic Hostname\n2      1980.1800.0004 d\n     * 1980.1800.0001 a\n",
		"Level  System ID      Dynamic Hostname\n2 x y z\n", "% Unknown command", "")
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, err := ParseFRRISISHostnames("hn", data)
		if err != nil && hs != nil {
			t.Fatalf("result %v with error %v", hs, err)
		}
		var le *diag.ListError
		if err != nil && !errors.As(err, &le) {
			t.Fatalf("error is not a diag list: %T %v", err, err)
		}
		if err != nil {
			lines := 1 + strings.Count(string(data), "\n")
			for _, d := range le.Diags {
				if d.Pos.File != "hn" || d.Pos.Line < 1 || d.Pos.Line > lines {
					t.Fatalf("problem outside the input (%d lines): %v", lines, d)
				}
			}
		}
	})
}
