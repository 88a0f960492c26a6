package discover

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/golden"
	"github.com/changegate/changegate/internal/observe"
	"github.com/changegate/changegate/internal/topology"
)

// isisPlatforms are the platforms other than FRR read on IS-IS networks,
// each with recordings (NODE.isis-database.*) of the network of
// testdata/README.md.
var isisPlatforms = []string{"juniper_junos"}

// TestReadPlatformsRecordedISIS discovers each platform's IS-IS
// recordings (written from the vendors' documentation and published
// outputs: testdata/README.md), compares the topology with golden files
// (PLATFORM.isis.golden.yaml), and checks that it is the network the
// same platform's OSPF recordings give: IS-IS keeps a drained router's
// metrics, as the OSPF reading does (from the stub costs), so only the
// IGP and the loopbacks' costs may differ.
func TestReadPlatformsRecordedISIS(t *testing.T) {
	for _, name := range isisPlatforms {
		t.Run(name, func(t *testing.T) {
			out := recordedPlatforms(t, filepath.Join("testdata", name), all(name))
			net, warnings, err := ReadPlatforms(topology.IGPISIS, all(name), out)
			if err != nil {
				t.Fatal(err)
			}
			if ds := net.Validate(); ds.HasErrors() {
				t.Fatalf("discovered network is not valid: %v", ds)
			}
			var b bytes.Buffer
			for _, w := range warnings {
				b.WriteString("# warning: " + w + "\n")
			}
			if err := topology.Write(&b, net); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".isis.golden.yaml")
			golden.Check(t, path, b.Bytes())
			want := readGolden(t, path)
			opts := cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreTypes(diag.Pos{}), cmpopts.IgnoreFields(topology.Network{}, "Files")}
			if d := cmp.Diff(want, net, opts); d != "" {
				t.Errorf("discovered network differs from %s (-want +got):\n%s", path, d)
			}
			ospf, _, err := ReadPlatforms(topology.IGPOSPF, all(name), out)
			if err != nil {
				t.Fatal(err)
			}
			ospf.IGP = net.IGP
			if d := cmp.Diff(ospf, net, opts); d != "" {
				t.Errorf("the IS-IS reading differs from the OSPF one (-ospf +isis):\n%s", d)
			}
			if len(net.Links) != 6 || !net.Nodes[3].Drained || net.Links[3].Up {
				t.Errorf("the network is not the one recorded (6 links, d drained, b-c down): %+v", net)
			}
		})
	}
}

// TestReadPlatformsISISErrors: a router whose own LSP cannot be told
// (no LSP carries one of its addresses), and databases that differ.
func TestReadPlatformsISISErrors(t *testing.T) {
	out := recordedPlatforms(t, filepath.Join("testdata", "juniper_junos"), all("juniper_junos"))
	out["a"][junosISISDatabaseCommand] = strings.ReplaceAll(out["a"][junosISISDatabaseCommand], `"198.18.0.1"`, `"198.18.9.1"`)
	if _, _, err := ReadPlatforms(topology.IGPISIS, all("juniper_junos"), out); err == nil || !strings.Contains(err.Error(), "router a shows no level-2 LSP of its own") {
		t.Errorf("got %v", err)
	}
	out = recordedPlatforms(t, filepath.Join("testdata", "juniper_junos"), all("juniper_junos"))
	out["b"][junosISISDatabaseCommand] = strings.Replace(out["b"][junosISISDatabaseCommand], "0x7 <L1 L2 Overload>", "0x3 <L1 L2>", 1)
	if _, _, err := ReadPlatforms(topology.IGPISIS, all("juniper_junos"), out); err == nil || !strings.Contains(err.Error(), ErrNotConverged.Error()) {
		t.Errorf("got %v, want not converged", err)
	}
	delete(out["c"], junosISISDatabaseCommand)
	if _, _, err := ReadPlatforms(topology.IGPISIS, all("juniper_junos"), out); err == nil || !strings.Contains(err.Error(), `discover c: no output for "show isis database extensive | display json"`) {
		t.Errorf("got %v", err)
	}
}

// TestParseISISPlatformErrors checks that bad IS-IS output is an error at
// its place in the input, saying what to do.
func TestParseISISPlatformErrors(t *testing.T) {
	entry := func(fields string) string {
		return `{"isis-database-information": [{"isis-database": [{"level": [{"data": "2"}], "isis-database-entry": [{` + fields + `}]}]}]}`
	}
	for _, tc := range []struct {
		name  string
		parse func(string, []byte) error
		in    string
		want  string
	}{
		{"junos refused", lspParse(ParseJunosISISDatabase), "error: syntax error, expecting <command>\n", `x:1:1:`},
		{"junos empty", lspParse(ParseJunosISISDatabase), `{"isis-database-information": [{"isis-database": [{"level": [{"data": "1"}]}, {"level": [{"data": "2"}]}]}]}`, `no LSP in the output`},
		{"junos level", lspParse(ParseJunosISISDatabase), `{"isis-database-information": [{"isis-database": [{"level": [{"data": "3"}]}]}]}`, `x:1:61: level "3" is not 1 or 2`},
		{"junos lsp id", lspParse(ParseJunosISISDatabase), entry(`"lsp-id": [{"data": "b"}]`), `x:1:113: lsp-id "b" does not read as SYSTEM.PN-FR`},
		{"junos metric", lspParse(ParseJunosISISDatabase), entry(`"lsp-id": [{"data": "b.00-00"}], "isis-neighbor": [{"is-neighbor-id": [{"data": "a.00"}], "metric": [{"data": "16777216"}]}]`), `LSP b.00-00: metric "16777216" of neighbour "a.00" is not a metric`},
		{"junos prefix", lspParse(ParseJunosISISDatabase), entry(`"lsp-id": [{"data": "b.00-00"}], "isis-prefix": [{"protocol-name": [{"data": "IP"}], "address-prefix": [{"data": "198.19.0.0/33"}], "metric": [{"data": "1"}]}]`), `address-prefix "198.19.0.0/33" is not an IPv4 prefix`},
		{"junos attributes", lspParse(ParseJunosISISDatabase), entry(`"lsp-id": [{"data": "b.00-00"}], "isis-packet": [{"lsp-attributes": [{"data": "L1 L2"}]}]`), `lsp-attributes "L1 L2" is not a hex byte`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse("x", []byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzParseJunosISISDatabase(f *testing.F) {
	seedFiles(f, "testdata/juniper_junos/*.isis-database.json",
		`{"isis-database-information": [{"isis-database": [{"level": [{"data": "2"}], "isis-database-entry": [{"lsp-id": [{"data": "b.00-00"}], "isis-packet": [{"lsp-attributes": [{"data": "0xfff"}]}], "isis-neighbor": [{"is-neighbor-id": [{"data": ""}], "metric": [{"data": "1"}]}], "isis-prefix": [{"protocol-name": [{"data": "IP"}], "address-prefix": [{"data": "::/0"}], "metric": [{"data": "-1"}]}]}]}]}]}`,
		`{"isis-database-information": []}`, `{"isis-database-information": [{"isis-database": [{"level": 2}]}]}`, "{}\n{master:0}\n")
	f.Fuzz(func(t *testing.T, data []byte) {
		lsps, err := ParseJunosISISDatabase("db", data)
		checkParse(t, "db", junosTrim(data), lsps == nil, err)
	})
}

func lspParse(f func(string, []byte) ([]observe.LSP, error)) func(string, []byte) error {
	return func(n string, d []byte) error { _, err := f(n, d); return err }
}
