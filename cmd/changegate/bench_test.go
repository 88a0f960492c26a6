package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkDryrunKdl times the whole process of
// changegate dryrun --topology kdl.yaml --n1=false on Topology Zoo's Kdl
// (754 nodes, 899 links, 567,762 gravity demands, as topology import
// writes it), and in the same run a straightforward reference doing the
// same steady state (testdata/reference.py: Python, standard library
// only), for the ratio (make bench-load, docs/performance.md). Needs
// ../shared/data/topology-zoo beside the repository; the reference
// needs python3.
func BenchmarkDryrunKdl(b *testing.B) {
	graphml := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", "Kdl.graphml")
	if _, err := os.Stat(graphml); err != nil {
		b.Skipf("Kdl: %v (the benchmark needs ../shared beside the repository)", err)
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "changegate")
	topo := filepath.Join(dir, "kdl.yaml")
	run := func(name string, args ...string) string {
		b.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("go", "build", "-o", bin, ".")
	run(bin, "topology", "import", "--from", "graphml", graphml, "--default-capacity", "10G",
		"--demands", "gravity", "--peak-utilization", "0.5", "-o", topo)
	dryrun := []string{"dryrun", "--topology", topo, "--n1=false"}
	python, err := exec.LookPath("python3")
	reference := []string{filepath.Join("testdata", "reference.py"), topo}
	if err == nil {
		// Both must find the same busiest link: the same computation.
		ref := run(python, reference...)
		_, worst, ok := strings.Cut(strings.TrimSpace(ref), "worst link ")
		worst, _, _ = strings.Cut(worst, " at ")
		if out := run(bin, dryrun...); !ok || !strings.Contains(out, worst) {
			b.Fatalf("the reference's busiest link is not changegate's:\n%s\n%s", ref, out)
		}
	}
	// CPU time (user and system) is reported too: on a shared machine it
	// varies less than the wall-clock time.
	timed := func(b *testing.B, name string, args ...string) {
		var cpu time.Duration
		for b.Loop() {
			cmd := exec.Command(name, args...)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", name, err, out)
			}
			cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-sec/op")
	}
	b.Run("impl=changegate", func(b *testing.B) { timed(b, bin, dryrun...) })
	b.Run("impl=reference", func(b *testing.B) {
		if python == "" {
			b.Skip("no python3")
		}
		timed(b, python, reference...)
	})
}
