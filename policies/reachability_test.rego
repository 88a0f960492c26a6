package changegate.reachability_test

import data.changegate.reachability

# A small network: edge1 - p1 - p2 - edge2, with a 10G demand each way
# between edge1 and edge2, and s3 drained in the topology. Steps: 1 drains
# p2, 2 takes p2's links down, 3 undrains p2.
_steps := [
	_step(1, "drain p2", [{"type": "drain", "node": "p2"}]),
	_step(2, "reload p2", [{"type": "link_down", "link": "p1-p2"}, {"type": "link_down", "link": "edge2-p2"}]),
	_step(3, "undrain p2", [{"type": "undrain", "node": "p2"}]),
]

_step(k, name, effects) := {
	"index": k, "name": name, "line": k * 5, "devices": [], "wave": null,
	"config": [], "changes_config": false, "effects": effects,
	"rollback": {"config": [], "effects": [], "explicit_effects": false},
	"checks": [], "soak_seconds": 0, "nodes": [], "links": [], "zones": [],
}

_node(drained) := {"role": "router", "site": "dc1", "zone": "az-a", "drained": drained}

_state(k) := {
	"index": k, "step": _name(k), "links": [],
	"max_utilization": 0, "max_link": null,
	"dropped_bps": 0, "unreachable": [], "components": 1, "partitioned": false,
	"moved_bps": 0, "moved_fraction": 0, "top_movers": [], "n1": null,
}

_name(0) := null

_name(k) := _steps[k - 1].name if k > 0

_input(states) := {
	"version": 1, "stage": "check",
	"time": "2011-04-21T08:00:00Z", "time_unix": 1303372800,
	"digests": {"plan": "sha256:p", "topology": "sha256:t", "traffic": "sha256:d", "policy": "sha256:x"},
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "alice", "ticket": "",
		"risk": "low", "window": null, "file": "plan.yaml", "devices": [],
		"pre_checks": [], "post_checks": [], "steps": _steps,
	},
	"topology": {
		"name": "t",
		"nodes": {"edge1": _node(false), "p1": _node(false), "p2": _node(false), "edge2": _node(false), "s3": _node(true)},
		"links": {},
	},
	"states": states,
	"rollback": {"steps": [], "restores_baseline": true, "path": []},
	"approvals": [],
}

_clean := _input([_state(0), _state(1), _state(2), _state(3)])

# _with(k, fields): the clean input with state k's fields replaced.
_with(k, fields) := json.patch(_clean, [{"op": "replace", "path": sprintf("/states/%d", [k]), "value": object.union(_state(k), fields)}])

_d(src, dst, rate) := {"src": src, "dst": dst, "rate_bps": rate}

_cut := {
	"dropped_bps": 20000000000,
	"unreachable": [_d("edge1", "edge2", 10000000000), _d("edge2", "edge1", 10000000000)],
}

_msgs(rs) := {r.msg | some r in rs}

test_clean_plan_passes if {
	count(reachability.deny) == 0 with input as _clean
	count(reachability.warn) == 0 with input as _clean
}

# --- dropped traffic --------------------------------------------------------

test_dropped_traffic_denied if {
	ds := reachability.deny with input as _with(2, _cut)
	`step 2 "reload p2": 20 Gbps undeliverable (2 demands: edge1->edge2 10 Gbps, edge2->edge1 10 Gbps)` in _msgs(ds)
	some d in ds
	d.dropped_bps == 20000000000
	d.added_dropped_bps == 20000000000
	d.state == 2
}

test_dropped_after_the_first_step_denied if {
	ds := reachability.deny with input as _with(1, _cut)
	_msgs(ds) == {
		`step 1 "drain p2": 20 Gbps undeliverable (2 demands: edge1->edge2 10 Gbps, edge2->edge1 10 Gbps)`,
		`step 1 "drain p2": 2 demands lose their path (edge1->edge2 10 Gbps, edge2->edge1 10 Gbps)`,
	}
}

test_dropped_beyond_baseline_denied if {
	base := {"dropped_bps": 10000000000, "unreachable": [_d("edge1", "edge2", 10000000000)]}
	inp := json.patch(_with(2, _cut), [{"op": "replace", "path": "/states/0", "value": object.union(_state(0), base)}])
	ds := reachability.deny with input as inp
	`step 2 "reload p2": 20 Gbps undeliverable, 10 Gbps more than the baseline's 10 Gbps (2 demands: edge1->edge2 10 Gbps, edge2->edge1 10 Gbps)` in _msgs(ds)
}

test_dropped_as_much_as_baseline_passes if {
	# The baseline drops the same: the step adds nothing (warned about as
	# a baseline problem).
	inp := json.patch(_with(2, _cut), [{"op": "replace", "path": "/states/0", "value": object.union(_state(0), _cut)}])
	count(reachability.deny) == 0 with input as inp
}

test_dropped_rounding_passes if {
	# A ten-millionth of a bit per second is rounding, not dropped traffic.
	count(reachability.deny) == 0 with input as _with(1, {"dropped_bps": 0.0000001})
}

# --- demands that lose their path ---------------------------------------------

test_lost_demands_denied if {
	ds := reachability.deny with input as _with(2, _cut)
	`step 2 "reload p2": 2 demands lose their path (edge1->edge2 10 Gbps, edge2->edge1 10 Gbps)` in _msgs(ds)
	some d in ds
	d.demands == _cut.unreachable
	d.dropped_bps == 20000000000
}

test_demand_unreachable_in_baseline_passes if {
	base := {"dropped_bps": 10000000000, "unreachable": [_d("edge1", "edge2", 10000000000)]}
	inp := json.patch(_with(2, base), [{"op": "replace", "path": "/states/0", "value": object.union(_state(0), base)}])
	count(reachability.deny) == 0 with input as inp
}

test_demand_swapped_for_another_denied if {
	# The baseline drops edge1->edge2, the step drops edge2->edge1 instead:
	# no more traffic dropped, but a demand lost its path.
	base := {"dropped_bps": 10000000000, "unreachable": [_d("edge1", "edge2", 10000000000)]}
	after := {"dropped_bps": 10000000000, "unreachable": [_d("edge2", "edge1", 10000000000)]}
	inp := json.patch(_with(2, after), [{"op": "replace", "path": "/states/0", "value": object.union(_state(0), base)}])
	ds := reachability.deny with input as inp
	_msgs(ds) == {`step 2 "reload p2": 1 demand loses its path (edge2->edge1 10 Gbps)`}
}

# --- partitions -------------------------------------------------------------

test_partition_of_undrained_node_denied if {
	# Step 2 isolates edge2, which is not drained.
	ds := reachability.deny with input as _with(2, {"components": 2, "partitioned": true, "islands": [["edge2"]]})
	_msgs(ds) == {`step 2 "reload p2": network partitioned, cut off: [edge2] (not drained: edge2)`}
	some d in ds
	d.nodes == ["edge2"]
	d.not_drained == ["edge2"]
	d.step == 2
}

test_partition_after_the_first_step_denied if {
	ds := reachability.deny with input as _with(1, {"components": 2, "partitioned": true, "islands": [["edge1"]]})
	_msgs(ds) == {`step 1 "drain p2": network partitioned, cut off: [edge1] (not drained: edge1)`}
}

test_partition_of_drained_node_warned if {
	# After step 2, p2 (drained by step 1) has all its links down.
	inp := _with(2, {"components": 2, "partitioned": true, "islands": [["p2"]]})
	count(reachability.deny) == 0 with input as inp
	ws := reachability.warn with input as inp
	_msgs(ws) == {`step 2 "reload p2": p2 isolated for maintenance (drained, cut off from the network)`}
}

test_partition_after_undrain_denied if {
	# After step 3, p2 is back in service, its links still down: the
	# island is no longer maintenance.
	ds := reachability.deny with input as _with(3, {"components": 2, "partitioned": true, "islands": [["p2"]]})
	_msgs(ds) == {`step 3 "undrain p2": network partitioned, cut off: [p2] (not drained: p2)`}
}

test_partition_before_drain_denied if {
	# In state 1 p2 is drained; cut off in a state before the drain it
	# would not be: move the drain to step 3 and cut p2 off after step 2.
	inp := json.patch(_with(2, {"components": 2, "partitioned": true, "islands": [["p2"]]}), [
		{"op": "replace", "path": "/plan/steps/0/effects", "value": []},
		{"op": "replace", "path": "/plan/steps/2/effects", "value": [{"type": "drain", "node": "p2"}]},
	])
	ds := reachability.deny with input as inp
	_msgs(ds) == {`step 2 "reload p2": network partitioned, cut off: [p2] (not drained: p2)`}
}

test_partition_mixed_island_denied if {
	# p2 is drained but edge2 is not: the island is denied, naming edge2.
	ds := reachability.deny with input as _with(2, {"components": 2, "partitioned": true, "islands": [["p2", "edge2"]]})
	_msgs(ds) == {`step 2 "reload p2": network partitioned, cut off: [p2, edge2] (not drained: edge2)`}
}

test_partition_of_node_drained_in_topology_warned if {
	# s3 is drained in the topology itself (and never undrained).
	inp := _with(1, {"components": 2, "partitioned": true, "islands": [["s3"]]})
	count(reachability.deny) == 0 with input as inp
	_msgs(reachability.warn) == {`step 1 "drain p2": s3 isolated for maintenance (drained, cut off from the network)`} with input as inp
}

test_partition_already_in_baseline_warned_not_denied if {
	cut := {"components": 2, "partitioned": true, "islands": [["edge2"]]}
	inp := json.patch(_with(2, cut), [{"op": "replace", "path": "/states/0", "value": object.union(_state(0), cut)}])
	count(reachability.deny) == 0 with input as inp
	_msgs(reachability.warn) == {"baseline: network partitioned before any step, cut off: [edge2]"} with input as inp
}

test_partition_grown_from_baseline_denied if {
	inp := json.patch(_with(2, {"components": 2, "partitioned": true, "islands": [["edge2", "p1"]]}), [{
		"op": "replace", "path": "/states/0",
		"value": object.union(_state(0), {"components": 2, "partitioned": true, "islands": [["edge2"]]}),
	}])
	_msgs(reachability.deny) == {`step 2 "reload p2": network partitioned, cut off: [edge2, p1] (not drained: edge2, p1)`} with input as inp
}

# --- baseline drops -------------------------------------------------------------

test_baseline_drops_warned if {
	inp := json.patch(_clean, [{"op": "replace", "path": "/states/0", "value": object.union(_state(0), {
		"dropped_bps": 10000000000, "unreachable": [_d("edge1", "edge2", 10000000000)],
	})}])
	count(reachability.deny) == 0 with input as inp
	ws := reachability.warn with input as inp
	_msgs(ws) == {"baseline: 10 Gbps undeliverable before any step (1 demand: edge1->edge2 10 Gbps)"}
}
