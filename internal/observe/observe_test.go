package observe

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

func square(t *testing.T) *topology.Network {
	t.Helper()
	n, ds, err := topology.LoadFile(context.Background(), "testdata/square.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	return n
}

func TestCommands(t *testing.T) {
	cmds, err := Commands("frr_vtysh", "ospf")
	if err != nil || !slices.Equal(cmds, []string{"show ip route json", "show ip ospf neighbor json"}) {
		t.Errorf("frr_vtysh, OSPF: %q, %v", cmds, err)
	}
	cmds[0] = "changed"
	if again, _ := Commands("frr_vtysh", "ospf"); again[0] != "show ip route json" {
		t.Error("the caller changed the platform's commands")
	}
	isis := []string{"show ip route json", "show isis neighbor detail json", "show isis database detail"}
	for _, igp := range []string{"isis", ""} { // a topology without igp: is IS-IS
		if cmds, err := Commands("frr_vtysh", igp); err != nil || !slices.Equal(cmds, isis) {
			t.Errorf("frr_vtysh, igp %q: %q, %v", igp, cmds, err)
		}
	}
	_, err = Commands("cisco_iosxe", "ospf")
	if err == nil || err.Error() != `observe: platform "cisco_iosxe" is not supported; supported platforms: frr_vtysh` {
		t.Errorf("unknown platform: %v", err)
	}
}

// p1's own loopback, connected, as every FRR table holds it.
const ownP1 = `"198.18.10.1/32":[{"protocol":"connected","selected":true,"installed":true,"nexthops":[{"directlyConnected":true,"interfaceName":"lo","active":true,"fib":true}]}]`

const p1Neighbors = `{"neighbors":{
  "198.18.10.2":[{"ifaceAddress":"198.19.0.1","ifaceName":"cg-p2:198.19.0.0","nbrState":"Full/-"}],
  "198.18.10.3":[{"ifaceAddress":"198.19.0.5","ifaceName":"cg-p3:198.19.0.4","nbrState":"Full/-"}],
  "198.18.99.9":[{"ifaceAddress":"198.19.0.7","ifaceName":"cg-x:198.19.0.6","nbrState":"Full/-"}]
}}`

func TestReadMapsNextHops(t *testing.T) {
	routes := `{` + ownP1 + `,
"198.18.10.2/32":[{"protocol":"ospf","selected":true,"installed":true,"nexthops":[{"ip":"198.19.0.1","interfaceName":"cg-p2","active":true,"fib":true}]}],
"198.18.10.3/32":[{"protocol":"ospf","selected":true,"installed":true,"nexthops":[{"interfaceName":"cg-p3","active":true,"fib":true},{"ip":"198.19.0.7","interfaceName":"cg-x","active":true,"fib":true}]}],
"198.18.10.4/32":[{"protocol":"static","selected":true,"installed":true,"nexthops":[{"ip":"198.19.0.99","interfaceName":"cg-p2","active":true,"fib":true},{"ip":"198.19.0.5","interfaceName":"cg-p3","active":true,"fib":false}]},
                  {"protocol":"ospf","selected":false,"nexthops":[{"ip":"198.19.0.1","interfaceName":"cg-p2","active":true}]}],
"198.18.10.5/32":[{"protocol":"ospf","selected":true,"installed":false,"nexthops":[{"ip":"198.19.0.1","interfaceName":"cg-p2","active":true}]}]
}`
	obs, err := Read(square(t), "p1", "frr_vtysh", map[string]string{"show ip route json": routes, "show ip ospf neighbor json": p1Neighbors})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for dest, r := range obs.Routes {
		nodes, unmapped := r.Nodes()
		got[dest] = append(append([]string{r.Protocol}, nodes...), unmapped...)
	}
	want := map[string][]string{
		"p2": {"ospf", "p2"},
		// An interface-only next hop is the one neighbour on that
		// interface; a neighbour whose router id is no loopback is named.
		"p3": {"ospf", "p3", "198.19.0.7 on cg-x (its OSPF neighbour's router id 198.18.99.9 is no node's loopback)"},
		// The static route is the one forwarded by: only its fib next hop
		// counts, and no neighbour has that address.
		"p4": {"static", "198.19.0.99 on cg-p2 (no OSPF neighbour has this address)"},
		// p5's route is selected but not installed: p1 does not forward by it.
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if len(obs.Destinations) != 4 || obs.Destinations["p5"].String() != "198.18.10.5/32" || len(obs.Neighbors) != 3 {
		t.Errorf("destinations %v, %d neighbours", obs.Destinations, len(obs.Neighbors))
	}
}

func TestReadErrors(t *testing.T) {
	good := map[string]string{"show ip route json": `{` + ownP1 + `}`, "show ip ospf neighbor json": p1Neighbors}
	recorded := func(node string) map[string]string {
		out := map[string]string{}
		for _, c := range []string{"show ip route json", "show ip ospf neighbor json"} {
			data, err := os.ReadFile("testdata/frr84/square/state0/" + node + "." + strings.ReplaceAll(strings.TrimSuffix(c, " json"), " ", "-") + ".json")
			if err != nil {
				t.Fatal(err)
			}
			out[c] = string(data)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		change   func(n *topology.Network)
		node     string
		platform string
		outputs  map[string]string
		want     string
	}{
		{"unknown platform", nil, "p1", "junos", good, `observe: platform "junos" is not supported; supported platforms: frr_vtysh`},
		{"unknown node", nil, "p9", "frr_vtysh", good, `observe: no node "p9" in the topology`},
		{"missing output", nil, "p1", "frr_vtysh", map[string]string{"show ip route json": "{}"},
			`observe p1: no output for "show ip ospf neighbor json" (run every command of observe.Commands("frr_vtysh", "ospf"))`},
		{"nodes without loopbacks", func(n *topology.Network) { n.Nodes[2].Loopback, n.Nodes[4].Loopback = "", "" }, "p1", "frr_vtysh", good,
			"observe: nodes p3, p5 have no loopback in the topology: add loopback: to every node (docs/topology.md, Loopbacks)"},
		{"IPv6 loopbacks", func(n *topology.Network) { n.Nodes[1].Loopback = "2001:db8::2" }, "p1", "frr_vtysh", good,
			"observe: node p2 has an IPv6 loopback: frr_vtysh is observed through `show ip route json` (IPv4)"},
		{"malformed output", nil, "p1", "frr_vtysh", map[string]string{"show ip route json": "{\n  \"x\": []\n}", "show ip ospf neighbor json": p1Neighbors},
			`observe p1: 1 problem:` + "\n" + `  p1 "show ip route json":2:3: route key "x" is not a prefix`},
		{"another router's output", nil, "p1", "frr_vtysh", recorded("p2"),
			"observe p1: the router has no connected route to 198.18.10.1, the node's loopback: is this router p1, and is its loopback in the topology right?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			net := square(t)
			if tc.change != nil {
				tc.change(net)
			}
			obs, err := Read(net, tc.node, tc.platform, tc.outputs)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to start with:\n%s", err, tc.want)
			}
			if obs != nil {
				t.Error("an observation with an error")
			}
		})
	}
}

func isisSquare(t *testing.T) *topology.Network {
	t.Helper()
	n, ds, err := topology.LoadFile(context.Background(), "testdata/isis-square.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		t.Fatal(err, ds)
	}
	return n
}

// p1's IS-IS adjacencies: p2 and p3 up, p4 (no LSP), p5 (an LSP without
// a loopback), x (an LSP with two nodes' loopbacks and no TE router id),
// and one initialising.
const p1ISISNeighbors = `{"areas":[{"area":"1","circuits":[
 {"adj":"p2","interface":{"name":"cg-p2","state":"Up","ipv4-address":{"ipv4":"198.19.0.1"}},"level":2},
 {"adj":"1980.1801.0003","interface":{"name":"cg-p3","state":"Up","ipv4-address":{"ipv4":"198.19.0.5"}},"level":2},
 {"adj":"p4","interface":{"name":"cg-p4","state":"Up","ipv4-address":{"ipv4":"198.19.0.11"}},"level":2},
 {"adj":"p5","interface":{"name":"cg-p5","state":"Up","ipv4-address":{"ipv4":"198.19.0.13"}},"level":2},
 {"adj":"x","interface":{"name":"cg-x","state":"Up","ipv4-address":{"ipv4":"198.19.0.15"}},"level":2},
 {"adj":"y","interface":{"name":"cg-y","state":"Initializing","ipv4-address":{"ipv4":"198.19.0.17"}},"level":2},
 {"circuit":0}]}]}`

const p1ISISDatabase = `Area 1:
IS-IS Level-2 link-state database:
LSP ID                  PduLen  SeqNumber   Chksum  Holdtime  ATT/P/OL
p1.00-00             *    132   0x00000003  0xe2aa    1144    0/0/0
  Hostname: p1
  TE Router ID: 198.18.10.1
p2.00-00                  132   0x00000004  0x6f16    1164    0/0/0
  Hostname: p2
  TE Router ID: 198.18.10.2
1980.1801.0003.00-00      132   0x00000004  0x6f16    1164    0/0/0
  Extended IP Reachability: 198.19.0.4/31 (Metric: 10)
1980.1801.0003.00-01      132   0x00000004  0x6f16    1164    0/0/0
  Extended IP Reachability: 198.18.10.3/32 (Metric: 0)
p5.00-00                  132   0x00000004  0x6f16    1164    0/0/0
  Extended IP Reachability: 198.19.0.12/31 (Metric: 10)
x.00-00                   132   0x00000004  0x6f16    1164    0/0/0
  TE Router ID: 10.0.0.1
  Extended IP Reachability: 198.18.10.4/32 (Metric: 0)
  Extended IP Reachability: 198.18.10.5/32 (Metric: 0)
`

func TestReadISISMapsNextHops(t *testing.T) {
	hop := func(ip, iface string) string {
		return fmt.Sprintf(`{"ip":%q,"interfaceName":%q,"active":true,"fib":true}`, ip, iface)
	}
	route := func(dest string, hops ...string) string {
		return fmt.Sprintf(`%q:[{"protocol":"isis","selected":true,"installed":true,"nexthops":[%s]}]`, dest, strings.Join(hops, ","))
	}
	routes := `{` + ownP1 + `,` +
		route("198.18.10.2/32", hop("198.19.0.1", "cg-p2"), `{"interfaceName":"cg-p3","active":true,"fib":true}`) + `,` +
		route("198.18.10.3/32", hop("198.19.0.5", "cg-p3"), hop("198.19.0.11", "cg-p4")) + `,` +
		route("198.18.10.4/32", hop("198.19.0.13", "cg-p5"), hop("198.19.0.15", "cg-x")) + `,` +
		route("198.18.10.5/32", hop("198.19.0.17", "cg-y")) + `}`
	obs, err := Read(isisSquare(t), "p1", "frr_vtysh", map[string]string{
		"show ip route json": routes, "show isis neighbor detail json": p1ISISNeighbors, "show isis database detail": p1ISISDatabase})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for dest, r := range obs.Routes {
		nodes, unmapped := r.Nodes()
		got[dest] = append(append([]string{r.Protocol}, nodes...), unmapped...)
	}
	want := map[string][]string{
		// By address, and by interface (the one adjacency on it).
		"p2": {"isis", "p2", "p3"},
		// A neighbour named by its system id, whose loopback is in a
		// second fragment; one without an LSP.
		"p3": {"isis", "p3", "198.19.0.11 on cg-p4 (its IS-IS neighbour p4 has no LSP in the level-2 database)"},
		"p4": {"isis",
			"198.19.0.13 on cg-p5 (its IS-IS neighbour p5 advertises no node's loopback (no TE router id or /32 that is one))",
			"198.19.0.15 on cg-x (its IS-IS neighbour x advertises the loopbacks of several nodes (p4, p5) and no TE router id that tells them apart)"},
		// An adjacency that is not up is no neighbour.
		"p5": {"isis", "198.19.0.17 on cg-y (no IS-IS neighbour has this address)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if len(obs.Neighbors) != 5 || obs.Neighbors[0].System != "1980.1801.0003" || obs.Neighbors[0].RouterID.String() != "198.18.10.3" {
		t.Errorf("neighbours: %+v", obs.Neighbors)
	}
}

func TestReadISISErrors(t *testing.T) {
	good := map[string]string{"show ip route json": `{` + ownP1 + `}`, "show isis neighbor detail json": p1ISISNeighbors, "show isis database detail": p1ISISDatabase}
	with := func(cmd, text string) map[string]string {
		out := map[string]string{}
		for k, v := range good {
			out[k] = v
		}
		out[cmd] = text
		return out
	}
	for _, tc := range []struct {
		name    string
		outputs map[string]string
		want    string
	}{
		{"missing output", map[string]string{"show ip route json": "{}", "show isis database detail": ""},
			`observe p1: no output for "show isis neighbor detail json" (run every command of observe.Commands("frr_vtysh", "isis"))`},
		{"isisd not running", with("show isis database detail", "isisd is not running\n"),
			`observe p1: 1 problem:` + "\n" + `  p1 "show isis database detail":1:1: show isis database detail: the output is not a link-state database: "isisd is not running"`},
		{"OSPF output", with("show isis neighbor detail json", p1Neighbors),
			`observe p1: 1 problem:` + "\n" + `  p1 "show isis neighbor detail json":1:1: show isis neighbor detail json: no "areas" list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			obs, err := Read(isisSquare(t), "p1", "frr_vtysh", tc.outputs)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error:\n%v\nwant it to start with:\n%s", err, tc.want)
			}
			if obs != nil {
				t.Error("an observation with an error")
			}
		})
	}
}
