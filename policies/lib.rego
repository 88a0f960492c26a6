# METADATA
# title: Shared helpers
# description: >-
#   Helpers shared by the built-in policies: rates ("8.2 Gbps"),
#   utilisations ("412%"), step and link-direction labels for messages,
#   link classes and their capacity thresholds (from
#   data.changegate.params.capacity), failure names, the set of nodes
#   drained after each step, and the state summaries that let a policy
#   skip what cannot fire (hot_links, class_stats), computed from the link
#   directions when the input does not give them. It has no deny or warn
#   rules of its own.
package changegate.lib

# num(x) writes x with at most one decimal: 60, 8.2, -0.5.
num(x) := _tenths(round(x * 10))

# _tenths(t) writes the whole number t / 10 with at most one decimal: 605
# is "60.5", 600 "60", 5 "0.5", -15 "-1.5". Built from the digits of t, as
# arithmetic on fractions is slow in Rego (a few microseconds an operation).
_tenths(t) := concat("", [_minus(t), substring(digits, 0, n - 1), _point(substring(digits, n - 1, 1))]) if {
	digits := sprintf("%02d", [abs(t)])
	n := count(digits)
}

_minus(t) := "-" if {
	t < 0
} else := ""

_point("0") := ""

_point(d) := concat("", [".", d]) if d != "0"

# rate(bps) writes a rate with a decimal unit: "8.2 Gbps", "60 Gbps",
# "500 Mbps", "0 bps".
rate(bps) := concat("", [_tenths(round(bps / u[0])), " ", u[1]]) if {
	u := _unit(abs(bps))
}

# _unit(b): a tenth of the unit of rate b, and the unit's name.
_unit(b) := [100000000000, "Tbps"] if {
	b >= 1000000000000
} else := [100000000, "Gbps"] if {
	b >= 1000000000
} else := [100000, "Mbps"] if {
	b >= 1000000
} else := [100, "kbps"] if {
	b >= 1000
} else := [0.1, "bps"]

# pct(u) writes a utilisation (a fraction) as a percentage: "412%", "80.5%".
pct(u) := concat("", [_tenths(round(u * 1000)), "%"])

# step_name(k) is the name of step k (1-based).
step_name(k) := input.plan.steps[k - 1].name if {
	k >= 1
} else := input.states[k].step if {
	is_string(input.states[k].step)
} else := ""

# step_label(k) names step k in messages: step 3 "cost out r2-r4".
step_label(k) := sprintf("step %d %q", [k, step_name(k)])

# class(l) is the class of a link direction entry (input.states[_].links[_])
# or of a link given by its id; "" when the link has none.
class(l) := c if {
	is_object(l)
	c := object.get(l, "class", "")
	c != ""
} else := object.get(input.topology.links, [l.id, "class"], "") if {
	is_object(l)
} else := object.get(input.topology.links, [l, "class"], "")

# direction(l) is "from->to" of a link direction.
direction(l) := sprintf("%s->%s", [l.from, l.to])

# dir_label(l) names a link direction in messages:
# "s1-s2 (secondary) s1->s2", or "p1-p2 p1->p2" for a link without a class.
dir_label(l) := sprintf("%s (%s) %s", [l.id, c, direction(l)]) if {
	c := class(l)
	c != ""
} else := sprintf("%s %s", [l.id, direction(l)])

# threshold(c) is the utilisation threshold of link class c:
# capacity.class_thresholds[c], else capacity.threshold.
threshold(c) := object.get(
	data.changegate.params.capacity.class_thresholds,
	c,
	data.changegate.params.capacity.threshold,
)

# min_threshold is the lowest utilisation threshold of the capacity
# parameters (threshold and every class_thresholds value): what the engine
# gives as input.hot_floor.
min_threshold := min(array.concat(
	[data.changegate.params.capacity.threshold],
	[t | some t in object.get(data.changegate.params.capacity, "class_thresholds", {})],
))

# hot_links(state, t) is the list of link directions of state to look at
# for a utilisation, or an N-1 worst utilisation, above t: state.hot_links
# when the input lists them for a floor at or below t (input.hot_floor),
# else every direction (state.links), as in an input written by hand.
hot_links(state, t) := state.hot_links if {
	input.hot_floor <= t
	is_array(state.hot_links)
} else := state.links

# class_stats(state) is, per link class ("" for none), the most any of the
# class's link directions has in state: {max_utilization, max_delta_bps,
# n1_max_utilization} (the last only with an N-1 analysis). It is
# state.classes when the input gives it; otherwise it is computed from
# state.links (a missing delta_bps counts as 0, a missing
# n1_worst_utilization as the direction's utilisation). Computing it costs
# more than one scan of the links: the built-in policies read
# state.classes, and scan the links when it is missing.
class_stats(state) := state.classes if {
	is_object(state.classes)
} else := {c: _class_stat(state, members) |
	cs := [class(l) | some l in state.links]
	some c in {c | some c in cs}
	members := [state.links[i] | some i, x in cs; x == c]
}

_class_stat(state, ls) := object.union(
	{
		"max_utilization": max([l.utilization | some l in ls]),
		"max_delta_bps": max([object.get(l, "delta_bps", 0) | some l in ls]),
	},
	_class_n1_stat(state, ls),
)

_class_n1_stat(state, ls) := {"n1_max_utilization": max([object.get(l, "n1_worst_utilization", l.utilization) | some l in ls])} if {
	is_object(state.n1)
} else := {}

# failure_kind("link:p1-p2") is "link"; failure_target(...) is "p1-p2".
failure_kind(f) := substring(f, 0, indexof(f, ":"))

failure_target(f) := substring(f, indexof(f, ":") + 1, -1)

# failure_label("link:p1-p2") is "link p1-p2", as in "if link p1-p2 fails".
failure_label(f) := sprintf("%s %s", [failure_kind(f), failure_target(f)]) if {
	contains(f, ":")
} else := f

# beyond(a, b): a exceeds b by more than rounding (a relative 1e-9 plus
# 1e-6), as the dry-run's report does for dropped traffic.
beyond(a, b) if a - b > (abs(b) * 1e-9) + 1e-6

# drained_after(k) is the set of nodes drained in the state after step k:
# the topology's own drain flags (the baseline), then every drain and
# undrain effect of steps 1..k in order. drained_after(0) is the baseline's.
drained_after(k) := {n |
	some n, node in input.topology.nodes
	_drained(n, node, k)
}

_drained(n, node, k) if {
	events := _drain_events(n, k)
	count(events) == 0
	object.get(node, "drained", false) == true
}

_drained(n, _, k) if {
	events := _drain_events(n, k)
	count(events) > 0
	events[count(events) - 1][2] == "drain"
}

# _drain_events(n, k): [step position, effect position, type] of every drain
# or undrain of node n in steps 1..k, in plan order.
_drain_events(n, k) := sort([[i, j, e.type] |
	some i, step in input.plan.steps
	i < k
	some j, e in step.effects
	e.type in {"drain", "undrain"}
	e.node == n
])

# join(xs) joins strings with ", ".
join(xs) := concat(", ", xs)

# sample(xs, n) joins the first n strings of xs with ", ", then
# "and N more" for the rest.
sample(xs, n) := join(xs) if {
	count(xs) <= n
} else := sprintf("%s and %d more", [join(array.slice(xs, 0, n)), count(xs) - n])

# plural(n, word) is "1 demand", "2 demands".
plural(n, word) := sprintf("%d %s", [n, word]) if {
	n == 1
} else := sprintf("%d %ss", [n, word])
