# METADATA
# title: N-1 (single failure) safety of every state
# description: >-
#   Checks that the network survives any single failure in the state after
#   every step, not only in its final state: a step that leaves one path
#   where there were two is where a change turns into an outage if
#   something else breaks meanwhile. For each state with an N-1 analysis it
#   denies a link direction that some single failure takes above
#   deny_utilization (1.0: the link would have to drop traffic), reporting
#   the worst failure once per link direction, and a state in which some
#   failure makes traffic undeliverable beyond what the state itself drops
#   (once per state, naming the worst failure). A direction that a failure
#   takes above the class threshold of the capacity policy but not above
#   deny_utilization is warned about. When the baseline itself does not
#   survive N-1, one warning says so. Reads data.changegate.params.n1:
#   deny_utilization (1.0), failure_kinds (["link", "node", "srlg"]: which
#   failures count) and only_worse_than_baseline (false: deny every state
#   that does not survive N-1; true: only what is worse than the baseline),
#   and the class thresholds of data.changegate.params.capacity.
package changegate.n1

import data.changegate.lib
import data.changegate.params.n1 as params

# _counted(f): failure f is of a kind listed in failure_kinds.
_counted(f) if {
	is_string(f)
	lib.failure_kind(f) in params.failure_kinds
}

_key(l) := sprintf("%s %s->%s", [l.id, l.from, l.to])

# _limit(c) is the utilisation under a failure above which a direction of
# class c is warned about or denied.
_limit(c) := min([lib.threshold(c), params.deny_utilization])

# _worst[k] is, for state k, the set of link directions that a counted
# failure takes above their utilisation in the state and above the limit
# of their class, each with its worst counted failure: {index, id, from,
# to, class, utilization, failure, now}. Each entry of state.links carries
# its direction's worst failure of any kind (n1_worst_utilization,
# n1_worst_failure); when that failure is not counted, the worst counted
# failure is taken from the failures whose busiest link
# (n1.failures.max_link) is that direction. Only the classes that
# state.classes shows with a worst above their limit are looked for, and
# only among the directions whose worst is above the lowest of those
# limits (lib.hot_links): a state without such a class is skipped at once.
# Without state.classes (an input written by hand), every direction whose
# worst is above the lowest limit is.
_worst := {state.index: ws |
	some state in input.states
	is_object(state.n1)
	ws := {w |
		t := _at_risk_floor(state)
		some i, l in lib.hot_links(state, t)
		l.n1_worst_utilization > t
		l.n1_worst_failure != null
		c := lib.class(l)
		l.n1_worst_utilization > _limit(c)
		w := _worst_dir(state, i, l, c)
	}
}

# _at_risk_floor(state) is the lowest limit of the classes of state whose
# worst utilisation under a failure (n1_max_utilization; when not given,
# any) is above their limit; undefined when there is none.
_at_risk_floor(state) := min(ts) if {
	ts := {t |
		some c, s in state.classes
		t := _limit(c)
		object.get(s, "n1_max_utilization", 1e308) > t
	}
	count(ts) > 0
}

_at_risk_floor(state) := min([lib.min_threshold, params.deny_utilization]) if not is_object(object.get(state, "classes", null))

_worst_dir(_, i, l, c) := _entry(i, l, c, l.n1_worst_utilization, l.n1_worst_failure) if {
	_counted(l.n1_worst_failure)
}

_worst_dir(state, i, l, c) := _entry(i, l, c, u, failure) if {
	not _counted(l.n1_worst_failure)
	key := _key(l)
	cands := [[x.utilization, x.failure] |
		some x in _counted_failures[state.index]
		x.key == key
	]
	count(cands) > 0
	u := max([x[0] | some x in cands])
	u > l.utilization
	u > _limit(c)
	failure := [x[1] | some x in cands; x[0] == u][0]
}

# _counted_failures[k]: the counted failures of state k, each with the key
# of its busiest link direction.
_counted_failures[k] := fs if {
	some state in input.states
	k := state.index
	is_object(state.n1)
	f := state.n1.failures
	fs := [{"key": _key(l), "utilization": f.max_utilization[i], "failure": name} |
		some i, l in f.max_link
		is_object(l)
		name := f.names[i]
		_counted(name)
	]
}

# _entry(i, l, c, u, failure): link direction l of class c, i-th of those
# looked at in its state, at u under failure.
_entry(i, l, c, u, failure) := {
	"index": i,
	"id": l.id,
	"from": l.from,
	"to": l.to,
	"class": c,
	"utilization": u,
	"failure": failure,
	"now": l.utilization,
}

# _drops[k]: the counted failures of state k that make traffic
# undeliverable beyond what the state itself drops, in the order of
# n1.failures, each as {failure, dropped_bps}. A state where no failure
# drops more than the state (n1.max_dropped_bps) is skipped at once.
_drops := {state.index: fs |
	some state in input.states
	is_object(state.n1)
	fs := [{"failure": name, "dropped_bps": x} |
		_may_drop(state)
		d := state.dropped_bps
		f := state.n1.failures
		some i, x in f.dropped_bps
		x > d
		lib.beyond(x, d)
		name := f.names[i]
		_counted(name)
	]
}

_may_drop(state) if not is_number(object.get(state.n1, "max_dropped_bps", null))

_may_drop(state) if lib.beyond(state.n1.max_dropped_bps, state.dropped_bps)

# The worst utilisation, per link direction, of the baseline under a
# counted failure (else its utilisation in the baseline), for the
# directions above deny_utilization in the baseline: a direction missing
# here is at most at deny_utilization, which no denial is under.
_baseline_worst := object.union(
	{_key(l): l.utilization |
		t := params.deny_utilization
		some l in lib.hot_links(input.states[0], t)
		l.utilization > t
	},
	{_key(w): w.utilization | some w in _worst[0]},
)

# The most traffic a counted failure adds to what the baseline drops.
_baseline_worst_drop := max(added) - input.states[0].dropped_bps if {
	added := [f.dropped_bps | some f in _drops[0]]
	count(added) > 0
} else := 0

_over_baseline(_) if not params.only_worse_than_baseline

_over_baseline(w) if {
	params.only_worse_than_baseline
	w.utilization > object.get(_baseline_worst, _key(w), 0)
}

_drop_over_baseline(_) if not params.only_worse_than_baseline

_drop_over_baseline(added) if {
	params.only_worse_than_baseline
	added > _baseline_worst_drop
}

# _first(xs): the last element of the smallest of the tuples xs.
_first(xs) := sort(xs)[0][2]

# A single failure takes a link direction over deny_utilization.
deny contains result if {
	some state in input.states
	state.index >= 1
	some w in _worst[state.index]
	w.utilization > params.deny_utilization
	_over_baseline(w)
	result := {
		"msg": sprintf("%s: if %s fails, %s goes to %s (over %s)", [
			lib.step_label(state.index), lib.failure_label(w.failure), lib.dir_label(w),
			lib.pct(w.utilization), lib.pct(params.deny_utilization),
		]),
		"step": state.index,
		"state": state.index,
		"link": w.id,
		"direction": lib.direction(w),
		"class": w.class,
		"failure": w.failure,
		"utilization": w.utilization,
		"threshold": params.deny_utilization,
		"now": w.now,
	}
}

# A single failure takes a link direction over its class threshold, but not
# over deny_utilization.
warn contains result if {
	some state in input.states
	state.index >= 1
	some w in _worst[state.index]
	threshold := lib.threshold(w.class)
	w.utilization > threshold
	w.utilization <= params.deny_utilization
	result := {
		"msg": sprintf("%s: if %s fails, %s goes to %s (over its class threshold %s)", [
			lib.step_label(state.index), lib.failure_label(w.failure), lib.dir_label(w),
			lib.pct(w.utilization), lib.pct(threshold),
		]),
		"step": state.index,
		"state": state.index,
		"link": w.id,
		"direction": lib.direction(w),
		"class": w.class,
		"failure": w.failure,
		"utilization": w.utilization,
		"threshold": threshold,
		"now": w.now,
	}
}

# A single failure makes traffic undeliverable beyond what the state drops:
# one denial per state, naming the worst failure.
deny contains result if {
	some state in input.states
	state.index >= 1
	drops := _drops[state.index]
	count(drops) > 0
	f := _first([[0 - x.dropped_bps, i, x] | some i, x in drops])
	added := f.dropped_bps - state.dropped_bps
	_drop_over_baseline(added)
	result := {
		"msg": sprintf("%s: if %s fails, %s more is undeliverable (%s in all)%s", [
			lib.step_label(state.index), lib.failure_label(f.failure),
			lib.rate(added), lib.rate(f.dropped_bps), _others(count(drops)),
		]),
		"step": state.index,
		"state": state.index,
		"failure": f.failure,
		"dropped_bps": f.dropped_bps,
		"added_dropped_bps": added,
		"failures": [x.failure | some x in drops],
	}
}

_others(n) := "" if {
	n == 1
} else := sprintf("; %d failures drop traffic", [n])

# The baseline (the network as it is) does not survive N-1: one warning.
warn contains result if {
	input.states[0].index == 0
	overloads := [w | some w in _worst[0]; w.utilization > params.deny_utilization]
	drops := _drops[0]
	count(overloads) + count(drops) > 0
	result := {
		"msg": sprintf("baseline: the network as it is does not survive N-1: %s", [
			concat("; ", array.concat(_overload_part(overloads), _drop_part(drops))),
		]),
		"state": 0,
		"overloads": count(overloads),
		"dropping_failures": count(drops),
		"failures": sort({x | some x in array.concat(
			[w.failure | some w in overloads],
			[f.failure | some f in drops],
		)}),
	}
}

_overload_part(ws) := [] if {
	count(ws) == 0
} else := [sprintf("%s over %s under a single failure, worst: if %s fails, %s goes to %s", [
	lib.plural(count(ws), "link direction"), lib.pct(params.deny_utilization),
	lib.failure_label(w.failure), lib.dir_label(w), lib.pct(w.utilization),
])] if {
	w := _first([[0 - x.utilization, x.index, x] | some x in ws])
}

_drop_part(fs) := [] if {
	count(fs) == 0
} else := [sprintf("traffic undeliverable under %s, worst: %s drops %s more", [
	lib.plural(count(fs), "failure"), lib.failure_label(f.failure),
	lib.rate(f.dropped_bps - input.states[0].dropped_bps),
])] if {
	f := _first([[0 - x.dropped_bps, i, x] | some i, x in fs])
}
