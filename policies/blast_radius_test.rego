package changegate.blast_radius_test

import data.changegate.blast_radius

_step(k, devices, wave, zones) := {
	"index": k, "name": "upgrade", "line": k * 5, "devices": devices, "wave": wave,
	"config": ["x"], "changes_config": true, "effects": [],
	"rollback": {"config": ["y"], "effects": [], "explicit_effects": false},
	"checks": [], "soak_seconds": 0, "nodes": [], "links": [], "zones": zones,
}

_state(k, moved, fraction) := {
	"index": k, "step": _name(k), "links": [], "max_utilization": 0, "max_link": null,
	"dropped_bps": 0, "unreachable": [], "components": 1, "partitioned": false,
	"moved_bps": moved, "moved_fraction": fraction, "top_movers": [], "n1": null,
}

_name(0) := null

_name(1) := "upgrade"

_input(step, moved, fraction) := {
	"version": 1, "stage": "check",
	"time": "2011-04-21T08:00:00Z", "time_unix": 1303372800,
	"digests": {"plan": "sha256:p", "topology": "sha256:t", "traffic": "sha256:d", "policy": "sha256:x"},
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "alice", "ticket": "",
		"risk": "low", "window": null, "file": "plan.yaml", "devices": step.devices,
		"pre_checks": [], "post_checks": [], "steps": [step],
	},
	"topology": {"name": "t", "nodes": {}, "links": {}},
	"states": [_state(0, 0, 0), _state(1, moved, fraction)],
	"rollback": {"steps": [], "restores_baseline": true, "path": []},
	"approvals": [],
}

_one := _step(1, ["p2"], null, ["az-a"])

_msgs(rs) := {r.msg | some r in rs}

test_small_step_passes if {
	count(blast_radius.deny) == 0 with input as _input(_one, 180000000000, 1.125)
}

# --- devices ---------------------------------------------------------------

test_too_many_devices_denied if {
	ds := blast_radius.deny with input as _input(_step(1, ["p1", "p2"], null, ["az-a"]), 0, 0)
	_msgs(ds) == {`step 1 "upgrade": configures 2 devices at once (p1, p2) > 1`}
	some d in ds
	d.count == 2
	d.threshold == 1
	d.devices == ["p1", "p2"]
}

test_wave_counts_its_batch if {
	wave := {"batch": 1, "max_failures": 0}
	count(blast_radius.deny) == 0 with input as _input(_step(1, ["p1", "p2", "p3"], wave, ["az-a"]), 0, 0)
	ds := blast_radius.deny with input as _input(_step(1, ["p1", "p2", "p3"], {"batch": 2, "max_failures": 0}, ["az-a"]), 0, 0)
	_msgs(ds) == {`step 1 "upgrade": configures 2 devices at once (wave of batch 2 over p1, p2, p3) > 1`}
}

test_wave_batch_larger_than_the_devices if {
	ds := blast_radius.deny with input as _input(_step(1, ["p1", "p2"], {"batch": 5, "max_failures": 0}, ["az-a"]), 0, 0)
	some d in ds
	d.count == 2
}

test_max_devices_override if {
	count(blast_radius.deny) == 0 with input as _input(_step(1, ["p1", "p2"], null, ["az-a"]), 0, 0)
		with data.changegate.params.blast_radius.max_devices_per_step as 2
	count(blast_radius.deny) == 1 with input as _input(_step(1, ["p1", "p2", "p3"], null, ["az-a"]), 0, 0)
		with data.changegate.params.blast_radius.max_devices_per_step as 2
}

# --- zones -------------------------------------------------------------------

test_too_many_zones_denied if {
	ds := blast_radius.deny with input as _input(_step(1, ["p2"], null, ["az-a", "az-b"]), 0, 0)
	_msgs(ds) == {`step 1 "upgrade": touches 2 zones (az-a, az-b) > 1`}
	some d in ds
	d.zones == ["az-a", "az-b"]
}

test_max_zones_override if {
	count(blast_radius.deny) == 0 with input as _input(_step(1, ["p2"], null, ["az-a", "az-b"]), 0, 0)
		with data.changegate.params.blast_radius.max_zones_per_step as 2
}

# --- traffic moved -----------------------------------------------------------

_dir(id, delta) := {"id": id, "from": "a", "to": "b", "class": "", "up": true, "load_bps": 0, "capacity_bps": 1, "utilization": 0, "delta_bps": delta}

test_moved_fraction_denied if {
	inp := _input(_one, 400000000000, 2.5)
	links := [_dir("a-b", 200000000000), _dir("b-c", -200000000000), _dir("c-d", 0)]
	moved := object.union(inp, {"states": [inp.states[0], object.union(inp.states[1], {"links": links})]})
	ds := blast_radius.deny with input as moved
	_msgs(ds) == {`step 1 "upgrade": moves 400 Gbps of load on 2 link directions (a flow counts on every link it leaves or joins): 2.5 times the network's total demand of 160 Gbps, over the limit of 2.0 times`}
	some d in ds
	d.moved_fraction == 2.5
	d.moved_bps == 400000000000
	d.threshold == 2
}

test_moved_fraction_exactly_at_limit_passes if {
	count(blast_radius.deny) == 0 with input as _input(_one, 320000000000, 2)
}

test_moved_fraction_override if {
	count(blast_radius.deny) == 1 with input as _input(_one, 160000000000, 1)
		with data.changegate.params.blast_radius.max_moved_fraction as 0.5
}

test_moved_bps_off_by_default if {
	count(blast_radius.deny) == 0 with input as _input(_one, 300000000000, 1.5)
}

test_moved_bps_denied_when_set if {
	ds := blast_radius.deny with input as _input(_one, 300000000000, 1.5)
		with data.changegate.params.blast_radius.max_moved_bps as 100000000000
	_msgs(ds) == {`step 1 "upgrade": moves 300 Gbps > 100 Gbps`}
	count(blast_radius.deny) == 0 with input as _input(_one, 100000000000, 0.5)
		with data.changegate.params.blast_radius.max_moved_bps as 100000000000
}

test_baseline_not_judged if {
	inp := json.patch(_input(_one, 0, 0), [{"op": "replace", "path": "/states/0", "value": _state(0, 900000000000, 9)}])
	count(blast_radius.deny) == 0 with input as inp
		with data.changegate.params.blast_radius.max_moved_bps as 1
}
