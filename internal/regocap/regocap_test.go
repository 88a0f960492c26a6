package regocap

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

func TestIOBuiltinsAreExcluded(t *testing.T) {
	caps := Capabilities(nil)
	have := map[string]bool{}
	for _, b := range caps.Builtins {
		have[b.Name] = true
	}
	for _, name := range []string{
		"http.send", "net.lookup_ip_addr", "opa.runtime", "time.now_ns", "rand.intn",
		"uuid.rfc4122", "io.jwt.decode_verify", "json.match_schema", "bits.lsh",
	} {
		if have[name] {
			t.Errorf("%s is available", name)
		}
		if why, ok := Excluded(name); !ok || why == "" {
			t.Errorf("Excluded(%q) = %q, %v", name, why, ok)
		}
	}
	// Pure functions stay, the CIDR arithmetic network policies need
	// among them.
	for _, name := range []string{"count", "sprintf", "net.cidr_contains", "net.cidr_merge", "regex.match", "time.parse_rfc3339_ns", "trace"} {
		if !have[name] {
			t.Errorf("%s is missing", name)
		}
		if _, ok := Excluded(name); ok {
			t.Errorf("%s is excluded", name)
		}
	}
	if caps.AllowNet == nil || len(caps.AllowNet) != 0 {
		t.Errorf("AllowNet = %#v, want an empty list (no host)", caps.AllowNet)
	}
	// Every other non-deterministic built-in goes too.
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Nondeterministic && have[b.Name] {
			t.Errorf("non-deterministic %s is available", b.Name)
		}
	}
}

func TestAlsoExcludes(t *testing.T) {
	caps := Capabilities(func(b *ast.Builtin) bool { return strings.HasPrefix(b.Name, "trace") })
	for _, b := range caps.Builtins {
		if b.Name == "trace" {
			t.Fatal("trace kept")
		}
	}
	// The shared list is not changed by one caller's choice.
	if len(Capabilities(nil).Builtins) <= len(caps.Builtins) {
		t.Error("also changed the shared capabilities")
	}
}
