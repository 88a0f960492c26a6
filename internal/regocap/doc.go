// Package regocap says which of OPA's built-in functions the Rego that
// changegate evaluates may call: policies (internal/policy) and the Rego
// expressions of health checks (internal/health). Rego there reads the
// document it is given and nothing else: every built-in that does I/O or
// reads the environment (the network, the clock, randomness, the
// process) is taken away, so that it cannot call out, leak what it is
// given, or decide differently on a second run. So is the one built-in
// that can exhaust memory in a single step nothing can interrupt
// (bits.lsh).
//
// It is not a sandbox for time or memory: the evaluators bound those
// themselves.
package regocap
