//go:build race

package testscale

// defaultFactor under the race detector, which slows code several times
// over.
const defaultFactor = 4
