package topology

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func mustParse(t *testing.T, src string) *Network {
	t.Helper()
	n, ds := Parse("t.yaml", []byte(src), ParseOptions{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return n
}

const digestBase = `name: one
nodes:
  - {name: a, role: core, zone: z1}
  - {name: b}
  - {name: c}
links:
  - {a: a, b: b, capacity: 100G, metric: 10, srlg: [x, y]}
  - {a: b, b: c, capacity: 10G, metric: {ab: 5, ba: 7}, class: secondary}
demands:
  - {src: a, dst: c, rate: 10G}
  - {src: c, dst: a, rate: 2G}
`

// The same network written differently has the same digests.
func TestDigestIgnoresFormatting(t *testing.T) {
	base := mustParse(t, digestBase)
	same := mustParse(t, `# a comment
name: renamed
links:
  - capacity: 10000M
    class: secondary
    metric: {ba: 7, ab: 5}
    b: c
    a: b
  - {a: a, b: b, capacity: 100_000_000_000, metric: 10, srlg: [y, x, x]}
nodes:
  - {name: c}
  - {zone: z1, role: core, name: a, position: {lat: 1, lon: 2}}
  - {name: b}
demand_matrix:
  unit: G
  nodes: [a, c]
  rows:
    - [0, 4]
    - [2, 0]
demands:
  - {src: a, dst: c, rate: 6G}
`)
	if base.TopologyDigest() != same.TopologyDigest() {
		t.Error("topology digest changed with formatting, order, units, name or positions")
	}
	if base.TrafficDigest() != same.TrafficDigest() {
		t.Error("traffic digest changed when one demand was written as a list entry and a matrix cell")
	}
	if !strings.HasPrefix(base.TopologyDigest(), DigestPrefix) || len(base.TopologyDigest()) != len(DigestPrefix)+64 {
		t.Errorf("digest %q is not sha256:<64 hex>", base.TopologyDigest())
	}
}

// Any change that matters changes exactly the digest it belongs to.
func TestDigestSeesEveryChange(t *testing.T) {
	base := mustParse(t, digestBase)
	tests := []struct {
		name     string
		from, to string
		traffic  bool
	}{
		{"capacity", "capacity: 100G", "capacity: 40G", false},
		{"metric", "metric: 10", "metric: 11", false},
		{"one direction", "ba: 7", "ba: 8", false},
		{"admin state", "metric: 10,", "metric: 10, state: down,", false},
		{"class", "class: secondary", "class: primary", false},
		{"srlg", "srlg: [x, y]", "srlg: [x]", false},
		{"drain", "{name: b}", "{name: b, drained: true}", false},
		{"zone", "zone: z1", "zone: z2", false},
		{"interface", "{a: a, b: b,", "{a: a, b: 'b:eth1',", false},
		{"rate", "rate: 10G", "rate: 11G", true},
		{"direction", "{src: c, dst: a, rate: 2G}", "{src: a, dst: c, rate: 2G}", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(digestBase, tt.from) {
				t.Fatalf("base lacks %q", tt.from)
			}
			n := mustParse(t, strings.Replace(digestBase, tt.from, tt.to, 1))
			topoSame := n.TopologyDigest() == base.TopologyDigest()
			trafficSame := n.TrafficDigest() == base.TrafficDigest()
			if tt.traffic && (!topoSame || trafficSame) {
				t.Errorf("traffic change: topology same %v (want true), traffic same %v (want false)", topoSame, trafficSame)
			}
			if !tt.traffic && (topoSame || !trafficSame) {
				t.Errorf("topology change: topology same %v (want false), traffic same %v (want true)", topoSame, trafficSame)
			}
		})
	}
}

// BenchmarkTrafficDigest4M digests 4 million demands (2,000 nodes), and
// so does the first implementation, for the ratio.
func BenchmarkTrafficDigest4M(b *testing.B) {
	n := &Network{}
	for s := 0; s < 2000; s++ {
		for d := 0; d < 2000; d++ {
			if s != d {
				n.Demands = append(n.Demands, Demand{Src: "r" + strconv.Itoa(s), Dst: "r" + strconv.Itoa(d), RateBps: float64(s*d + 1)})
			}
		}
	}
	b.Run("impl=changegate", func(b *testing.B) {
		for b.Loop() {
			n.TrafficDigest()
		}
	})
	b.Run("impl=reference", func(b *testing.B) {
		for b.Loop() {
			trafficDigestReference(n)
		}
	})
}

// trafficDigestReference is TrafficDigest as first written (a comparison
// sort of the demands, each name quoted per line): the digests of
// approved runs must not change with the faster one.
func trafficDigestReference(n *Network) string {
	// Rank node names alphabetically once, then sort by rank: the order is
	// the names' order without comparing strings millions of times.
	rank := make(map[string]int32, len(n.Nodes))
	for _, nd := range n.Nodes {
		rank[nd.Name] = 0
	}
	for _, d := range n.Demands { // names outside the node list, if any, count too
		rank[d.Src], rank[d.Dst] = 0, 0
	}
	names := make([]string, 0, len(rank))
	for name := range rank {
		names = append(names, name)
	}
	slices.Sort(names)
	for i, name := range names {
		rank[name] = int32(i)
	}
	type demand struct {
		src, dst int32
		rate     float64
	}
	ds := make([]demand, 0, len(n.Demands))
	for _, d := range n.Demands {
		if d.RateBps != 0 {
			ds = append(ds, demand{rank[d.Src], rank[d.Dst], d.RateBps})
		}
	}
	// Sorting equal pairs by rate makes their sum independent of file order.
	slices.SortFunc(ds, func(a, b demand) int {
		switch {
		case a.src != b.src:
			return int(a.src - b.src)
		case a.dst != b.dst:
			return int(a.dst - b.dst)
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	h := sha256.New()
	write(h, "changegate traffic v1\n")
	buf := make([]byte, 0, 128)
	for i := 0; i < len(ds); {
		src, dst, sum := ds[i].src, ds[i].dst, 0.0
		for ; i < len(ds) && ds[i].src == src && ds[i].dst == dst; i++ {
			sum += ds[i].rate
		}
		buf = strconv.AppendQuote(buf[:0], names[src])
		buf = append(buf, ' ')
		buf = strconv.AppendQuote(buf, names[dst])
		buf = append(buf, ' ')
		buf = strconv.AppendFloat(buf, sum, 'g', -1, 64)
		buf = append(buf, '\n')
		h.Write(buf)
	}
	return DigestPrefix + hex.EncodeToString(h.Sum(nil))
}

func TestTrafficDigestSameAsReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		n := &Network{}
		nodes := 1 + rng.IntN(12)
		for i := range nodes {
			n.Nodes = append(n.Nodes, Node{Name: fmt.Sprintf("n%d \"x\"\t%d", rng.IntN(3), i)})
		}
		for range rng.IntN(60) {
			name := func() string {
				if rng.IntN(20) == 0 {
					return "outside" // a name that is not a node
				}
				return n.Nodes[rng.IntN(nodes)].Name
			}
			rates := []float64{0, 1, 2.5e9, 1e-3, 3, 1.0 / 3}
			n.Demands = append(n.Demands, Demand{Src: name(), Dst: name(), RateBps: rates[rng.IntN(len(rates))]})
		}
		if trial%2 == 0 { // sorted input takes the other branch of sortByPair
			slices.SortFunc(n.Demands, func(a, b Demand) int {
				return cmp.Or(strings.Compare(a.Src, b.Src), strings.Compare(a.Dst, b.Dst))
			})
		}
		if got, want := n.TrafficDigest(), trafficDigestReference(n); got != want {
			t.Fatalf("trial %d: digest %s, reference %s, demands %v", trial, got, want, n.Demands)
		}
	}
}
