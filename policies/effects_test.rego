package changegate.effects_test

import data.changegate.effects

_step(k, mismatches, not_modelled) := {
	"index": k, "name": sprintf("s%d", [k]), "line": k * 10, "devices": ["p1", "p5"], "wave": null,
	"config": ["router ospf", " max-metric router-lsa administrative"], "changes_config": true,
	"effects": [{"type": "drain", "node": "p1"}, {"type": "drain", "node": "p5"}],
	"effects_source": "derived", "declared_effects": [], "effects_declared": false,
	"not_modelled": not_modelled, "effect_mismatches": mismatches,
	"rollback": {"config": [], "effects": [], "explicit_effects": false},
	"checks": [], "soak_seconds": 0, "nodes": ["p1", "p5"], "links": [], "zones": [],
}

_input(steps) := {"plan": {"steps": steps}}

_mismatch := {
	"msg": `step 1 "s1": its configuration ("max-metric router-lsa administrative" on p1 and p5, lines 41-42) drains p1 and p5; its effects say: drain p2 (line 47)`,
	"rollback": false,
	"configured": [{"type": "drain", "node": "p1"}, {"type": "drain", "node": "p5"}],
	"declared": [{"type": "drain", "node": "p2"}],
	"lines": [41, 42, 47],
}

_route_map := {"device": "p1", "text": "route-map X permit 10", "line": 43, "why": "route-map X mode", "rollback": false}

test_mismatch_denies if {
	ds := effects.deny with input as _input([_step(1, [_mismatch], [])])
	count(ds) == 1
	some d in ds
	d.msg == _mismatch.msg
	d.step == 1
	d.lines == [41, 42, 47]
}

test_no_mismatch_allows if {
	count(effects.deny) == 0 with input as _input([_step(1, [], [])])
	count(effects.warn) == 0 with input as _input([_step(1, [], [])])
}

test_not_modelled_warns_by_default if {
	ws := effects.warn with input as _input([_step(1, [], [_route_map])])
	ws == {{
		"msg": `step 1 "s1": 1 configuration line the model cannot follow, so the gate does not know what it changes: "route-map X permit 10" on p1 (line 43: route-map X mode)`,
		"step": 1,
		"lines": [43],
	}}
	count(effects.deny) == 0 with input as _input([_step(1, [], [_route_map])])
}

test_not_modelled_denies_when_strict if {
	ds := effects.deny with input as _input([_step(1, [], [_route_map, object.union(_route_map, {"line": 44})])])
		with data.changegate.params.effects.strict as true
	count(ds) == 1
	some d in ds
	startswith(d.msg, `step 1 "s1": 2 configuration lines the model cannot follow, so the gate does not know what they change:`)
	count(effects.warn) == 0 with input as _input([_step(1, [], [_route_map])])
		with data.changegate.params.effects.strict as true
}
