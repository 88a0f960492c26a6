package discover

import (
	"bytes"
	"errors"
	"net/netip"
	"path/filepath"
	"slices"
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
// testdata/README.md (SR Linux's without L2, as its OSPF recordings).
var isisPlatforms = []string{"cisco_iosxe", "cisco_iosxr", "arista_eos", "juniper_junos", "nokia_srl"}

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
			links := 6
			if name == "nokia_srl" {
				links = 5
			}
			if len(net.Links) != links || !net.Nodes[3].Drained || net.Links[links-3].Up {
				t.Errorf("the network is not the one recorded (%d links, d drained, b-c down): %+v", links, net)
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
		{"srl no instance", lspParse(ParseSRLISISDatabase), `{"instance": [{"name": "main"}]}`, `no IS-IS instance with an oper-system-id`},
		{"srl two instances", lspParse(ParseSRLISISDatabase), `{"instance": [{"oper-system-id": "1980.1800.0001"}, {"oper-system-id": "1980.1800.0002"}]}`, `x:1:53: a second IS-IS instance with system id 1980.1800.0002`},
		{"srl no LSP", lspParse(ParseSRLISISDatabase), `{"instance": [{"oper-system-id": "1980.1800.0001", "level": [{"level-number": 2}]}]}`, `no LSP in the output`},
		{"srl lsp id", lspParse(ParseSRLISISDatabase), `{"instance": [{"oper-system-id": "1980.1800.0001", "level": [{"level-number": 2, "link-state-database": {"lsp": [{"lsp-id": "a.00-00"}]}}]}]}`, `lsp-id "a.00-00" does not read as SYSTEM-ID.PN-FR`},
		{"srl level", lspParse(ParseSRLISISDatabase), `{"instance": [{"oper-system-id": "1980.1800.0001", "level": [{"level-number": 3}]}]}`, `level-number "3" is not 1 or 2`},
		{"srl metric", lspParse(ParseSRLISISDatabase), `{"instance": [{"oper-system-id": "1980.1800.0001", "level": [{"level-number": 2, "link-state-database": {"lsp": [{"lsp-id": "1980.1800.0001.00-00", "tlvs": {"tlv": [{"type": "srl_nokia-isis-lsdb-types:extended-ipv4-reachability", "extended-ipv4-reachability": {"prefixes": {"prefix": [{"prefix": "198.19.0.0/31", "metric": "ten"}]}}}]}}]}}]}]}`, `LSP 1980.1800.0001.00-00: metric "ten" is not an IS-IS metric`},
		{"ios refused", lspParse(ParseIOSISISDatabase), "show isis database detail\n% Invalid input detected at '^' marker.\n", `x:2:1: the router refused the command: "% Invalid input detected at '^' marker."`},
		{"ios empty", lspParse(ParseIOSISISDatabase), "\n", `x:1:1: no LSP in the output`},
		{"ios no level", lspParse(ParseIOSISISDatabase), "b.00-00  * 0x00000004  0x20ad  1160/*  0/0/0\n", `x:1:1: LSP "b.00-00" outside a level's database`},
		{"ios junk", lspParse(ParseIOSISISDatabase), "IS-IS Level-2 Link State Database:\nbogus\nb.00-00  * 0x00000004  0x20ad  1160/*  0/0/0\n", `x:2:1: line "bogus" is neither an LSP`},
		{"ios metric", lspParse(ParseIOSISISDatabase), "IS-IS Level-2 Link State Database:\nb.00-00  * 0x00000004  0x20ad  1160/*  0/0/0\n  Metric: 16777216   IS-Extended a.00\n", `x:3:1: LSP b.00-00: metric "16777216" is out of range`},
		{"ios prefix", lspParse(ParseIOSISISDatabase), "IS-IS Level-2 Link State Database:\nb.00-00  * 0x00000004  0x20ad  1160/*  0/0/0\n  Metric: 10   IP 198.19.0.0 255.0.255.0\n", `x:3:1: LSP b.00-00: "198.19.0.0 255.0.255.0" is not an IPv4 prefix`},
		{"ios router id", lspParse(ParseIOSISISDatabase), "IS-IS Level-2 Link State Database:\nb.00-00  * 0x00000004  0x20ad  1160/*  0/0/0\n  Router ID: 2001:db8::1\n", `x:3:1: LSP b.00-00: Router ID "2001:db8::1" is not an IPv4 address`},
		{"ios two instances", lspParse(ParseIOSISISDatabase), "IS-IS CORE (Level-2) Link State Database\nIS-IS EDGE (Level-2) Link State Database\n", `x:2:1: a second IS-IS instance ("EDGE"), not "CORE"`},
		{"eos not json", lspParse(ParseEOSISISDatabase), "% This is an unconverted command\n", `x:1:1:`},
		{"eos empty", lspParse(ParseEOSISISDatabase), `{"vrfs": {}}`, `no LSP in the output`},
		{"eos two instances", lspParse(ParseEOSISISDatabase), `{"vrfs": {"default": {"isisInstances": {"A": {}, "B": {}}}}}`, `x:1:55: a second IS-IS instance ("B" in VRF "default")`},
		{"eos level", lspParse(ParseEOSISISDatabase), `{"vrfs": {"default": {"isisInstances": {"A": {"level": {"3": {}}}}}}}`, `level "3" is not 1 or 2`},
		{"eos neighbour", lspParse(ParseEOSISISDatabase), `{"vrfs": {"default": {"isisInstances": {"A": {"level": {"2": {"lsps": {"b.00-00": {"neighbors": [{"systemId": "", "metric": 10}]}}}}}}}}}`, `LSP b.00-00: neighbour systemId "" is not a system id`},
		{"eos prefix", lspParse(ParseEOSISISDatabase), `{"vrfs": {"default": {"isisInstances": {"A": {"level": {"2": {"lsps": {"b.00-00": {"reachabilities": [{"reachabilityV4Addr": "198.19.0.0", "maskLength": 33, "metric": 10}]}}}}}}}}}`, `LSP b.00-00: "198.19.0.0"/"33" is not an IPv4 prefix`},
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

// TestReadPlatformsMixedISIS reads one IS-IS network of four platforms,
// as testdata/mixed does for OSPF: a IOS-XE, b Junos, c EOS and d SR
// Linux (testdata/mixed/d.isis-database.json: the network with L2, as SR
// Linux prints it, by system id), each router's outputs taken from its
// platform's recordings. It is the network the Junos recordings give,
// but for interface names.
func TestReadPlatformsMixedISIS(t *testing.T) {
	p := map[string]string{"a": "cisco_iosxe", "b": "juniper_junos", "c": "arista_eos", "d": "nokia_srl"}
	out := map[string]map[string]string{}
	for n, platform := range p {
		out[n] = recordedPlatforms(t, filepath.Join("testdata", platform), all(platform))[n]
	}
	out["d"][srlISISDatabaseCommand] = recordedPlatforms(t, filepath.Join("testdata", "mixed"), mixed)["d"][srlISISDatabaseCommand]
	net, _, err := ReadPlatforms(topology.IGPISIS, p, out)
	if err != nil {
		t.Fatal(err)
	}
	want := readGolden(t, filepath.Join("testdata", "juniper_junos.isis.golden.yaml"))
	shape := func(net *topology.Network) *topology.Network {
		n := *net
		n.Links = nil
		for _, l := range net.Links {
			l.AInterface, l.BInterface = "", ""
			n.Links = append(n.Links, l)
		}
		return &n
	}
	opts := cmp.Options{cmpopts.EquateEmpty(), cmpopts.IgnoreTypes(diag.Pos{}), cmpopts.IgnoreFields(topology.Network{}, "Files")}
	if d := cmp.Diff(shape(want), shape(net), opts); d != "" {
		t.Errorf("the mixed network differs from the Junos one (-junos +mixed):\n%s", d)
	}
	if net.Links[0].AInterface != "GigabitEthernet1" || net.Links[0].BInterface != "ge-0/0/0.0" {
		t.Errorf("a-b is read from a's IOS-XE and b's Junos interfaces: %+v", net.Links[0])
	}
}

// TestParseSRLISISParallel: SR Linux lists the adjacencies to one
// neighbour as instances of one neighbor entry, each with its metric;
// systems are renamed by hostname where the database has one.
func TestParseSRLISISParallel(t *testing.T) {
	in := `{"instance": [{"oper-system-id": "1980.1800.0001", "level": [{"level-number": 2, "link-state-database": {"lsp": [
	{"lsp-id": "1980.1800.0001.00-00", "flags": ["overload"], "tlvs": {"tlv": [
	  {"type": "srl_nokia-isis-lsdb-types:dynamic-name", "hostname": {"hostname": ["a"]}},
	  {"type": "srl_nokia-isis-lsdb-types:ipv4-interface-addresses", "ipv4-interface-addresses": {"address": ["198.18.0.1"]}},
	  {"type": "srl_nokia-isis-lsdb-types:ipv4-internal-reachability", "ipv4-internal-reachability": {"prefixes": {"prefix": [{"prefix": "198.19.0.0/31", "default-metric": {"metric": 7}}]}}},
	  {"type": "srl_nokia-isis-lsdb-types:extended-is-reachability", "extended-is-reachability": {"neighbors": {"neighbor": [
	    {"system-id": "1980.1800.0002", "instances": {"instance": [{"id": 0, "metric": 10}, {"id": 1, "metric": 20}]}}]}}}]}},
	{"lsp-id": "1980.1800.0002.00-01"}]}}]}]}`
	lsps, err := ParseSRLISISDatabase("x", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []observe.LSP{
		{Level: 2, ID: "a.00-00", System: "a", Own: true, Overload: true, Hostname: "a", RouterID: netip.MustParseAddr("198.18.0.1"),
			Neighbors: []observe.ISReach{{Neighbor: "1980.1800.0002.00", Metric: 10}, {Neighbor: "1980.1800.0002.00", Metric: 20}},
			Prefixes:  []netip.Prefix{netip.MustParsePrefix("198.19.0.0/31")}, PrefixMetrics: []int64{7}},
		{Level: 2, ID: "1980.1800.0002.00-01", System: "1980.1800.0002", Fragment: 1},
	}
	if d := cmp.Diff(want, lsps, cmpopts.IgnoreTypes(diag.Pos{}), cmpopts.EquateEmpty(), cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func FuzzParseSRLISISDatabase(f *testing.F) {
	seedFiles(f, "testdata/nokia_srl/*.isis-database.json",
		`{"instance": [{"oper-system-id": "1980.1800.0001", "level": [{"level-number": 2, "link-state-database": {"lsp": [{"lsp-id": "1980.1800.0001.00-00", "tlvs": {"tlv": [{"type": "extended-is-reachability", "extended-is-reachability": {"neighbors": {"neighbor": {"system-id": "x", "instances": {"instance": [{"metric": -1}]}}}}}, {"type": "ipv4-internal-reachability", "ipv4-internal-reachability": {"prefixes": {"prefix": [{"prefix": "198.19.0.0/31"}]}}}]}}]}}]}]}`,
		`{"instance": [{"oper-system-id": "1980.1800.0001"}, {"oper-system-id": "1980.1800.0002"}]}`, `{"link-state-database": {"lsp": [{"lsp-id": 3}]}}`, `[[[[]]]]`)
	f.Fuzz(func(t *testing.T, data []byte) {
		lsps, err := ParseSRLISISDatabase("db", data)
		checkParse(t, "db", data, lsps == nil, err)
	})
}

func FuzzParseIOSISISDatabase(f *testing.F) {
	seedFiles(f, "testdata/cisco_ios*/*.isis-database.txt",
		"IS-IS Level-2 Link State Database:\nb.00-00  * 0x00000004  0x20ad  1160/*  0/0/1\n  Metric: 99999999999999999999 IS b.00\n  Metric: 1 IP 1.2.3.4 255.255.255.0\n  Router ID: x\n",
		"Tag A:\nTag B:\n", "b.00-00 0x1 0x2 3 0/0/0\n", "% Invalid", "")
	f.Fuzz(func(t *testing.T, data []byte) {
		lsps, err := ParseIOSISISDatabase("db", data)
		checkText(t, "db", data, lsps == nil, err)
	})
}

func FuzzParseEOSISISDatabase(f *testing.F) {
	seedFiles(f, "testdata/arista_eos/*.isis-database.json",
		`{"vrfs": {"default": {"isisInstances": {"A": {"level": {"2": {"lsps": {"1980.1800.0001.00-00": {"hostname": {"name": "a"}, "neighbors": [{"systemId": "x.0", "metric": -1}], "reachabilities": [{"reachabilityV4Addr": "::", "maskLength": 1, "metric": 1}]}}}}}}}}}`,
		`{"vrfs": {"default": {"isisInstances": {"A": {"level": {"x": {}}}}}}}`, `{"vrfs": []}`, `[`)
	f.Fuzz(func(t *testing.T, data []byte) {
		lsps, err := ParseEOSISISDatabase("db", data)
		checkParse(t, "db", data, lsps == nil, err)
	})
}

// TestMixedFRRNames: in a network of FRR and other routers, FRR's
// neighbour entries (by system id) are written by hostname, as the other
// platforms' are, and the FRR recordings still read into their golden
// topology; a copy of the database as another platform writes it (by
// hostname) then compares equal to FRR's.
func TestMixedFRRNames(t *testing.T) {
	out := recorded(t, filepath.Join("testdata", "frr84", "isis-parallel-drained"))
	var routers []Router
	for _, n := range []string{"a", "b", "c", "d"} {
		r := Router{Name: n}
		var err error
		if r.ISIS, err = observe.ParseFRRISISDatabase(n, []byte(out[n][frrISISDatabaseCommand])); err != nil {
			t.Fatal(err)
		}
		if r.Hostnames, err = ParseFRRISISHostnames(n, []byte(out[n][frrISISHostnamesCommand])); err != nil {
			t.Fatal(err)
		}
		if r.Interfaces, err = ParseFRRInterfaces(n, []byte(out[n][frrInterfacesCommand])); err != nil {
			t.Fatal(err)
		}
		routers = append(routers, r)
	}
	want, _, err := BuildISIS(routers)
	if err != nil {
		t.Fatal(err)
	}
	// d's copy as another platform prints it: neighbours by hostname.
	other := slices.Clone(routers[3].ISIS)
	for i := range other {
		other[i].Neighbors = slices.Clone(other[i].Neighbors)
		for k, nb := range other[i].Neighbors {
			for _, h := range routers[3].Hostnames {
				if nb.Neighbor == h.SystemID+".00" {
					other[i].Neighbors[k].Neighbor = h.Hostname + ".00"
				}
			}
		}
	}
	routers[3].ISIS, routers[3].Hostnames = other, nil
	if _, _, err := BuildISIS(routers); !errors.Is(err, ErrNotConverged) {
		t.Fatalf("FRR's copies by system id and d's by hostname: got %v, want ErrNotConverged", err)
	}
	nameNeighborsByHostname(routers)
	got, _, err := BuildISIS(routers)
	if err != nil {
		t.Fatal(err)
	}
	if d := topology.Diff(want, got); len(d) > 0 {
		t.Errorf("named by hostname, the network differs: %v", d)
	}
	if frr, other := platformMix([]string{"a", "b"}, map[string]string{"b": "nokia_srl"}); !frr || !other {
		t.Errorf("a (FRR, unnamed) and b (SR Linux) are a mix")
	}
}
