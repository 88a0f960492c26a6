package changegate.lib_test

import data.changegate.lib

_input := {
	"plan": {"steps": [
		{"index": 1, "name": "drain p2", "effects": [{"type": "drain", "node": "p2"}]},
		{"index": 2, "name": "swap", "effects": [
			{"type": "undrain", "node": "p2"},
			{"type": "drain", "node": "p1"},
			{"type": "link_down", "link": "p1-p2"},
		]},
		{"index": 3, "name": "undrain p3", "effects": [{"type": "undrain", "node": "p3"}]},
	]},
	"topology": {
		"nodes": {
			"p1": {"role": "router", "site": "dc1", "zone": "az-a", "drained": false},
			"p2": {"role": "router", "site": "dc1", "zone": "az-a", "drained": false},
			"p3": {"role": "router", "site": "dc1", "zone": "az-a", "drained": true},
		},
		"links": {
			"p1-p2": {"a": "p1", "b": "p2", "class": "primary"},
			"s1-s2": {"a": "s1", "b": "s2", "class": "secondary"},
			"x1-x2": {"a": "x1", "b": "x2", "class": ""},
		},
	},
	"states": [{"index": 0, "step": null}, {"index": 1, "step": "drain p2"}],
}

test_rate if {
	lib.rate(8200000000) == "8.2 Gbps"
	lib.rate(60000000000) == "60 Gbps"
	lib.rate(500000000) == "500 Mbps"
	lib.rate(1000000000) == "1 Gbps"
	lib.rate(1000000000000) == "1 Tbps"
	lib.rate(1000000) == "1 Mbps"
	lib.rate(1000) == "1 kbps"
	lib.rate(999) == "999 bps"
	lib.rate(400000000000000) == "400 Tbps"
	lib.rate(2500) == "2.5 kbps"
	lib.rate(12) == "12 bps"
	lib.rate(0) == "0 bps"
	lib.rate(-35000000000) == "-35 Gbps"
	lib.rate(33333333333.3333) == "33.3 Gbps"
}

test_pct if {
	lib.pct(4.12) == "412%"
	lib.pct(6) == "600%"
	lib.pct(0.5) == "50%"
	lib.pct(0.805) == "80.5%"
	lib.pct(0.35) == "35%"
	lib.pct(0) == "0%"
}

test_num if {
	lib.num(60) == "60"
	lib.num(8.25) == "8.3"
	lib.num(-0.04) == "0"
	lib.num(-1.5) == "-1.5"
}

test_step_label if {
	lib.step_label(1) == `step 1 "drain p2"` with input as _input
	lib.step_label(3) == `step 3 "undrain p3"` with input as _input
}

test_step_label_falls_back_to_the_state if {
	lib.step_label(1) == `step 1 "drain p2"` with input as object.union(_input, {"plan": {"steps": []}})
}

test_class if {
	lib.class({"id": "s1-s2", "from": "s1", "to": "s2", "class": "secondary"}) == "secondary" with input as _input
	lib.class({"id": "s1-s2", "from": "s1", "to": "s2"}) == "secondary" with input as _input
	lib.class("p1-p2") == "primary" with input as _input
	lib.class("x1-x2") == "" with input as _input
	lib.class("nope") == "" with input as _input
}

test_dir_label if {
	lib.dir_label({"id": "s1-s2", "from": "s1", "to": "s2", "class": "secondary"}) == "s1-s2 (secondary) s1->s2"
	lib.dir_label({"id": "x1-x2", "from": "x2", "to": "x1"}) == "x1-x2 x2->x1" with input as _input
}

test_threshold if {
	lib.threshold("secondary") == 0.5
	lib.threshold("replication") == 0.5
	lib.threshold("primary") == 0.8
	lib.threshold("") == 0.8
}

test_threshold_override if {
	lib.threshold("secondary") == 0.6 with data.changegate.params.capacity.class_thresholds as {"secondary": 0.6}
	lib.threshold("primary") == 0.9 with data.changegate.params.capacity.threshold as 0.9
}

test_failures if {
	lib.failure_kind("link:p1-p2") == "link"
	lib.failure_target("link:p1-p2") == "p1-p2"
	lib.failure_label("srlg:duct-north") == "srlg duct-north"
	lib.failure_label("node:p1") == "node p1"
	lib.failure_label("weird") == "weird"
}

test_beyond if {
	lib.beyond(1, 0)
	not lib.beyond(0.0000001, 0)
	not lib.beyond(0.000001, 0)
	not lib.beyond(10000000000, 10000000000)
	lib.beyond(10000001000, 10000000000)
}

test_drained_after if {
	lib.drained_after(0) == {"p3"} with input as _input
	lib.drained_after(1) == {"p2", "p3"} with input as _input
	lib.drained_after(2) == {"p1", "p3"} with input as _input
	lib.drained_after(3) == {"p1"} with input as _input
}

test_sample_and_plural if {
	lib.sample(["a", "b"], 2) == "a, b"
	lib.sample(["a", "b", "c", "d"], 2) == "a, b and 2 more"
	lib.plural(1, "demand") == "1 demand"
	lib.plural(2, "demand") == "2 demands"
}

test_num_rounds_half_away_from_zero if {
	lib.num(0.05) == "0.1"
	lib.num(-0.05) == "-0.1"
	lib.num(0.95) == "1"
	lib.num(0.04) == "0"
	lib.num(1234.56) == "1234.6"
	lib.pct(0.0004) == "0%"
	lib.pct(1) == "100%"
	lib.pct(0.80049) == "80%"
	lib.pct(0.539382412) == "53.9%"
	lib.pct(-0.5) == "-50%"
	lib.rate(999999) == "1000 kbps"
	lib.rate(-500) == "-500 bps"
	lib.rate(1050000000) == "1.1 Gbps"
}

# --- summaries: min_threshold, hot_links, class_stats -----------------------

test_min_threshold if {
	lib.min_threshold == 0.5
	lib.min_threshold == 0.8 with data.changegate.params.capacity.class_thresholds as {"secondary": 0.9, "replication": 0.9}
	lib.min_threshold == 0.3 with data.changegate.params.capacity.threshold as 0.3
	lib.min_threshold == 0.2 with data.changegate.params.capacity.class_thresholds as {"secondary": 0.2}
}

_sl(id, class, util, n1) := {
	"id": id, "from": "a", "to": "b", "class": class, "up": true,
	"load_bps": 0, "capacity_bps": 10000000000, "utilization": util, "delta_bps": 0,
	"n1_worst_utilization": n1, "n1_worst_failure": null,
}

_sstate := {"index": 1, "links": [_sl("x", "", 0.2, 0.3), _sl("y", "secondary", 0.6, 0.6), _sl("z", "", 0.1, 0.9)], "n1": {"failures": {"names": [], "dropped_bps": [], "max_utilization": [], "max_link": []}}}

test_hot_links_given if {
	s := summarized({"states": [_sstate], "topology": {"links": {}}}, 0.5).states[0]
	[l.id | some l in s.hot_links] == ["y", "z"]
	[l.id | some l in lib.hot_links(s, 0.5)] == ["y", "z"] with input.hot_floor as 0.5
	[l.id | some l in lib.hot_links(s, 0.8)] == ["y", "z"] with input.hot_floor as 0.5
}

test_hot_links_fall_back_to_links if {
	s := summarized({"states": [_sstate], "topology": {"links": {}}}, 0.5).states[0]

	# Looking below the floor the input was listed for: every direction.
	[l.id | some l in lib.hot_links(s, 0.4)] == ["x", "y", "z"] with input.hot_floor as 0.5

	# No floor, or no list: every direction.
	[l.id | some l in lib.hot_links(s, 0.8)] == ["x", "y", "z"] with input as {}
	[l.id | some l in lib.hot_links(_sstate, 0.8)] == ["x", "y", "z"] with input.hot_floor as 0.5
}

test_class_stats_computed if {
	lib.class_stats(_sstate) == {
		"": {"max_utilization": 0.2, "max_delta_bps": 0, "n1_max_utilization": 0.9},
		"secondary": {"max_utilization": 0.6, "max_delta_bps": 0, "n1_max_utilization": 0.6},
	} with input as {"topology": {"links": {}}}
}

test_class_stats_computed_without_n1_and_with_topology_classes if {
	s := {"index": 1, "n1": null, "links": [
		object.remove(_sl("x", "", 0.2, 0.3), ["class", "delta_bps", "n1_worst_utilization", "n1_worst_failure"]),
		object.union(_sl("y", "secondary", 0.6, 0.6), {"delta_bps": -5}),
	]}
	lib.class_stats(s) == {
		"primary": {"max_utilization": 0.2, "max_delta_bps": 0},
		"secondary": {"max_utilization": 0.6, "max_delta_bps": -5},
	} with input as {"topology": {"links": {"x": {"class": "primary"}}}}
}

test_class_stats_given if {
	s := summarized({"states": [_sstate], "topology": {"links": {}}}, 0.5).states[0]
	lib.class_stats(s) == s.classes
	lib.class_stats(s) == lib.class_stats(_sstate) with input as {"topology": {"links": {}}}

	# Given summaries are taken as they are.
	lib.class_stats(object.union(_sstate, {"classes": {}})) == {}
}

# summarized(inp, floor) is inp, an input written by hand, with the
# summaries that the engine adds (docs/policy-input.md): input.hot_floor is
# floor and each state gets hot_links, classes and, with an N-1 analysis,
# n1.max_dropped_bps. The engine's floor is the lowest capacity threshold
# (lib.min_threshold); a floor above it is what a hand-written input may
# give, and the policies must then not rely on hot_links. The capacity and
# n1 tests check that their policies decide the same with and without them.
summarized(inp, floor) := object.union(inp, {
	"hot_floor": floor,
	"states": [_summarized_state(inp, s, floor) | some s in inp.states],
})

_summarized_state(inp, s, floor) := object.union(s, object.union(
	{
		"hot_links": [l | some l in s.links; _hot(l, floor)],
		"classes": {c: _class_summary(s, ls) |
			cs := [_class_of(inp, l) | some l in s.links]
			some c in {c | some c in cs}
			ls := [s.links[i] | some i, x in cs; x == c]
		},
	},
	_n1_summary(s),
))

_hot(l, floor) if l.utilization > floor

_hot(l, floor) if l.n1_worst_utilization > floor

# The engine gives every entry the class of its link ("" for none).
_class_of(inp, l) := l.class if {
	l.class != ""
} else := object.get(inp.topology.links, [l.id, "class"], "")

_class_summary(s, ls) := object.union(
	{
		"max_utilization": max([l.utilization | some l in ls]),
		"max_delta_bps": max([object.get(l, "delta_bps", 0) | some l in ls]),
	},
	_n1_class_summary(s, ls),
)

_n1_class_summary(s, ls) := {"n1_max_utilization": max([l.n1_worst_utilization | some l in ls])} if {
	is_object(s.n1)
} else := {}

_n1_summary(s) := {"n1": {"max_dropped_bps": max(array.concat([0], s.n1.failures.dropped_bps))}} if {
	is_object(s.n1)
} else := {}

test_summarized if {
	x := object.remove(_sl("x", "", 0.2, 0.3), ["n1_worst_utilization", "n1_worst_failure"])
	inp := {"states": [_sstate, {"index": 2, "links": [x], "n1": null}], "topology": {"links": {}}}
	s := summarized(inp, 0.25)
	s.hot_floor == 0.25
	[l.id | some l in s.states[0].hot_links] == ["x", "y", "z"]
	s.states[0].n1.max_dropped_bps == 0
	s.states[1].n1 == null
	s.states[1].classes == {"": {"max_utilization": 0.2, "max_delta_bps": 0}}
	s.states[1].hot_links == []
}

# combined(inps) is the list of inputs inps, written by hand with a
# baseline and one state after it, merged into as few inputs as possible:
# those that differ only in their state after the step become one input
# with each of those states in turn (indexes 1, 2, ...). Evaluating a
# policy once over each is much faster than once over every input.
combined(inps) := [_merge([inp | some inp in inps; _group(inp) == g]) | some g in {_group(inp) | some inp in inps}]

_group(inp) := [object.remove(inp, ["states"]), inp.states[0]]

_merge(inps) := object.union(inps[0], {"states": array.concat(
	[inps[0].states[0]],
	[object.union(inp.states[1], {"index": k + 1}) | some k, inp in inps],
)})

test_combined if {
	a := {"plan": {}, "states": [{"index": 0, "x": 0}, {"index": 1, "x": 1}]}
	b := {"plan": {}, "states": [{"index": 0, "x": 0}, {"index": 1, "x": 2}]}
	c := {"plan": {}, "states": [{"index": 0, "x": 3}, {"index": 1, "x": 1}]}
	d := {"plan": {"y": 1}, "states": [{"index": 0, "x": 0}, {"index": 1, "x": 1}]}
	cs := combined([a, b, c, d])
	count(cs) == 3
	{"plan": {}, "states": [{"index": 0, "x": 0}, {"index": 1, "x": 1}, {"index": 2, "x": 2}]} in cs
	c in cs
	d in cs
}
