package plans

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
)

// Digest is a canonical digest of the plan: its metadata (id, title,
// description, author, ticket, risk, window with its time zone), the pre-
// and post-checks, and every step in order with its devices, wave,
// configuration and rollback configuration, effects, rollback, checks and
// soak. It hashes the parsed plan, not its text, so it does not depend on
// YAML formatting, key order or comments, nor on equivalent spellings: how
// rates and durations are written ("40G" = "40000M", "5m" = "300s"),
// configuration as a list or a block string, device: r1 or devices: [r1],
// defaults written out or left out, or window times written with another
// offset for the same instant. The paths of the topology, traffic and
// inventory files are left out: the network the plan is checked against is
// bound by its own digests (topology.Network.TopologyDigest and
// TrafficDigest), wherever its files live. Likewise a textfsm check's
// template is hashed by its text (Expect.Template), not by the path of
// its file: changing the file changes the digest, moving it does not, and
// a template given inline hashes like the same template in a file.
//
// A plan that uses none of the fields added after the first plan format
// has the digest it had then.
func (p *Plan) Digest() string {
	c := *p
	c.Topology, c.Traffic, c.Inventory = "", "", ""
	c.PreChecks = withoutTemplateFiles(c.PreChecks)
	c.PostChecks = withoutTemplateFiles(c.PostChecks)
	for i := range c.Steps {
		if !hasTemplateFile(c.Steps[i].Checks) {
			continue
		}
		if len(p.Steps) > 0 && &c.Steps[0] == &p.Steps[0] {
			c.Steps = slices.Clone(p.Steps) // leave p as it is
		}
		c.Steps[i].Checks = withoutTemplateFiles(c.Steps[i].Checks)
	}
	// Positions and the file name are excluded by their json:"-" tags; a
	// step without an explicit rollback has no rollback effects to hash.
	// Fields that are empty are omitted, so a field added to the format
	// leaves the digest of plans that do not use it unchanged.
	data, err := json.Marshal(&c)
	if err != nil {
		// Plans hold only strings, integers, finite floats, booleans and
		// times, which always encode.
		panic(fmt.Sprintf("plans: digest: %v", err))
	}
	sum := sha256.Sum256(append([]byte("changegate plan v1\n"), data...))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func hasTemplateFile(cs []Check) bool {
	return slices.ContainsFunc(cs, func(c Check) bool { return c.Expect.TemplateFile != "" })
}

// withoutTemplateFiles returns cs with every Expect.TemplateFile cleared:
// cs itself when none is set, else a copy.
func withoutTemplateFiles(cs []Check) []Check {
	if !hasTemplateFile(cs) {
		return cs
	}
	out := slices.Clone(cs)
	for i := range out {
		out[i].Expect.TemplateFile = ""
	}
	return out
}
