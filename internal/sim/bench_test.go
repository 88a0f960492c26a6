package sim_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/traffic"
)

type benchNet struct {
	name string
	make func() *topology.Network
	// fullSample bounds how many failures the full-recomputation baseline
	// runs (all of them would take hours on the big synthetic networks).
	fullSample int
}

var benchNets = []benchNet{
	{"cogentco", func() *topology.Network { return zoo("Cogentco") }, 1 << 30},
	{"kdl", func() *topology.Network { return zoo("Kdl") }, 200},
	{"clos", func() *topology.Network { return clos(20, 40, 12, 4, 10e6) }, 24},
	{"wan", func() *topology.Network { return wan(2000, 10000, 1) }, 4},
}

// zoo imports a Topology Zoo network with 10G default capacity and gravity
// demands between all node pairs, scaled so the busiest link is at 50%.
func zoo(name string) *topology.Network {
	path := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", name+".graphml")
	f, err := os.Open(path)
	if err != nil {
		panic(fmt.Sprintf("topology zoo: %v (the benchmarks need ../shared beside the repository)", err))
	}
	defer f.Close()
	net, _, err := importer.GraphML(f, path, importer.GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil {
		panic(err)
	}
	net.Demands = traffic.Gravity(net, 1e12)
	if _, err := traffic.ScaleToPeakUtilization(net, traffic.Peak{Utilization: 0.5}); err != nil {
		panic(err)
	}
	return net
}

var (
	modelCache   = map[string]*sim.Model{}
	modelCacheMu sync.Mutex
)

func benchModel(b *testing.B, bn benchNet) *sim.Model {
	modelCacheMu.Lock()
	defer modelCacheMu.Unlock()
	if m, ok := modelCache[bn.name]; ok {
		return m
	}
	net := bn.make()
	m, err := sim.Compile(net)
	if err != nil {
		b.Fatal(err)
	}
	modelCache[bn.name] = m
	return m
}

// BenchmarkSteadyState: one full Solve of the baseline.
func BenchmarkSteadyState(b *testing.B) {
	for _, bn := range benchNets {
		b.Run(bn.name, func(b *testing.B) {
			m := benchModel(b, bn)
			c := m.Baseline()
			b.ResetTimer()
			for b.Loop() {
				m.Solve(c)
			}
		})
	}
}

// BenchmarkPlan: baseline plus 20 steps (Apply), and N-1 of all 21 states,
// each state's N-1 from scratch (reuse=off) or carried over from the
// previous state by an N1Chain (reuse=on). The WAN's targets are one
// steady state and the N-1 of one state, so it is left out here.
func BenchmarkPlan(b *testing.B) {
	for _, bn := range benchNets {
		if bn.name == "wan" {
			continue
		}
		for _, reuse := range []bool{false, true} {
			name := bn.name + "/reuse=off"
			if reuse {
				name = bn.name + "/reuse=on"
			}
			b.Run(name, func(b *testing.B) {
				m := benchModel(b, bn)
				steps := plan20(m)
				b.ResetTimer()
				for b.Loop() {
					var ch sim.N1Chain
					n1 := func(s *sim.State) {
						var err error
						if reuse {
							_, err = ch.N1(context.Background(), s, m.Failures(s.Config))
						} else {
							_, err = s.N1(context.Background(), m.Failures(s.Config))
						}
						if err != nil {
							b.Fatal(err)
						}
					}
					s := m.Solve(m.Baseline())
					n1(s)
					for _, c := range steps {
						s = s.Apply(c)
						n1(s)
					}
				}
			})
		}
	}
}

// BenchmarkPlanWork measures what reuse across plan states saves in work
// rather than time (steadier on a shared machine): the plan of
// BenchmarkPlan through one N1Chain against a fresh N-1 of every state, in
// pair evaluations and in work (the pairs' costs: nodes whose next hops
// change plus arcs whose load changes), as ratios chain/fresh over all 21
// states and over the states changegate dryrun analyses (it reuses the
// N-1 of a state whose configuration repeats an earlier one), and the
// memory the chain keeps after the last state.
func BenchmarkPlanWork(b *testing.B) {
	for _, bn := range benchNets {
		if bn.name == "wan" {
			continue
		}
		b.Run(bn.name, func(b *testing.B) {
			m := benchModel(b, bn)
			configs := append([]*sim.Config{m.Baseline()}, plan20(m)...)
			for b.Loop() {
				for _, dryrun := range []bool{false, true} {
					var ch sim.N1Chain
					var freshWork, freshEvals int64
					var seen []*sim.Config
					var s *sim.State
					for i, c := range configs {
						if i == 0 {
							s = m.Solve(c)
						} else {
							s = s.Apply(c)
						}
						if dryrun && slices.ContainsFunc(seen, c.Equal) {
							continue
						}
						seen = append(seen, c)
						failures := m.Failures(c)
						var fresh sim.N1Chain
						if _, err := fresh.N1(context.Background(), s, failures); err != nil {
							b.Fatal(err)
						}
						_, _, _, _, ev := sim.ChainStats(&fresh)
						freshWork += sim.ChainWork(&fresh)
						freshEvals += int64(ev)
						if _, err := ch.N1(context.Background(), s, failures); err != nil {
							b.Fatal(err)
						}
					}
					_, _, _, _, ev := sim.ChainStats(&ch)
					unit := "all21"
					if dryrun {
						unit = fmt.Sprintf("dryrun%d", len(seen))
					}
					b.ReportMetric(float64(sim.ChainWork(&ch))/float64(freshWork), "work-ratio-"+unit)
					b.ReportMetric(float64(ev)/float64(freshEvals), "evals-ratio-"+unit)
					if !dryrun {
						b.ReportMetric(float64(sim.ChainBytes(&ch))/(1<<20), "carry-MiB")
					}
				}
			}
		})
	}
}

// BenchmarkCheckPlan is, in one process, the simulation behind
// cmd/changegate's BenchmarkCheckKdl20 (issue 16, target 2): twenty steps
// that each cost out one more link, in one direction (the interface's IS-IS
// metric set to 60,000), links spread evenly over the network's list, and
// the N-1 of all 21 states through one N1Chain as the dry-run runs them.
// It reports the chain's work (as BenchmarkPlanWork counts it) per state,
// so runs can be compared when the machine is too noisy for time. Take a
// profile with -cpuprofile.
func BenchmarkCheckPlan(b *testing.B) {
	for _, bn := range benchNets[:2] { // cogentco, kdl
		b.Run(bn.name, func(b *testing.B) {
			m := benchModel(b, bn)
			c := m.Baseline()
			var steps []*sim.Config
			for i := range 20 {
				c = c.Clone()
				c.Metric[2*(i*len(m.Net.Links)/20)] = 60000
				steps = append(steps, c)
			}
			b.ResetTimer()
			for b.Loop() {
				_, ch := planN1(b, m, steps)
				b.ReportMetric(float64(sim.ChainWork(ch))/float64(len(steps)+1), "work/state")
			}
		})
	}
}

// BenchmarkN1 is the incremental N-1 of one state; it reports the time per
// failure and the heap in use at the end, for comparison with BenchmarkN1Full.
func BenchmarkN1(b *testing.B) {
	for _, bn := range benchNets {
		b.Run(bn.name, func(b *testing.B) {
			m := benchModel(b, bn)
			s := m.Solve(m.Baseline())
			failures := m.Failures(s.Config)
			b.ResetTimer()
			var n1 *sim.N1
			for b.Loop() {
				var err error
				if n1, err = s.N1(context.Background(), failures); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(failures)), "ns/failure")
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
			runtime.KeepAlive(n1)
		})
	}
}

// BenchmarkN1Full is the straightforward N-1 (a full Solve per failure)
// over a sample of failures, reported per failure.
func BenchmarkN1Full(b *testing.B) {
	for _, bn := range benchNets {
		b.Run(bn.name, func(b *testing.B) {
			m := benchModel(b, bn)
			s := m.Solve(m.Baseline())
			failures := m.Failures(s.Config)
			step := max(1, len(failures)/bn.fullSample)
			var sample []sim.Failure
			for i := 0; i < len(failures); i += step {
				sample = append(sample, failures[i])
			}
			b.ResetTimer()
			for b.Loop() {
				sim.FullN1(s, sample)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sample)), "ns/failure")
		})
	}
}
