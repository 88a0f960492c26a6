package sim

// Hooks for the external benchmark package.

// FullN1 is the straightforward N-1 (one full Solve per failure) that the
// incremental N-1 is tested against.
var FullN1 = fullN1

// CheckN1 compares the incremental N-1 of s with a full recomputation of
// every failure, arc by arc.
var CheckN1 = checkN1
