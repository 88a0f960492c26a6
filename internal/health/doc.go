// Package health runs health checks: a command run on a device through a
// Runner, its output tested against the check's expectation (contains,
// regex, or a Rego expression over the output as JSON, text and lines, or
// over the records a TextFSM template parses from it), with retries, an
// interval between tries and a timeout on each try. A
// Result records every try: what was run, what came back, and why it
// passed or failed. RunAll runs a set of checks, each on its device,
// with bounded concurrency and returns their results in order; apply and
// `changegate device check` both run their checks through it.
//
// It also builds the common checks (interface up, OSPF neighbours full,
// BGP sessions established, route present with its next hops, ping) as
// plans.Check values, per platform.
//
// It is not the device driver: Runner is implemented elsewhere (the SSH
// adapter in devices). It does no I/O of its own, and Rego expressions
// cannot do any either: built-ins such as http.send, net.lookup_ip_addr,
// opa.runtime and time.now_ns are not available to them.
package health
