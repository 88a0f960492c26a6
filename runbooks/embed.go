// Package runbooks holds the runbooks shipped with changegate, embedded in
// the binary. internal/runbook reads and renders them; docs/runbooks.md
// describes the format and each runbook.
package runbooks

import "embed"

// FS holds the built-in runbooks: one NAME.yaml per runbook.
//
//go:embed *.yaml
var FS embed.FS
