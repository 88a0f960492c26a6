package topology

import "github.com/changegate/changegate/diag"

// ParseYAMLOnly is Parse without the fast path for demand_matrix rows
// (every cell a YAML node), for the benchmarks of topology_test.
func ParseYAMLOnly(file string, data []byte) (*Network, diag.Diagnostics) {
	return Parse(file, data, ParseOptions{slowMatrix: true})
}

// TrafficDigestReference is the first implementation of TrafficDigest.
func TrafficDigestReference(n *Network) string { return trafficDigestReference(n) }

// MatrixRowsFast reports whether Parse reads the rows of data's
// demand_matrix with the fast path.
func MatrixRowsFast(data []byte) bool {
	_, fm := cutMatrixRows(data)
	return fm != nil
}
