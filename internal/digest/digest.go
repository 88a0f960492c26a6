package digest

import "encoding/json"

// Set is the digests of what was checked, each "sha256:" and 64 hex
// digits. Inventory is "" when there is no inventory (a plan checked
// without one, every approval of format version 1); a dry-run's set has
// no Policy or Inventory, and no Plan when the network was analysed
// without a plan.
type Set struct {
	Plan      string `json:"plan"`
	Topology  string `json:"topology"`
	Traffic   string `json:"traffic"`
	Policy    string `json:"policy"`
	Inventory string `json:"inventory"`
}

// Name names one digest of a Set.
type Name string

// The names of the digests, as files and messages write them.
const (
	Plan      Name = "plan"
	Topology  Name = "topology"
	Traffic   Name = "traffic"
	Policy    Name = "policy"
	Inventory Name = "inventory"
)

// Names returns the names of a Set's digests in the order they are
// written and shown: plan, topology, traffic, policy, inventory.
func Names() []Name { return []Name{Plan, Topology, Traffic, Policy, Inventory} }

// Get returns the digest named n, "" for a name not in Names.
func (s Set) Get(n Name) string {
	switch n {
	case Plan:
		return s.Plan
	case Topology:
		return s.Topology
	case Traffic:
		return s.Traffic
	case Policy:
		return s.Policy
	case Inventory:
		return s.Inventory
	}
	return ""
}

// None is how a digest that is "" (no inventory) is shown to people and
// written in a signed approval.
const None = "none"

// Show is a digest for people: d, or None for "" (no inventory).
func Show(d string) string {
	if d == "" {
		return None
	}
	return d
}

// Change is one digest that differs between two sets: what it was in the
// set given first (an approval's, a reviewed verdict's) and what it is now.
type Change struct {
	Name     Name
	Was, Now string
}

// WithoutInventory reports whether the change is an inventory where
// there was none: the earlier set was bound without an inventory (an
// approval given without one, as every version 1 approval was), and now
// the plan runs with one. That is not a change of inventory, and is told
// apart from one.
func (c Change) WithoutInventory() bool { return c.Name == Inventory && c.Was == "" }

// Diff returns the digests of was and now that differ, in the order of
// Names; none when the sets are the same.
func Diff(was, now Set) []Change {
	var out []Change
	for _, n := range Names() {
		if a, b := was.Get(n), now.Get(n); a != b {
			out = append(out, Change{Name: n, Was: a, Now: b})
		}
	}
	return out
}

// MarshalJSON writes s as an object of the five digests, in the order of
// Names, the inventory "" when there is none (as approvals and verdicts
// hold them). A set that binds neither a policy set nor an inventory, a
// dry-run's, is written with what the dry-run analysed only: the plan
// (absent without one), the topology and the traffic (docs/dryrun.md).
// Reading takes either form; a digest that is absent is "".
func (s Set) MarshalJSON() ([]byte, error) {
	if s.Policy == "" && s.Inventory == "" {
		return json.Marshal(struct {
			Plan     string `json:"plan,omitempty"`
			Topology string `json:"topology"`
			Traffic  string `json:"traffic"`
		}{s.Plan, s.Topology, s.Traffic})
	}
	type set Set // the fields and their tags, without this method
	return json.Marshal(set(s))
}
