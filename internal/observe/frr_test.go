package observe

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/diag"
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
