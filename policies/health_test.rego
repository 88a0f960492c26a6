package changegate.health_test

import data.changegate.health

_check(device) := {
	"name": "isis up", "device": device, "command": "show isis neighbors",
	"expect": {"kind": "contains", "value": "Up"},
	"retries": 3, "interval_seconds": 10, "timeout_seconds": 30,
}

_step(k, name, config, checks) := {
	"index": k, "name": name, "line": k * 5, "devices": ["p2"], "wave": null,
	"config": config, "changes_config": count(config) > 0, "effects": [],
	"rollback": {"config": config, "effects": [], "explicit_effects": false},
	"checks": checks, "soak_seconds": 0, "nodes": [], "links": [], "zones": [],
}

_config := ["router isis", " metric 500"]

_input(steps, pre, post) := {
	"version": 1, "stage": "check",
	"time": "2011-04-21T08:00:00Z", "time_unix": 1303372800,
	"digests": {"plan": "sha256:p", "topology": "sha256:t", "traffic": "sha256:d", "policy": "sha256:x"},
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "alice", "ticket": "",
		"risk": "low", "window": null, "file": "plan.yaml", "devices": ["p2"],
		"pre_checks": pre, "post_checks": post, "steps": steps,
	},
	"topology": {"name": "t", "nodes": {}, "links": {}},
	"states": [],
	"rollback": {"steps": [], "restores_baseline": true, "path": []},
	"approvals": [],
}

_good := _input([_step(1, "cost out p2-p4", _config, [_check("p2")])], [_check("p2")], [_check("p2")])

_msgs(rs) := {r.msg | some r in rs}

test_good_plan_passes if {
	count(health.deny) == 0 with input as _good
	count(health.warn) == 0 with input as _good
	count(health.deny) == 0 with input as _good with data.changegate.params.health.require_pre_checks as true
}

test_config_step_without_checks_denied if {
	inp := _input([_step(1, "cost out p2-p4", _config, [])], [], [_check("p2")])
	ds := health.deny with input as inp
	_msgs(ds) == {`step 1 "cost out p2-p4": sends configuration with no health check after it`}
	some d in ds
	d.step == 1
	d.devices == ["p2"]
}

test_model_only_step_without_checks_passes if {
	count(health.deny) == 0 with input as _input([_step(1, "drain p1", [], [])], [], [])
	count(health.warn) == 0 with input as _input([_step(1, "drain p1", [], [])], [], [])
}

test_no_post_checks_warned if {
	inp := _input([_step(1, "cost out p2-p4", _config, [_check("p2")]), _step(2, "drain p1", [], [])], [], [])
	_msgs(health.warn) == {"the plan changes configuration (step 1) but has no post_checks"} with input as inp
	count(health.deny) == 0 with input as inp
}

test_no_post_checks_several_steps if {
	inp := _input([_step(1, "a", _config, [_check("p2")]), _step(2, "b", _config, [_check("p2")])], [], [])
	_msgs(health.warn) == {"the plan changes configuration (steps 1, 2) but has no post_checks"} with input as inp
}

test_no_pre_checks_allowed_by_default if {
	inp := _input([_step(1, "cost out p2-p4", _config, [_check("p2")])], [], [_check("p2")])
	count(health.deny) == 0 with input as inp
	count(health.warn) == 0 with input as inp
}

test_no_pre_checks_denied_when_required if {
	inp := _input([_step(1, "cost out p2-p4", _config, [_check("p2")])], [], [_check("p2")])
	ds := health.deny with input as inp with data.changegate.params.health.require_pre_checks as true
	_msgs(ds) == {"the plan changes configuration (step 1) but has no pre_checks (required)"}
}

test_no_pre_checks_model_only_plan_passes_when_required if {
	inp := _input([_step(1, "drain p1", [], [])], [], [])
	count(health.deny) == 0 with input as inp with data.changegate.params.health.require_pre_checks as true
}
