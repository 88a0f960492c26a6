package sim_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
)

type benchNet struct {
	name string
	make func() *topology.Network
	// fullSample bounds how many failures the full-recomputation baseline
	// runs (all of them would take hours on the big synthetic networks).
	fullSample int
}

var benchNets = []benchNet{
	{"clos", func() *topology.Network { return clos(20, 40, 12, 4, 10e6) }, 24},
	{"wan", func() *topology.Network { return wan(2000, 10000, 1) }, 4},
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

// BenchmarkPlan: baseline plus 20 steps (Apply), and N-1 of all 21 states.
func BenchmarkPlan(b *testing.B) {
	for _, bn := range benchNets {
		b.Run(bn.name, func(b *testing.B) {
			m := benchModel(b, bn)
			steps := plan20(m)
			b.ResetTimer()
			for b.Loop() {
				s := m.Solve(m.Baseline())
				if _, err := s.N1(context.Background(), m.Failures(s.Config)); err != nil {
					b.Fatal(err)
				}
				for _, c := range steps {
					s = s.Apply(c)
					if _, err := s.N1(context.Background(), m.Failures(c)); err != nil {
						b.Fatal(err)
					}
				}
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
