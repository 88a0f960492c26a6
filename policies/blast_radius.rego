# METADATA
# title: Blast radius
# description: >-
#   Limits how much one step can break: the devices it configures at once
#   (for a step with a wave, its batch size), the zones (failure domains) it
#   touches, and the traffic it moves, measured in traffic and not only in
#   devices, so that a mistake stays contained and a failed health check
#   stops it early, before it spreads across zones as in April 2011. Reads
#   data.changegate.params.blast_radius: max_devices_per_step (1),
#   max_zones_per_step (1), max_moved_fraction (2.0 of the total demand;
#   moved traffic is counted on every link direction it leaves or joins,
#   so it can exceed 1) and max_moved_bps (null: no limit).
package changegate.blast_radius

import data.changegate.lib
import data.changegate.params.blast_radius as params

# The number of devices a step configures at once.
_at_once(step) := min([step.wave.batch, count(step.devices)]) if {
	is_object(step.wave)
} else := count(step.devices)

# Too many devices configured at once.
deny contains result if {
	some step in input.plan.steps
	n := _at_once(step)
	n > params.max_devices_per_step
	result := {
		"msg": sprintf("%s: configures %s at once (%s) > %d", [
			lib.step_label(step.index), lib.plural(n, "device"), _which(step),
			params.max_devices_per_step,
		]),
		"step": step.index,
		"devices": step.devices,
		"count": n,
		"threshold": params.max_devices_per_step,
	}
}

_which(step) := sprintf("wave of batch %d over %s", [step.wave.batch, lib.sample(step.devices, 5)]) if {
	is_object(step.wave)
} else := lib.sample(step.devices, 5)

# Too many zones touched by one step.
deny contains result if {
	some step in input.plan.steps
	count(step.zones) > params.max_zones_per_step
	result := {
		"msg": sprintf("%s: touches %s (%s) > %d", [
			lib.step_label(step.index), lib.plural(count(step.zones), "zone"),
			lib.join(step.zones), params.max_zones_per_step,
		]),
		"step": step.index,
		"zones": step.zones,
		"count": count(step.zones),
		"threshold": params.max_zones_per_step,
	}
}

# Too much traffic moved by one step, as a fraction of the total demand.
deny contains result if {
	some state in input.states
	state.index >= 1
	state.moved_fraction > params.max_moved_fraction
	n := count([l | some l in state.links; l.delta_bps != 0])
	result := {
		"msg": sprintf("%s: moves %s of load on %s (a flow counts on every link it leaves or joins): %s times the network's total demand of %s, over the limit of %s times", [
			lib.step_label(state.index), lib.rate(state.moved_bps), lib.plural(n, "link direction"),
			_times(state.moved_fraction), lib.rate(state.moved_bps / state.moved_fraction), _times(params.max_moved_fraction),
		]),
		"step": state.index,
		"state": state.index,
		"moved_bps": state.moved_bps,
		"moved_fraction": state.moved_fraction,
		"threshold": params.max_moved_fraction,
	}
}

# _times(x) writes a ratio with one decimal: 2 -> "2.0", 3.333 -> "3.3".
_times(x) := sprintf("%d.%d", [floor(r / 10), r % 10]) if r := round(x * 10)

# Too much traffic moved by one step, in bps (off when max_moved_bps is
# null).
deny contains result if {
	params.max_moved_bps != null
	some state in input.states
	state.index >= 1
	state.moved_bps > params.max_moved_bps
	result := {
		"msg": sprintf("%s: moves %s > %s", [
			lib.step_label(state.index), lib.rate(state.moved_bps), lib.rate(params.max_moved_bps),
		]),
		"step": state.index,
		"state": state.index,
		"moved_bps": state.moved_bps,
		"threshold": params.max_moved_bps,
	}
}
