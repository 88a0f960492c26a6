# METADATA
# title: Health checks
# description: >-
#   Checks that configuration changes are verified while they run: a step
#   that sends configuration must have health checks after it, so that a bad
#   step halts the change and is rolled back before the next one; a plan
#   that changes configuration without post_checks (checks after the last
#   step) is warned about; and with require_pre_checks it must also have
#   pre_checks (checks that the network is healthy before the first step).
#   Reads data.changegate.params.health: require_pre_checks (false).
package changegate.health

import data.changegate.lib
import data.changegate.params.health as params

_config_steps := [step.index | some step in input.plan.steps; step.changes_config == true]

# A configuration step without health checks after it.
deny contains result if {
	some step in input.plan.steps
	step.changes_config == true
	count(step.checks) == 0
	result := {
		"msg": sprintf("%s: sends configuration with no health check after it", [lib.step_label(step.index)]),
		"step": step.index,
		"devices": step.devices,
	}
}

# A plan that changes configuration without post_checks.
warn contains result if {
	count(_config_steps) > 0
	count(input.plan.post_checks) == 0
	result := {
		"msg": sprintf("the plan changes configuration (%s) but has no post_checks", [_steps(_config_steps)]),
		"steps": _config_steps,
	}
}

# With require_pre_checks, a plan that changes configuration without
# pre_checks.
deny contains result if {
	params.require_pre_checks == true
	count(_config_steps) > 0
	count(input.plan.pre_checks) == 0
	result := {
		"msg": sprintf("the plan changes configuration (%s) but has no pre_checks (required)", [_steps(_config_steps)]),
		"steps": _config_steps,
	}
}

_steps(ks) := sprintf("step %d", [ks[0]]) if {
	count(ks) == 1
} else := sprintf("steps %s", [lib.join([sprintf("%d", [k]) | some k in ks])])
