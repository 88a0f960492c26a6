//go:build race

package session_test

// raceEnabled: the race detector slows everything several times over, so
// timing targets are not asserted under it.
const raceEnabled = true
