// Package testscale is the one place where tests decide how long to wait
// on this machine. Tests and test harnesses (fakedev, the lab's UpForTest)
// pass every timeout that guards against a hang (an SSH handshake, a
// command on a fake or real device, a lab's convergence, a subprocess)
// through Timeout, which multiplies it by a factor:
//
//   - CHANGEGATE_TEST_TIMEOUT_SCALE, a positive number (such as 3 or 0.5),
//     when it is set;
//   - otherwise 1, or 4 when the tests are built with -race, which slows
//     code several times over.
//
// A value that is not a positive number (up to 1000) panics, naming the
// variable: the tests cannot run as asked.
//
// The timeouts given to Timeout are generous already: they say how long
// a correct run may take on a loaded machine, not how long it takes on a
// quiet one. A timeout a test expects to fire (the subject of the test)
// is scaled only when something must happen before it (the output a
// device sends before it hangs), so that the order stays right on a slow
// machine.
//
// No test asserts how long something took: how fast the code is belongs
// to benchmarks (make bench, make bench-devices, make bench-apply,
// docs/performance.md).
//
// It is a test helper: the changegate binary does not import it, and no
// product timeout changes with it.
package testscale
