package lab

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/topology"
)

func parse(t *testing.T, src string) *topology.Network {
	t.Helper()
	n, ds := topology.Parse("inline.yaml", []byte(src), topology.ParseOptions{})
	if ds.HasErrors() {
		t.Fatalf("topology: %v", ds)
	}
	return n
}

func TestAddresses(t *testing.T) {
	for _, tc := range []struct {
		got, want netip.Addr
	}{
		{LoopbackAddr(0), netip.MustParseAddr("198.18.0.1")},
		{LoopbackAddr(254), netip.MustParseAddr("198.18.0.255")},
		{LoopbackAddr(255), netip.MustParseAddr("198.18.1.0")},
		{LoopbackAddr(maxNodes - 1), netip.MustParseAddr("198.18.255.254")},
	} {
		if tc.got != tc.want {
			t.Errorf("loopback: got %s, want %s", tc.got, tc.want)
		}
	}
	lab15 := netip.MustParsePrefix("198.18.0.0/15")
	for _, j := range []int{0, 1, 127, 128, maxLinks - 1} {
		a, b := LinkAddrs(j)
		if a.Bits() != 31 || b.Bits() != 31 || a.Masked() != b.Masked() || a.Addr().Next() != b.Addr() {
			t.Errorf("link %d: %s and %s are not the two ends of one /31", j, a, b)
		}
		if !lab15.Contains(a.Addr()) || !lab15.Contains(b.Addr()) || !strings.HasPrefix(a.String(), "198.19.") {
			t.Errorf("link %d: %s/%s outside 198.19.0.0/16", j, a, b)
		}
	}
	if a, b := LinkAddrs(1); a.String() != "198.19.0.2/31" || b.String() != "198.19.0.3/31" {
		t.Errorf("link 1: got %s %s", a, b)
	}
}

func TestPlanLayout(t *testing.T) {
	n := parse(t, `
nodes: [{name: p1}, {name: "New York", drained: true}, {name: averyveryverylongroutername}, {name: averyveryverylongroutername2}]
links:
  - {a: "p1:et-0/0/1", b: "New York", capacity: 100G, metric: {ab: 10, ba: 20}}
  - {a: p1, b: "New York", capacity: 10G, metric: 1000}
  - {a: p1, b: "New York", capacity: 1M, state: down}
  - {a: p1, b: averyveryverylongroutername, capacity: 40G}
  - {a: p1, b: averyveryverylongroutername2, capacity: 1k}
`)
	lay, err := PlanLayout(n, "cg-", DefaultCapacityScale, []int{2201, 2202, 2203, 2204})
	if err != nil {
		t.Fatal(err)
	}
	nyc, _ := lay.Node("New York")
	if nyc.Namespace != "cg-new-york" || nyc.Hostname != "new-york" || !nyc.Drained || nyc.Loopback.String() != "198.18.0.2" || nyc.SSHPort != 2202 {
		t.Errorf("New York: %+v", nyc)
	}
	if len(lay.Links) != 4 || len(lay.Skipped) != 1 || lay.Skipped[0] != "p1-New York#2" {
		t.Fatalf("links %d, skipped %v", len(lay.Links), lay.Skipped)
	}
	l0 := lay.Links[0]
	if l0.A.Interface != "cg-new-york" || l0.B.Interface != "cg-p1" || l0.A.Cost != 10 || l0.B.Cost != 20 || l0.ShapedBps != 100e6 || l0.A.Model != "et-0/0/1" {
		t.Errorf("link 0: %+v", l0)
	}
	if l1 := lay.Links[1]; l1.A.Interface != "cg-new-york-2" || l1.B.Interface != "cg-p1-2" || l1.ShapedBps != 10e6 {
		t.Errorf("parallel link: %+v", l1)
	}
	// The down link keeps its addresses reserved: link 3 in the model
	// (the 4th) has 198.19.0.6/31.
	if l2 := lay.Links[2]; l2.A.Addr.String() != "198.19.0.6/31" {
		t.Errorf("link after a down link: %s", l2.A.Addr)
	}
	seen := map[string]bool{}
	for _, e := range lay.Ends("p1") {
		if len(e.End.Interface) > 15 || !strings.HasPrefix(e.End.Interface, "cg-") {
			t.Errorf("interface %q: longer than 15 or without cg-", e.End.Interface)
		}
		if seen[e.End.Interface] {
			t.Errorf("interface %q used twice on p1", e.End.Interface)
		}
		seen[e.End.Interface] = true
	}
	if got := lay.Links[3].ShapedBps; got != minShapedBps {
		t.Errorf("1k link shaped to %g, want the floor %d", got, minShapedBps)
	}
	again, _ := PlanLayout(n, "cg-", DefaultCapacityScale, []int{2201, 2202, 2203, 2204})
	for i := range lay.Links {
		if again.Links[i] != lay.Links[i] {
			t.Errorf("layout not deterministic at link %d", i)
		}
	}
}

func TestPlanLayoutErrors(t *testing.T) {
	n := parse(t, `
igp: ospf
nodes: [{name: a}, {name: b}]
links:
  - {a: a, b: b, capacity: 1G, metric: 70000}
  - {a: a, b: b, capacity: 1G, metric: {ab: 1, ba: 100000}}
`)
	// The same metrics fit IS-IS's wide metrics; 2^24-1 and above do not.
	isis := parse(t, `
nodes: [{name: a}, {name: b}]
links:
  - {a: a, b: b, capacity: 1G, metric: 70000}
  - {a: a, b: b, capacity: 1G, metric: {ab: 16777214, ba: 16777215}}
`)
	for _, tc := range []struct {
		name   string
		net    *topology.Network
		prefix string
		scale  float64
		ports  []int
		want   []string
	}{
		{"OSPF metrics", n, "cg-", 1000, nil, []string{`link "a-b": metric 70000 is outside OSPF's interface cost range 1..65535`, `link "a-b#2": metric 100000`}},
		{"IS-IS metrics", isis, "cg-", 1000, nil, []string{`link "a-b#2": metric 16777215 is outside the IS-IS wide metric range 1..16777214`}},
		{"prefix", n, "lab-", 1000, nil, []string{`must start with "cg-"`}},
		{"scale", n, "cg-", 0, nil, []string{"scale"}},
		{"ports", n, "cg-", 1000, []int{1}, []string{"1 ssh ports for 2 nodes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanLayout(tc.net, tc.prefix, tc.scale, tc.ports)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigs(t *testing.T) {
	const src = `
nodes: [{name: r1}, {name: r2, drained: true}]
links: [{a: r1, b: r2, capacity: 10G, metric: {ab: 7, ba: 9}}]
`
	lay, err := PlanLayout(parse(t, "igp: ospf"+src), "cg-", DefaultCapacityScale, []int{2301, 2302})
	if err != nil {
		t.Fatal(err)
	}
	if lay.IGP != "ospf" {
		t.Errorf("igp: ospf gives a layout with IGP %q", lay.IGP)
	}
	r1, _ := lay.Node("r1")
	r2, _ := lay.Node("r2")
	// No igp: IS-IS, as the model drains by default.
	isis, err := PlanLayout(parse(t, src), "cg-", DefaultCapacityScale, []int{2301, 2302})
	if err != nil {
		t.Fatal(err)
	}
	if isis.IGP != "isis" {
		t.Errorf("no igp gives a layout with IGP %q, want isis", isis.IGP)
	}
	for _, tc := range []struct {
		name, text string
		want       []string
		not        []string
	}{
		{"ospfd r1", ospfdConf(lay, r1, "/x/ospfd.log"), []string{"interface cg-r2\n", "ip ospf cost 7\n", "ospf router-id 198.18.0.1\n", "network 198.18.0.0/15 area 0"}, []string{"max-metric"}},
		{"ospfd r2", ospfdConf(lay, r2, "/x/ospfd.log"), []string{"interface cg-r1\n", "ip ospf cost 9\n", "max-metric router-lsa administrative"}, nil},
		{"isisd r1", isisdConf(isis, r1, "/x/isisd.log"), []string{"router isis 1\n is-type level-2-only\n metric-style wide\n", " net 49.0001.1980.1800.0001.00\n!\n",
			"interface lo\n ip router isis 1\n isis passive\n isis metric 0\n", "interface cg-r2\n ip router isis 1\n isis circuit-type level-2-only\n isis network point-to-point\n", "isis metric 7\n"}, []string{"overload", "ospf"}},
		{"isisd r2", isisdConf(isis, r2, "/x/isisd.log"), []string{"interface cg-r1\n", "isis metric 9\n", " set-overload-bit\n net 49.0001.1980.1800.0002.00\n"}, nil},
		{"zebra r1", zebraConf(lay, r1, "/x/zebra.log"), []string{"hostname r1\n", "ip forwarding", "description link r1-r2 to r2 (cg-r1)"}, nil},
		{"sshd", sshdConf("/tmp/cg-lab-x", sshdGroups("/tmp/cg-lab-x", lay.Nodes)[0], "cg-x"), []string{"ListenAddress 127.0.0.1\n", "Port 2301\n", "Port 2302\n", "AllowUsers cg-x\n", "HostKey /tmp/cg-lab-x/ssh/host_ed25519\n", "PidFile /tmp/cg-lab-x/ssh/sshd-1/sshd.pid\n", "Match LocalPort 2302\n  ForceCommand /tmp/cg-lab-x/bin/cg-login /tmp/cg-lab-x/nodes/r2\n"}, []string{"0.0.0.0"}},
		{"login", loginScript("/tmp/cg-lab-x"), []string{
			"\"\")\n  exec /tmp/cg-lab-x/bin/cg-vtysh --vty_socket \"$d/run\" --config_dir \"$d/etc\" ;;",
			"\n\"ip -j route show\"|\"ip -j nexthop show\")\n",
			"/tmp/cg-lab-x/bin/cg-nsenter --net=\"/tmp/cg-lab-x/ssh/netns/$ns\" ",
			"ip\\ *|sh|sh\\ *|bash*|exec*|/*)\n",
			"exec /tmp/cg-lab-x/bin/cg-vtysh --vty_socket \"$d/run\" --config_dir \"$d/etc\" -c \"$SSH_ORIGINAL_COMMAND\"\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range tc.want {
				if !strings.Contains(tc.text, w) {
					t.Errorf("missing %q in:\n%s", w, tc.text)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(tc.text, w) {
					t.Errorf("unexpected %q in:\n%s", w, tc.text)
				}
			}
		})
	}
}

func TestCountFull(t *testing.T) {
	in := `{"neighbors":{"198.18.0.1":[{"state":"Full\/-","nbrState":"Full\/-"}],"198.18.0.2":[{"nbrState":"Init\/-"}],"198.18.0.3":[{"nbrState":"Full\/-"},{"nbrState":"Full\/-"}]}}`
	got, err := countFull([]byte(in))
	if err != nil || got != 3 {
		t.Errorf("countFull = %d, %v; want 3", got, err)
	}
	if _, err := countFull([]byte("% OSPF is not enabled")); err == nil {
		t.Error("no error for non-JSON output")
	}
}

func TestCountUp(t *testing.T) {
	// FRR 8.4, with one adjacency still initialising; the passive
	// loopback is a circuit without an adjacency.
	in := `{"areas":[{"area":"1","circuits":[{"circuit":0,"adj":"b","interface":"cg-b","level":2,"state":"Up","expires-in":"2s","snpa":"2020.2020.2020"},{"circuit":0,"adj":"d","interface":"cg-d","level":2,"state":"Initializing"},{"circuit":0}]}]}`
	got, err := countUp([]byte(in))
	if err != nil || got != 1 {
		t.Errorf("countUp = %d, %v; want 1", got, err)
	}
	if _, err := countUp([]byte("isisd is not running")); err == nil {
		t.Error("no error for non-JSON output")
	}
}

func TestSPFPending(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{"vrf":"default","areas":[{"area":"1","levels":[{"id":2,"lsp0-regenerated":2,"spf":"no pending","minimum-interval":1}]}]}`, false},
		{`{"areas":[{"levels":[{"id":1,"spf":"no pending"},{"id":2,"spf":"pending"}]}]}`, true},
		{`{"areas":[]}`, false},
		{"isisd is not running", true},
	} {
		if got := spfPending([]byte(tc.in)); got != tc.want {
			t.Errorf("spfPending(%s) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestConnected(t *testing.T) {
	// a-b-c, and d-e apart; the down link c-d is not built.
	lay, err := PlanLayout(parse(t, `
nodes: [{name: a}, {name: b}, {name: c}, {name: d}, {name: e}]
links:
  - {a: a, b: b, capacity: 1G}
  - {a: b, b: c, capacity: 1G}
  - {a: c, b: d, capacity: 1G, state: down}
  - {a: d, b: e, capacity: 1G}
`), "cg-", DefaultCapacityScale, nil)
	if err != nil {
		t.Fatal(err)
	}
	for node, want := range map[string]string{"a": "b c", "c": "a b", "d": "e"} {
		if got := strings.Join(lay.connected(node), " "); got != want {
			t.Errorf("connected(%s) = %q, want %q", node, got, want)
		}
	}
}

func TestISISNames(t *testing.T) {
	for _, tc := range []struct{ lo, sys, net string }{
		{"198.18.0.1", "1980.1800.0001", "49.0001.1980.1800.0001.00"},
		{"198.19.255.254", "1980.1925.5254", "49.0001.1980.1925.5254.00"},
	} {
		a := netip.MustParseAddr(tc.lo)
		if got := SystemID(a); got != tc.sys {
			t.Errorf("SystemID(%s) = %s, want %s", a, got, tc.sys)
		}
		if got := NET(a); got != tc.net {
			t.Errorf("NET(%s) = %s, want %s", a, got, tc.net)
		}
	}
}

func TestCostLine(t *testing.T) {
	if got := (&Layout{IGP: "isis"}).costLine(5); got != "isis metric 5" {
		t.Errorf("IS-IS: %q", got)
	}
	// A state file written before the lab ran IS-IS has no igp: OSPF.
	if got := (&Layout{}).costLine(5); got != "ip ospf cost 5" {
		t.Errorf("no igp: %q", got)
	}
}

func TestCheckOwned(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    State
		ok   bool
	}{
		{"ok", State{Dir: "/tmp/cg-lab-x", Namespaces: []string{"cg-a"}, Procs: []Proc{{PID: 1, Comm: "cg-zebra"}}, User: "cg-x"}, true},
		{"dir", State{Dir: "/tmp/lab-x"}, false},
		{"namespace", State{Dir: "/tmp/cg-lab-x", Namespaces: []string{"prod"}}, false},
		{"process", State{Dir: "/tmp/cg-lab-x", Procs: []Proc{{PID: 1, Comm: "sshd"}}}, false},
		{"user", State{Dir: "/tmp/cg-lab-x", User: "root"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkOwned(&tc.s); (err == nil) != tc.ok {
				t.Errorf("checkOwned = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestPlanLayoutLoopbacks(t *testing.T) {
	n := parse(t, `
igp: ospf
nodes:
  - {name: p1, loopback: 198.18.10.1}
  - {name: p2}
  - {name: p3, loopback: 198.19.200.3}
links:
  - {a: p1, b: p2, capacity: 10G}
  - {a: p2, b: p3, capacity: 10G}
`)
	lay, err := PlanLayout(n, "cg-", DefaultCapacityScale, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ node, loopback string }{
		{"p1", "198.18.10.1"},  // the topology's
		{"p2", "198.18.0.2"},   // the lab's numbering: node 2 gives none
		{"p3", "198.19.200.3"}, // in the link half, beyond the addresses the links take
	} {
		nd, _ := lay.Node(want.node)
		if nd.Loopback.String() != want.loopback {
			t.Errorf("%s: loopback %s, want %s", want.node, nd.Loopback, want.loopback)
		}
		if conf := ospfdConf(lay, nd, "/x/ospfd.log"); !strings.Contains(conf, "ospf router-id "+want.loopback+"\n") {
			t.Errorf("%s: router id is not the loopback:\n%s", want.node, conf)
		}
		if conf := isisdConf(lay, nd, "/x/isisd.log"); !strings.Contains(conf, " net "+NET(nd.Loopback)+"\n") {
			t.Errorf("%s: the IS-IS NET is not made of the loopback:\n%s", want.node, conf)
		}
	}
}

func TestPlanLayoutLoopbackErrors(t *testing.T) {
	// Built in code: a parsed topology cannot hold the duplicate or the
	// malformed address, which the lab checks all the same.
	nodes := func(loopbacks ...string) *topology.Network {
		n := &topology.Network{}
		for i, lo := range loopbacks {
			n.Nodes = append(n.Nodes, topology.Node{Name: fmt.Sprintf("r%d", i+1), Loopback: lo})
		}
		for i := 1; i < len(n.Nodes); i++ {
			n.Links = append(n.Links, topology.Link{ID: fmt.Sprintf("l%d", i), A: n.Nodes[i-1].Name, B: n.Nodes[i].Name, CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true})
		}
		return n
	}
	for _, tc := range []struct {
		name string
		net  *topology.Network
		want []string
	}{
		{"outside the lab's range", nodes("10.0.0.1", ""),
			[]string{`node "r1": loopback 10.0.0.1 is outside 198.18.0.0/15, the only addresses the lab uses`}},
		{"IPv6", nodes("", "2001:db8::2"),
			[]string{`node "r2": loopback 2001:db8::2 is not IPv4: the lab's OSPF router ids and IS-IS system ids are made of IPv4 loopbacks`}},
		{"not an address", nodes("198.18.0.300", ""),
			[]string{`node "r1": loopback "198.18.0.300" is not an IP address`}},
		{"a link's address", nodes("", "", "198.19.0.3"),
			[]string{`node "r3": loopback 198.19.0.3 is an address of link "l2" in the lab`}},
		{"the number the lab gives another node", nodes("", "198.18.0.1"),
			[]string{`node "r2": loopback 198.18.0.1 is also the loopback of node "r1" (numbered by the lab, as it gives no loopback)`}},
		{"two nodes", nodes("198.18.5.5", "", "198.18.5.5"),
			[]string{`node "r3": loopback 198.18.5.5 is also the loopback of node "r1"`}},
		{"every problem at once", nodes("10.0.0.1", "::1", "", "198.18.0.3"),
			[]string{`node "r1": loopback 10.0.0.1 is outside`, `node "r2": loopback ::1 is not IPv4`, `node "r4": loopback 198.18.0.3 is also the loopback of node "r3" (numbered by the lab`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := PlanLayout(tc.net, "cg-", DefaultCapacityScale, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%s\ndoes not contain %q", err, w)
				}
			}
		})
	}
}
