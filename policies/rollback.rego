# METADATA
# title: Rollback
# description: >-
#   Checks that every step can be undone, on the devices and in the model: a
#   step that sends configuration must give the configuration that undoes
#   it (rollback_config), every step's rollback must give back exactly the
#   state before the step (the differences are named), and rolling back the
#   whole plan, last step first, must return the network to the baseline.
#   A change that cannot be rolled back turns a failed health check into an
#   outage instead of a retreat. It has no parameters.
package changegate.rollback

import data.changegate.lib

# A step sends configuration but gives none to undo it.
deny contains result if {
	some step in input.plan.steps
	step.changes_config == true
	count(step.rollback.config) == 0
	result := {
		"msg": sprintf("%s: sends %s of configuration but has no rollback_config to undo it", [
			lib.step_label(step.index), lib.plural(count(step.config), "line"),
		]),
		"step": step.index,
		"devices": step.devices,
	}
}

# A step's rollback does not give back the state before the step.
deny contains result if {
	some r in input.rollback.steps
	r.restores_previous == false
	result := {
		"msg": sprintf("%s: its rollback does not restore the state before it: %s", [
			lib.step_label(r.index), _differences(r),
		]),
		"step": r.index,
		"differences": object.get(r, "differences", []),
	}
}

_differences(r) := lib.sample(r.differences, 5) if {
	count(object.get(r, "differences", [])) > 0
} else := "the model differs"

# Rolling back the whole plan does not return to the baseline.
deny contains result if {
	input.rollback.restores_baseline == false
	not_restored := [r.index | some r in input.rollback.steps; r.restores_previous == false]
	result := {
		"msg": sprintf("rolling back the whole plan does not return the network to the baseline (%s)", [_where(not_restored)]),
		"steps": not_restored,
		"ends_at_state": _end_state,
	}
}

# The state the rollback path ends in: a forward state's index, or null for
# a state the plan never visited.
_end_state := object.get(input.rollback.path[count(input.rollback.path) - 1], "same_as_state", null) if {
	count(input.rollback.path) > 0
} else := null

_where(steps) := sprintf("%s; %s", [_ends(_end_state), _flagged(steps)]) if {
	count(steps) > 0
} else := _ends(_end_state)

_ends(s) := "it ends in a state the plan never visited" if {
	s == null
} else := sprintf("it ends at state %d", [s])

_flagged(steps) := sprintf("step %d does not restore the state before it", [steps[0]]) if {
	count(steps) == 1
} else := sprintf("steps %s do not restore the state before them", [lib.join([sprintf("%d", [i]) | some i in steps])])
