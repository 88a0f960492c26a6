package changegate.capacity_test

import data.changegate.capacity
import data.changegate.lib_test

# A two-link network: a 100G primary link p1-p2 and a 10G secondary link
# s1-s2. One step, "reload p2".
_dir(id, from, to, class, load, cap, delta) := {
	"id": id, "from": from, "to": to, "class": class, "up": true,
	"load_bps": load, "capacity_bps": cap, "utilization": load / cap, "delta_bps": delta,
}

_state(k, links) := {
	"index": k, "step": _step_name(k), "links": links,
	"max_utilization": max([l.utilization | some l in links]), "max_link": null,
	"dropped_bps": 0, "unreachable": [], "components": 1, "partitioned": false,
	"moved_bps": 0, "moved_fraction": 0, "top_movers": [], "n1": null,
}

_step_name(0) := null

_step_name(1) := "reload p2"

_quiet := [
	_dir("p1-p2", "p1", "p2", "primary", 10000000000, 100000000000, 0),
	_dir("s1-s2", "s1", "s2", "secondary", 0, 10000000000, 0),
]

_input(base, after) := {
	"version": 1, "stage": "check",
	"time": "2011-04-21T08:00:00Z", "time_unix": 1303372800,
	"digests": {"plan": "sha256:p", "topology": "sha256:t", "traffic": "sha256:d", "policy": "sha256:x"},
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "alice", "ticket": "",
		"risk": "low", "window": null, "file": "plan.yaml", "devices": ["p2"],
		"pre_checks": [], "post_checks": [],
		"steps": [{
			"index": 1, "name": "reload p2", "line": 5, "devices": ["p2"], "wave": null,
			"config": [], "changes_config": false,
			"effects": [{"type": "link_down", "link": "p2-p4"}],
			"rollback": {"config": [], "effects": [], "explicit_effects": false},
			"checks": [], "soak_seconds": 0, "nodes": ["p2", "p4"], "links": ["p2-p4"], "zones": ["az-a"],
		}],
	},
	"topology": {
		"name": "t",
		"nodes": {
			"p1": {"role": "router", "site": "dc1", "zone": "az-a", "drained": false},
			"p2": {"role": "router", "site": "dc1", "zone": "az-a", "drained": false},
			"s1": {"role": "router", "site": "dc1", "zone": "az-a", "drained": false},
			"s2": {"role": "router", "site": "dc2", "zone": "az-b", "drained": false},
		},
		"links": {
			"p1-p2": {"a": "p1", "b": "p2", "capacity_bps": 100000000000, "class": "primary", "up": true, "srlg": []},
			"s1-s2": {"a": "s1", "b": "s2", "capacity_bps": 10000000000, "class": "secondary", "up": true, "srlg": []},
		},
	},
	"states": [_state(0, base), _state(1, after)],
	"rollback": {"steps": [], "restores_baseline": true, "path": []},
	"approvals": [],
}

# Only the secondary link changes in state 1.
_secondary(load, delta) := _input(_quiet, [
	_quiet[0],
	_dir("s1-s2", "s1", "s2", "secondary", load, 10000000000, delta),
])

# Only the primary link changes in state 1.
_primary(load) := _input(_quiet, [
	_dir("p1-p2", "p1", "p2", "primary", load, 100000000000, 0),
	_quiet[1],
])

_msgs(rs) := {r.msg | some r in rs}

# --- overload -----------------------------------------------------------

test_overload_secondary_denied if {
	ds := capacity.deny with input as _secondary(60000000000, 60000000000)
	`step 1 "reload p2": link s1-s2 (secondary) s1->s2 at 600% > 50% (60 Gbps on 10 Gbps), 60 Gbps moved onto it` in _msgs(ds)
	some d in ds
	d.link == "s1-s2"
	d.direction == "s1->s2"
	d.step == 1
	d.state == 1
	d.utilization == 6
	d.threshold == 0.5
	d.class == "secondary"
	d.load_bps == 60000000000
	d.capacity_bps == 10000000000
	count(capacity.warn) == 0 with input as _secondary(60000000000, 60000000000)
}

test_overload_without_moved_traffic if {
	# Load 6G, nothing moved (delta 0): the overload alone, without the
	# "moved onto it" part.
	ds := capacity.deny with input as _secondary(6000000000, 0)
	_msgs(ds) == {`step 1 "reload p2": link s1-s2 (secondary) s1->s2 at 60% > 50% (6 Gbps on 10 Gbps)`}
}

test_secondary_exactly_at_threshold_passes if {
	count(capacity.deny) == 0 with input as _secondary(5000000000, 0)
}

test_primary_over_default_threshold_denied if {
	ds := capacity.deny with input as _primary(81000000000)
	_msgs(ds) == {`step 1 "reload p2": link p1-p2 (primary) p1->p2 at 81% > 80% (81 Gbps on 100 Gbps)`}
}

test_primary_exactly_at_threshold_passes if {
	count(capacity.deny) == 0 with input as _primary(80000000000)
}

test_threshold_override if {
	count(capacity.deny) == 0 with input as _primary(81000000000)
		with data.changegate.params.capacity.threshold as 0.9
	count(capacity.deny) == 1 with input as _primary(50000000000)
		with data.changegate.params.capacity.threshold as 0.4
}

test_class_threshold_override if {
	count(capacity.deny) == 0 with input as _secondary(6000000000, 0)
		with data.changegate.params.capacity.class_thresholds as {"secondary": 0.7}
	ds := capacity.deny with input as _secondary(7500000000, 0)
		with data.changegate.params.capacity.class_thresholds as {"secondary": 0.7}
	_msgs(ds) == {`step 1 "reload p2": link s1-s2 (secondary) s1->s2 at 75% > 70% (7.5 Gbps on 10 Gbps)`}
}

test_class_from_topology_when_missing if {
	# The link direction entry has no class (an empty class is left out):
	# the class comes from the topology.
	inp := _input(_quiet, [_quiet[0], object.remove(_dir("s1-s2", "s1", "s2", "secondary", 6000000000, 10000000000, 0), ["class"])])
	ds := capacity.deny with input as inp
	_msgs(ds) == {`step 1 "reload p2": link s1-s2 (secondary) s1->s2 at 60% > 50% (6 Gbps on 10 Gbps)`}
}

test_unclassified_link_uses_default_threshold if {
	unclassified := object.remove(_dir("p1-p2", "p1", "p2", "", 79000000000, 100000000000, 0), ["class"])
	inp := json.patch(_input(_quiet, [unclassified, _quiet[1]]), [{"op": "replace", "path": "/topology/links/p1-p2/class", "value": ""}])
	count(capacity.deny) == 0 with input as inp
	ds := capacity.deny with input as json.patch(inp, [{"op": "replace", "path": "/states/1/links/0/utilization", "value": 0.81}])
	_msgs(ds) == {`step 1 "reload p2": link p1-p2 p1->p2 at 81% > 80% (79 Gbps on 100 Gbps)`}
}

test_each_class_against_its_own_threshold if {
	# Primary over 80%, secondary over 50% but under 80%: both denied.
	ds := capacity.deny with input as _scenarios["both classes over their thresholds"]
	_msgs(ds) == {
		`step 1 "reload p2": link p1-p2 (primary) p1->p2 at 85% > 80% (85 Gbps on 100 Gbps)`,
		`step 1 "reload p2": link s1-s2 (secondary) s1->s2 at 60% > 50% (6 Gbps on 10 Gbps)`,
	}
}

# --- baseline -----------------------------------------------------------

test_baseline_overload_warned_not_denied if {
	hot := [_quiet[0], _dir("s1-s2", "s1", "s2", "secondary", 6000000000, 10000000000, 0)]
	inp := _input(hot, _quiet)
	count(capacity.deny) == 0 with input as inp
	ws := capacity.warn with input as inp
	_msgs(ws) == {"baseline: link s1-s2 (secondary) s1->s2 at 60% > 50% before any step (6 Gbps on 10 Gbps)"}
	some w in ws
	w.state == 0
	not "step" in object.keys(w)
}

test_baseline_at_threshold_not_warned if {
	edge := [_quiet[0], _dir("s1-s2", "s1", "s2", "secondary", 5000000000, 10000000000, 0)]
	count(capacity.warn) == 0 with input as _input(edge, _quiet)
}

# --- traffic moved onto a secondary link ----------------------------------

test_moved_onto_secondary_denied if {
	# 2G moved onto a 10G secondary link: at 20%, under its 50% threshold,
	# but primary traffic has no business there.
	ds := capacity.deny with input as _secondary(2000000000, 2000000000)
	_msgs(ds) == {`step 1 "reload p2": 2 Gbps moved onto link s1-s2 (secondary) s1->s2, now at 20% of 10 Gbps; secondary links are not for primary traffic (limit 1 Gbps moved per step)`}
	some d in ds
	d.moved_bps == 2000000000
	d.limit_bps == 1000000000
	d.link == "s1-s2"
}

test_moved_exactly_min_moved_bps_passes if {
	count(capacity.deny) == 0 with input as _secondary(1000000000, 1000000000)
}

_big_secondary(delta) := _input(_quiet, [_quiet[0], _dir("s1-s2", "s1", "s2", "secondary", delta, 100000000000, delta)])

test_moved_fraction_of_capacity_sets_the_limit if {
	# On a 100G secondary link the limit is 5% of 100G = 5G.
	count(capacity.deny) == 0 with input as _big_secondary(5000000000)
	ds := capacity.deny with input as _big_secondary(5100000000)
	some d in ds
	d.limit_bps == 5000000000
	contains(d.msg, "5.1 Gbps moved onto link s1-s2 (secondary) s1->s2")
}

test_moved_away_from_secondary_passes if {
	count(capacity.deny) == 0 with input as _secondary(0, -2000000000)
}

test_moved_onto_primary_passes if {
	count(capacity.deny) == 0 with input as _input(_quiet, [
		_dir("p1-p2", "p1", "p2", "primary", 60000000000, 100000000000, 50000000000),
		_quiet[1],
	])
}

test_not_for_primary_override if {
	count(capacity.deny) == 0 with input as _secondary(2000000000, 2000000000)
		with data.changegate.params.capacity.not_for_primary as []
	count(capacity.deny) == 0 with input as _secondary(2000000000, 2000000000)
		with data.changegate.params.capacity.min_moved_bps as 3000000000
	count(capacity.deny) == 1 with input as _input(_quiet, [
		_dir("p1-p2", "p1", "p2", "primary", 60000000000, 100000000000, 50000000000),
		_quiet[1],
	])
		with data.changegate.params.capacity.not_for_primary as ["primary"]
}

test_both_rules_fire_on_the_april_2011_step if {
	ds := capacity.deny with input as _secondary(60000000000, 60000000000)
	count(ds) == 2
	`step 1 "reload p2": 60 Gbps moved onto link s1-s2 (secondary) s1->s2, now at 600% of 10 Gbps; secondary links are not for primary traffic (limit 1 Gbps moved per step)` in _msgs(ds)
}

test_quiet_plan_passes if {
	count(capacity.deny) == 0 with input as _input(_quiet, _quiet)
	count(capacity.warn) == 0 with input as _input(_quiet, _quiet)
}

# --- the input's summaries ----------------------------------------------------
#
# The engine gives every state summaries (classes, hot_links) that let the
# policy skip what cannot fire; inputs written by hand, like those above,
# have none. Both must decide the same.

_unclassified := json.patch(
	_input(_quiet, [object.remove(_dir("p1-p2", "p1", "p2", "", 79000000000, 100000000000, 0), ["class"]), _quiet[1]]),
	[{"op": "replace", "path": "/topology/links/p1-p2/class", "value": ""}],
)

# Every input of the tests above, and a few more, by name.
_scenarios := {
	"quiet": _input(_quiet, _quiet),
	"secondary 600%, 60G moved": _secondary(60000000000, 60000000000),
	"secondary 60%": _secondary(6000000000, 0),
	"secondary at 50%": _secondary(5000000000, 0),
	"secondary 75%": _secondary(7500000000, 0),
	"secondary 20%, 2G moved": _secondary(2000000000, 2000000000),
	"secondary 1G moved": _secondary(1000000000, 1000000000),
	"secondary 2G moved away": _secondary(0, -2000000000),
	"primary 81%": _primary(81000000000),
	"primary at 80%": _primary(80000000000),
	"primary 50%": _primary(50000000000),
	"class from the topology": _input(_quiet, [_quiet[0], object.remove(_dir("s1-s2", "s1", "s2", "secondary", 6000000000, 10000000000, 0), ["class"])]),
	"unclassified 79%": _unclassified,
	"unclassified 81%": json.patch(_unclassified, [{"op": "replace", "path": "/states/1/links/0/utilization", "value": 0.81}]),
	"baseline secondary 60%": _input([_quiet[0], _dir("s1-s2", "s1", "s2", "secondary", 6000000000, 10000000000, 0)], _quiet),
	"baseline secondary at 50%": _input([_quiet[0], _dir("s1-s2", "s1", "s2", "secondary", 5000000000, 10000000000, 0)], _quiet),
	"big secondary 5G moved": _big_secondary(5000000000),
	"big secondary 5.1G moved": _big_secondary(5100000000),
	"50G moved onto primary": _input(_quiet, [_dir("p1-p2", "p1", "p2", "primary", 60000000000, 100000000000, 50000000000), _quiet[1]]),
	"both classes over their thresholds": _input(_quiet, [
		_dir("p1-p2", "p1", "p2", "primary", 85000000000, 100000000000, 0),
		_dir("s1-s2", "s1", "s2", "secondary", 6000000000, 10000000000, 0),
	]),
	"overloaded everywhere": _input(
		[_dir("p1-p2", "p1", "p2", "primary", 90000000000, 100000000000, 0), _dir("s1-s2", "s1", "s2", "secondary", 7000000000, 10000000000, 0)],
		[_dir("p1-p2", "p1", "p2", "primary", 95000000000, 100000000000, 5000000000), _dir("s1-s2", "s1", "s2", "secondary", 9000000000, 10000000000, 2000000000)],
	),
}

_results(inp, p) := r if {
	r := {"deny": capacity.deny, "warn": capacity.warn} with input as inp with data.changegate.params.capacity as p
}

# _differences(o) lists the scenarios (merged by lib_test.combined) on
# which the policy, with the parameters overridden by o, decides otherwise
# with the summaries than without, with the floor: the engine's (the
# lowest threshold), 0 (every loaded direction is hot) or above every
# threshold (hot_links cannot be relied on).
_differences(o) := [[i, floor] |
	p := object.union(data.changegate.params.capacity, o)
	some i, inp in _combined
	slow := _results(inp, p)
	some floor in [min(array.concat([p.threshold], [t | some t in p.class_thresholds])), 0, 0.99]
	_results(lib_test.summarized(inp, floor), p) != slow
]

_combined := lib_test.combined([inp | some inp in _scenarios])

# One parameter set per test: opa test traces every test, which makes each
# of these take a while.
test_summaries_agree_with_default_params if {
	_differences({}) == []
}

test_summaries_agree_with_a_higher_threshold if {
	_differences({"threshold": 0.9}) == []
}

test_summaries_agree_with_lower_thresholds if {
	_differences({"threshold": 0.4, "class_thresholds": {"primary": 0.3}}) == []
}

test_summaries_agree_with_a_higher_class_threshold if {
	_differences({"class_thresholds": {"secondary": 0.7}}) == []
}

test_summaries_agree_with_every_threshold_near_zero if {
	_differences(_near_zero) == []
}

_near_zero := {"threshold": 0.01, "class_thresholds": {"secondary": 0.01, "replication": 0.01}}

test_summaries_agree_with_not_for_primary_empty if {
	_differences({"not_for_primary": []}) == []
}

test_summaries_agree_with_every_move_counted if {
	_differences({"not_for_primary": ["primary", "secondary"], "min_moved_bps": 0, "min_moved_fraction": 0}) == []
}

test_summaries_agree_with_a_higher_min_moved_bps if {
	_differences({"min_moved_bps": 3000000000}) == []
}

test_summaries_agree_with_a_higher_min_moved_fraction if {
	_differences({"min_moved_fraction": 0.5}) == []
}

test_scenarios_are_not_trivial if {
	# Half of the scenarios make the policy fire with the default
	# parameters; the others are the boundaries.
	fired := {name |
		some name, inp in _scenarios
		r := _results(inp, data.changegate.params.capacity)
		count(r.deny) + count(r.warn) > 0
	}
	fired == {
		"baseline secondary 60%", "big secondary 5.1G moved", "both classes over their thresholds",
		"class from the topology", "overloaded everywhere",
		"primary 81%", "secondary 20%, 2G moved", "secondary 60%", "secondary 600%, 60G moved",
		"secondary 75%", "unclassified 81%",
	}
}

test_summaries_are_used if {
	inp := lib_test.summarized(_secondary(60000000000, 60000000000), 0.5)
	count(capacity.deny) == 2 with input as inp

	# The classes say nothing is over its threshold and nothing moved: the
	# state is skipped without looking at its links.
	calm := {"max_utilization": 0, "max_delta_bps": 0}
	count(capacity.deny) == 0 with input as json.patch(inp, [{"op": "replace", "path": "/states/1/classes", "value": {"primary": calm, "secondary": calm}}])

	# Overloads are looked for in hot_links only ...
	cold := json.patch(inp, [{"op": "replace", "path": "/states/1/hot_links", "value": []}])
	_msgs(capacity.deny) == {`step 1 "reload p2": 60 Gbps moved onto link s1-s2 (secondary) s1->s2, now at 600% of 10 Gbps; secondary links are not for primary traffic (limit 1 Gbps moved per step)`} with input as cold

	# ... unless they were listed for a floor above the threshold.
	count(capacity.deny) == 2 with input as json.patch(cold, [{"op": "replace", "path": "/hot_floor", "value": 0.6}])
}
