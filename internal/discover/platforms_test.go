package discover

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/golden"
	"github.com/changegate/changegate/internal/platform"
	"github.com/changegate/changegate/internal/topology"
)

// recordedPlatforms reads a directory of recordings of routers of other
// platforms (NODE.ospf-database-router.EXT, NODE.isis-database.EXT,
// NODE.interfaces.EXT) as ReadPlatforms takes them; platforms gives each
// node's platform. ReadPlatforms reads the outputs of its IGP's commands.
func recordedPlatforms(t *testing.T, dir string, platforms map[string]string) map[string]map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.*.*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no recordings in %s: %v", dir, err)
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		node, rest, _ := strings.Cut(filepath.Base(f), ".")
		kind, _, _ := strings.Cut(rest, ".")
		p, ok := readers[platforms[node]]
		if !ok {
			t.Fatalf("%s: node %s has no platform read here", f, node)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if out[node] == nil {
			out[node] = map[string]string{}
		}
		switch kind {
		case "ospf-database-router":
			out[node][p.databaseCommand] = string(data)
		case "interfaces":
			out[node][p.interfacesCommand] = string(data)
		case "isis-database":
			out[node][p.isisCommand] = string(data)
		default:
			t.Fatalf("%s: unknown recording %q", f, kind)
		}
	}
	return out
}

func all(platform string) map[string]string {
	return map[string]string{"a": platform, "b": platform, "c": platform, "d": platform}
}

// mixed is the platform of each router of testdata/mixed.
var mixed = map[string]string{"a": "cisco_iosxe", "b": "juniper_junos", "c": "arista_eos", "d": "nokia_srl"}

// readGolden parses a golden topology file.
func readGolden(t *testing.T, path string) *topology.Network {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	net, ds := topology.Parse(filepath.Base(path), src, topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return net
}

// TestReadPlatformsRecorded discovers the recordings of each platform
// (written from the vendors' documentation: testdata/README.md) and
// compares the topology with golden files, as text and, parsed back, as
// a network (go-cmp).
func TestReadPlatformsRecorded(t *testing.T) {
	for _, name := range []string{"cisco_iosxe", "cisco_iosxr", "arista_eos", "juniper_junos", "nokia_srl", "mixed"} {
		t.Run(name, func(t *testing.T) {
			platforms := all(name)
			if name == "mixed" {
				platforms = mixed
			}
			net, warnings, err := ReadPlatforms(topology.IGPOSPF, platforms, recordedPlatforms(t, filepath.Join("testdata", name), platforms))
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
			path := filepath.Join("testdata", name+".golden.yaml")
			golden.Check(t, path, b.Bytes())
			want := readGolden(t, path)
			if d := cmp.Diff(want, net, cmpopts.EquateEmpty(), cmpopts.IgnoreTypes(diag.Pos{}), cmpopts.IgnoreFields(topology.Network{}, "Files")); d != "" {
				t.Errorf("discovered network differs from %s (-want +got):\n%s", path, d)
			}
		})
	}
}

// TestReadPlatformsSameNetwork checks that every platform's recordings,
// which describe one network, give one topology: the same links, metrics
// each way, states, drains and capacities; only interface names differ.
// (SR Linux's lack the parallel link: testdata/README.md says why.)
func TestReadPlatformsSameNetwork(t *testing.T) {
	shape := func(net *topology.Network) *topology.Network {
		n := *net
		n.Links = nil
		for _, l := range net.Links {
			l.AInterface, l.BInterface = "", ""
			n.Links = append(n.Links, l)
		}
		return &n
	}
	var ref *topology.Network
	for _, name := range []string{"cisco_iosxe", "cisco_iosxr", "arista_eos", "juniper_junos", "mixed"} {
		platforms := all(name)
		if name == "mixed" {
			platforms = mixed
		}
		net, _, err := ReadPlatforms(topology.IGPOSPF, platforms, recordedPlatforms(t, filepath.Join("testdata", name), platforms))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ref == nil {
			ref = shape(net)
			continue
		}
		if d := cmp.Diff(ref, shape(net)); d != "" {
			t.Errorf("%s differs from cisco_iosxe (-iosxe +%s):\n%s", name, name, d)
		}
	}
	if len(ref.Links) != 6 || !ref.Nodes[3].Drained || ref.Links[3].Up {
		t.Errorf("the network is not the one recorded (6 links, d drained, b-c down): %+v", ref)
	}
}

// TestPlatformCommands checks the command table: every platform read
// has its reader, and Commands names what ReadPlatforms parses.
func TestPlatformCommands(t *testing.T) {
	for p, r := range readers {
		cmds, err := Commands(p, topology.IGPOSPF)
		if err != nil || len(cmds) != 2 || cmds[0] != r.databaseCommand || cmds[1] != r.interfacesCommand {
			t.Errorf("%s: Commands %v %v, want [%q %q]", p, cmds, err, r.databaseCommand, r.interfacesCommand)
		}
		cmds, err = Commands(p, topology.IGPISIS)
		if r.isis == nil {
			if err == nil || !strings.Contains(err.Error(), "is not read on \"isis\" networks (discovery reads it on: ospf)") {
				t.Errorf("%s on IS-IS: %v", p, err)
			}
			continue
		}
		if err != nil || len(cmds) != 2 || cmds[0] != r.isisCommand || cmds[1] != r.interfacesCommand {
			t.Errorf("%s: IS-IS Commands %v %v, want [%q %q]", p, cmds, err, r.isisCommand, r.interfacesCommand)
		}
	}
	for _, p := range Platforms() {
		if _, ok := readers[p]; !ok && p != "frr_vtysh" {
			t.Errorf("platform %s has commands but no reader", p)
		}
	}
}

// TestReadPlatformsErrors covers what the recordings do not: an output
// missing, a router of a platform discovery does not read.
func TestReadPlatformsErrors(t *testing.T) {
	out := recordedPlatforms(t, filepath.Join("testdata", "mixed"), mixed)
	delete(out["c"], eosInterfacesCommand)
	if _, _, err := ReadPlatforms("ospf", mixed, out); err == nil || !strings.Contains(err.Error(), `discover c: no output for "show interfaces | json"`) {
		t.Errorf("got %v", err)
	}
	out = recordedPlatforms(t, filepath.Join("testdata", "mixed"), mixed)
	p := map[string]string{"a": "cisco_iosxe", "b": "juniper_junos", "c": "cisco_nxos", "d": "nokia_srl"}
	if _, _, err := ReadPlatforms("ospf", p, out); err == nil || !strings.Contains(err.Error(), `device c: discover: platform "cisco_nxos" is not supported`) {
		t.Errorf("got %v", err)
	}
	// A database read from a router of another platform that differs:
	// the area converging.
	out = recordedPlatforms(t, filepath.Join("testdata", "mixed"), mixed)
	out["a"][iosxeOSPFDatabaseCommand] = strings.Replace(out["a"][iosxeOSPFDatabaseCommand], "TOS 0 Metrics: 15", "TOS 0 Metrics: 16", 1)
	if _, _, err := ReadPlatforms("ospf", mixed, out); !errors.Is(err, ErrNotConverged) {
		t.Errorf("got %v, want ErrNotConverged", err)
	}
}

// iosLSA writes one IOS router-LSA with the links given as
// "p2p NEIGHBOR LOCAL METRIC" or "stub NET MASK METRIC".
func iosLSA(rid string, links ...string) string {
	var b strings.Builder
	b.WriteString("  LS age: 10\n  LS Type: Router Links\n  Link State ID: " + rid + "\n  Advertising Router: " + rid + "\n")
	for _, l := range links {
		f := strings.Fields(l)
		switch f[0] {
		case "p2p":
			b.WriteString("    Link connected to: another Router (point-to-point)\n     (Link ID) Neighboring Router ID: " + f[1] + "\n     (Link Data) Router Interface address: " + f[2] + "\n       TOS 0 Metrics: " + f[3] + "\n")
		case "stub":
			b.WriteString("    Link connected to: a Stub Network\n     (Link ID) Network/subnet number: " + f[1] + "\n     (Link Data) Network Mask: " + f[2] + "\n       TOS 0 Metrics: " + f[3] + "\n")
		}
	}
	return b.String()
}

func iosDB(self string, lsas ...string) string {
	return "            OSPF Router with ID (" + self + ") (Process ID 1)\n\n                Router Link States (Area 0)\n\n" + strings.Join(lsas, "\n")
}

// TestBuildOSPFPlatformCases covers edge cases with IOS-XE's outputs: a
// router drained with max-metric (its links keep their stub costs), a
// router with stub links only (a router with no neighbours: an error,
// since it is not connected), and an interface missing from the
// interfaces read (the link is still found, without a name on that end).
func TestBuildOSPFPlatformCases(t *testing.T) {
	a := iosLSA("198.18.0.1", "p2p 198.18.0.2 198.19.0.0 10", "stub 198.19.0.0 255.255.255.254 10", "stub 198.18.0.1 255.255.255.255 1")
	b := iosLSA("198.18.0.2", "p2p 198.18.0.1 198.19.0.1 10", "stub 198.19.0.0 255.255.255.254 10", "stub 198.18.0.2 255.255.255.255 1")
	bMax := iosLSA("198.18.0.2", "p2p 198.18.0.1 198.19.0.1 65535", "stub 198.19.0.0 255.255.255.254 12", "stub 198.18.0.2 255.255.255.255 1")
	stubOnly := iosLSA("198.18.0.3", "stub 198.18.0.3 255.255.255.255 1")
	ifs := func(name, addr, lo string) string {
		return name + " is up, line protocol is up \n  Internet address is " + addr + "\n  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,\nLoopback0 is up, line protocol is up \n  Internet address is " + lo + "\n"
	}
	ifA, ifB := ifs("GigabitEthernet1", "198.19.0.0/31", "198.18.0.1/32"), ifs("GigabitEthernet1", "198.19.0.1/31", "198.18.0.2/32")
	router := func(name, self, ifsText string, lsas ...string) map[string]string {
		return map[string]string{iosxeOSPFDatabaseCommand: iosDB(self, lsas...), iosInterfacesCommand: ifsText}
	}
	for _, tc := range []struct {
		name    string
		outputs map[string]map[string]string
		check   func(t *testing.T, net *topology.Network, warnings []string, err error)
	}{
		{"max-metric", map[string]map[string]string{
			"a": router("a", "198.18.0.1", ifA, a, bMax), "b": router("b", "198.18.0.2", ifB, a, bMax),
		}, func(t *testing.T, net *topology.Network, _ []string, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if !net.Nodes[1].Drained || net.Nodes[0].Drained || net.Links[0].MetricAB != 10 || net.Links[0].MetricBA != 12 {
				t.Errorf("b drained, its cost 12 from the stub: %+v %+v", net.Nodes, net.Links)
			}
		}},
		{"stub-only router", map[string]map[string]string{
			"a": router("a", "198.18.0.1", ifA, a, b, stubOnly), "b": router("b", "198.18.0.2", ifB, a, b, stubOnly),
			"c": router("c", "198.18.0.3", "Loopback0 is up, line protocol is up \n  Internet address is 198.18.0.3/32\n", a, b, stubOnly),
		}, func(t *testing.T, net *topology.Network, _ []string, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if len(net.Nodes) != 3 || len(net.Links) != 1 || net.Nodes[2].Drained {
				t.Errorf("c is a node without links, not drained: %+v %+v", net.Nodes, net.Links)
			}
		}},
		{"missing interface", map[string]map[string]string{
			"a": router("a", "198.18.0.1", "Loopback0 is up, line protocol is up \n  Internet address is 198.18.0.1/32\n", a, b),
			"b": router("b", "198.18.0.2", ifB, a, b),
		}, func(t *testing.T, net *topology.Network, warnings []string, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if len(net.Links) != 1 || net.Links[0].AInterface != "" || net.Links[0].BInterface != "GigabitEthernet1" || net.Links[0].CapacityBps != 1e9 {
				t.Errorf("the link is found through b's interface: %+v", net.Links)
			}
		}},
		{"router not in the database", map[string]map[string]string{
			"a": router("a", "198.18.0.1", ifA, a, b), "b": router("b", "198.18.0.2", ifB, a, b),
			"c": router("c", "198.18.0.3", ifA, a, b),
		}, func(t *testing.T, _ *topology.Network, _ []string, err error) {
			if err == nil || !strings.Contains(err.Error(), "c (router id 198.18.0.3) not in the link-state database") {
				t.Errorf("got %v", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := map[string]string{}
			for n := range tc.outputs {
				p[n] = "cisco_iosxe"
			}
			net, warnings, err := ReadPlatforms("ospf", p, tc.outputs)
			tc.check(t, net, warnings, err)
		})
	}
}

// TestParsePlatformErrors checks that bad output is an error at its line
// and says what to do.
func TestParsePlatformErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		parse func(string, []byte) error
		in    string
		want  string
	}{
		{"ios refused", dbParse(ParseIOSOSPFDatabase), "show ip ospf database router\n% Invalid input detected at '^' marker.\n", `x:2:1: the router refused the command: "% Invalid input detected at '^' marker."`},
		{"ios empty", dbParse(ParseIOSOSPFDatabase), "\n", `x:1:1: no "OSPF Router with ID" line in the output`},
		{"ios cut off", dbParse(ParseIOSOSPFDatabase), iosDB("198.18.0.1", "  LS age: 1\n  Advertising Router: 198.18.0.1\n  Number of Links: 2\n    Link connected to: a Stub Network\n     (Link ID) Network/subnet number: 198.18.0.1\n     (Link Data) Network Mask: 255.255.255.255\n       TOS 0 Metrics: 1\n"), `x:5:1: router 198.18.0.1: "Number of Links: 2", but 1 links read`},
		{"ios no metric", dbParse(ParseIOSOSPFDatabase), iosDB("198.18.0.1", "  LS age: 1\n  Advertising Router: 198.18.0.1\n    Link connected to: a Stub Network\n     (Link ID) Network/subnet number: 198.18.0.1\n     (Link Data) Network Mask: 255.255.255.255\n"), `x:7:1: router 198.18.0.1: the link has no "TOS 0 Metrics" line`},
		{"ios two processes", dbParse(ParseIOSOSPFDatabase), iosDB("198.18.0.1") + iosDB("198.18.0.9"), `a second OSPF process ("1") with router id 198.18.0.9, not 198.18.0.1`},
		{"ios bad mask", dbParse(ParseIOSOSPFDatabase), iosDB("198.18.0.1", iosLSA("198.18.0.1", "stub 198.18.0.1 255.0.255.0 1")), `router 198.18.0.1: mask 255.0.255.0 is not a mask`},
		{"ios summary", dbParse(ParseIOSOSPFDatabase), "            OSPF Router with ID(198.18.0.1) (Process ID 1) (VRF default)\n\n                 Router Link States (Area 0.0.0.0)\n\nLink ID         ADV Router      Age         Seq#       Checksum Link count\n198.18.0.1      198.18.0.1      00:29:08    0x80000031 0x001D5F 1\n", `x:5:1: the output is the database's summary table`},
		{"ios no LSA", dbParse(ParseIOSOSPFDatabase), iosDB("198.18.0.1"), `x:1:1: no router-LSA in the output`},
		{"srl no LSA", dbParse(ParseSRLOSPFDatabase), `{"instance": [{"router-id": "198.18.0.1", "area": [{"area-id": "0.0.0.0"}]}]}`, `no router-LSA in the output`},
		{"ios interfaces junk", ifParse(ParseIOSInterfaces), "GigabitEthernet1 is up, line protocol is up\nbogus line\n", `x:2:1: line "bogus line" is not an interface's first line`},
		{"ios bad address", ifParse(ParseIOSInterfaces), "GigabitEthernet1 is up, line protocol is up\n  Internet address is 198.19.0.0/40\n", `x:2:1: GigabitEthernet1: address "198.19.0.0/40" is not an address with its prefix length`},
		{"eos no interfaces", ifParse(ParseEOSInterfaces), `{"errors": ["This is an unconverted command"]}`, `no "interfaces" object`},
		{"eos bad mask", ifParse(ParseEOSInterfaces), `{"interfaces": {"Ethernet1": {"interfaceStatus": "connected", "interfaceAddress": [{"primaryIp": {"address": "198.19.0.0", "maskLen": 33}}]}}}`, `Ethernet1": address "198.19.0.0"/33 is not an IPv4 address and mask length`},
		{"junos two areas", dbParse(ParseJunosOSPFDatabase), `{"ospf-database-information": [{"ospf-area-header": [{"ospf-area": [{"data": "0.0.0.0"}]}, {"ospf-area": [{"data": "0.0.0.1"}]}], "ospf-database": []}]}`, `the database has 2 areas`},
		{"junos not ours", dbParse(ParseJunosOSPFDatabase), `{"ospf-database-information": [{"ospf-area-header": [{"ospf-area": [{"data": "0.0.0.0"}]}], "ospf-database": [{"lsa-type": [{"data": "Router"}], "advertising-router": [{"data": "198.18.0.1"}], "ospf-router-lsa": [{"ospf-link": []}]}]}]}`, `no router-LSA is marked our-entry`},
		{"junos bad link", dbParse(ParseJunosOSPFDatabase), `{"ospf-database-information": [{"ospf-area-header": [{"ospf-area": [{"data": "0.0.0.0"}]}], "ospf-database": [{"lsa-type": [{"data": "Router"}], "advertising-router": [{"data": "198.18.0.1"}], "our-entry": [{"data": [null]}], "ospf-router-lsa": [{"ospf-link": [{"link-type-name": [{"data": "Mystery"}], "metric": [{"data": "1"}]}]}]}]}]}`, `x:1:281: router 198.18.0.1: unknown link-type-name "Mystery"`},
		{"junos interface address", ifParse(ParseJunosInterfaces), `{"interface-information": [{"physical-interface": [{"name": [{"data": "ge-0/0/0"}], "logical-interface": [{"name": [{"data": "ge-0/0/0.0"}], "address-family": [{"address-family-name": [{"data": "inet"}], "interface-address": [{"ifa-local": [{"data": "x"}]}]}]}]}]}]}`, `ge-0/0/0.0: ifa-local "x" is not an IPv4 address`},
		{"srl no instance", dbParse(ParseSRLOSPFDatabase), `{"instance": []}`, `no OSPFv2 instance with a router-id`},
		{"srl bad type", dbParse(ParseSRLOSPFDatabase), `{"instance": [{"router-id": "198.18.0.1", "area": [{"area-id": "0.0.0.0", "lsdb": {"lsa": [{"advertising-router": "198.18.0.1", "router-lsa": {"links": [{"type": "router-lsa-bogus", "metric": 1}]}}]}}]}]}`, `router 198.18.0.1: unknown link type "router-lsa-bogus"`},
		{"srl no interface list", ifParse(ParseSRLInterfaces), `{"interfaces": []}`, `no interface list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse("x", []byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func dbParse(f func(string, []byte) (*OSPFDatabase, error)) func(string, []byte) error {
	return func(n string, d []byte) error { _, err := f(n, d); return err }
}

func ifParse(f func(string, []byte) ([]Interface, error)) func(string, []byte) error {
	return func(n string, d []byte) error { _, err := f(n, d); return err }
}

// TestParseRecordedAgree checks that the parsers of the three JSON and
// two text formats read the recordings of one router into the same
// database (areas as dotted quads, the same links), which is what lets a
// mixed area be read.
func TestParseRecordedAgree(t *testing.T) {
	read := func(platform, file string) *OSPFDatabase {
		data, err := os.ReadFile(filepath.Join("testdata", platform, file))
		if err != nil {
			t.Fatal(err)
		}
		db, err := readers[platform].database(file, data)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	ref := read("cisco_iosxe", "a.ospf-database-router.txt")
	if ref.Self != netip.MustParseAddr("198.18.0.1") || ref.LSAs[0].Area != "0.0.0.0" || len(ref.LSAs) != 4 {
		t.Fatalf("a's database: %+v", ref)
	}
	opts := cmp.Options{cmpopts.IgnoreTypes(diag.Pos{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })}
	for _, p := range []string{"cisco_iosxr", "arista_eos"} {
		if d := cmp.Diff(ref, read(p, "a.ospf-database-router.txt"), opts); d != "" {
			t.Errorf("%s differs from cisco_iosxe (-iosxe +%s):\n%s", p, p, d)
		}
	}
}

// TestPlatformsRegistered: every platform discovery reads is a platform
// of the registry, so that its table cannot name one inventories cannot.
func TestPlatformsRegistered(t *testing.T) {
	for _, p := range Platforms() {
		if !platform.Builtin().Known(p) {
			t.Errorf("discovery reads %s, which is no registered platform (known: %v)", p, platform.Builtin().Names())
		}
	}
}

// TestDiscoverMixed runs Discover over devices of several platforms,
// each answering its own commands from the recordings.
func TestDiscoverMixed(t *testing.T) {
	out := recordedPlatforms(t, filepath.Join("testdata", "mixed"), mixed)
	r := &fakeRunner{before: out, after: out}
	net, _, err := Discover(context.Background(), r, mixed, Options{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := readGolden(t, filepath.Join("testdata", "mixed.golden.yaml"))
	if d := topology.Diff(want, net); len(d) > 0 {
		t.Errorf("Discover differs from mixed.golden.yaml: %v", d)
	}
}
