// Package zoo brings Topology Zoo networks up as labs (internal/lab):
// Import reads a GraphML file as a lab network, and the test helpers
// Network and UpForTest give a test the network and a running lab of it.
// cglab up uses Import for *.graphml files. See docs/lab.md.
//
// It is a package of its own because internal/importer's tests use
// internal/lab: the lab itself cannot import the importer.
package zoo

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/lab"
	"github.com/changegate/changegate/internal/topology"
)

// DefaultCapacity is the capacity Import gives links whose Topology Zoo
// file says none (most): 10G, so that they cost 10.
const DefaultCapacity = 10e9

// Import reads the Topology Zoo GraphML file at path for a lab, as
// `changegate topology import --from graphml --default-capacity 10G`
// does (metric from capacity against a 100G reference: a 10G link costs
// 10; interfaces named as the lab names them), then sets igp: ospf and
// gives every node the loopback the lab would give it
// (lab.LoopbackAddr: 198.18.0.1, 198.18.0.2, ... in node order), so that
// what the routers report maps back to the model's nodes. A few Zoo
// links are so slow (64 kbit/s) that their metric exceeds OSPF's largest
// interface cost: such metrics become lab.MaxOSPFCost, with a warning,
// so that every Zoo network can be built (the returned network is the
// one the lab runs). The diagnostics are the importer's warnings and
// that one; a file that does not import is an error.
func Import(path string) (*topology.Network, diag.Diagnostics, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	n, ds, err := importer.GraphML(bytes.NewReader(data), path, importer.GraphMLOptions{DefaultCapacity: DefaultCapacity})
	if err != nil {
		return nil, ds, err
	}
	if ds.HasErrors() {
		return nil, ds, ds.Errors().Err()
	}
	n.IGP = topology.IGPOSPF
	capped := 0
	for i := range n.Links {
		for _, m := range []*int64{&n.Links[i].MetricAB, &n.Links[i].MetricBA} {
			if *m > lab.MaxOSPFCost {
				*m = lab.MaxOSPFCost
				capped++
			}
		}
	}
	if capped > 0 {
		ds.Warn(diag.Pos{File: path}, "", "%d link metrics above %d, OSPF's largest interface cost, are set to %d for the lab", capped, lab.MaxOSPFCost, lab.MaxOSPFCost)
	}
	for i := range n.Nodes {
		n.Nodes[i].Loopback = lab.LoopbackAddr(i).String()
	}
	if vs := n.Validate(); vs.HasErrors() {
		return nil, ds, fmt.Errorf("%s: the imported network is not valid: %w", path, vs.Errors().Err())
	}
	return n, ds, nil
}

// Network imports the Topology Zoo GraphML file at path for a lab test
// with Import (igp ospf, the lab's loopbacks). Tests reference the file
// as the other Zoo tests do, relative to their package directory:
// "../../../shared/data/topology-zoo/graphml/NAME.graphml" (one level
// more below internal/lab). It skips t when the file is missing (the
// shared data is not checked out beside the repository) and fails t when
// it does not import.
func Network(t testing.TB, path string) *topology.Network {
	t.Helper()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		t.Skipf("Topology Zoo file %s is missing (the shared data directory is not checked out next to the repository)", path)
	}
	n, _, err := Import(path)
	if err != nil {
		t.Fatalf("import %s: %v", path, err)
	}
	return n
}

// UpForTest imports the Topology Zoo GraphML file at path with Network
// (OSPF, the lab's loopbacks) and builds a lab of it with
// lab.UpNetworkForTest: every router up, every OSPF adjacency Full, and
// the lab taken down when t ends. tag (a-z, 0-9) names the lab with the
// process id. It returns the lab and the network it was built from, to
// compare the routers with. It skips t where the lab cannot run
// (lab.SkipUnlessAvailable) or the file is missing. For IS-IS, set the
// IGP on Network's result and build the lab yourself:
//
//	n := zoo.Network(t, path)
//	n.IGP = topology.IGPISIS
//	l := lab.UpNetworkForTest(t, "drift", n)
func UpForTest(t testing.TB, tag, path string) (*lab.Lab, *topology.Network) {
	t.Helper()
	lab.SkipUnlessAvailable(t)
	n := Network(t, path)
	return lab.UpNetworkForTest(t, tag, n), n
}
