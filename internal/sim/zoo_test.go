package sim_test

import (
	"fmt"
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
	needZoo(t)
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

// The N-1 carried from state to state (N1Chain) equals a fresh N-1 of
// every state of the 20-step plan on Topology Zoo networks, arc by arc,
// and a full recomputation at some of them; and the chain did reuse.
func TestZooChainEquivalence(t *testing.T) {
	needZoo(t)
	// Under the race detector only the two smallest (make test runs the
	// rest without it).
	names := []string{"Abilene", "Sanet"}
	if !raceEnabled {
		names = append(names, "Geant2009", "Interoute")
		if !testing.Short() {
			names = append(names, "Cogentco")
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			m, err := sim.Compile(zoo(name))
			if err != nil {
				t.Fatal(err)
			}
			small := len(m.Net.Nodes) < 100
			var ch sim.N1Chain
			s := m.Solve(m.Baseline())
			sim.CheckChain(t, name+" baseline", &ch, s, false)
			for i, c := range plan20(m) {
				s = s.Apply(c)
				sim.CheckChain(t, fmt.Sprintf("%s step %d", name, i+1), &ch, s, i == 9 || (i%5 == 4 && small))
			}
			_, carried, reused, _, evaluated := sim.ChainStats(&ch)
			t.Logf("failures carried over %d, pairs reused %d, pair evaluations %d", carried, reused, evaluated)
			if carried == 0 || reused == 0 {
				t.Fatalf("%s: the chain carried nothing over (failures %d, pairs %d)", name, carried, reused)
			}
		})
	}
}

// needZoo skips t when ../shared's Topology Zoo is not beside the
// repository.
func needZoo(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Topology Zoo data not found (%v): skipping", err)
	}
}
