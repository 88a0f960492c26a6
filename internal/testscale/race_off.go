//go:build !race

package testscale

// defaultFactor without the race detector.
const defaultFactor = 1
