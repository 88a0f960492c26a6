package validate

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/changegate/changegate/internal/finding"
	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/traffic"
	"github.com/changegate/changegate/runbooks"
)

// benchCorpus writes the benchmark corpus into dir: the Topology Zoo's
// Cogentco network (197 nodes) with a gravity traffic matrix scaled to
// 50% peak utilisation, 200 plans of 3 to 10 steps against it, and 50
// copies of the built-in router-drain runbook whose example drains a
// node of that network. It returns the number of files.
func benchCorpus(b *testing.B, dir string) int {
	b.Helper()
	path := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", "Cogentco.graphml")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("topology zoo: %v (the benchmark needs ../shared beside the repository)", err)
	}
	defer f.Close()
	net, _, err := importer.GraphML(f, path, importer.GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil {
		b.Fatal(err)
	}
	net.Demands = traffic.Gravity(net, 1e12)
	if _, err := traffic.ScaleToPeakUtilization(net, traffic.Peak{Utilization: 0.5}); err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := topology.Write(&buf, net); err != nil {
		b.Fatal(err)
	}
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	// A repository of its own: plans may name only files inside theirs.
	write(".git/HEAD", []byte("ref: refs/heads/main\n"))
	write("topologies/cogentco.yaml", buf.Bytes())

	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		var s strings.Builder
		fmt.Fprintf(&s, "title: plan %d\ntopology: ../topologies/cogentco.yaml\nsteps:\n", i)
		steps := 3 + rng.IntN(8)
		for j := 0; j < steps; j++ {
			l := net.Links[rng.IntN(len(net.Links))].ID
			fmt.Fprintf(&s, "  - name: step %d\n    effects:\n", j)
			if j%3 == 2 {
				fmt.Fprintf(&s, "      - {type: set_metric, link: %q, metric: %d}\n", l, 10+rng.IntN(1000))
			} else {
				fmt.Fprintf(&s, "      - {type: link_down, link: %q}\n      - {type: link_up, link: %q}\n", l, l)
			}
		}
		write(fmt.Sprintf("plans/plan-%03d.yaml", i), []byte(s.String()))
	}

	src, err := runbooks.FS.ReadFile("router-drain.yaml")
	if err != nil {
		b.Fatal(err)
	}
	text := string(src)
	start, end := strings.Index(text, "examples:\n"), strings.Index(text, "steps:\n")
	if start < 0 || end < start {
		b.Fatal("router-drain.yaml: no examples: before steps:")
	}
	for i := range 50 {
		name := fmt.Sprintf("drain-%02d", i)
		node := net.Nodes[rng.IntN(len(net.Nodes))].Name
		ex := fmt.Sprintf("examples:\n  - name: drain one\n    topology: ../topologies/cogentco.yaml\n    params: {device: %q}\n", node)
		rb := strings.Replace(text[:start], "name: router-drain", "name: "+name, 1) + ex + text[end:]
		write("runbooks/"+name+".yaml", []byte(rb))
	}
	return 1 + 200 + 50
}

// BenchmarkValidate validates 200 plans and 50 runbooks (6 platforms
// each) against a 197-node topology.
func BenchmarkValidate(b *testing.B) {
	dir := b.TempDir()
	n := benchCorpus(b, dir)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(ctx, []string{dir}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Cases) != n {
			b.Fatalf("%d cases, want %d", len(res.Cases), n)
		}
		if r := (&finding.Report{Cases: res.Cases}); r.Failed() {
			var buf bytes.Buffer
			_ = finding.WriteText(&buf, r)
			b.Fatalf("the corpus fails:\n%.3000s", buf.String())
		}
	}
}
