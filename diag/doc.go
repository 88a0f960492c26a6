// Package diag collects problems found in files users write (topologies,
// plans, runbooks) with their file:line:column and a hint, so that a
// validation run reports every problem at once instead of stopping at the
// first. It also offers a strict walker over YAML mappings that reports
// unknown fields (typos) with their positions; the "did you mean" hints
// that every caller words alike (suggest.go: Near and DidYouMean, one
// name when it is clearly the closest, all of them when several are
// about as close); and the one check of the characters a value may hold
// (text.go: TextProblems, CheckText, CheckString) that every parser
// applies to what reaches a device or a report, with Escape for
// renderers to escape what got through.
//
// It is not a logging package and it never prints: callers render the
// Diagnostics they get back.//
// diag is public API because the public packages plans and devices
// return its Pos and Diagnostics.
package diag
