# METADATA
# title: Reachability
# description: >-
#   Checks that no step cuts traffic off: in the state after every step,
#   traffic that has no path (beyond what the baseline already drops) is
#   denied, and so is every demand that loses its path. A step that splits
#   the network is denied unless each part it cuts off consists only of
#   nodes drained at that point of the plan (a router taken out of service
#   for maintenance, then isolated by shutting its links), which is only
#   warned about. Drains are followed through the plan: the topology's own
#   drain flags, then every drain and undrain effect up to the step. What
#   the baseline already drops or cuts off is warned about, not denied. It
#   has no parameters.
package changegate.reachability

import data.changegate.lib

_baseline := input.states[0]

_baseline_pairs := {[d.src, d.dst] | some d in _baseline.unreachable}

_baseline_islands := {{n | some n in island} | some island in object.get(_baseline, "islands", [])}

_demand(d) := sprintf("%s->%s %s", [d.src, d.dst, lib.rate(d.rate_bps)])

_demands(ds) := sprintf("%s: %s", [lib.plural(count(ds), "demand"), lib.sample([_demand(d) | some d in ds], 3)])

# More traffic undeliverable after a step than in the baseline.
deny contains result if {
	some state in input.states
	state.index >= 1
	base := _baseline.dropped_bps
	lib.beyond(state.dropped_bps, base)
	result := {
		"msg": sprintf("%s: %s undeliverable%s (%s)", [
			lib.step_label(state.index), lib.rate(state.dropped_bps),
			_more_than(state.dropped_bps - base, base), _demands(state.unreachable),
		]),
		"step": state.index,
		"state": state.index,
		"dropped_bps": state.dropped_bps,
		"baseline_dropped_bps": base,
		"added_dropped_bps": state.dropped_bps - base,
	}
}

_more_than(added, base) := sprintf(", %s more than the baseline's %s", [lib.rate(added), lib.rate(base)]) if {
	base > 0
} else := ""

# Demands that have a path in the baseline and none after a step.
deny contains result if {
	some state in input.states
	state.index >= 1
	lost := [d | some d in state.unreachable; not [d.src, d.dst] in _baseline_pairs]
	count(lost) > 0
	result := {
		"msg": sprintf("%s: %s (%s)", [
			lib.step_label(state.index), _lose(count(lost)),
			lib.sample([_demand(d) | some d in lost], 3),
		]),
		"step": state.index,
		"state": state.index,
		"demands": lost,
		"dropped_bps": sum([d.rate_bps | some d in lost]),
	}
}

_lose(1) := "1 demand loses its path"

_lose(n) := sprintf("%d demands lose their path", [n]) if n != 1

# A part of the network cut off after a step, with nodes in it that are not
# drained: traffic to and from them stops.
deny contains result if {
	some state in input.states
	state.index >= 1
	some island in _new_islands(state)
	drained := lib.drained_after(state.index)
	undrained := [n | some n in island; not n in drained]
	count(undrained) > 0
	result := {
		"msg": sprintf("%s: network partitioned, cut off: [%s] (not drained: %s)", [
			lib.step_label(state.index), lib.sample(island, 5), lib.sample(undrained, 5),
		]),
		"step": state.index,
		"state": state.index,
		"nodes": island,
		"not_drained": undrained,
	}
}

# A part of the network cut off after a step that holds only drained nodes:
# a router isolated for maintenance.
warn contains result if {
	some state in input.states
	state.index >= 1
	some island in _new_islands(state)
	drained := lib.drained_after(state.index)
	every n in island {
		n in drained
	}
	result := {
		"msg": sprintf("%s: %s isolated for maintenance (drained, cut off from the network)", [
			lib.step_label(state.index), lib.sample(island, 5),
		]),
		"step": state.index,
		"state": state.index,
		"nodes": island,
	}
}

# The islands of a state that the baseline does not already have.
_new_islands(state) := [island |
	state.partitioned == true
	some island in object.get(state, "islands", [])
	not {n | some n in island} in _baseline_islands
]

# The baseline already drops traffic.
warn contains result if {
	lib.beyond(_baseline.dropped_bps, 0)
	result := {
		"msg": sprintf("baseline: %s undeliverable before any step (%s)", [
			lib.rate(_baseline.dropped_bps), _demands(_baseline.unreachable),
		]),
		"state": 0,
		"dropped_bps": _baseline.dropped_bps,
		"demands": _baseline.unreachable,
	}
}

# The baseline is already partitioned.
warn contains result if {
	_baseline.partitioned == true
	some island in object.get(_baseline, "islands", [])
	result := {
		"msg": sprintf("baseline: network partitioned before any step, cut off: [%s]", [lib.sample(island, 5)]),
		"state": 0,
		"nodes": island,
	}
}
