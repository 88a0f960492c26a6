package lab

import (
	"bytes"
	"fmt"
	"os"

	"github.com/changegate/changegate/diag"
	"github.com/changegate/changegate/internal/importer"
	"github.com/changegate/changegate/internal/topology"
)

// ZooDefaultCapacity is the capacity ImportZoo gives links whose Topology
// Zoo file says none (most): 10G, so that they cost 10.
const ZooDefaultCapacity = 10e9

// ImportZoo reads the Topology Zoo GraphML file at path for a lab, as
// `changegate topology import --from graphml --default-capacity 10G`
// does (metric from capacity against a 100G reference: a 10G link costs
// 10; interfaces named as the lab names them), then sets igp: ospf and
// gives every node the loopback the lab would give it (LoopbackAddr:
// 198.18.0.1, 198.18.0.2, ... in node order), so that what the routers
// report maps back to the model's nodes. The diagnostics are the
// importer's warnings; a file that does not import is an error.
func ImportZoo(path string) (*topology.Network, diag.Diagnostics, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	n, ds, err := importer.GraphML(bytes.NewReader(data), path, importer.GraphMLOptions{DefaultCapacity: ZooDefaultCapacity})
	if err != nil {
		return nil, ds, err
	}
	if ds.HasErrors() {
		return nil, ds, ds.Errors().Err()
	}
	n.IGP = topology.IGPOSPF
	for i := range n.Nodes {
		n.Nodes[i].Loopback = LoopbackAddr(i).String()
	}
	if vs := n.Validate(); vs.HasErrors() {
		return nil, ds, fmt.Errorf("%s: the imported network is not valid: %w", path, vs.Errors().Err())
	}
	return n, ds, nil
}
