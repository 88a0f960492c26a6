// Package topology is the network model that changegate reasons about:
// nodes (routers and switches with role, site and failure zone), links
// (two endpoints, capacity, IGP metric per direction, admin state, class,
// shared-risk groups) and demands (source, destination, rate).
//
// It reads and writes the topology YAML format (docs/topology.md), the
// rows of a large demand matrix with a scanner of its own instead of a
// YAML node per cell (matrixfast.go: same results, same positions), and
// reads the demand CSV files a topology names (demandfile.go), validates it
// reporting every problem with file:line:column, and renders the
// normalised model as documented JSON. Write writes a network whole, in a
// canonical form; Patch writes the model after a change into the text of
// the file it came from, editing only the values the change set (metrics,
// link states, capacities, drains), so that comments and layout survive.
// It applies an overlay (overlay.go: what only people know of a network,
// keyed by node names and link ids) to a network read from the routers,
// and lists how two networks differ (Diff: the drift between a model and
// the network). It does no simulation (see sim), imports no other file
// formats (see importer) and reads no routers (see discover).
package topology
