# METADATA
# title: Drift
# description: >-
#   Checks that the network is what the topology says, when the network was
#   read (changegate check --live, docs/discovery.md): the dry-run's verdict
#   is computed on the topology, so every difference that changes
#   forwarding (a node or link missing or extra, a link's state, a metric,
#   a drain, a loopback) is denied; a capacity or an interface name that
#   differs is warned about (the speed a router reports is often not the
#   capacity planned with). When the network was not read (input.drift is
#   null) it says nothing. It has no parameters.
package changegate.drift

# A difference that changes where traffic goes.
deny contains result if {
	some d in input.drift.differences
	d.forwarding
	result := _result(d, "the network differs from the topology: ")
}

# A difference in capacity or interface names.
warn contains result if {
	some d in input.drift.differences
	not d.forwarding
	result := _result(d, "the network differs from the topology (not in forwarding): ")
}

_result(d, prefix) := {k: v |
	some k, v in {
		"msg": concat("", [prefix, d.text]),
		"kind": d.kind,
		"link": d.link,
		"node": d.node,
		"direction": _direction(d),
		"model": d.model,
		"network": d.network,
	}
	v != ""
}

_direction(d) := sprintf("%s->%s", [d.from, d.to]) if {
	d.kind == "metric"
} else := ""
