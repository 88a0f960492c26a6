# METADATA
# title: Approvals
# description: >-
#   Checks that the change was reviewed by someone other than its author,
#   for exactly what was checked: an approval counts only when its signature
#   is verified, it is not by the plan's author (none of its identities is
#   the author's identity; an author's own approval is denied outright) and
#   it was given for the same plan, topology, traffic, policy and inventory
#   digests (an approval for other digests is stale: it names which differ).
#   A plan that needs approvals must name its author (denied otherwise).
#   The plan needs as many distinct valid
#   approvers as its risk requires, and approvers holding the roles its
#   risk, the zones its steps touch and the classes of the links they change
#   require. Missing approvals are warnings while the plan is checked (stage
#   "check": it still needs them) and denials just before a run (stage
#   "apply"). Reads data.changegate.params.approvals: required (approvals by
#   risk: low 0, medium 1, high 2, "" 1, which also applies to a risk not
#   listed), roles (roles by risk: high ["network-lead"]), zone_roles (zone
#   -> role, {}) and class_roles (link class -> role, {}).
package changegate.approvals

import data.changegate.lib
import data.changegate.params.approvals as params

_digest_names := ["plan", "topology", "traffic", "policy", "inventory"]

# _stale_digests(a): the digests that approval a was not given for.
_stale_digests(a) := [name |
	some name in _digest_names
	_signed(a, name) != _now(name)
]

# The author's identity, and an approval by the author: one whose
# identities (its approver's name and the principals of its key, written
# as the author's identity is) hold it.
_author := object.get(input.plan, "author_identity", "")

_self(a) if {
	_author != ""
	_author in object.get(a, "identities", [])
}

_valid(a) if {
	a.verified == true
	not _self(a)
	count(_stale_digests(a)) == 0
}

# The distinct approvers with a valid approval, and the roles they hold.
_approvers := {a.approver | some a in input.approvals; _valid(a)}

_approver_roles := {role | some a in input.approvals; _valid(a); some role in a.roles}

_risk := object.get(input.plan, "risk", "")

_required := object.get(params.required, _risk, params.required[""])

# How messages name the plan's risk: `risk "high"`; a plan without one
# gets the default's approvals and is named as such.
_risk_text := sprintf("risk %q", [_risk]) if _risk != ""

_risk_text := "no risk given" if _risk == ""

_risk_subject := sprintf("risk %q", [_risk]) if _risk != ""

_risk_subject := "a plan with no risk given" if _risk == ""

# The plan's author approved it: self-approval never counts.
deny contains result if {
	some a in input.approvals
	_self(a)
	result := {
		"msg": sprintf("approval by %s, the plan's author (%s), does not count: self-approval is not allowed", [a.approver, _author]),
		"approver": a.approver,
	}
}

# The plan needs approvals: its risk requires some or a role, or a zone
# or link class it touches requires a role.
_needs_approvals if _required > 0

_needs_approvals if count(object.get(params.roles, _risk, [])) > 0

_needs_approvals if {
	some zone, _ in params.zone_roles
	some step in input.plan.steps
	zone in step.zones
}

_needs_approvals if {
	some class, _ in params.class_roles
	some step in input.plan.steps
	some id in step.links
	lib.class(id) == class
}

# A plan that needs approvals names no author: nobody could tell the
# author's own approval from another's.
deny contains result if {
	_author == ""
	_needs_approvals
	result := {"msg": sprintf("the plan needs approvals (%s) and names no author: add `author:` with your e-mail address or principal in the allowed signers (author: Jane Doe <jane@example.net>), so that the author's own approval cannot count", [_risk_text])}
}

# An approval given for other digests: stale, it does not count.
warn contains result if {
	some a in input.approvals
	not _self(a)
	stale := _stale_digests(a)
	count(stale) > 0
	result := {
		"msg": sprintf("approval by %s is stale: %s; it does not count (approve again)", [a.approver, _stale_reasons(a, stale)]),
		"approver": a.approver,
		"digests": stale,
	}
}

# _stale_reasons(a, stale): what differs, in words. An approval given
# without an inventory (none at the time, or format version 1, which did
# not bind one) says so.
_stale_reasons(a, stale) := concat("; ", array.concat(other, without)) if {
	others := [sprintf("%s (%s, now %s)", [n, _short(_signed(a, n)), _short(_now(n))]) |
		some n in stale
		not _without_inventory(a, n)
	]
	other := [sprintf("given for another %s", [lib.join(others)]) | count(others) > 0]
	without := [sprintf("approved without an inventory, and the plan now runs with one (%s)", [_short(_now("inventory"))]) |
		some n in stale
		_without_inventory(a, n)
	]
}

_signed(a, name) := object.get(object.get(a, "digests", {}), name, "")

_now(name) := object.get(input.digests, name, "")

_without_inventory(a, "inventory") if _signed(a, "inventory") == ""

# _short(d): a digest cut to "sha256:" and 12 hex digits.
_short("") := "none"

_short(d) := substring(d, 0, 19) if {
	count(d) > 19
} else := d if {
	d != ""
}

# An approval whose signature did not check out.
warn contains result if {
	some a in input.approvals
	a.verified != true
	result := {
		"msg": sprintf("approval by %s is not verified (its signature does not check out against the allowed signers); it does not count", [a.approver]),
		"approver": a.approver,
	}
}

# Missing approvals: warnings while checking, denials just before a run.
warn contains result if {
	input.stage != "apply"
	some r in _missing
	result := object.union(r, {"msg": sprintf("%s (needed before apply)", [r.msg])})
}

deny contains result if {
	input.stage == "apply"
	some r in _missing
	result := r
}

_have := sprintf("has %d valid", [count(_approvers)]) if {
	count(_approvers) == 0
} else := sprintf("has %d valid: %s", [count(_approvers), lib.join(sort(_approvers))])

# Too few distinct valid approvers for the plan's risk.
_missing contains result if {
	count(_approvers) < _required
	result := {
		"msg": sprintf("%s needs %s, %s", [_risk_subject, lib.plural(_required, "approval"), _have]),
		"required": _required,
		"approvals": count(_approvers),
		"approvers": sort(_approvers),
	}
}

# A role the plan's risk requires, held by no valid approver.
_missing contains result if {
	some role in object.get(params.roles, _risk, [])
	not role in _approver_roles
	result := {
		"msg": sprintf("%s needs an approval from a %s; no valid approval has that role", [_risk_subject, role]),
		"role": role,
	}
}

# A zone the plan touches that needs an approval from a role.
_missing contains result if {
	some zone, role in params.zone_roles
	steps := [step.index | some step in input.plan.steps; zone in step.zones]
	count(steps) > 0
	not role in _approver_roles
	result := {
		"msg": sprintf("the plan touches zone %s (%s), which needs an approval from a %s; no valid approval has that role", [
			zone, _steps(steps), role,
		]),
		"zone": zone,
		"role": role,
		"steps": steps,
	}
}

# A link class the plan changes that needs an approval from a role.
_missing contains result if {
	some class, role in params.class_roles
	links := sort({id | some step in input.plan.steps; some id in step.links; lib.class(id) == class})
	count(links) > 0
	not role in _approver_roles
	result := {
		"msg": sprintf("the plan changes %s links (%s), which needs an approval from a %s; no valid approval has that role", [
			class, lib.sample(links, 5), role,
		]),
		"class": class,
		"role": role,
		"links": links,
	}
}

_steps(ks) := sprintf("step %d", [ks[0]]) if {
	count(ks) == 1
} else := sprintf("steps %s", [lib.join([sprintf("%d", [k]) | some k in ks])])
