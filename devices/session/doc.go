// Package session talks to the devices of an inventory (package devices)
// over SSH (docs/devices.md). It is the scrapligo adapter, the only
// importer of scrapligo. Dial opens an SSH connection of its own
// (golang.org/x/crypto/ssh: known_hosts, ssh-agent, keys and passwords,
// bounded by the context) and hands it to scrapligo, which drives the
// CLI with the platform's definition: scrapligo's, or changegate's own
// YAML in platforms/ for those it lacks (frr_vtysh). A Session runs
// commands (Run) and configures (Configure, Confirm) the platform's way,
// enforcing the caller's context on scrapligo, which takes none, and
// keeps a redacted transcript of what passed. A Pool keeps one session
// per device for a run and implements health.Runner.
//
// The platform registry (internal/platform) says how each platform
// configures and what that guarantees, and which failure strings it
// adds; this package holds the code that acts on it (PlatformGuarantees,
// AllGuarantees, Session.Configure).
//
// session is public API, for tools that talk to devices as changegate
// does: it returns only its own types and those of the public package
// devices. Until changegate's first tagged release it may still change.
//
// It reads the inventory and resolves credentials through package
// devices, asking for prompted ones through the caller's
// devices.Prompter. It knows nothing of plans, checks or runs and
// imports none of their packages: the apply layer drives it.
package session
