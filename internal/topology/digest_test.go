package topology

import (
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

func BenchmarkTrafficDigest4M(b *testing.B) {
	n := &Network{}
	for s := 0; s < 2000; s++ {
		for d := 0; d < 2000; d++ {
			if s != d {
				n.Demands = append(n.Demands, Demand{Src: "r" + strconv.Itoa(s), Dst: "r" + strconv.Itoa(d), RateBps: float64(s*d + 1)})
			}
		}
	}
	for b.Loop() {
		n.TrafficDigest()
	}
}
