# METADATA
# title: Link capacity
# description: >-
#   Checks the load of every link direction in the state after every step:
#   a direction above the threshold of its link class is denied, and so is a
#   step that moves traffic onto a link of a class not meant for primary
#   traffic (by default, secondary), whatever its utilisation. This is the
#   April 2011 failure: a change moved primary traffic onto the
#   low-capacity secondary network, which saturated. The baseline (the
#   network as it is) is not denied, only warned about; a state after a
#   step is judged as it is, so an overload that a step leaves in place
#   blocks it too. Reads data.changegate.params.capacity: threshold (0.8),
#   class_thresholds (secondary 0.5, replication 0.5), not_for_primary
#   (["secondary"]), min_moved_bps (1e9) and min_moved_fraction (0.05): a
#   step moves traffic onto a link when its load there grows by more than
#   the larger of the two.
package changegate.capacity

import data.changegate.lib
import data.changegate.params.capacity as params

# _overloaded(state) is the list of link directions of state above the
# threshold of their class. Only the classes that state.classes shows with
# a direction over their threshold are looked for, and only among the
# directions above the lowest of their thresholds (lib.hot_links): a state
# without such a class is skipped at once. Without state.classes (an
# input written by hand), every direction above the lowest threshold is.
_overloaded(state) := [l |
	t := _overloaded_floor(state)
	some l in lib.hot_links(state, t)
	l.utilization > t
	l.utilization > lib.threshold(lib.class(l))
]

# _overloaded_floor(state) is the lowest threshold of the classes of state
# with a direction over their threshold; undefined when there is none.
_overloaded_floor(state) := min(ts) if {
	ts := {t |
		some c, s in state.classes
		t := lib.threshold(c)
		s.max_utilization > t
	}
	count(ts) > 0
}

_overloaded_floor(state) := lib.min_threshold if not is_object(object.get(state, "classes", null))

# _moved_onto(state) is the list of [link direction, class, limit] of state
# whose load grew by more than the limit on a class not for primary
# traffic. The limit is at least min_moved_bps: a state none of whose
# classes not for primary traffic grew by more than that on any direction
# (state.classes) is skipped at once. The load can grow a lot on a link
# that stays far from its threshold, so the directions are looked for in
# state.links.
_moved_onto(state) := [[l, c, limit] |
	_any_moved_onto(state)
	m := params.min_moved_bps
	some l in state.links
	l.delta_bps > m
	c := lib.class(l)
	c in params.not_for_primary
	limit := max([m, params.min_moved_fraction * l.capacity_bps])
	l.delta_bps > limit
]

_any_moved_onto(state) if {
	some c in params.not_for_primary
	state.classes[c].max_delta_bps > params.min_moved_bps
}

_any_moved_onto(state) if not is_object(object.get(state, "classes", null))

# A link direction over its class threshold in a state after a step.
deny contains result if {
	some state in input.states
	state.index >= 1
	some l in _overloaded(state)
	threshold := lib.threshold(lib.class(l))
	result := {
		"msg": sprintf("%s: link %s at %s > %s (%s on %s)%s", [
			lib.step_label(state.index), lib.dir_label(l),
			lib.pct(l.utilization), lib.pct(threshold),
			lib.rate(l.load_bps), lib.rate(l.capacity_bps), _moved_suffix(l),
		]),
		"step": state.index,
		"state": state.index,
		"link": l.id,
		"direction": lib.direction(l),
		"class": lib.class(l),
		"utilization": l.utilization,
		"threshold": threshold,
		"load_bps": l.load_bps,
		"capacity_bps": l.capacity_bps,
		"moved_bps": object.get(l, "delta_bps", 0),
	}
}

_moved_suffix(l) := sprintf(", %s moved onto it", [lib.rate(l.delta_bps)]) if {
	object.get(l, "delta_bps", 0) > 0
} else := ""

# A step moves traffic onto a link whose class must not carry primary
# traffic.
deny contains result if {
	some state in input.states
	state.index >= 1
	some [l, c, limit] in _moved_onto(state)
	result := {
		"msg": sprintf("%s: %s moved onto link %s, now at %s of %s; %s links are not for primary traffic (limit %s moved per step)", [
			lib.step_label(state.index), lib.rate(l.delta_bps), lib.dir_label(l),
			lib.pct(l.utilization), lib.rate(l.capacity_bps), c, lib.rate(limit),
		]),
		"step": state.index,
		"state": state.index,
		"link": l.id,
		"direction": lib.direction(l),
		"class": c,
		"utilization": l.utilization,
		"moved_bps": l.delta_bps,
		"limit_bps": limit,
		"capacity_bps": l.capacity_bps,
	}
}

# The baseline (the network as it is) already has a link direction over its
# class threshold: shown, not denied, since no step caused it.
warn contains result if {
	some state in input.states
	state.index == 0
	some l in _overloaded(state)
	threshold := lib.threshold(lib.class(l))
	result := {
		"msg": sprintf("baseline: link %s at %s > %s before any step (%s on %s)", [
			lib.dir_label(l), lib.pct(l.utilization), lib.pct(threshold),
			lib.rate(l.load_bps), lib.rate(l.capacity_bps),
		]),
		"state": 0,
		"link": l.id,
		"direction": lib.direction(l),
		"class": lib.class(l),
		"utilization": l.utilization,
		"threshold": threshold,
		"load_bps": l.load_bps,
		"capacity_bps": l.capacity_bps,
	}
}
