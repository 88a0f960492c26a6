# METADATA
# title: Effects
# description: >-
#   Checks that the gate judged what the configuration does, not a
#   description of it. The dry-run simulates the effects of each step's
#   configuration lines (the metric they set, the links they shut, the
#   routers they drain); a step that also declares effects must declare
#   exactly those, or it is denied, naming the configuration lines and the
#   effects that differ: the April 2011 mistake drained the wrong routers
#   while the plan said the right one. Configuration lines the model has no
#   notion of (a route map, a static route) are warned about, or denied with
#   strict: true, since the gate cannot say what they do.
package changegate.effects

import data.changegate.lib

# A step's declared effects are not what its configuration does.
deny contains result if {
	some step in input.plan.steps
	some m in step.effect_mismatches
	result := {
		"msg": m.msg,
		"step": step.index,
		"configured": m.configured,
		"declared": m.declared,
		"lines": m.lines,
		"rollback": m.rollback,
	}
}

# Configuration lines the model cannot follow: the gate does not know what
# they change. A warning, or with strict: true a denial.
warn contains result if {
	not data.changegate.params.effects.strict
	some result in _not_modelled
}

deny contains result if {
	data.changegate.params.effects.strict
	some result in _not_modelled
}

_not_modelled contains result if {
	some step in input.plan.steps
	count(step.not_modelled) > 0
	lines := [sprintf("%q on %s (line %d: %s)", [trim_space(l.text), l.device, l.line, l.why]) | some l in step.not_modelled]
	result := {
		"msg": sprintf("%s: %s the model cannot follow, so the gate does not know what %s: %s", [
			lib.step_label(step.index),
			lib.plural(count(step.not_modelled), "configuration line"),
			_they(count(step.not_modelled)),
			lib.sample(lines, 3),
		]),
		"step": step.index,
		"lines": [l.line | some l in step.not_modelled],
	}
}

_they(1) := "it changes"

_they(n) := "they change" if n != 1
