package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/userfile"
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

// BenchmarkCheckKdl20 times the whole process of changegate check on a
// 20-step plan over Topology Zoo's Kdl (754 nodes, 899 links, 567,762
// gravity demands): each step costs out one more link (configuration,
// rollback, a check), so the dry-run solves 21 states and their N-1,
// then the policies decide (exit 2, denied: the cost-outs overload
// links). Issue 16, target 2: under 10 s; make bench-check,
// docs/performance.md. Needs ../shared/data/topology-zoo beside the
// repository.
func BenchmarkCheckKdl20(b *testing.B) {
	graphml := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", "Kdl.graphml")
	if _, err := os.Stat(graphml); err != nil {
		b.Skipf("Kdl: %v (the benchmark needs ../shared beside the repository)", err)
	}
	dir := b.TempDir()
	// Plans are read only inside their repository.
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, "changegate")
	topo := filepath.Join(dir, "kdl.yaml")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "topology", "import", "--from", "graphml", graphml, "--default-capacity", "10G",
		"--demands", "gravity", "--peak-utilization", "0.5", "-o", topo).CombinedOutput(); err != nil {
		b.Fatalf("import: %v\n%s", err, out)
	}
	net, ds, err := topology.LoadFile(context.Background(), topo, userfile.Scope{})
	if err != nil || ds.HasErrors() {
		b.Fatalf("load: %v %v", err, ds)
	}
	var p strings.Builder
	p.WriteString("id: CHG-BENCH-20\ntitle: cost out twenty links\nauthor: bench\ntopology: kdl.yaml\nplatform: frr_vtysh\nsteps:\n")
	for i := range 20 {
		l := net.Links[i*len(net.Links)/20]
		fmt.Fprintf(&p, "  - name: cost out %s\n    device: %s\n    config: [\"interface %s\", \" isis metric 60000\"]\n", l.ID, l.A, l.AInterface)
		fmt.Fprintf(&p, "    rollback_config: [\"interface %s\", \" no isis metric\"]\n", l.AInterface)
		fmt.Fprintf(&p, "    checks: [{name: ospf, command: show ip ospf neighbor, expect: {contains: Full}}]\n")
	}
	plan := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(plan, []byte(p.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	var cpu time.Duration
	for b.Loop() {
		cmd := exec.Command(bin, "check", plan)
		out, err := cmd.CombinedOutput()
		// Exit 0 (allowed) or 2 (denied) are verdicts; anything else fails.
		if code := cmd.ProcessState.ExitCode(); err != nil && code != 2 {
			b.Fatalf("check: %v\n%s", err, out)
		}
		// Every step must change the model (an imported network runs
		// IS-IS: an OSPF cost would be a line the model cannot follow,
		// and 21 equal states would make the N-1 run once).
		if !strings.Contains(string(out), "20 steps checked") || strings.Contains(string(out), "cannot follow") {
			b.Fatalf("check did not judge twenty changing steps:\n%s", out)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-sec/op")
}
