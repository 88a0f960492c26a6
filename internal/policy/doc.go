// Package policy evaluates Rego policies over a simulated change: the
// built-in library in policies/ and the user's own, compiled once in
// strict mode and evaluated as prepared queries.
package policy

import (
	_ "github.com/open-policy-agent/opa/v1/ast"
	_ "github.com/open-policy-agent/opa/v1/loader"
	_ "github.com/open-policy-agent/opa/v1/rego"
	_ "github.com/open-policy-agent/opa/v1/tester"
	_ "github.com/open-policy-agent/opa/v1/topdown"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
)
