# METADATA
# title: Change window
# description: >-
#   Checks when the change may run: a plan that changes configuration should
#   have a change window (warned about without one, denied with
#   require_window); a window may not be longer than max_window_hours nor
#   overlap a change freeze; a plan whose window has already ended is stale
#   and denied; and just before a run (stage "apply") the time must be
#   inside the window. Reads data.changegate.params.window: require_window
#   (false), max_window_hours (8) and freezes ([]: a list of {name, start,
#   end}, RFC 3339 times; a freeze whose times do not parse is denied, so
#   that a typo does not lift it).
package changegate.window

import data.changegate.lib
import data.changegate.params.window as params

_config_steps := [step.index | some step in input.plan.steps; step.changes_config == true]

_window := input.plan.window

_has_window if is_object(_window)

_span := sprintf("%s to %s", [_window.start, _window.end])

# A configuration change without a window, window not required: warn.
warn contains result if {
	params.require_window == false
	not _has_window
	count(_config_steps) > 0
	result := {"msg": "the plan changes configuration but has no change window"}
}

# A configuration change without a window, window required: deny.
deny contains result if {
	params.require_window == true
	not _has_window
	count(_config_steps) > 0
	result := {"msg": "the plan changes configuration but has no change window (required)"}
}

# A window longer than max_window_hours.
deny contains result if {
	_has_window
	hours := (_window.end_unix - _window.start_unix) / 3600
	hours > params.max_window_hours
	result := {
		"msg": sprintf("change window %s is %s hours long > %s", [_span, lib.num(hours), lib.num(params.max_window_hours)]),
		"hours": hours,
		"threshold": params.max_window_hours,
	}
}

# A window that overlaps a change freeze.
deny contains result if {
	_has_window
	some freeze in params.freezes
	start := _unix(freeze.start)
	end := _unix(freeze.end)
	_window.start_unix < end
	start < _window.end_unix
	result := {
		"msg": sprintf("change window %s overlaps freeze %q (%s to %s)", [_span, freeze.name, freeze.start, freeze.end]),
		"freeze": freeze.name,
	}
}

# A freeze whose start or end is not an RFC 3339 time: the freeze would be
# silently ignored.
deny contains result if {
	some freeze in params.freezes
	some field in ["start", "end"]
	not _is_time(object.get(freeze, field, null))
	result := {
		"msg": sprintf("freeze %q: %s %s is not an RFC 3339 time (for example 2025-12-20T00:00:00Z)", [
			object.get(freeze, "name", ""), field, _show(object.get(freeze, field, null)),
		]),
		"freeze": object.get(freeze, "name", ""),
	}
}

_show(v) := sprintf("%q", [v]) if {
	is_string(v)
} else := sprintf("%v", [v])

# _is_time(t): t is written as an RFC 3339 time. Checked before parsing,
# since the engine turns a built-in error into a failed evaluation.
_is_time(t) if {
	is_string(t)
	regex.match(`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$`, t)
}

# _unix(t): RFC 3339 time t in seconds since the epoch.
_unix(t) := time.parse_rfc3339_ns(t) / 1000000000 if _is_time(t)

# The window has already ended: the plan is stale.
deny contains result if {
	_has_window
	input.time_unix >= _window.end_unix
	result := {
		"msg": sprintf("change window %s ended before %s: the plan is stale; give it a new window", [_span, input.time]),
		"time": input.time,
	}
}

# Just before a run, the window has not opened yet. (After it closes, the
# rule above denies.)
deny contains result if {
	input.stage == "apply"
	_has_window
	input.time_unix < _window.start_unix
	result := {
		"msg": sprintf("change window %s has not opened yet at %s: run the plan inside its window", [_span, input.time]),
		"time": input.time,
	}
}
