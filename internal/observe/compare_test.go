package observe

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/changegate/changegate/internal/dryrun"
)

// route builds an observed route over hops written "node" (on interface
// "to-node"), "node/interface", or "ip@interface!why" (a hop that maps to
// no node).
func route(dest, protocol string, hops ...string) Route {
	r := Route{Prefix: prefixOf(dest), Protocol: protocol}
	for _, h := range hops {
		if addr, rest, ok := strings.Cut(h, "@"); ok {
			iface, why, _ := strings.Cut(rest, "!")
			r.NextHops = append(r.NextHops, Hop{IP: netip.MustParseAddr(addr), Interface: iface, Unmapped: why})
			continue
		}
		node, iface, ok := strings.Cut(h, "/")
		if !ok {
			iface = "to-" + node
		}
		r.NextHops = append(r.NextHops, Hop{Node: node, Interface: iface})
	}
	return r
}

// vias turns a prediction by node into one by link: a node listed twice
// is reached over two parallel links ("p1-p2", "p1-p2#2"); a node written
// "node/interface" names p1's interface on the link.
func vias(pred map[string][]string) map[string][]dryrun.Via {
	out := map[string][]dryrun.Via{}
	for dest, nodes := range pred {
		seen := map[string]int{}
		out[dest] = []dryrun.Via{}
		for _, n := range nodes {
			n, iface, _ := strings.Cut(n, "/")
			seen[n]++
			id := "p1-" + n
			if seen[n] > 1 {
				id += fmt.Sprintf("#%d", seen[n])
			}
			out[dest] = append(out[dest], dryrun.Via{Node: n, Link: id, Interface: iface})
		}
	}
	return out
}

// prefixOf is the loopback prefix of node pN: 198.18.0.N/32.
func prefixOf(node string) netip.Prefix {
	return netip.MustParsePrefix("198.18.0." + strings.TrimPrefix(node, "p") + "/32")
}

func observation(routes ...Route) *Observation {
	obs := &Observation{Node: "p1", Routes: map[string]Route{}, Destinations: map[string]netip.Prefix{}}
	for _, n := range []string{"p2", "p3", "p4", "p5", "p6"} {
		obs.Destinations[n] = prefixOf(n)
	}
	for _, r := range routes {
		for n, p := range obs.Destinations {
			if p == r.Prefix {
				obs.Routes[n] = r
			}
		}
	}
	return obs
}

func TestCompare(t *testing.T) {
	// The prediction of p1 used by every case unless it gives its own.
	base := map[string][]string{"p2": {"p2"}, "p3": {"p3"}, "p4": {"p2", "p3"}, "p5": {"p2", "p5"}, "p6": {}}
	matching := []Route{route("p2", "ospf", "p2"), route("p3", "ospf", "p3"), route("p4", "ospf", "p3", "p2"), route("p5", "ospf", "p2", "p5")}
	with := func(r Route) []Route {
		out := []Route{}
		for _, m := range matching {
			if m.Prefix != r.Prefix {
				out = append(out, m)
			}
		}
		return append(out, r)
	}
	without := func(dest string) []Route {
		out := []Route{}
		for _, m := range matching {
			if m.Prefix != prefixOf(dest) {
				out = append(out, m)
			}
		}
		return out
	}
	tests := []struct {
		name      string
		predicted map[string][]string
		routes    []Route
		tolerance int
		want      []Difference
		text      string // Comparison.String()
	}{
		{
			name: "ECMP and unreachable match", routes: matching,
			text: "p1: forwarding matches the model for all 5 destinations",
		},
		{
			name: "a next hop listed twice on one interface is one link", routes: with(route("p2", "ospf", "p2", "p2")),
			text: "p1: forwarding matches the model for all 5 destinations",
		},
		{
			name: "parallel links, each used", predicted: map[string][]string{"p2": {"p2", "p2"}},
			routes: with(route("p2", "ospf", "p2/eth1", "p2/eth2")),
			text:   "p1: forwarding matches the model for all 1 destinations",
		},
		{
			name: "a parallel link the router does not use counts", predicted: map[string][]string{"p2": {"p2", "p2"}, "p4": {"p2", "p2", "p3"}},
			routes: with(route("p2", "ospf", "p2/eth1")),
			want: []Difference{{Destination: "p2", Kind: NextHops, Predicted: []string{"p2 (2 links)"}, Observed: []string{"p2 (1 link)"},
				Missing: []string{"p2 on 1 more link (of p1-p2, p1-p2#2)"}, Unexpected: []string{}, Links: []string{"to p2 on 1 of 2 links (p1-p2, p1-p2#2)"},
				Protocol: "ospf", Prefix: "198.18.0.2/32"}, {Destination: "p4", Kind: NextHops, Predicted: []string{"p2 (2 links)", "p3"}, Observed: []string{"p2 (1 link)", "p3"},
				Missing: []string{"p2 on 1 more link (of p1-p2, p1-p2#2)"}, Unexpected: []string{}, Links: []string{"to p2 on 1 of 2 links (p1-p2, p1-p2#2)"},
				Protocol: "ospf", Prefix: "198.18.0.4/32"}},
			text: "p1: 2 of 2 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p2: the model predicts via p2 (2 links); the router forwards via p2 (1 link) (to p2 on 1 of 2 links (p1-p2, p1-p2#2))\n" +
				"  p1 -> p4: the model predicts via p2 (2 links), p3; the router forwards via p2 (1 link), p3 (to p2 on 1 of 2 links (p1-p2, p1-p2#2))",
		},
		{
			name: "named links: the one not used is named, an interface not predicted too", predicted: map[string][]string{"p2": {"p2/eth1", "p2/eth2"}},
			routes: with(route("p2", "ospf", "p2/eth2", "p2/eth3")),
			want: []Difference{{Destination: "p2", Kind: NextHops, Predicted: []string{"p2 (2 links)"}, Observed: []string{"p2 (2 links)"},
				Missing: []string{"p2 on link p1-p2 (eth1)"}, Unexpected: []string{"p2 on eth3"}, Links: []string{"not on link p1-p2 (eth1) to p2", "also on eth3 to p2"},
				Protocol: "ospf", Prefix: "198.18.0.2/32"}},
			text: "p1: 1 of 1 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p2: the model predicts via p2 (2 links); the router forwards via p2 (2 links) (not on link p1-p2 (eth1) to p2; also on eth3 to p2)",
		},
		{
			name: "more links than predicted", predicted: map[string][]string{"p2": {"p2"}},
			routes: with(route("p2", "ospf", "p2/eth1", "p2/eth2")),
			want: []Difference{{Destination: "p2", Kind: NextHops, Predicted: []string{"p2 (1 link)"}, Observed: []string{"p2 (2 links)"},
				Missing: []string{}, Unexpected: []string{"p2 on eth2"}, Links: []string{"also on eth2 to p2"},
				Protocol: "ospf", Prefix: "198.18.0.2/32"}},
		},
		{
			name: "next hops swapped", routes: with(route("p5", "ospf", "p3")),
			want: []Difference{{Destination: "p5", Kind: NextHops, Predicted: []string{"p2", "p5"}, Observed: []string{"p3"},
				Missing: []string{"p2", "p5"}, Unexpected: []string{"p3"}, Protocol: "ospf", Prefix: "198.18.0.5/32"}},
			text: "p1: 1 of 5 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p5: the model predicts via p2, p5; the router forwards via p3",
		},
		{
			name: "one ECMP next hop missing", routes: with(route("p4", "ospf", "p2")),
			want: []Difference{{Destination: "p4", Kind: NextHops, Predicted: []string{"p2", "p3"}, Observed: []string{"p2"},
				Missing: []string{"p3"}, Unexpected: []string{}, Protocol: "ospf", Prefix: "198.18.0.4/32"}},
		},
		{
			name: "an extra next hop", routes: with(route("p2", "ospf", "p2", "p3")),
			want: []Difference{{Destination: "p2", Kind: NextHops, Predicted: []string{"p2"}, Observed: []string{"p2", "p3"},
				Missing: []string{}, Unexpected: []string{"p3"}, Protocol: "ospf", Prefix: "198.18.0.2/32"}},
		},
		{
			name: "route missing", routes: without("p4"),
			want: []Difference{{Destination: "p4", Kind: MissingRoute, Predicted: []string{"p2", "p3"}, Observed: []string{},
				Missing: []string{"p2", "p3"}, Unexpected: []string{}, Prefix: "198.18.0.4/32"}},
			text: "p1: 1 of 5 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p4: the model predicts via p2, p3; the router has no route to p4 (198.18.0.4/32)",
		},
		{
			name: "a route where the model predicts none", routes: with(route("p6", "static", "p3")),
			want: []Difference{{Destination: "p6", Kind: UnexpectedRoute, Predicted: []string{}, Observed: []string{"p3"},
				Missing: []string{}, Unexpected: []string{"p3"}, Protocol: "static", Prefix: "198.18.0.6/32"}},
			text: "p1: 1 of 5 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p6: the model predicts no route (p6 unreachable); the router forwards via p3 (static route)",
		},
		{
			name: "a next hop that maps to no node", routes: with(route("p3", "ospf", "p3", "198.19.0.9@eth4!no OSPF neighbour has this address")),
			want: []Difference{{Destination: "p3", Kind: NextHops, Predicted: []string{"p3"},
				Observed:   []string{"p3", "198.19.0.9 on eth4 (no OSPF neighbour has this address)"},
				Missing:    []string{},
				Unexpected: []string{"198.19.0.9 on eth4 (no OSPF neighbour has this address)"}, Protocol: "ospf", Prefix: "198.18.0.3/32"}},
			text: "p1: 1 of 5 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p3: the model predicts via p3; the router forwards via p3, 198.19.0.9 on eth4 (no OSPF neighbour has this address)",
		},
		{
			name: "within the tolerance", routes: without("p2"), tolerance: 1,
			want: []Difference{{Destination: "p2", Kind: MissingRoute, Predicted: []string{"p2"}, Observed: []string{},
				Missing: []string{"p2"}, Unexpected: []string{}, Prefix: "198.18.0.2/32"}},
			text: "p1: 1 of 5 destinations differ from the model, within the tolerance of 1\n" +
				"  p1 -> p2: the model predicts via p2; the router has no route to p2 (198.18.0.2/32)",
		},
		{
			name:      "only predicted destinations are compared, in name order",
			predicted: map[string][]string{"p5": {"p5", "p2"}, "p3": {"p2"}},
			routes:    matching,
			want: []Difference{{Destination: "p3", Kind: NextHops, Predicted: []string{"p2"}, Observed: []string{"p3"},
				Missing: []string{"p2"}, Unexpected: []string{"p3"}, Protocol: "ospf", Prefix: "198.18.0.3/32"}},
			text: "p1: 1 of 2 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p3: the model predicts via p2; the router forwards via p3",
		},
		{
			name:      "a destination the observation does not know",
			predicted: map[string][]string{"p9": {"p2"}},
			routes:    matching,
			want: []Difference{{Destination: "p9", Kind: MissingRoute, Predicted: []string{"p2"}, Observed: []string{},
				Missing: []string{"p2"}, Unexpected: []string{}}},
			text: "p1: 1 of 1 destinations differ from the model, beyond the tolerance of 0\n" +
				"  p1 -> p9: the model predicts via p2; the router has no route to p9",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pred := tt.predicted
			if pred == nil {
				pred = base
			}
			c, err := Compare(vias(pred), observation(tt.routes...), tt.tolerance)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if want == nil {
				want = []Difference{}
			}
			if diff := cmp.Diff(want, c.Differences); diff != "" {
				t.Errorf("differences (-want +got):\n%s", diff)
			}
			if c.OK != (len(want) <= tt.tolerance) || c.Tolerance != tt.tolerance || c.Compared != len(pred) || c.Node != "p1" {
				t.Errorf("comparison %+v", c)
			}
			if tt.text != "" && c.String() != tt.text {
				t.Errorf("text:\n%s\nwant:\n%s", c.String(), tt.text)
			}
		})
	}
}

func TestCompareErrors(t *testing.T) {
	if _, err := Compare(nil, observation(), -1); err == nil || !strings.Contains(err.Error(), "tolerance -1") {
		t.Errorf("negative tolerance: %v", err)
	}
	if _, err := Compare(nil, nil, 0); err == nil {
		t.Error("no error without an observation")
	}
}
