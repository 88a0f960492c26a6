package changegate.rollback_test

import data.changegate.rollback

# Two steps: 1 changes the configuration of p2 (with rollback
# configuration), 2 is a model-only drain of p1.
_steps := [
	_step(1, "cost out p2-p4", ["router isis", " metric 500"], ["router isis", " metric 10"]),
	_step(2, "drain p1", [], []),
]

_step(k, name, config, rollback_config) := {
	"index": k, "name": name, "line": k * 5, "devices": _devices(config), "wave": null,
	"config": config, "changes_config": count(config) > 0, "effects": [],
	"rollback": {"config": rollback_config, "effects": [], "explicit_effects": false},
	"checks": [], "soak_seconds": 0, "nodes": [], "links": [], "zones": [],
}

_devices(config) := ["p2"] if {
	count(config) > 0
} else := []

_rstep(k, name) := {
	"index": k, "step": name, "explicit": false, "restores_previous": true,
	"differences": [], "restores_baseline_from_here": true,
}

_restores := {
	"steps": [_rstep(1, "cost out p2-p4"), _rstep(2, "drain p1")],
	"restores_baseline": true,
	"path": [{"undone": "drain p1", "same_as_state": 1}, {"undone": "cost out p2-p4", "same_as_state": 0}],
}

_input(steps, rb) := {
	"version": 1, "stage": "check",
	"time": "2011-04-21T08:00:00Z", "time_unix": 1303372800,
	"digests": {"plan": "sha256:p", "topology": "sha256:t", "traffic": "sha256:d", "policy": "sha256:x"},
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "alice", "ticket": "",
		"risk": "low", "window": null, "file": "plan.yaml", "devices": ["p2"],
		"pre_checks": [], "post_checks": [], "steps": steps,
	},
	"topology": {"name": "t", "nodes": {}, "links": {}},
	"states": [],
	"rollback": rb,
	"approvals": [],
}

_msgs(rs) := {r.msg | some r in rs}

test_good_plan_passes if {
	count(rollback.deny) == 0 with input as _input(_steps, _restores)
}

# --- configuration without rollback configuration ---------------------------

test_config_without_rollback_config_denied if {
	steps := [_step(1, "cost out p2-p4", ["router isis", " metric 500"], []), _steps[1]]
	ds := rollback.deny with input as _input(steps, _restores)
	_msgs(ds) == {`step 1 "cost out p2-p4": sends 2 lines of configuration but has no rollback_config to undo it`}
	some d in ds
	d.step == 1
	d.devices == ["p2"]
}

test_model_only_step_needs_no_rollback_config if {
	# Step 2 sends nothing: no rollback configuration needed.
	count(rollback.deny) == 0 with input as _input([_steps[0], _step(2, "drain p1", [], [])], _restores)
}

# --- a step's rollback does not restore the state before it --------------------

test_rollback_not_restoring_previous_denied if {
	rb := json.patch(_restores, [
		{"op": "replace", "path": "/steps/0/restores_previous", "value": false},
		{"op": "replace", "path": "/steps/0/explicit", "value": true},
		{"op": "replace", "path": "/steps/0/differences", "value": ["link p2-p4 metric p2->p4: 20, not 10", "link p2-p4 metric p4->p2: 20, not 10"]},
	])
	ds := rollback.deny with input as _input(_steps, rb)
	_msgs(ds) == {`step 1 "cost out p2-p4": its rollback does not restore the state before it: link p2-p4 metric p2->p4: 20, not 10, link p2-p4 metric p4->p2: 20, not 10`}
	some d in ds
	d.step == 1
	count(d.differences) == 2
}

# --- the whole plan does not roll back to the baseline ----------------------------

test_not_restoring_baseline_denied if {
	rb := json.patch(_restores, [
		{"op": "replace", "path": "/steps/1/restores_previous", "value": false},
		{"op": "replace", "path": "/steps/1/differences", "value": ["node p1: drained, not in service"]},
		{"op": "replace", "path": "/restores_baseline", "value": false},
		{"op": "replace", "path": "/path", "value": [{"undone": "drain p1", "same_as_state": 2}, {"undone": "cost out p2-p4", "same_as_state": null}]},
	])
	ds := rollback.deny with input as _input(_steps, rb)
	_msgs(ds) == {
		`step 2 "drain p1": its rollback does not restore the state before it: node p1: drained, not in service`,
		"rolling back the whole plan does not return the network to the baseline (it ends in a state the plan never visited; step 2 does not restore the state before it)",
	}
	some d in ds
	d.steps == [2]
	d.ends_at_state == null
}

test_not_restoring_baseline_several_steps if {
	rb := json.patch(_restores, [
		{"op": "replace", "path": "/steps/0/restores_previous", "value": false},
		{"op": "replace", "path": "/steps/1/restores_previous", "value": false},
		{"op": "replace", "path": "/restores_baseline", "value": false},
		{"op": "replace", "path": "/path/1/same_as_state", "value": null},
	])
	ds := rollback.deny with input as _input(_steps, rb)
	"rolling back the whole plan does not return the network to the baseline (it ends in a state the plan never visited; steps 1, 2 do not restore the state before them)" in _msgs(ds)
}

test_not_restoring_baseline_ends_at_a_state if {
	rb := json.patch(_restores, [
		{"op": "replace", "path": "/restores_baseline", "value": false},
		{"op": "replace", "path": "/path/1/same_as_state", "value": 2},
	])
	_msgs(rollback.deny) == {"rolling back the whole plan does not return the network to the baseline (it ends at state 2)"} with input as _input(_steps, rb)
}

test_rollback_not_restoring_previous_without_differences if {
	rb := json.patch(_restores, [{"op": "replace", "path": "/steps/1/restores_previous", "value": false}])
	_msgs(rollback.deny) == {`step 2 "drain p1": its rollback does not restore the state before it: the model differs`} with input as _input(_steps, rb)
}
