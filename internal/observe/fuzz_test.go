package observe

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
)

// seeds adds pieces of the recorded outputs of one command, and some
// broken ones: each recording gives its top-level entry with the most
// text (the route with the most next hops, the router's neighbours) on
// its own. Whole outputs (12 kB) make the fuzzer spend minutes minimising
// each new input while it reports 0 execs/s (golang/go#51484); fuzz with
// -fuzzminimizetime=2s as well.
func seeds(f *testing.F, glob string, extra ...string) {
	paths, _ := filepath.Glob(glob)
	if len(paths) == 0 {
		f.Fatalf("no recordings match %s", glob)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			f.Fatal(err)
		}
		best := ""
		for k, v := range top {
			if best == "" || len(v) > len(top[best]) {
				best = k
			}
		}
		piece, _ := json.Marshal(map[string]json.RawMessage{best: top[best]})
		f.Add(piece)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// checkParse is what both parsers promise: a result exactly when there
// is no error, every problem positioned inside the input, and a syntax
// error only for what encoding/json also rejects.
func checkParse(t *testing.T, data []byte, isNil bool, err error) {
	t.Helper()
	if (err == nil) == isNil {
		t.Fatalf("result nil %v with error %v", isNil, err)
	}
	if err == nil {
		if !json.Valid(data) {
			t.Fatalf("accepted what encoding/json rejects: %q", data)
		}
		return
	}
	var le *diag.ListError
	if !errors.As(err, &le) || !le.Diags.HasErrors() {
		t.Fatalf("error %T without diagnostics: %v", err, err)
	}
	lines := strings.Count(string(data), "\n") + 1
	for _, d := range le.Diags {
		if d.Pos.File != "f" || d.Pos.Line < 1 || d.Pos.Line > lines || d.Pos.Col < 1 || d.Hint == "" {
			t.Fatalf("diagnostic %v is not positioned inside the input (%d lines) with a hint", d, lines)
		}
		if strings.Contains(d.Msg, "invalid JSON") && json.Valid(data) && !strings.Contains(d.Msg, "nested more than") {
			t.Fatalf("valid JSON reported as invalid: %v", d)
		}
	}
}

func FuzzParseFRRRoutes(f *testing.F) {
	seeds(f, "testdata/frr84/*/state0/*.show-ip-route.json",
		`{"198.18.0.1/32":[{"protocol":"ospf","selected":true,"installed":true,"nexthops":[{"ip":"198.19.0.1","interfaceName":"eth0","active":true,"fib":true}]}]}`,
		`{"198.18.0.1/32":[{"protocol":"ospf","selected":"yes","nexthops":[{"ip":"x"},7]}],"bad":{}}`,
		"% Unknown command", "", `{"a":`, "[[[[", `{"198.18.0.1/32":[{"metric":1e99}]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		table, err := ParseFRRRoutes("f", data)
		checkParse(t, data, table == nil, err)
		for p, es := range table {
			for _, e := range es {
				if e.Prefix != p || e.Protocol == "" {
					t.Fatalf("entry %+v under %s", e, p)
				}
			}
		}
	})
}

func FuzzParseFRRNeighbors(f *testing.F) {
	seeds(f, "testdata/frr84/*/state0/*.show-ip-ospf-neighbor.json",
		`{"neighbors":{"198.18.0.2":{"ifaceAddress":"198.19.0.1","ifaceName":"eth0:198.19.0.0","state":"Full/-"}}}`,
		`{"neighbors":{"x":[],"198.18.0.3":[{"ifaceAddress":3}]}}`, `{"neighbors":[]}`, "{}", "ospfd is not running")
	f.Fuzz(func(t *testing.T, data []byte) {
		nbrs, err := ParseFRRNeighbors("f", data)
		checkParse(t, data, nbrs == nil, err)
		for i, nb := range nbrs {
			if !nb.RouterID.Is4() || !nb.Address.IsValid() {
				t.Fatalf("neighbour %+v", nb)
			}
			if i > 0 && lessNeighbor(nb, nbrs[i-1]) {
				t.Fatalf("neighbours out of order: %+v", nbrs)
			}
		}
	})
}

func FuzzParseFRRISISNeighbors(f *testing.F) {
	seeds(f, "testdata/frr84/isis-*/state0/*.show-isis-neighbor-detail.json",
		`{"areas":[{"area":"1","circuits":[{"adj":"b","interface":{"name":"eth0","state":"Up","ipv4-address":{"ipv4":"198.19.0.1","ipv4":"198.19.0.3"}},"level":2},{"circuit":0}]}]}`,
		`{"areas":[{"circuits":[{"adj":"c","interface":"eth1","state":"Up"},{"adj":3},{"adj":"d","interface":{"ipv4-address":["x"]}}]},7]}`,
		`{"areas":{}}`, "{}", "isisd is not running")
	f.Fuzz(func(t *testing.T, data []byte) {
		nbrs, err := ParseFRRISISNeighbors("f", data)
		checkParse(t, data, nbrs == nil, err)
		for _, nb := range nbrs {
			if nb.System == "" || (len(nb.Addresses) > 0) != nb.Address.IsValid() || (len(nb.Addresses) > 0 && nb.Addresses[0] != nb.Address) {
				t.Fatalf("neighbour %+v", nb)
			}
			for _, a := range nb.Addresses {
				if !a.Is4() {
					t.Fatalf("neighbour %+v: address %s", nb, a)
				}
			}
		}
	})
}

// isisDatabaseSeed is one router's LSP as FRR 8.4 prints it, with the
// lines around it.
const isisDatabaseSeed = `Area 1:
IS-IS Level-2 link-state database:
LSP ID                  PduLen  SeqNumber   Chksum  Holdtime  ATT/P/OL
d.00-00              *    131   0x00000003  0xda91    1147    0/0/1
  Protocols Supported: IPv4
  Hostname: d
  TE Router ID: 198.18.20.1
  Extended Reachability: 1980.1802.0002.00 (Metric: 10)
  Extended IP Reachability: 198.19.0.0/31 (Metric: 10)
  Extended IP Reachability: 198.18.20.1/32 (Metric: 0)
1980.1802.0005.00-00       27   0x00000000  0xd6d2    1144     none

    2 LSPs
`

func FuzzParseFRRISISDatabase(f *testing.F) {
	for _, s := range []string{isisDatabaseSeed, "IS-IS Level-1 link-state database:\nb.01-02   1 0x1 0x1 (0) 1/1/1\n  IS Reachability: x.00 (Metric: 1)\n  IP Reachability: 10.0.0.0/8 (Metric: 2)\n",
		"isisd is not running\n", "", "Area 1:\n  Hostname: x\n", "IS-IS Level-2 link-state database:\nx.00-00 1 0x1 0x1 1 0/0/0\n  TE Router ID: 1.2.3\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lsps, err := ParseFRRISISDatabase("f", data)
		if (err == nil) == (lsps == nil) {
			t.Fatalf("result nil %v with error %v", lsps == nil, err)
		}
		if err != nil {
			var le *diag.ListError
			if !errors.As(err, &le) || !le.Diags.HasErrors() {
				t.Fatalf("error %T without diagnostics: %v", err, err)
			}
			lines := strings.Count(string(data), "\n") + 1
			for _, d := range le.Diags {
				if d.Pos.File != "f" || d.Pos.Line < 1 || d.Pos.Line > lines || d.Pos.Col < 1 || d.Hint == "" {
					t.Fatalf("diagnostic %v is not positioned inside the input (%d lines) with a hint", d, lines)
				}
			}
			return
		}
		for _, l := range lsps {
			if (l.Level != 1 && l.Level != 2) || l.System == "" || !strings.HasPrefix(l.ID, l.System+".") {
				t.Fatalf("LSP %+v", l)
			}
			if l.RouterID.IsValid() && !l.RouterID.Is4() {
				t.Fatalf("LSP %+v: router id %s", l, l.RouterID)
			}
		}
	})
}

// FuzzReadISIS feeds arbitrary outputs to Read for the square on IS-IS:
// an error, or an observation whose routes are to other nodes, each next
// hop a node or explained.
func FuzzReadISIS(f *testing.F) {
	net, ds, err := topology.LoadFile(context.Background(), "testdata/isis-square.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		f.Fatal(err, ds)
	}
	for _, node := range []string{"p1", "p4"} {
		dir := "testdata/frr84/isis-square/state0/" + node
		r, _ := os.ReadFile(dir + ".show-ip-route.json")
		n, _ := os.ReadFile(dir + ".show-isis-neighbor-detail.json")
		d, _ := os.ReadFile(dir + ".show-isis-database-detail.txt")
		f.Add(node, compact(f, r), compact(f, n), d)
	}
	idx := net.NodeIndex()
	f.Fuzz(func(t *testing.T, node string, routes, nbrs, db []byte) {
		obs, err := Read(net, node, "frr_vtysh", map[string]string{frrRoutesCommand: string(routes), frrISISNeighborsCommand: string(nbrs), frrISISDatabaseCommand: string(db)})
		if err != nil {
			if obs != nil {
				t.Fatal("observation with an error")
			}
			return
		}
		for dest, r := range obs.Routes {
			if _, ok := idx[dest]; !ok || dest == node || len(r.NextHops) == 0 {
				t.Fatalf("route to %q: %+v", dest, r)
			}
			for _, h := range r.NextHops {
				if (h.Node == "") == (h.Unmapped == "") {
					t.Fatalf("hop %+v is neither a node nor explained", h)
				}
			}
		}
	})
}

// FuzzRead feeds arbitrary outputs to Read for the recorded square: an
// error, or an observation whose routes are to other nodes, each next
// hop a node or explained.
func FuzzRead(f *testing.F) {
	net, ds, err := topology.LoadFile(context.Background(), "testdata/square.yaml", userfile.Scope{})
	if err != nil || ds.HasErrors() {
		f.Fatal(err, ds)
	}
	for _, node := range []string{"p1", "p4"} {
		r, _ := os.ReadFile("testdata/frr84/square/state0/" + node + ".show-ip-route.json")
		n, _ := os.ReadFile("testdata/frr84/square/state0/" + node + ".show-ip-ospf-neighbor.json")
		f.Add(node, compact(f, r), compact(f, n))
	}
	f.Add("p1", []byte(`{"198.18.10.1/32":[{"protocol":"connected","selected":true,"installed":true}],"198.18.10.2/32":[{"protocol":"static","selected":true,"installed":true,"nexthops":[{"interfaceName":"eth9","fib":true},{"ip":"203.0.113.1","fib":true}]}]}`),
		[]byte(`{"neighbors":{"198.18.99.9":[{"ifaceAddress":"203.0.113.1","ifaceName":"eth9"}]}}`))
	idx := net.NodeIndex()
	f.Fuzz(func(t *testing.T, node string, routes, nbrs []byte) {
		obs, err := Read(net, node, "frr_vtysh", map[string]string{frrRoutesCommand: string(routes), frrNeighborsCommand: string(nbrs)})
		if err != nil {
			if obs != nil {
				t.Fatal("observation with an error")
			}
			return
		}
		for dest, r := range obs.Routes {
			if _, ok := idx[dest]; !ok || dest == node || len(r.NextHops) == 0 {
				t.Fatalf("route to %q: %+v", dest, r)
			}
			for _, h := range r.NextHops {
				if (h.Node == "") == (h.Unmapped == "") {
					t.Fatalf("hop %+v is neither a node nor explained", h)
				}
			}
		}
	})
}

// compact drops the blanks of a JSON text and the fields the parsers do
// not read, keeping recorded outputs small enough to fuzz.
func compact(f *testing.F, data []byte) []byte {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		f.Fatal(err)
	}
	keep := map[string]bool{"neighbors": true, "protocol": true, "selected": true, "installed": true, "nexthops": true,
		"ip": true, "interfaceName": true, "active": true, "fib": true, "ifaceAddress": true, "ifaceName": true, "nbrState": true,
		"areas": true, "circuits": true, "adj": true, "interface": true, "name": true, "state": true, "ipv4-address": true, "ipv4": true, "level": true}
	var prune func(v any, top bool) any
	prune = func(v any, top bool) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if !top && !keep[k] && !strings.Contains(k, ".") {
					delete(x, k)
					continue
				}
				x[k] = prune(e, false)
			}
		case []any:
			for i, e := range x {
				x[i] = prune(e, false)
			}
		}
		return v
	}
	out, _ := json.Marshal(prune(v, true))
	return out
}

// arraySeeds adds each recorded list output of glob whole (they are
// small: one router's kernel table is about 1 kB), and extra.
func arraySeeds(f *testing.F, glob string, extra ...string) {
	paths, _ := filepath.Glob(glob)
	if len(paths) == 0 {
		f.Fatalf("no recordings match %s", glob)
	}
	for _, p := range paths {
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

func FuzzParseKernelRoutes(f *testing.F) {
	arraySeeds(f, "testdata/frr84/*/*.ip-route-show.json",
		`[{"dst":"198.18.0.2","nhid":24,"protocol":"ospf","metric":20,"flags":[],"nexthops":[{"gateway":"198.19.0.1","dev":"eth0","weight":1,"flags":["linkdown","dead"]}]}]`,
		`[{"type":"unreachable","dst":"198.18.0.3","flags":[]},{"dst":"default","gateway":"198.19.0.1","dev":"eth1"},{"dst":"198.19.0.0/31","dev":"eth0","protocol":"kernel","scope":"link"}]`,
		`[{"dst":"x"},{"dst":7},{"nexthops":{}},{"dst":"198.18.0.1","nexthops":[3,{"gateway":"y"}],"flags":"dead"}]`,
		"[]", "{}", "% Unknown command: ip -j route show", "", "[[[[")
	f.Fuzz(func(t *testing.T, data []byte) {
		table, err := ParseKernelRoutes("f", data)
		checkParse(t, data, table == nil, err)
		for p, rs := range table {
			for _, r := range rs {
				if r.Prefix != p || r.Type == "" || !p.IsValid() || p != p.Masked() {
					t.Fatalf("route %+v under %s", r, p)
				}
			}
			_, used, ok := table.Forwarding(p, nil)
			for _, h := range used {
				if !ok || !h.Active {
					t.Fatalf("forwarding on %+v (route found %v)", h, ok)
				}
			}
		}
	})
}

func FuzzParseKernelNexthops(f *testing.F) {
	arraySeeds(f, "testdata/frr84/*/*.ip-nexthop-show.json",
		`[{"id":1,"group":[{"id":1},{"id":2}]},{"id":2,"gateway":"198.19.0.1","dev":"eth0","flags":["dead"]},{"id":3,"blackhole":true}]`,
		`[{"id":1},{"id":1},{"gateway":"x"},{"id":"7"},{"id":2,"group":[3,{"id":"x"}]}]`, "[]", "{}", "nexthop objects not supported")
	f.Fuzz(func(t *testing.T, data []byte) {
		nhs, err := ParseKernelNexthops("f", data)
		checkParse(t, data, nhs == nil, err)
		for id, nh := range nhs {
			if nh.ID != id {
				t.Fatalf("object %+v under %d", nh, id)
			}
			// A group that names itself, or a loop, must end.
			resolveNexthop(nhs, id)
		}
	})
}
