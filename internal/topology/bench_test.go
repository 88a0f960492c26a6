package topology_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/topology"
	"github.com/changegate/changegate/internal/traffic"
	"github.com/changegate/changegate/userfile"
)

var kdl = sync.OnceValues(func() ([]byte, error) {
	path := filepath.Join("..", "..", "..", "shared", "data", "topology-zoo", "graphml", "Kdl.graphml")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	net, _, err := importer.GraphML(f, path, importer.GraphMLOptions{DefaultCapacity: 10e9})
	if err != nil {
		return nil, err
	}
	// What changegate topology import --demands gravity
	// --peak-utilization 0.5 writes.
	net.Demands = traffic.Gravity(net, 1e9)
	if _, err := traffic.ScaleToPeakUtilization(net, traffic.Peak{Utilization: 0.5}); err != nil {
		return nil, err
	}
	traffic.RoundRates(net.Demands, 4)
	var buf bytes.Buffer
	err = topology.Write(&buf, net)
	return buf.Bytes(), err
})

// BenchmarkLoadKdl loads Topology Zoo's Kdl (754 nodes, 899 links) with its
// full gravity matrix (567,762 demands), as topology import writes it:
// LoadFile (impl=changegate), and the same text through the YAML parser
// alone (impl=reference: a node per matrix cell, as before the fast
// path), for the ratio. Needs
// ../shared/data/topology-zoo beside the repository.
func BenchmarkLoadKdl(b *testing.B) {
	data, err := kdl()
	if err != nil {
		b.Skipf("Kdl: %v (the benchmark needs ../shared beside the repository)", err)
	}
	if !topology.MatrixRowsFast(data) {
		b.Fatal("the matrix topology import writes does not take the fast path")
	}
	path := filepath.Join(b.TempDir(), "kdl.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	check := func(b *testing.B, n *topology.Network, err error) {
		if err != nil || n == nil || len(n.Demands) != 567762 {
			b.Fatalf("Kdl: %v, network %v", err, n != nil)
		}
	}
	b.Run("impl=changegate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			n, _, err := topology.LoadFile(context.Background(), path, userfile.Scope{})
			check(b, n, err)
		}
	})
	b.Run("impl=reference", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			n, _ := topology.ParseYAMLOnly(path, data)
			check(b, n, nil)
		}
	})
}

// BenchmarkTrafficDigestKdl digests Kdl's traffic (impl=changegate), and
// so does the first implementation (impl=reference, digest_test.go).
func BenchmarkTrafficDigestKdl(b *testing.B) {
	data, err := kdl()
	if err != nil {
		b.Skipf("Kdl: %v (the benchmark needs ../shared beside the repository)", err)
	}
	n, _ := topology.Parse("kdl.yaml", data, topology.ParseOptions{})
	if n == nil {
		b.Fatal("Kdl does not load")
	}
	b.Run("impl=changegate", func(b *testing.B) {
		for b.Loop() {
			n.TrafficDigest()
		}
	})
	b.Run("impl=reference", func(b *testing.B) {
		for b.Loop() {
			topology.TrafficDigestReference(n)
		}
	})
}
