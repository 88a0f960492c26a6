// Package diag collects problems found in files users write (topologies,
// plans, runbooks) with their file:line:column and a hint, so that a
// validation run reports every problem at once instead of stopping at the
// first. It also offers a strict walker over YAML mappings that reports
// unknown fields (typos) with their positions.
//
// It is not a logging package and it never prints: callers render the
// Diagnostics they get back.
package diag
