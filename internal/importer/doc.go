// Package importer turns topologies written for other tools into a
// topology.Network: Topology Zoo GraphML (GraphML) and containerlab
// topology files (Containerlab). Each importer maps the foreign format's
// attributes onto nodes and links, fills in what the format lacks
// (capacity, IGP metric from options; interface names, generated as
// changegate's lab names its interfaces), and reports everything it
// skipped or guessed as diagnostics with file:line.
//
// It does not generate traffic (see traffic), validate the result beyond
// what the import itself needs (see topology), or write files: callers
// render the returned Network.
package importer
