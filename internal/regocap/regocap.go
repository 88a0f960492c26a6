package regocap

import (
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
)

// named are excluded by name as well as by OPA's non-deterministic flag,
// so that they stay out should a later OPA stop flagging one of them.
var named = map[string]string{
	"http.send":          "it sends HTTP requests",
	"net.lookup_ip_addr": "it resolves names over the network",
	"opa.runtime":        "it reads the process's environment and configuration",
	"time.now_ns":        "it reads the clock (use input.time)",
	"rand.intn":          "it reads randomness",
	"uuid.rfc4122":       "it reads randomness",
	// Not I/O, but a shift by a large count allocates that many bits in
	// one step no time or memory limit can interrupt: the process would
	// die of it, with a stack trace.
	"bits.lsh": "it can exhaust memory in one step that cannot be interrupted",
}

// Excluded says why the built-in function name is not available, and
// whether it is excluded: every function OPA marks non-deterministic
// (I/O, the clock, randomness, the environment: http.send,
// net.lookup_ip_addr, opa.runtime, time.now_ns, rand.intn, uuid.rfc4122,
// io.jwt.decode_verify, json.match_schema with its remote references,
// ...), and bits.lsh, which can exhaust memory in one uninterruptible
// step.
func Excluded(name string) (why string, excluded bool) {
	if why, ok := named[name]; ok {
		return why, true
	}
	if b, ok := nondeterministic()[name]; ok {
		return b, true
	}
	return "", false
}

var nondeterministic = sync.OnceValue(func() map[string]string {
	out := map[string]string{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Nondeterministic {
			out[b.Name] = "its result depends on more than its arguments (I/O, the clock, randomness or the environment)"
		}
	}
	return out
})

// Capabilities returns the capabilities of this OPA version without the
// excluded built-ins, without any host to reach (should a network
// built-in come back), and without every built-in for which also
// returns true (also may be nil). The result is a fresh value the caller
// may keep.
func Capabilities(also func(*ast.Builtin) bool) *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	keep := make([]*ast.Builtin, 0, len(caps.Builtins))
	for _, b := range caps.Builtins {
		if _, out := Excluded(b.Name); out || (also != nil && also(b)) {
			continue
		}
		keep = append(keep, b)
	}
	caps.Builtins = keep
	caps.AllowNet = []string{}
	return caps
}
