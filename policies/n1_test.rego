package changegate.n1_test

import data.changegate.lib_test
import data.changegate.n1

# Two links from ebs1: the 100G primary ebs1-p1 and the 10G secondary
# ebs1-s1; the N-1 analyses are written by hand. One step, "drain p2".
_dir(id, from, to, class, util) := {
	"id": id, "from": from, "to": to, "class": class, "up": true,
	"load_bps": util * _cap[class], "capacity_bps": _cap[class], "utilization": util, "delta_bps": 0,
}

_cap := {"primary": 100000000000, "secondary": 10000000000}

_links := [
	_dir("ebs1-p1", "ebs1", "p1", "primary", 0.35),
	_dir("ebs1-p1", "p1", "ebs1", "primary", 0.35),
	_dir("ebs1-s1", "ebs1", "s1", "secondary", 0),
	_dir("ebs1-s1", "s1", "ebs1", "secondary", 0),
]

# _n1(worst, failures): an N-1 analysis where worst maps a link direction's
# position in _links to [n1_worst_utilization, n1_worst_failure]; the others
# are not raised by any failure. failures lists the failures (from _f), in
# order. _state puts the worst cases into the state's links and the
# failures into its n1, as the engine does: n1.failures is {names,
# dropped_bps, max_utilization, max_link}, one entry per failure in each.
_n1(worst, failures) := {"worst": worst, "failures": {
	"names": [f[0] | some f in failures],
	"dropped_bps": [f[1] | some f in failures],
	"max_utilization": [f[2] | some f in failures],
	"max_link": [f[3] | some f in failures],
}}

_n1link(l, w) := object.union(l, {"n1_worst_utilization": w[0], "n1_worst_failure": w[1]})

# _f(name, dropped, util, i): failure name, with which dropped bps are
# undeliverable in all and whose busiest link direction is the i-th of
# _links, at util. _fl: the same with the busiest direction given (null:
# none).
_f(name, dropped, util, i) := _fl(name, dropped, util, {"id": _links[i].id, "from": _links[i].from, "to": _links[i].to})

_fl(name, dropped, util, link) := [name, dropped, util, link]

_quiet_failures := [_f("link:ebs1-p1", 0, 0.35, 0), _f("link:ebs1-s1", 0, 0.35, 0), _f("node:p1", 0, 0.35, 0)]

# _state(k, n1, dropped): state k with the N-1 analysis n1 (from _n1; null:
# N-1 turned off) where the state itself drops dropped bps.
_state(k, n1, dropped) := {
	"index": k, "step": _name(k), "links": _state_links(n1),
	"max_utilization": 0.35, "max_link": null,
	"dropped_bps": dropped, "unreachable": [], "components": 1, "partitioned": false,
	"moved_bps": 0, "moved_fraction": 0, "top_movers": [], "n1": _state_n1(n1),
}

_state_links(null) := _links

_state_links(n1) := [_n1link(l, object.get(n1.worst, i, [l.utilization, null])) | some i, l in _links] if n1 != null

_state_n1(null) := null

_state_n1(n1) := {"max_utilization": 0, "max_link": null, "worst_failure": null, "failures": n1.failures} if n1 != null

_name(0) := null

_name(1) := "drain p2"

_safe := _n1({}, _quiet_failures)

_input(base, after) := {
	"version": 1, "stage": "check",
	"time": "2011-04-21T08:00:00Z", "time_unix": 1303372800,
	"digests": {"plan": "sha256:p", "topology": "sha256:t", "traffic": "sha256:d", "policy": "sha256:x"},
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "alice", "ticket": "",
		"risk": "low", "window": null, "file": "plan.yaml", "devices": [],
		"pre_checks": [], "post_checks": [],
		"steps": [{
			"index": 1, "name": "drain p2", "line": 5, "devices": [], "wave": null,
			"config": [], "changes_config": false, "effects": [{"type": "drain", "node": "p2"}],
			"rollback": {"config": [], "effects": [], "explicit_effects": false},
			"checks": [], "soak_seconds": 0, "nodes": ["p2"], "links": [], "zones": ["az-a"],
		}],
	},
	"topology": {
		"name": "t",
		"nodes": {},
		"links": {
			"ebs1-p1": {"a": "ebs1", "b": "p1", "capacity_bps": 100000000000, "class": "primary", "up": true, "srlg": []},
			"ebs1-s1": {"a": "ebs1", "b": "s1", "capacity_bps": 10000000000, "class": "secondary", "up": true, "srlg": ["duct"]},
		},
	},
	"states": [base, after],
	"rollback": {"steps": [], "restores_baseline": true, "path": []},
	"approvals": [],
}

# The baseline survives N-1; state 1 has the N-1 analysis given.
_after(n1) := _input(_state(0, _safe, 0), _state(1, n1, 0))

# If ebs1-p1 fails, ebs1->s1 goes to util.
_secondary_worst(util) := _n1({2: [util, "link:ebs1-p1"]}, [
	_f("link:ebs1-p1", 0, util, 2),
	_f("link:ebs1-s1", 0, 0.35, 0),
	_f("node:p1", 0, util, 2),
])

# If ebs1-s1 fails, ebs1->p1 goes to util.
_primary_worst(util) := _n1({0: [util, "link:ebs1-s1"]}, [
	_f("link:ebs1-p1", 0, 0, 0),
	_f("link:ebs1-s1", 0, util, 0),
])

_msgs(rs) := {r.msg | some r in rs}

test_safe_plan_passes if {
	count(n1.deny) == 0 with input as _after(_safe)
	count(n1.warn) == 0 with input as _after(_safe)
}

test_n1_off_passes if {
	# n1 is null with --n1=false: nothing to judge.
	inp := _input(_state(0, null, 0), _state(1, null, 0))
	count(n1.deny) == 0 with input as inp
	count(n1.warn) == 0 with input as inp
}

# --- overload under a failure ----------------------------------------------

test_overload_under_failure_denied if {
	ds := n1.deny with input as _after(_secondary_worst(7))
	_msgs(ds) == {`step 1 "drain p2": if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 700% (over 100%)`}
	some d in ds
	d.step == 1
	d.state == 1
	d.link == "ebs1-s1"
	d.direction == "ebs1->s1"
	d.failure == "link:ebs1-p1"
	d.utilization == 7
	d.threshold == 1
	d.now == 0
	count(n1.warn) == 0 with input as _after(_secondary_worst(7))
}

test_overload_exactly_at_deny_utilization_only_warned if {
	inp := _after(_secondary_worst(1))
	count(n1.deny) == 0 with input as inp
	_msgs(n1.warn) == {`step 1 "drain p2": if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 100% (over its class threshold 50%)`} with input as inp
}

test_deny_utilization_override if {
	count(n1.deny) == 0 with input as _after(_secondary_worst(7))
		with data.changegate.params.n1.deny_utilization as 8
	ds := n1.deny with input as _after(_secondary_worst(1.2))
		with data.changegate.params.n1.deny_utilization as 1.1
	_msgs(ds) == {`step 1 "drain p2": if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 120% (over 110%)`}
}

test_baseline_state_itself_not_denied if {
	# The same overload in the baseline is only warned about (below).
	inp := _input(_state(0, _secondary_worst(7), 0), _state(1, _safe, 0))
	count(n1.deny) == 0 with input as inp
}

# ebs1->s1 is at 700% in the state itself and no failure makes it worse.
_worst_null := json.patch(_after(_n1({2: [7, null]}, _quiet_failures)), [{"op": "replace", "path": "/states/1/links/2/utilization", "value": 7}])

test_worst_failure_null_ignored if {
	# A matter for the capacity policy, not N-1.
	count(n1.deny) == 0 with input as _worst_null
	count(n1.warn) == 0 with input as _worst_null
}

# --- warning over the class threshold -----------------------------------------

test_over_class_threshold_warned if {
	inp := _after(_primary_worst(0.9))
	count(n1.deny) == 0 with input as inp
	ws := n1.warn with input as inp
	_msgs(ws) == {`step 1 "drain p2": if link ebs1-s1 fails, ebs1-p1 (primary) ebs1->p1 goes to 90% (over its class threshold 80%)`}
	some w in ws
	w.threshold == 0.8
	w.failure == "link:ebs1-s1"
}

test_each_class_against_its_own_threshold if {
	# If ebs1-s1 fails, ebs1->p1 goes to 90% (over 80%); if ebs1-p1 fails,
	# ebs1->s1 goes to 70% (over 50%, under 80%): both warned about.
	_msgs(n1.warn) == {
		`step 1 "drain p2": if link ebs1-s1 fails, ebs1-p1 (primary) ebs1->p1 goes to 90% (over its class threshold 80%)`,
		`step 1 "drain p2": if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 70% (over its class threshold 50%)`,
	} with input as _scenarios["both classes over their thresholds"]
}

test_exactly_at_class_threshold_passes if {
	count(n1.warn) == 0 with input as _after(_primary_worst(0.8))
}

test_class_threshold_comes_from_capacity_params if {
	count(n1.warn) == 0 with input as _after(_primary_worst(0.9))
		with data.changegate.params.capacity.class_thresholds as {"primary": 0.95}
	count(n1.warn) == 1 with input as _after(_primary_worst(0.75))
		with data.changegate.params.capacity.threshold as 0.7
}

# --- failure kinds ----------------------------------------------------------------

# ebs1->s1's worst failure is the SRLG (800%); the worst link failure
# takes it to 300%.
_srlg_worst := _n1({2: [8, "srlg:duct"]}, [
	_f("link:ebs1-p1", 0, 3, 2),
	_f("link:ebs1-s1", 0, 0.35, 0),
	_f("node:p1", 0, 0.35, 0),
	_f("srlg:duct", 0, 8, 2),
])

test_srlg_failure_counts_by_default if {
	_msgs(n1.deny) == {`step 1 "drain p2": if srlg duct fails, ebs1-s1 (secondary) ebs1->s1 goes to 800% (over 100%)`} with input as _after(_srlg_worst)
}

test_failure_kinds_override_takes_the_worst_counted_failure if {
	ds := n1.deny with input as _after(_srlg_worst)
		with data.changegate.params.n1.failure_kinds as ["link", "node"]
	_msgs(ds) == {`step 1 "drain p2": if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 300% (over 100%)`}
}

test_failure_kinds_override_no_counted_failure if {
	count(n1.deny) == 0 with input as _after(_srlg_worst)
		with data.changegate.params.n1.failure_kinds as ["node"]
}

# ebs1->s1 is at 150% in the state itself (the capacity policy's
# business); the SRLG takes it to 200%, the link failure leaves it at 150%.
_as_loaded := _input(_state(0, _safe, 0), json.patch(
	_state(
		1, _n1({2: [2, "srlg:duct"]}, [
			_f("link:ebs1-p1", 0, 1.5, 2),
			_f("srlg:duct", 0, 2, 2),
		]),
		0,
	),
	[{"op": "replace", "path": "/links/2/utilization", "value": 1.5}],
))

test_failure_leaving_a_direction_as_loaded_is_not_n1 if {
	count(n1.deny) == 1 with input as _as_loaded

	# Counting only link failures, no failure makes it worse.
	count(n1.deny) == 0 with input as _as_loaded
		with data.changegate.params.n1.failure_kinds as ["link", "node"]
}

# Counting only link failures, the failures' busiest links are the reverse
# direction s1->ebs1 and a parallel link ebs1-s1b ebs1->s1: neither is
# ebs1->s1.
_decoys := _after(_n1({2: [8, "srlg:duct"]}, [
	_f("link:ebs1-p1", 0, 3, 3),
	_fl("link:ebs1-s1b", 0, 4, {"id": "ebs1-s1b", "from": "ebs1", "to": "s1"}),
	_f("srlg:duct", 0, 8, 2),
]))

test_failure_on_another_direction_does_not_count if {
	count(n1.deny) == 1 with input as _decoys
	count(n1.deny) == 0 with input as _decoys
		with data.changegate.params.n1.failure_kinds as ["link"]
}

test_failure_without_a_busiest_direction_does_not_count if {
	# A failure whose max_link is null (no link carries traffic with it)
	# is nobody's busiest direction.
	inp := _after(_n1({2: [8, "srlg:duct"]}, [
		_fl("link:ebs1-p1", 0, 0, null),
		_f("srlg:duct", 0, 8, 2),
	]))
	count(n1.deny) == 1 with input as inp
	count(n1.deny) == 0 with input as inp
		with data.changegate.params.n1.failure_kinds as ["link"]
}

# --- traffic dropped under a failure -------------------------------------------

_dropping := _n1({}, [
	_f("link:ebs1-p1", 0, 0.35, 0),
	_f("link:ebs1-s1", 140000000000, 0.35, 0),
	_f("node:p1", 0, 0.35, 0),
	_f("srlg:duct", 150000000000, 0.35, 0),
])

test_drop_under_failure_denied_once_naming_the_worst if {
	ds := n1.deny with input as _after(_dropping)
	_msgs(ds) == {`step 1 "drain p2": if srlg duct fails, 150 Gbps more is undeliverable (150 Gbps in all); 2 failures drop traffic`}
	some d in ds
	d.failure == "srlg:duct"
	d.dropped_bps == 150000000000
	d.added_dropped_bps == 150000000000
	d.failures == ["link:ebs1-s1", "srlg:duct"]
}

test_drop_under_one_failure if {
	ds := n1.deny with input as _after(_dropping)
		with data.changegate.params.n1.failure_kinds as ["link"]
	_msgs(ds) == {`step 1 "drain p2": if link ebs1-s1 fails, 140 Gbps more is undeliverable (140 Gbps in all)`}
}

test_drop_beyond_the_state_own if {
	# The state drops 20G; the failure 140G in all: 120G more.
	inp := _input(_state(0, _safe, 0), _state(1, _n1({}, [_f("link:ebs1-s1", 140000000000, 0.35, 0)]), 20000000000))
	_msgs(n1.deny) == {`step 1 "drain p2": if link ebs1-s1 fails, 120 Gbps more is undeliverable (140 Gbps in all)`} with input as inp
}

test_drop_equal_to_the_state_own_passes if {
	inp := _input(_state(0, _safe, 0), _state(1, _n1({}, [_f("link:ebs1-s1", 20000000000, 0.35, 0)]), 20000000000))
	count(n1.deny) == 0 with input as inp
}

# --- the baseline ------------------------------------------------------------------

test_baseline_not_surviving_n1_warned_once if {
	inp := _input(_state(0, _secondary_worst(7), 0), _state(1, _safe, 0))
	ws := n1.warn with input as inp
	_msgs(ws) == {"baseline: the network as it is does not survive N-1: 1 link direction over 100% under a single failure, worst: if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 700%"}
	some w in ws
	w.state == 0
	w.overloads == 1
	w.failures == ["link:ebs1-p1"]
}

test_baseline_drops_warned if {
	inp := _input(_state(0, _dropping, 0), _state(1, _safe, 0))
	_msgs(n1.warn) == {"baseline: the network as it is does not survive N-1: traffic undeliverable under 2 failures, worst: srlg duct drops 150 Gbps more"} with input as inp
}

_both := _n1({2: [7, "link:ebs1-p1"]}, [
	_f("link:ebs1-p1", 0, 7, 2),
	_f("link:ebs1-s1", 140000000000, 0.35, 0),
])

test_baseline_overload_and_drops_in_one_warning if {
	ws := n1.warn with input as _input(_state(0, _both, 0), _state(1, _safe, 0))
	count(ws) == 1
	_msgs(ws) == {"baseline: the network as it is does not survive N-1: 1 link direction over 100% under a single failure, worst: if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 700%; traffic undeliverable under 1 failure, worst: link ebs1-s1 drops 140 Gbps more"}
}

test_baseline_at_deny_utilization_not_warned if {
	count(n1.warn) == 0 with input as _input(_state(0, _secondary_worst(1), 0), _state(1, _safe, 0))
}

# --- only_worse_than_baseline ------------------------------------------------------

# By default the gate judges whether the change makes N-1 safety worse:
# a state as unsafe as the baseline is not denied (the baseline's warning
# says so); strict mode (only_worse_than_baseline: false) denies it.
test_same_as_baseline_allowed_by_default if {
	inp := _input(_state(0, _secondary_worst(7), 0), _state(1, _secondary_worst(7), 0))
	count(n1.deny) == 0 with input as inp
	count(n1.warn) == 1 with input as inp
}

test_same_as_baseline_denied_when_strict if {
	inp := _input(_state(0, _secondary_worst(7), 0), _state(1, _secondary_worst(7), 0))
	count(n1.deny) == 1 with input as inp
		with data.changegate.params.n1.only_worse_than_baseline as false
}

test_only_worse_than_baseline if {
	same := _input(_state(0, _secondary_worst(7), 0), _state(1, _secondary_worst(7), 0))
	count(n1.deny) == 0 with input as same
		with data.changegate.params.n1.only_worse_than_baseline as true
	worse := _input(_state(0, _secondary_worst(7), 0), _state(1, _secondary_worst(8), 0))
	_msgs(n1.deny) == {`step 1 "drain p2": if link ebs1-p1 fails, ebs1-s1 (secondary) ebs1->s1 goes to 800% (over 100%)`} with input as worse
		with data.changegate.params.n1.only_worse_than_baseline as true

	# A direction the baseline does not overload under any failure.
	new := _input(_state(0, _safe, 0), _state(1, _secondary_worst(7), 0))
	count(n1.deny) == 1 with input as new
		with data.changegate.params.n1.only_worse_than_baseline as true
}

test_only_worse_than_baseline_drops if {
	same := _input(_state(0, _dropping, 0), _state(1, _dropping, 0))
	count(n1.deny) == 0 with input as same
	count(n1.deny) == 1 with input as same
		with data.changegate.params.n1.only_worse_than_baseline as false
	more := _input(_state(0, _dropping, 0), _state(1, _n1({}, [_f("link:ebs1-s1", 160000000000, 0.35, 0)]), 0))
	count(n1.deny) == 1 with input as more
		with data.changegate.params.n1.only_worse_than_baseline as true
}

# --- the input's summaries ----------------------------------------------------
#
# The engine gives every state summaries (classes, hot_links,
# n1.max_dropped_bps) that let the policy skip what cannot fire; inputs
# written by hand, like those above, have none. Both must decide the same.

# Every input of the tests above, and one with everything, by name.
_scenarios := {
	"safe": _after(_safe),
	"N-1 off": _input(_state(0, null, 0), _state(1, null, 0)),
	"secondary 700%": _after(_secondary_worst(7)),
	"secondary 120%": _after(_secondary_worst(1.2)),
	"secondary at 100%": _after(_secondary_worst(1)),
	"primary 90%": _after(_primary_worst(0.9)),
	"primary at 80%": _after(_primary_worst(0.8)),
	"primary 75%": _after(_primary_worst(0.75)),
	"worst failure null": _worst_null,
	"srlg worst": _after(_srlg_worst),
	"as loaded": _as_loaded,
	"decoys": _decoys,
	"dropping": _after(_dropping),
	"drop beyond the state's": _input(_state(0, _safe, 0), _state(1, _n1({}, [_f("link:ebs1-s1", 140000000000, 0.35, 0)]), 20000000000)),
	"drop as the state's": _input(_state(0, _safe, 0), _state(1, _n1({}, [_f("link:ebs1-s1", 20000000000, 0.35, 0)]), 20000000000)),
	"baseline 700%": _input(_state(0, _secondary_worst(7), 0), _state(1, _safe, 0)),
	"baseline at 100%": _input(_state(0, _secondary_worst(1), 0), _state(1, _safe, 0)),
	"baseline drops": _input(_state(0, _dropping, 0), _state(1, _safe, 0)),
	"baseline overload and drops": _input(_state(0, _both, 0), _state(1, _safe, 0)),
	"700% as the baseline": _input(_state(0, _secondary_worst(7), 0), _state(1, _secondary_worst(7), 0)),
	"800% over the baseline's 700%": _input(_state(0, _secondary_worst(7), 0), _state(1, _secondary_worst(8), 0)),
	"700% over a safe baseline": _input(_state(0, _safe, 0), _state(1, _secondary_worst(7), 0)),
	"drops as the baseline": _input(_state(0, _dropping, 0), _state(1, _dropping, 0)),
	"drops over the baseline": _input(_state(0, _dropping, 0), _state(1, _n1({}, [_f("link:ebs1-s1", 160000000000, 0.35, 0)]), 0)),
	"everything": _input(_state(0, _both, 0), _state(1, _everything, 10000000000)),
	"both classes over their thresholds": _after(_n1({0: [0.9, "link:ebs1-s1"], 2: [0.7, "link:ebs1-p1"]}, [
		_f("link:ebs1-p1", 0, 0.7, 2),
		_f("link:ebs1-s1", 0, 0.9, 0),
	])),
}

# Both directions over their class threshold, one over deny_utilization
# under a failure of a kind not always counted, and traffic dropped.
_everything := _n1({0: [0.9, "link:ebs1-s1"], 1: [1.2, "node:p1"], 2: [8, "srlg:duct"]}, [
	_f("link:ebs1-p1", 0, 3, 2),
	_f("link:ebs1-s1", 140000000000, 0.9, 0),
	_f("node:p1", 10000000000, 1.2, 1),
	_f("srlg:duct", 150000000000, 8, 2),
])

_results(inp, p) := r if {
	r := {"deny": n1.deny, "warn": n1.warn} with input as inp with data.changegate.params as p
}

# _differences(o) lists the scenarios (merged by lib_test.combined) on
# which the policy, with the parameters overridden by o ({n1: {...},
# capacity: {...}}), decides otherwise with the summaries than without,
# with the floor: the engine's (the lowest capacity threshold), 0 (every
# loaded direction is hot) or above every threshold and deny_utilization
# (hot_links cannot be relied on).
_differences(o) := [[i, floor] |
	p := object.union(data.changegate.params, o)
	some i, inp in _combined
	slow := _results(inp, p)
	some floor in [min(array.concat([p.capacity.threshold], [t | some t in p.capacity.class_thresholds])), 0, 1.5]
	_results(lib_test.summarized(inp, floor), p) != slow
]

_combined := lib_test.combined([inp | some inp in _scenarios])

# One parameter set per test: opa test traces every test, which makes each
# of these take a while.
test_summaries_agree_with_default_params if {
	_differences({}) == []
}

test_summaries_agree_with_a_high_deny_utilization if {
	_differences({"n1": {"deny_utilization": 8}}) == []
}

test_summaries_agree_with_a_deny_utilization_over_100 if {
	_differences({"n1": {"deny_utilization": 1.1}}) == []
}

test_summaries_agree_with_a_deny_utilization_under_every_threshold if {
	_differences({"n1": {"deny_utilization": 0.3}}) == []
}

test_summaries_agree_counting_links_and_nodes if {
	_differences({"n1": {"failure_kinds": ["link", "node"]}}) == []
}

test_summaries_agree_counting_links if {
	_differences({"n1": {"failure_kinds": ["link"]}}) == []
}

test_summaries_agree_counting_nodes if {
	_differences({"n1": {"failure_kinds": ["node"]}}) == []
}

test_summaries_agree_only_worse_than_baseline if {
	_differences({"n1": {"only_worse_than_baseline": true}}) == []
}

test_summaries_agree_strict if {
	_differences({"n1": {"only_worse_than_baseline": false}}) == []
}

test_summaries_agree_only_worse_than_baseline_counting_links if {
	_differences({"n1": {"only_worse_than_baseline": true, "failure_kinds": ["link"]}}) == []
}

test_summaries_agree_with_a_lower_threshold if {
	_differences({"capacity": {"threshold": 0.7}}) == []
}

test_summaries_agree_with_a_higher_class_threshold if {
	_differences({"capacity": {"class_thresholds": {"primary": 0.95}}}) == []
}

test_summaries_agree_with_every_threshold_near_zero if {
	_differences({"capacity": {"threshold": 0.01, "class_thresholds": {"secondary": 0.01, "replication": 0.01}}}) == []
}

test_scenarios_are_not_trivial if {
	# Most scenarios make the policy fire with the default parameters; the
	# others are the boundaries.
	quiet := {name |
		some name, inp in _scenarios
		r := _results(inp, data.changegate.params)
		count(r.deny) + count(r.warn) == 0
	}
	quiet == {"safe", "N-1 off", "primary at 80%", "primary 75%", "worst failure null", "drop as the state's", "baseline at 100%"}
}

test_summaries_are_used if {
	inp := lib_test.summarized(_after(_everything), 0.5)
	count(n1.deny) == 3 with input as inp
	count(n1.warn) == 1 with input as inp
	drop := `step 1 "drain p2": if srlg duct fails, 150 Gbps more is undeliverable (150 Gbps in all); 3 failures drop traffic`

	# The classes say no failure takes a direction over its threshold: no
	# direction is looked at; the failures still are.
	calm := {"max_utilization": 0.35, "max_delta_bps": 0, "n1_max_utilization": 0.35}
	calm_classes := json.patch(inp, [{"op": "replace", "path": "/states/1/classes", "value": {"primary": calm, "secondary": calm}}])
	_msgs(n1.deny) == {drop} with input as calm_classes
	count(n1.warn) == 0 with input as calm_classes

	# n1.max_dropped_bps says no failure drops traffic: the failures are
	# not looked at.
	no_drops := json.patch(inp, [{"op": "replace", "path": "/states/1/n1/max_dropped_bps", "value": 0}])
	count(n1.deny) == 2 with input as no_drops
	not drop in _msgs(n1.deny) with input as no_drops

	# Directions are looked for in hot_links only ...
	cold := json.patch(inp, [{"op": "replace", "path": "/states/1/hot_links", "value": []}])
	_msgs(n1.deny) == {drop} with input as cold
	count(n1.warn) == 0 with input as cold

	# ... unless they were listed for a floor above the limits.
	count(n1.deny) == 3 with input as json.patch(cold, [{"op": "replace", "path": "/hot_floor", "value": 0.9}])
}
