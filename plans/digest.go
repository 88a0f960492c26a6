package plans

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Digest is a canonical digest of the plan: its metadata and every step
// with its effects and rollback, in order. It does not depend on YAML
// formatting, key order or comments, or on how rates are written. The
// topology path is left out: the network the plan is checked against is
// bound by its own digests (topology.Network.TopologyDigest and
// TrafficDigest), wherever its file lives.
func (p *Plan) Digest() string {
	c := *p
	c.Topology = ""
	// Positions and the file name are excluded by their json:"-" tags; a
	// step without an explicit rollback has no rollback effects to hash.
	data, err := json.Marshal(&c)
	if err != nil {
		// Plans hold only strings, integers, finite floats and booleans.
		panic(fmt.Sprintf("plans: digest: %v", err))
	}
	sum := sha256.Sum256(append([]byte("changegate plan v1\n"), data...))
	return "sha256:" + hex.EncodeToString(sum[:])
}
