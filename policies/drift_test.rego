package changegate.drift_test

import data.changegate.drift

_diff(kind, forwarding, text) := {
	"kind": kind, "node": "", "link": "ab", "other_link": "", "from": "a", "to": "b",
	"model": "10", "network": "77", "forwarding": forwarding, "text": text,
}

_input(differences) := {"drift": {"differences": differences, "forwarding": count([d | some d in differences; d.forwarding])}}

test_not_read_says_nothing if {
	count(drift.deny) == 0 with input as {"drift": null}
	count(drift.warn) == 0 with input as {"drift": null}
}

test_equal_says_nothing if {
	count(drift.deny) == 0 with input as _input([])
	count(drift.warn) == 0 with input as _input([])
}

test_metric_denied if {
	ds := drift.deny with input as _input([_diff("metric", true, `link "ab": metric a->b is 10 in the model, 77 in the network`)])
	ds == {{
		"msg": `the network differs from the topology: link "ab": metric a->b is 10 in the model, 77 in the network`,
		"kind": "metric", "link": "ab", "direction": "a->b", "model": "10", "network": "77",
	}}
}

test_capacity_warned if {
	inp := _input([_diff("capacity", false, `link "ab": capacity 10G in the model, 40G in the network`)])
	count(drift.deny) == 0 with input as inp
	ws := drift.warn with input as inp
	count(ws) == 1
	some w in ws
	w.kind == "capacity"
	not w.direction
}

test_each_difference if {
	inp := _input([
		_diff("state", true, "one"),
		_diff("link-missing", true, "two"),
		_diff("interface", false, "three"),
	])
	count(drift.deny) == 2 with input as inp
	count(drift.warn) == 1 with input as inp
}
