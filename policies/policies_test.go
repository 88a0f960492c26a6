package policies_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/changegate/changegate/internal/policy"
)

// TestRego runs the Rego unit tests of the built-in policies (every
// test_* rule in *_test.rego) under go test, each as a subtest, the way
// `changegate policy test` and `opa test policies/` run them.
func TestRego(t *testing.T) {
	results, err := policy.RunTests(context.Background(), policy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 100 {
		t.Fatalf("only %d Rego tests found; the built-in policies are tested by well over 100", len(results))
	}
	for _, r := range results {
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			switch {
			case r.Skip:
				t.Skip("todo_ test")
			case r.Error != nil:
				t.Fatalf("%s: %v", r.Location, r.Error)
			case r.Fail:
				var b bytes.Buffer
				topdown.PrettyTraceWithLocation(&b, r.Trace)
				t.Fatalf("%s failed\n%s%s", r.Location, r.Output, b.String())
			}
		})
	}
}
