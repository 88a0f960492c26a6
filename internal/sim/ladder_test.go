package sim_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/sim"
	"github.com/changegate/changegate/internal/topology"
)

// ladder is the growth curve of issue 16, target 4: the 20-step plan with
// the N-1 of all 21 states, on Topology Zoo networks from 68 to 754 nodes
// and on synthetic WANs from 100 to 1,000 routers (five links per router,
// as the 2,000-router WAN of benchNets). `make bench-ladder` runs it and
// prints the curve (nodes x links against seconds) that
// docs/performance.md shows.
var ladder = []benchNet{
	{name: "zoo-Esnet", make: func() *topology.Network { return zoo("Esnet") }},
	{name: "zoo-Interoute", make: func() *topology.Network { return zoo("Interoute") }},
	{name: "zoo-GtsCe", make: func() *topology.Network { return zoo("GtsCe") }},
	{name: "zoo-Cogentco", make: func() *topology.Network { return zoo("Cogentco") }},
	{name: "zoo-Kdl", make: func() *topology.Network { return zoo("Kdl") }},
	{name: "wan-100", make: func() *topology.Network { return wan(100, 500, 1) }},
	{name: "wan-250", make: func() *topology.Network { return wan(250, 1250, 1) }},
	{name: "wan-500", make: func() *topology.Network { return wan(500, 2500, 1) }},
	{name: "wan-750", make: func() *topology.Network { return wan(750, 3750, 1) }},
	{name: "wan-1000", make: func() *topology.Network { return wan(1000, 5000, 1) }},
}

// BenchmarkLadder: baseline plus 20 steps (plan20), and the N-1 of every
// state, as `changegate check` computes them (each state's carried over
// from the one before), on each rung of the ladder.
// Besides the time (wall and CPU) it reports the rung's size (nodes, links, their
// product) and the number of failures evaluated over the plan.
func BenchmarkLadder(b *testing.B) {
	for _, bn := range ladder {
		b.Run(bn.name, func(b *testing.B) {
			net := bn.make()
			m, err := sim.Compile(net)
			if err != nil {
				b.Fatal(err)
			}
			steps := plan20(m)
			failures := 0
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				failures, _ = planN1(b, m, steps)
			}
			// CPU time (user and system, all cores) varies less than
			// the wall-clock time on a shared machine.
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(len(net.Nodes)), "nodes")
			b.ReportMetric(float64(len(net.Links)), "links")
			b.ReportMetric(float64(len(net.Nodes)*len(net.Links)), "nodes*links")
			b.ReportMetric(float64(failures), "failures")
		})
	}
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// planN1 solves the baseline, applies every step and runs the N-1 of all
// states through an N1Chain, as the dry-run does; it returns the number
// of failures evaluated and the chain.
func planN1(b *testing.B, m *sim.Model, steps []*sim.Config) (int, *sim.N1Chain) {
	ctx := context.Background()
	ch := new(sim.N1Chain)
	s := m.Solve(m.Baseline())
	failures := m.Failures(s.Config)
	if _, err := ch.N1(ctx, s, failures); err != nil {
		b.Fatal(err)
	}
	n := len(failures)
	for _, c := range steps {
		s = s.Apply(c)
		failures = m.Failures(c)
		if _, err := ch.N1(ctx, s, failures); err != nil {
			b.Fatal(fmt.Errorf("n-1: %w", err))
		}
		n += len(failures)
	}
	return n, ch
}
