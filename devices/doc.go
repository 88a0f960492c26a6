// Package devices knows how to reach the network's devices. Today it is the
// device inventory (docs/inventory.md): which device is which topology
// node, its platform (a scrapligo platform name, or one of changegate's own
// definitions such as frr_vtysh), its address, its credentials — by
// reference only, never the secrets themselves — its host-key policy and
// its timeouts, with groups and defaults that devices inherit. It reads
// changegate's inventory YAML and imports Nornir SimpleInventory files and
// containerlab topologies, reporting every problem with file:line:column.
//
// It does not open connections yet: the scrapligo adapter, the only
// importer of scrapligo, will live here and take a resolved Device. It does
// not prompt for passwords or talk to ssh-agent either: callers resolve
// those references through the small interfaces declared here.
package devices
