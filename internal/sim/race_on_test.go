//go:build race

package sim_test

// raceEnabled: the race detector slows the simulator about ten times
// over, so the race run leaves the largest network of TestZooEquivalence
// to the run without it (make test runs both).
const raceEnabled = true
