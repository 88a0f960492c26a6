package observe

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/golden"
)

// The parsed forms of recorded outputs are kept as golden files
// (go test -update rewrites them).
func TestParseFRRRecorded(t *testing.T) {
	for _, tc := range []struct {
		file, golden string
		parse        func(name string, data []byte) (any, error)
	}{
		{"testdata/frr84/square/state0/p1.show-ip-route.json", "testdata/p1-routes.golden",
			func(n string, d []byte) (any, error) { return ParseFRRRoutes(n, d) }},
		{"testdata/frr84/square/state0/p1.show-ip-ospf-neighbor.json", "testdata/p1-neighbors.golden",
			func(n string, d []byte) (any, error) { return ParseFRRNeighbors(n, d) }},
		{"testdata/frr84/isis-square/state0/p1.show-isis-neighbor-detail.json", "testdata/p1-isis-neighbors.golden",
			func(n string, d []byte) (any, error) { return ParseFRRISISNeighbors(n, d) }},
		{"testdata/frr84/isis-drain/state0/d.show-isis-database-detail.txt", "testdata/d-isis-database.golden",
			func(n string, d []byte) (any, error) { return ParseFRRISISDatabase(n, d) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			v, err := tc.parse("p1", data)
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tc.golden, append(js, '\n'))
		})
	}
}

func TestForwarding(t *testing.T) {
	data, err := os.ReadFile("testdata/frr84/square/state0/p1.show-ip-route.json")
	if err != nil {
		t.Fatal(err)
	}
	table, err := ParseFRRRoutes("p1", data)
	if err != nil {
		t.Fatal(err)
	}
	// p1's own loopback: an OSPF entry (not selected) and the connected one.
	own := netip.MustParsePrefix("198.18.10.1/32")
	if len(table[own]) != 2 {
		t.Fatalf("%s: %d entries, want 2", own, len(table[own]))
	}
	if e, ok := table.Forwarding(own); !ok || e.Protocol != "connected" {
		t.Errorf("%s forwarded by %+v, want the connected entry", own, e)
	}
	// p4 over p2 (two parallel links) and p3: three next hops in the FIB.
	e, ok := table.Forwarding(netip.MustParsePrefix("198.18.10.4/32"))
	if !ok || e.Protocol != "ospf" || e.Metric != 20 || len(e.Used()) != 3 {
		t.Errorf("p4 forwarded by %+v, want OSPF, metric 20, three next hops", e)
	}
	if _, ok := table.Forwarding(netip.MustParsePrefix("203.0.113.1/32")); ok {
		t.Error("a prefix the table lacks is forwarded")
	}
}

func TestUsedNextHops(t *testing.T) {
	a, b := netip.MustParseAddr("198.19.0.1"), netip.MustParseAddr("198.19.0.3")
	for _, tc := range []struct {
		name string
		nhs  []NextHop
		want []netip.Addr
	}{
		{"fib ones", []NextHop{{IP: a, Active: true, FIB: true}, {IP: b, Active: true}}, []netip.Addr{a}},
		{"active when none is marked fib", []NextHop{{IP: a, Active: true}, {IP: b}}, []netip.Addr{a}},
		{"none", []NextHop{{IP: a}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []netip.Addr
			for _, nh := range (RouteEntry{NextHops: tc.nhs}).Used() {
				got = append(got, nh.IP)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("used %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseFRRRoutesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // Diagnostic.String() of every problem, in order
	}{
		{"empty", "\n", []string{"r:1:1: show ip route json: the output is empty (hint: " + routesHint + ")"}},
		{"an error message", "% Unknown command: show ip route jsn\n",
			[]string{`r:1:1: show ip route json: the output is not JSON: "% Unknown command: show ip route jsn" (hint: ` + routesHint + ")"}},
		{"cut off", `{"198.18.0.1/32":[{"protocol":"ospf"`,
			[]string{"r:1:37: show ip route json: invalid JSON: the output ends inside a JSON value (cut off?) (hint: " + routesHint + ")"}},
		{"syntax error", "{\n  \"198.18.0.1/32\": [\n    {\"protocol\": ospf}\n  ]\n}",
			[]string{"r:3:18: show ip route json: invalid JSON: invalid character 'o' looking for beginning of value (hint: " + routesHint + ")"}},
		{"text after the value", "{}\n{}", []string{"r:2:1: show ip route json: invalid JSON: text after the JSON value (hint: " + routesHint + ")"}},
		{"a list", "[]", []string{"r:1:1: the routing table must be an object, found a list (hint: an object from prefix to routes, as FRR prints it)"}},
		{
			"every problem at once",
			`{
  "198.18.0.1/33": [],
  "198.18.0.2/32": {},
  "198.18.0.3/32": [
    {"protocol": "ospf", "selected": "yes", "metric": 1.5,
     "nexthops": [{"ip": "198.19.0.300", "interfaceName": "eth0", "fib": true}, "x"]},
    {"prefix": "198.18.0.4/32", "protocol": "ospf"},
    {"selected": true}
  ]
}`,
			[]string{
				`r:2:3: route key "198.18.0.1/33" is not a prefix (hint: keys are prefixes such as 198.18.0.1/32)`,
				`r:3:20: route 198.18.0.2/32 must be a list, found an object (hint: a list of route entries)`,
				`r:5:38: route 198.18.0.3/32 entry 1: selected must be a boolean, found a string (hint: FRR writes it as true or false)`,
				`r:5:55: route 198.18.0.3/32 entry 1: metric: 1.5 is not a whole number (hint: FRR writes it as a whole number)`,
				`r:6:26: route 198.18.0.3/32 entry 1 next hop 1: ip "198.19.0.300" is not an address (hint: a next hop's ip is an address such as 198.19.0.1)`,
				`r:6:81: route 198.18.0.3/32 entry 1 next hop 2 must be an object, found a string (hint: an object with ip, interfaceName, active and fib)`,
				`r:7:16: route 198.18.0.3/32 entry 2: prefix "198.18.0.4/32" differs from its key 198.18.0.3/32 (hint: each entry repeats the prefix it is listed under)`,
				`r:8:5: route 198.18.0.3/32 entry 3 has no protocol (hint: every FRR route entry names its protocol)`,
			},
		},
		{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40),
			[]string{"r:1:34: show ip route json: invalid JSON: nested more than 32 levels deep (hint: " + routesHint + ")"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			table, err := ParseFRRRoutes("r", []byte(tc.in))
			checkProblems(t, table == nil, err, tc.want)
		})
	}
}

func TestParseFRRNeighbors(t *testing.T) {
	// Older FRR writes one object per router id instead of a list; both
	// are read, sorted by router id. "state" stands in for nbrState.
	in := `{"neighbors": {
  "198.18.0.9": {"ifaceAddress": "198.19.0.5", "ifaceName": "eth2:198.19.0.4", "state": "Full/DR"},
  "198.18.0.2": [{"ifaceAddress": "198.19.0.1", "ifaceName": "eth0:198.19.0.0", "nbrState": "Full/-"},
                 {"address": "198.19.0.9", "ifaceName": "eth1", "nbrState": "ExStart/-"}]
}}`
	got, err := ParseFRRNeighbors("r", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"198.18.0.2 198.19.0.1 eth0 Full/- true", "198.18.0.2 198.19.0.9 eth1 ExStart/- false", "198.18.0.9 198.19.0.5 eth2 Full/DR true"}
	if len(got) != len(want) {
		t.Fatalf("got %d neighbours, want %d: %+v", len(got), len(want), got)
	}
	for i, nb := range got {
		s := strings.Join([]string{nb.RouterID.String(), nb.Address.String(), nb.Interface, nb.State, map[bool]string{true: "true", false: "false"}[nb.Full()]}, " ")
		if s != want[i] {
			t.Errorf("neighbour %d: %s, want %s", i, s, want[i])
		}
	}
	if got[0].Pos != (diag.Pos{File: "r", Line: 3, Col: 18}) {
		t.Errorf("first neighbour at %v, want r:3:18", got[0].Pos)
	}
	none, err := ParseFRRNeighbors("r", []byte(`{"neighbors":{}}`))
	if err != nil || len(none) != 0 {
		t.Errorf("no neighbours: %v, %v", none, err)
	}
}

func TestParseFRRNeighborsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"ospfd not running", "ospfd is not running\n",
			[]string{`r:1:1: show ip ospf neighbor json: the output is not JSON: "ospfd is not running" (hint: ` + neighborsHint + ")"}},
		{"no neighbors object", "{}", []string{`r:1:1: show ip ospf neighbor json: no "neighbors" object (hint: is OSPF running? FRR prints {"neighbors":{}} when it has no neighbours)`}},
		{"neighbors a list", `{"neighbors": []}`, []string{`r:1:15: neighbors must be an object, found a list (hint: an object from router id to neighbours)`}},
		{
			"every problem at once",
			`{"neighbors": {
  "r2": [],
  "2001:db8::2": [],
  "198.18.0.3": [{"ifaceName": "eth0"}],
  "198.18.0.4": [{"ifaceAddress": "fe80::1%eth0x"}, {"ifaceAddress": 4}],
  "198.18.0.5": [7]
}}`,
			[]string{
				`r:2:3: neighbour key "r2" is not a router id (hint: OSPF router ids are written as IPv4 addresses, such as 198.18.0.2)`,
				`r:3:3: neighbour key "2001:db8::2" is not a router id (hint: OSPF router ids are written as IPv4 addresses, such as 198.18.0.2)`,
				`r:4:18: neighbour 198.18.0.3 has no ifaceAddress (hint: FRR 8 gives each neighbour's address as ifaceAddress)`,
				`r:5:70: neighbour 198.18.0.4 entry 2: ifaceAddress must be a string, found a number (hint: FRR writes it as a string)`,
				`r:6:18: neighbour 198.18.0.5 must be an object, found a number (hint: an object with ifaceAddress, ifaceName and nbrState)`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nbrs, err := ParseFRRNeighbors("r", []byte(tc.in))
			checkProblems(t, nbrs == nil, err, tc.want)
		})
	}
}

// checkProblems checks that err lists exactly want, and that the result
// is nil with it.
func checkProblems(t *testing.T, isNil bool, err error, want []string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !isNil {
		t.Error("a result with an error")
	}
	var le *diag.ListError
	if !errors.As(err, &le) {
		t.Fatalf("error %T is not a *diag.ListError: %v", err, err)
	}
	var got []string
	for _, d := range le.Diags {
		got = append(got, d.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseFRRISISNeighbors(t *testing.T) {
	// The detail form with two addresses (FRR 8.4 repeats the key), a
	// list of addresses, the plain form (interface as a name), an
	// adjacency still initialising, and the passive loopback's circuit.
	in := `{"areas":[{"area":"1","circuits":[
  {"circuit":0,"adj":"p3","interface":{"name":"eth2","state":"Up","ipv4-address":{"ipv4":"198.19.0.5","ipv4":"198.19.0.9"}},"level":2},
  {"circuit":0,"adj":"1980.1800.0002","interface":{"name":"eth0","state":"Initializing","ipv4-address":["198.19.0.1"]},"level":2},
  {"circuit":0,"adj":"p4","interface":"eth3","level":1,"state":"Up"},
  {"circuit":0}
]}]}`
	got, err := ParseFRRISISNeighbors("r", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1980.1800.0002 198.19.0.1 [198.19.0.1] eth0 L2 Initializing false", "p3 198.19.0.5 [198.19.0.5 198.19.0.9] eth2 L2 Up true", "p4 invalid IP [] eth3 L1 Up true"}
	var lines []string
	for _, nb := range got {
		lines = append(lines, fmt.Sprintf("%s %s %v %s L%d %s %v", nb.System, nb.Address, nb.Addresses, nb.Interface, nb.Level, nb.State, nb.Full()))
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("neighbours:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if got[1].Pos != (diag.Pos{File: "r", Line: 2, Col: 3}) {
		t.Errorf("p3 at %v, want r:2:3", got[1].Pos)
	}
	none, err := ParseFRRISISNeighbors("r", []byte(`{"areas":[{"area":"1","circuits":[{"circuit":0}]}]}`))
	if err != nil || len(none) != 0 {
		t.Errorf("no neighbours: %v, %v", none, err)
	}
}

func TestParseFRRISISNeighborsErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"isisd not running", "isisd is not running\n",
			[]string{`r:1:1: show isis neighbor detail json: the output is not JSON: "isisd is not running" (hint: ` + isisNeighborsHint + ")"}},
		{"no areas", "{}", []string{`r:1:1: show isis neighbor detail json: no "areas" list (hint: is IS-IS running? FRR prints {"areas":[...]} with one entry per area)`}},
		{
			"every problem at once",
			`{"areas":[
  7,
  {"area":"1","circuits":{}},
  {"area":"2","circuits":[
    {"adj":""},
    {"adj":"b","level":"2","interface":{"name":"eth0","ipv4-address":{"ipv4":"198.19.0.300"}}},
    {"adj":"c","interface":{"name":"eth1","ipv4-address":"198.19.0.1"}},
    {"adj":"d","interface":{"name":"eth2","ipv4-address":["2001:db8::1"]}},
    {"adj":4}
  ]}
]}`,
			[]string{
				`r:2:3: area 1 must be an object, found a number (hint: an object with "area" and "circuits")`,
				`r:3:26: area 1: circuits must be a list, found an object (hint: a list of circuits)`,
				`r:5:12: area 2 circuit 1: adj is empty (hint: adj names the neighbour: its hostname or system id)`,
				`r:6:24: area 2 circuit 2 (adjacency b): level must be a number, found a string (hint: FRR writes it as a whole number)`,
				`r:6:78: area 2 circuit 2 (adjacency b): ipv4-address: "198.19.0.300" is not an IPv4 address (hint: the neighbour's IPv4 address on the link, such as 198.19.0.1)`,
				`r:7:58: area 2 circuit 3 (adjacency c): ipv4-address must be an object, found a string (hint: an object {"ipv4": "198.19.0.1", ...} or a list of addresses)`,
				`r:8:59: area 2 circuit 4 (adjacency d): ipv4-address: "2001:db8::1" is not an IPv4 address (hint: the neighbour's IPv4 address on the link, such as 198.19.0.1)`,
				`r:9:12: area 2 circuit 5: adj must be a string, found a number (hint: FRR writes it as a string)`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nbrs, err := ParseFRRISISNeighbors("r", []byte(tc.in))
			checkProblems(t, nbrs == nil, err, tc.want)
		})
	}
}

func TestParseFRRISISDatabase(t *testing.T) {
	// Two levels, an own LSP with the overload bit, an LSP known only by
	// its sequence-number PDU (system id, "none"), an expired one (its
	// holdtime in parentheses), narrow TLVs and sub-TLVs that are skipped.
	in := `Area 1:
IS-IS Level-1 link-state database:
LSP ID                  PduLen  SeqNumber   Chksum  Holdtime  ATT/P/OL
a.00-00              *     36   0x00000002  0x54b5    1176    0/0/0
  Hostname: a

    1 LSPs

IS-IS Level-2 link-state database:
LSP ID                  PduLen  SeqNumber   Chksum  Holdtime  ATT/P/OL
a.00-00              *    111   0x0000000a  0x19eb    1157    0/0/1
  Protocols Supported: IPv4
  Hostname: a
  TE Router ID: 198.18.0.1
  Extended Reachability: 1980.1800.0002.00 (Metric: 1000)
  IS Reachability: 1980.1800.0004.00 (Metric: 10)
  Extended IP Reachability: 198.19.0.0/31 (Metric: 1000)
    Subtlvs:
      Prefix-SID: 16001
  IP Reachability: 198.18.0.1/32 (Metric: 0)
1980.1800.0003.00-00       27   0x00000000  0x09bf    1144     none
b.01-00                    50   0x00000001  0x1234     (300)   0/0/0

    3 LSPs
`
	got, err := ParseFRRISISDatabase("r", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range got {
		lines = append(lines, fmt.Sprintf("L%d %s %s pn%d fr%d own=%v seq=%d ol=%v host=%q rid=%s nbrs=%v prefixes=%v line %d",
			l.Level, l.ID, l.System, l.Pseudonode, l.Fragment, l.Own, l.Seq, l.Overload, l.Hostname, l.RouterID, l.Neighbors, l.Prefixes, l.Pos.Line))
	}
	want := []string{
		`L1 a.00-00 a pn0 fr0 own=true seq=2 ol=false host="a" rid=invalid IP nbrs=[] prefixes=[] line 4`,
		`L2 a.00-00 a pn0 fr0 own=true seq=10 ol=true host="a" rid=198.18.0.1 nbrs=[{1980.1800.0002.00 1000} {1980.1800.0004.00 10}] prefixes=[198.19.0.0/31 198.18.0.1/32] line 11`,
		`L2 1980.1800.0003.00-00 1980.1800.0003 pn0 fr0 own=false seq=0 ol=false host="" rid=invalid IP nbrs=[] prefixes=[] line 21`,
		`L2 b.01-00 b pn1 fr0 own=false seq=1 ol=false host="" rid=invalid IP nbrs=[] prefixes=[] line 22`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("LSPs:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	empty, err := ParseFRRISISDatabase("r", []byte("Area 1:\nIS-IS Level-2 link-state database:\nLSP ID                  PduLen  SeqNumber   Chksum  Holdtime  ATT/P/OL\n    0 LSPs\n"))
	if err != nil || len(empty) != 0 {
		t.Errorf("an empty database: %v, %v", empty, err)
	}
}

func TestParseFRRISISDatabaseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"empty", "\n", []string{"r:1:1: show isis database detail: the output is empty (hint: " + isisDatabaseHint + ")"}},
		{"isisd not running", "isisd is not running\n",
			[]string{`r:1:1: show isis database detail: the output is not a link-state database: "isisd is not running" (hint: ` + isisDatabaseHint + ")"}},
		{"no database", "Area 1:\n", []string{`r:1:1: show isis database detail: no link-state database in the output: "Area 1:" (hint: ` + isisDatabaseHint + "; is IS-IS running?)"}},
		{
			"every problem at once",
			`IS-IS Level-2 link-state database:
a.00-00  *  111  0x0000000a  0x19eb  1157  0/0/2
  Hostname: a

  TE Router ID: 198.18.0.1
b.00-00     111  0x0000000a  0x19eb  1157  0/0/0
  TE Router ID: ::1
  Extended Reachability: 1980.1800.0002.00
  Extended IP Reachability: 198.19.0.0/33 (Metric: 10)
  IS Reachability: x (Metric: 99999999999999999999)
`,
			[]string{
				`r:2:1: line 2 is not an LSP header: "a.00-00  *  111  0x0000000a  0x19eb  1157  0/0/2" (hint: an LSP line reads ID.PN-FR, *, PduLen, SeqNumber, Chksum, Holdtime and ATT/P/OL, such as "b.00-00   111   0x00000004  0x20ad   1160   0/0/0")`,
				`r:3:3: Hostname outside an LSP (hint: TLVs follow the header line of their LSP)`,
				`r:5:3: TE Router ID outside an LSP (hint: TLVs follow the header line of their LSP)`,
				`r:7:17: LSP b.00-00: TE Router ID "::1" is not an IPv4 address (hint: the TE router id is an IPv4 address, such as 198.18.0.1)`,
				`r:8:26: LSP b.00-00: Extended Reachability "1980.1800.0002.00" does not read (hint: an IS reachability entry reads SYSTEM-ID.PN (Metric: N))`,
				`r:9:29: LSP b.00-00: Extended IP Reachability "198.19.0.0/33 (Metric: 10)" does not read (hint: an IP reachability entry reads PREFIX (Metric: N), such as 198.18.0.1/32 (Metric: 0))`,
				`r:10:20: LSP b.00-00: IS Reachability metric "99999999999999999999" is too large (hint: the metric is a whole number)`,
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lsps, err := ParseFRRISISDatabase("r", []byte(tc.in))
			checkProblems(t, lsps == nil, err, tc.want)
		})
	}
}
