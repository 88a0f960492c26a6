package topology

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// withLoopbacks is base with a loopback on each node.
func withLoopbacks(r1, r2 string) string {
	return strings.Replace(strings.Replace(base,
		"  - name: r1\n", "  - name: r1\n    loopback: "+r1+"\n", 1),
		"  - name: r2\n", "  - name: r2\n    loopback: "+r2+"\n", 1)
}

func TestParseLoopback(t *testing.T) {
	for _, tt := range []struct {
		name, r1, r2 string
		want         [2]string // the loopbacks read, in canonical form
		// pos, msg and hint describe the one error, when there is one.
		pos, msg, hint string
	}{
		{name: "IPv4", r1: "198.18.0.1", r2: "10.0.0.2", want: [2]string{"198.18.0.1", "10.0.0.2"}},
		{name: "IPv6 is written canonically", r1: "2001:DB8:0:0::1", r2: `"2001:db8::2"`, want: [2]string{"2001:db8::1", "2001:db8::2"}},
		{name: "blanks around the address", r1: `" 192.0.2.1 "`, r2: "192.0.2.2", want: [2]string{"192.0.2.1", "192.0.2.2"}},
		{
			name: "not an address", r1: "198.18.0.1", r2: "198.18.0.256",
			pos: "t.yaml:6:15", msg: `node 2: loopback: "198.18.0.256" is not an IP address`, hint: loopbackHint,
		},
		{
			name: "a name", r1: "198.18.0.1", r2: "r2.example.net",
			pos: "t.yaml:6:15", msg: `node 2: loopback: "r2.example.net" is not an IP address`, hint: loopbackHint,
		},
		{
			name: "leading zeros", r1: "198.018.0.1", r2: "198.18.0.2",
			pos: "t.yaml:4:15", msg: `node 1: loopback: "198.018.0.1" is not an IP address`, hint: loopbackHint,
		},
		{
			name: "a prefix", r1: "198.18.0.1/32", r2: "198.18.0.2",
			pos: "t.yaml:4:15", msg: `node 1: loopback: "198.18.0.1/32" is a prefix, not an address`, hint: "write the address alone: 198.18.0.1 (a loopback is one address)",
		},
		{
			name: "a list", r1: "[198.18.0.1]", r2: "198.18.0.2",
			pos: "t.yaml:4:15", msg: "node 1: loopback must be a scalar value, found a list", hint: "give a single value",
		},
		{
			name: "duplicate", r1: "198.18.0.1", r2: "198.18.0.1",
			pos: "t.yaml:6:15", msg: `node "r2": loopback 198.18.0.1 is also the loopback of node "r1"`, hint: "each node needs its own loopback; the other is at t.yaml:4:15",
		},
		{
			name: "duplicate in another spelling", r1: "2001:db8::1", r2: "2001:DB8:0::1",
			pos: "t.yaml:6:15", msg: `node "r2": loopback 2001:db8::1 is also the loopback of node "r1"`, hint: "each node needs its own loopback; the other is at t.yaml:4:15",
		},
		{
			name: "zone", r1: "fe80::1%eth0", r2: "198.18.0.2",
			pos: "t.yaml:4:15", msg: `node "r1": loopback fe80::1%eth0 has a zone`, hint: "remove %eth0: a loopback is reached from other routers, so it has no zone",
		},
		{
			name: "IPv4-mapped", r1: "::ffff:198.18.0.1", r2: "198.18.0.2",
			pos: "t.yaml:4:15", msg: `node "r1": loopback ::ffff:198.18.0.1 is an IPv4-mapped IPv6 address`, hint: "write it as IPv4: 198.18.0.1",
		},
		{
			name: "host loopback", r1: "127.0.0.1", r2: "198.18.0.2",
			pos: "t.yaml:4:15", msg: `node "r1": loopback 127.0.0.1 is not a routable unicast address`,
		},
		{
			name: "unspecified", r1: "0.0.0.0", r2: "198.18.0.2",
			pos: "t.yaml:4:15", msg: `node "r1": loopback 0.0.0.0 is not a routable unicast address`,
		},
		{
			name: "multicast", r1: "198.18.0.1", r2: "ff02::5",
			pos: "t.yaml:6:15", msg: `node "r2": loopback ff02::5 is not a routable unicast address`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, ds := Parse("t.yaml", []byte(withLoopbacks(tt.r1, tt.r2)), ParseOptions{})
			checkNilMeansErrors(t, n, ds)
			if tt.msg == "" {
				if ds.HasErrors() {
					t.Fatalf("unexpected errors: %v", ds)
				}
				if got := [2]string{n.Nodes[0].Loopback, n.Nodes[1].Loopback}; got != tt.want {
					t.Errorf("loopbacks %q, want %q", got, tt.want)
				}
				for i, nd := range n.Nodes {
					if a := nd.LoopbackAddr(); !a.IsValid() || a.String() != tt.want[i] {
						t.Errorf("LoopbackAddr() of %s = %v", nd.Name, a)
					}
				}
				return
			}
			if len(ds) != 1 {
				t.Fatalf("got %d diagnostics, want 1:\n%s", len(ds), render(n, ds))
			}
			d := ds[0]
			if d.Pos.String() != tt.pos || d.Msg != tt.msg {
				t.Errorf("got %s: %s\nwant %s: %s", d.Pos, d.Msg, tt.pos, tt.msg)
			}
			if tt.hint != "" && d.Hint != tt.hint {
				t.Errorf("hint %q, want %q", d.Hint, tt.hint)
			}
			if d.Hint == "" {
				t.Error("no hint")
			}
		})
	}
}

func TestValidateBuiltLoopbacks(t *testing.T) {
	n := imported()
	n.Nodes[0].Loopback = "10.0.0.1"
	n.Nodes[1].Loopback = "10.0.0.x"
	n.Nodes[2].Loopback = "10.0.0.1"
	var got []string
	for _, d := range n.Validate() {
		got = append(got, d.String())
	}
	want := []string{
		`zoo.graphml: node "Frankfurt": loopback "10.0.0.x" is not an IP address (hint: ` + loopbackHint + `)`,
		`zoo.graphml: node "London": loopback 10.0.0.1 is also the loopback of node "Amsterdam" (hint: each node needs its own loopback; the other is node 1)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if a := n.Nodes[1].LoopbackAddr(); a.IsValid() {
		t.Errorf("LoopbackAddr of an invalid loopback = %v, want the zero Addr", a)
	}
}

func TestWriteLoopbacks(t *testing.T) {
	n := &Network{
		Nodes: []Node{{Name: "a", Loopback: "198.18.0.1"}, {Name: "b", Loopback: "2001:db8::"}, {Name: "c", Loopback: "2001:db8::2"}, {Name: "d"}},
		Links: []Link{
			{ID: "a-b", A: "a", B: "b", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
			{ID: "b-c", A: "b", B: "c", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
			{ID: "c-d", A: "c", B: "d", CapacityBps: 1e9, MetricAB: 1, MetricBA: 1, Up: true},
		},
	}
	out := roundTrip(t, n)
	for _, s := range []string{"    loopback: 198.18.0.1\n", "    loopback: \"2001:db8::\"\n", "    loopback: 2001:db8::2\n"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	if strings.Count(out, "loopback") != 3 {
		t.Errorf("a node without a loopback got one:\n%s", out)
	}
}

func TestLoopbackJSON(t *testing.T) {
	data, err := json.Marshal([]Node{{Name: "a", Loopback: "198.18.0.1"}, {Name: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	const want = `[{"name":"a","drained":false,"loopback":"198.18.0.1"},{"name":"b","drained":false}]`
	if string(data) != want {
		t.Errorf("JSON\n got %s\nwant %s", data, want)
	}
}

func TestDigestLoopbacks(t *testing.T) {
	base := mustParse(t, digestBase)
	// The digest of digestBase before loopbacks existed: a network
	// without loopbacks keeps its digest, and so its approvals.
	const before = "sha256:f2a9b6a85d89b93d14302f86e9055de8e739093341e553795da8db1d95b684a1"
	if got := base.TopologyDigest(); got != before {
		t.Errorf("digest of a network without loopbacks changed:\n got %s\nwant %s", got, before)
	}
	with := mustParse(t, strings.Replace(digestBase, "{name: b}", "{name: b, loopback: 2001:db8::1}", 1))
	if with.TopologyDigest() == base.TopologyDigest() {
		t.Error("adding a loopback did not change the digest")
	}
	other := mustParse(t, strings.Replace(digestBase, "{name: b}", "{name: b, loopback: 2001:db8::2}", 1))
	if other.TopologyDigest() == with.TopologyDigest() {
		t.Error("changing a loopback did not change the digest")
	}
	built := mustParse(t, digestBase)
	built.Nodes[1].Loopback = "2001:DB8:0::1" // not canonical: as an importer might write it
	if built.TopologyDigest() != with.TopologyDigest() {
		t.Error("the digest depends on how the address is written")
	}
}
