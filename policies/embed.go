// Package policies holds changegate's built-in Rego policy library.
package policies

import "embed"

// FS holds the built-in policies, their tests and their parameters.
//
//go:embed *.rego params.yaml
var FS embed.FS
