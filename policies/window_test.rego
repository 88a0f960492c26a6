package changegate.window_test

import data.changegate.window

# A window from 22:00 to 02:00 UTC (4 hours), checked at 08:00 the
# morning before.
_window := {
	"start": "2011-04-21T22:00:00Z", "end": "2011-04-22T02:00:00Z", "timezone": "UTC",
	"start_unix": 1303423200, "end_unix": 1303437600,
}

_step(config) := {
	"index": 1, "name": "cost out p2-p4", "line": 5, "devices": ["p2"], "wave": null,
	"config": config, "changes_config": count(config) > 0, "effects": [],
	"rollback": {"config": config, "effects": [], "explicit_effects": false},
	"checks": [], "soak_seconds": 0, "nodes": [], "links": [], "zones": [],
}

_input(w, config) := {
	"version": 1, "stage": "check",
	"time": "2011-04-21T08:00:00Z", "time_unix": 1303372800,
	"digests": {"plan": "sha256:p", "topology": "sha256:t", "traffic": "sha256:d", "policy": "sha256:x"},
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "alice", "ticket": "",
		"risk": "low", "window": w, "file": "plan.yaml", "devices": ["p2"],
		"pre_checks": [], "post_checks": [], "steps": [_step(config)],
	},
	"topology": {"name": "t", "nodes": {}, "links": {}},
	"states": [],
	"rollback": {"steps": [], "restores_baseline": true, "path": []},
	"approvals": [],
}

_good := _input(_window, ["router isis"])

# _at(stage, time, unix): the good plan evaluated at another stage and time.
_at(stage, t, unix) := object.union(_good, {"stage": stage, "time": t, "time_unix": unix})

# _long(end, end_unix): the good plan with another end of its window.
_long(end, end_unix) := object.union(_good, {"plan": {"window": object.union(_window, {"end": end, "end_unix": end_unix})}})

_freeze := {"name": "easter", "start": "2011-04-22T00:00:00Z", "end": "2011-04-26T00:00:00Z"}

_msgs(rs) := {r.msg | some r in rs}

test_good_plan_passes if {
	count(window.deny) == 0 with input as _good
	count(window.warn) == 0 with input as _good
}

# --- no window ---------------------------------------------------------------

test_no_window_warned if {
	inp := _input(null, ["router isis"])
	_msgs(window.warn) == {"the plan changes configuration but has no change window"} with input as inp
	count(window.deny) == 0 with input as inp
}

test_no_window_model_only_plan_passes if {
	inp := _input(null, [])
	count(window.warn) == 0 with input as inp
	count(window.deny) == 0 with input as inp with data.changegate.params.window.require_window as true
}

test_window_present_when_required_passes if {
	count(window.deny) == 0 with input as _good with data.changegate.params.window.require_window as true
}

test_no_window_denied_when_required if {
	inp := _input(null, ["router isis"])
	_msgs(window.deny) == {"the plan changes configuration but has no change window (required)"} with input as inp
		with data.changegate.params.window.require_window as true
	count(window.warn) == 0 with input as inp with data.changegate.params.window.require_window as true
}

# --- length --------------------------------------------------------------------

test_long_window_denied if {
	# 22:00 to 07:00: 9 hours.
	ds := window.deny with input as _long("2011-04-22T07:00:00Z", 1303455600)
	_msgs(ds) == {"change window 2011-04-21T22:00:00Z to 2011-04-22T07:00:00Z is 9 hours long > 8"}
	some d in ds
	d.hours == 9
	d.threshold == 8
}

test_window_exactly_max_hours_passes if {
	# 22:00 to 06:00: 8 hours.
	count(window.deny) == 0 with input as _long("2011-04-22T06:00:00Z", 1303452000)
}

test_max_window_hours_override if {
	count(window.deny) == 0 with input as _long("2011-04-22T07:00:00Z", 1303455600)
		with data.changegate.params.window.max_window_hours as 12
	count(window.deny) == 1 with input as _good
		with data.changegate.params.window.max_window_hours as 3.5
}

# --- freezes -----------------------------------------------------------------

test_no_freeze_by_default if {
	count(window.deny) == 0 with input as _good
}

test_window_overlapping_freeze_denied if {
	ds := window.deny with input as _good with data.changegate.params.window.freezes as [_freeze]
	_msgs(ds) == {`change window 2011-04-21T22:00:00Z to 2011-04-22T02:00:00Z overlaps freeze "easter" (2011-04-22T00:00:00Z to 2011-04-26T00:00:00Z)`}
	some d in ds
	d.freeze == "easter"
}

test_freeze_starting_when_the_window_ends_passes if {
	touching := object.union(_freeze, {"start": "2011-04-22T02:00:00Z"})
	count(window.deny) == 0 with input as _good with data.changegate.params.window.freezes as [touching]
}

test_freeze_ending_when_the_window_starts_passes if {
	before := {"name": "before", "start": "2011-04-21T00:00:00Z", "end": "2011-04-21T22:00:00Z"}
	count(window.deny) == 0 with input as _good with data.changegate.params.window.freezes as [before]
}

test_freeze_with_offset_times if {
	# 2011-04-22T01:00:00+02:00 is 2011-04-21T23:00:00Z: inside the window.
	tz := {"name": "cet", "start": "2011-04-22T01:00:00+02:00", "end": "2011-04-22T03:00:00+02:00"}
	count(window.deny) == 1 with input as _good with data.changegate.params.window.freezes as [tz]
}

test_invalid_freeze_denied if {
	bad := {"name": "typo", "start": "2011-04-22", "end": "2011-04-26T00:00:00Z"}
	ds := window.deny with input as _good with data.changegate.params.window.freezes as [bad]
	_msgs(ds) == {`freeze "typo": start "2011-04-22" is not an RFC 3339 time (for example 2025-12-20T00:00:00Z)`}
}

test_freeze_with_a_bad_time_denied if {
	bad := {"name": "typo", "start": "2011-04-22T00:00:00Z", "end": "2011-04-26 00:00"}
	ds := window.deny with input as _good with data.changegate.params.window.freezes as [bad]
	_msgs(ds) == {`freeze "typo": end "2011-04-26 00:00" is not an RFC 3339 time (for example 2025-12-20T00:00:00Z)`}
}

test_freeze_without_end_denied if {
	ds := window.deny with input as _good with data.changegate.params.window.freezes as [{"name": "open", "start": "2011-04-22T00:00:00Z"}]
	_msgs(ds) == {`freeze "open": end null is not an RFC 3339 time (for example 2025-12-20T00:00:00Z)`}
}

# --- stale plans and apply -------------------------------------------------------

test_window_ended_denied if {
	ds := window.deny with input as _at("check", "2011-04-22T06:00:00Z", 1303452000)
	_msgs(ds) == {"change window 2011-04-21T22:00:00Z to 2011-04-22T02:00:00Z ended before 2011-04-22T06:00:00Z: the plan is stale; give it a new window"}
}

test_window_ends_exactly_now_denied if {
	count(window.deny) == 1 with input as _at("check", "2011-04-22T02:00:00Z", 1303437600)
}

test_window_ending_in_a_second_passes if {
	count(window.deny) == 0 with input as _at("apply", "2011-04-22T01:59:59Z", 1303437599)
}

test_apply_before_the_window_denied if {
	ds := window.deny with input as _at("apply", "2011-04-21T08:00:00Z", 1303372800)
	_msgs(ds) == {"change window 2011-04-21T22:00:00Z to 2011-04-22T02:00:00Z has not opened yet at 2011-04-21T08:00:00Z: run the plan inside its window"}
}

test_check_before_the_window_passes if {
	count(window.deny) == 0 with input as _at("check", "2011-04-21T08:00:00Z", 1303372800)
}

test_apply_when_the_window_opens_passes if {
	count(window.deny) == 0 with input as _at("apply", "2011-04-21T22:00:00Z", 1303423200)
}

test_apply_after_the_window_denied if {
	ds := window.deny with input as _at("apply", "2011-04-22T06:00:00Z", 1303452000)
	count(ds) == 1
	some d in ds
	contains(d.msg, "the plan is stale")
}
