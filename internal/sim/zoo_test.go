package sim_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/changegate/changegate/internal/sim"
)

// The incremental N-1 and incremental steps equal full recomputations on
// real networks: Topology Zoo topologies with gravity demands, through a
// 20-step plan of cost-outs, drains and link downs. Cogentco (197 nodes,
// most of the time) runs without -short and without the race detector,
// under which it alone takes minutes: make test runs this test again
// without -race for it.
func TestZooEquivalence(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Topology Zoo data not found (%v): skipping", err)
	}
	names := []string{"Abilene", "Geant2009", "Sanet", "Interoute"}
	if !testing.Short() && !raceEnabled {
		names = append(names, "Cogentco")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			m, err := sim.Compile(zoo(name))
			if err != nil {
				t.Fatal(err)
			}
			s := m.Solve(m.Baseline())
			sim.CheckN1(t, name+" baseline", s)
			steps := plan20(m)
			for i, c := range steps {
				s = s.Apply(c)
				want := m.Solve(c)
				for a := range want.Load {
					if s.Load[a] != want.Load[a] {
						t.Fatalf("step %d: arc %d: Apply %v, Solve %v", i+1, a, s.Load[a], want.Load[a])
					}
				}
				if i == 9 || (i%5 == 4 && len(m.Net.Nodes) < 100) {
					sim.CheckN1(t, name+" step", s)
				}
			}
		})
	}
}
