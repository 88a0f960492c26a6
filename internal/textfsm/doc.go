// Package textfsm parses command output with TextFSM templates, the
// format of Google's textfsm and of ntc-templates, into records: one map
// per record, keyed by the template's Value names.
//
// It wraps github.com/sirikothe/gotextfsm (the parser scrapligo uses) and
// adds what a health check needs from it: a compiled Template that any
// number of goroutines may use at once (gotextfsm keeps the record being
// built inside the parsed template), errors that carry the template line
// they are about, references to Values that do not exist reported as
// errors (as Python's textfsm does) instead of matching nothing, and
// panics of the parser turned into errors.
//
// It is not a health check (internal/health evaluates a Rego expression
// over the records) and does no I/O: templates and output are strings.
package textfsm
