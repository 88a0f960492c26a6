// Package devices is the inventory of the network's devices
// (docs/inventory.md): which device is which topology node, its
// platform, its address, its credentials — by reference only, never the
// secrets themselves — its host-key policy and its timeouts, with groups
// and defaults that devices inherit. It reads changegate's inventory
// YAML (Load, Parse) and imports Nornir SimpleInventory files
// (FromNornir) and containerlab topologies (FromContainerlab), reporting
// every problem with file:line:column, and digests what decides which
// machines a run talks to and how (Inventory.Digest), for approvals. It
// resolves credential references when asked (Credential.ResolveWith).
//
// What each platform is — its names in Nornir and containerlab, whether
// changegate ships its definition, its configuration commands and their
// guarantees — is data in the platform registry (internal/platform);
// this package names the platforms an inventory may use (Platforms,
// KnownPlatform) and maps the other tools' names onto them.
//
// It opens no connections and does not import scrapligo: package
// devices/session talks to an inventory's devices over SSH, and imports
// this one, never the other way.
//
// devices is public API, for tools that read an inventory as changegate
// does: it returns only its own types and those of the public package
// diag. Until changegate's first tagged release it may still change.
//
// It does not prompt for passwords itself: callers resolve prompt
// references through the Prompter interface declared here. It knows
// nothing of plans, checks or runs and imports none of their packages.
package devices
