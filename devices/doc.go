// Package devices knows the network's devices and talks to them. It holds
// two things, which a later step may split:
//
// The inventory (docs/inventory.md): which device is which topology node,
// its platform, its address, its credentials — by reference only, never
// the secrets themselves — its host-key policy and its timeouts, with
// groups and defaults that devices inherit. It reads changegate's
// inventory YAML (Load, Parse) and imports Nornir SimpleInventory files
// (FromNornir) and containerlab topologies (FromContainerlab), reporting
// every problem with file:line:column, and digests what decides which
// machines a run talks to and how (Inventory.Digest), for approvals.
//
// The sessions (docs/devices.md): the scrapligo adapter, the only importer
// of scrapligo. Dial opens an SSH connection of its own
// (golang.org/x/crypto/ssh: known_hosts, ssh-agent, keys and passwords,
// bounded by the context) and hands it to scrapligo, which drives the
// CLI with the platform's definition: scrapligo's, or changegate's own
// YAML in platforms/ for those it lacks (frr_vtysh). A Session runs
// commands (Run) and configures (Configure, Confirm) the platform's way,
// enforcing the caller's context on scrapligo, which takes none, and
// keeps a redacted transcript of what passed. A Pool keeps one session
// per device for a run and implements health.Runner.
//
// What each platform is — its names in Nornir and containerlab, whether
// changegate ships its definition, its configuration failure strings,
// its configuration commands and their guarantees — is data in the
// platform registry (internal/platform); this package holds the code that
// acts on it (Platforms, PlatformGuarantees).
//
// devices is public API, for tools that read an inventory or talk to
// devices as changegate does: it returns only its own types and those of
// the public package diag. Until changegate's first tagged release it may
// still change.
//
// It does not prompt for passwords itself: callers resolve prompt
// references through the Prompter interface declared here. It knows
// nothing of plans, checks or runs and imports none of their packages:
// the apply layer drives it.
package devices
