package changegate.approvals_test

import data.changegate.approvals

_digests := {
	"plan": "sha256:1111111111110000",
	"topology": "sha256:2222222222220000",
	"traffic": "sha256:3333333333330000",
	"policy": "sha256:4444444444440000",
	"inventory": "sha256:5555555555550000",
}

_approval(who, roles) := {
	"approver": who, "identities": [who], "roles": roles,
	"time": "2011-04-21T09:00:00Z", "time_unix": 1303376400,
	"digests": _digests, "verified": true,
}

_step := {
	"index": 1, "name": "cost out s1-s2", "line": 5, "devices": ["s1"], "wave": null,
	"config": ["router isis"], "changes_config": true, "effects": [{"type": "set_metric", "link": "s1-s2", "metric": 5000}],
	"rollback": {"config": ["no router isis"], "effects": [], "explicit_effects": false},
	"checks": [], "soak_seconds": 0, "nodes": ["s1", "s2"], "links": ["s1-s2"], "zones": ["az-a", "az-b"],
}

_input(stage, risk, approvals) := {
	"version": 1, "stage": stage,
	"time": "2011-04-21T10:00:00Z", "time_unix": 1303380000,
	"digests": _digests,
	"plan": {
		"id": "CHG-1", "title": "test", "description": "", "author": "Alice <alice>", "author_identity": "alice", "ticket": "",
		"risk": risk, "window": null, "file": "plan.yaml", "devices": ["s1"],
		"pre_checks": [], "post_checks": [], "steps": [_step],
	},
	"topology": {
		"name": "t",
		"nodes": {},
		"links": {"s1-s2": {"a": "s1", "b": "s2", "capacity_bps": 10000000000, "class": "secondary", "up": true, "srlg": []}},
	},
	"states": [],
	"rollback": {"steps": [], "restores_baseline": true, "path": []},
	"approvals": approvals,
}

_bob := _approval("bob", ["network-engineer"])

_carol := _approval("carol", ["network-lead"])

_msgs(rs) := {r.msg | some r in rs}

# --- how many approvals --------------------------------------------------------

test_low_risk_needs_none if {
	count(approvals.deny) == 0 with input as _input("apply", "low", [])
	count(approvals.warn) == 0 with input as _input("check", "low", [])
}

test_medium_risk_with_one_approval_passes if {
	count(approvals.deny) == 0 with input as _input("apply", "medium", [_bob])
	count(approvals.warn) == 0 with input as _input("check", "medium", [_bob])
}

test_missing_approval_warned_at_check if {
	inp := _input("check", "medium", [])
	count(approvals.deny) == 0 with input as inp
	ws := approvals.warn with input as inp
	_msgs(ws) == {`risk "medium" needs 1 approval, has 0 valid (needed before apply)`}
	some w in ws
	w.required == 1
	w.approvals == 0
}

test_missing_approval_denied_at_apply if {
	inp := _input("apply", "medium", [])
	count(approvals.warn) == 0 with input as inp
	_msgs(approvals.deny) == {`risk "medium" needs 1 approval, has 0 valid`} with input as inp
}

test_no_risk_needs_one if {
	_msgs(approvals.deny) == {`a plan with no risk given needs 1 approval, has 0 valid`} with input as _input("apply", "", [])
	count(approvals.deny) == 0 with input as _input("apply", "", [_bob])
}

test_unknown_risk_takes_the_default if {
	_msgs(approvals.deny) == {`risk "critical" needs 1 approval, has 0 valid`} with input as _input("apply", "critical", [])
}

test_high_risk_needs_two_and_a_lead if {
	count(approvals.deny) == 0 with input as _input("apply", "high", [_bob, _carol])
	ds := approvals.deny with input as _input("apply", "high", [_carol])
	_msgs(ds) == {`risk "high" needs 2 approvals, has 1 valid: carol`}
	ds2 := approvals.deny with input as _input("apply", "high", [_bob, _approval("dave", [])])
	_msgs(ds2) == {`risk "high" needs an approval from a network-lead; no valid approval has that role`}
}

test_distinct_approvers_only if {
	ds := approvals.deny with input as _input("apply", "high", [_carol, _carol])
	_msgs(ds) == {`risk "high" needs 2 approvals, has 1 valid: carol`}
}

test_required_override if {
	count(approvals.deny) == 1 with input as _input("apply", "low", [])
		with data.changegate.params.approvals.required as {"low": 1, "medium": 1, "high": 2, "": 1}
	count(approvals.deny) == 0 with input as _input("apply", "medium", [])
		with data.changegate.params.approvals.required as {"low": 0, "medium": 0, "high": 2, "": 1}
}

test_roles_override if {
	count(approvals.deny) == 0 with input as _input("apply", "high", [_bob, _approval("dave", [])])
		with data.changegate.params.approvals.roles as {}
	_msgs(approvals.deny) == {`risk "medium" needs an approval from a network-lead; no valid approval has that role`} with input as _input("apply", "medium", [_bob])
		with data.changegate.params.approvals.roles as {"medium": ["network-lead"]}
}

# --- approvals that do not count ----------------------------------------------------

test_self_approval_denied_and_not_counted if {
	inp := _input("check", "medium", [_approval("alice", ["network-lead"])])
	_msgs(approvals.deny) == {"approval by alice, the plan's author (alice), does not count: self-approval is not allowed"} with input as inp
	_msgs(approvals.warn) == {`risk "medium" needs 1 approval, has 0 valid (needed before apply)`} with input as inp
}

test_self_approval_denied_even_when_not_needed if {
	_msgs(approvals.deny) == {"approval by alice, the plan's author (alice), does not count: self-approval is not allowed"} with input as _input("check", "low", [_approval("alice", [])])
}

test_stale_approval_warned_and_not_counted if {
	stale := object.union(_bob, {"digests": {"policy": "sha256:9999999999990000"}})
	inp := _input("apply", "medium", [stale])
	_msgs(approvals.warn) == {"approval by bob is stale: given for another policy (sha256:999999999999, now sha256:444444444444); it does not count (approve again)"} with input as inp
	_msgs(approvals.deny) == {`risk "medium" needs 1 approval, has 0 valid`} with input as inp
	some w in approvals.warn with input as inp
	w.digests == ["policy"]
}

# The author is compared by identity: the approver's name and the
# principals of the signing key, whatever the approver called themself.
test_self_approval_by_a_principal_of_the_key if {
	jane := object.union(_approval("jane", []), {"identities": ["jane", "alice"]})
	inp := _input("apply", "medium", [jane])
	_msgs(approvals.deny) == {
		"approval by jane, the plan's author (alice), does not count: self-approval is not allowed",
		`risk "medium" needs 1 approval, has 0 valid`,
	} with input as inp
}

test_no_author_identity_no_self_approval if {
	inp := json.patch(_input("apply", "low", [_approval("alice", [])]), [{"op": "replace", "path": "/plan/author_identity", "value": ""}])
	count(approvals.deny) == 0 with input as inp
}

# --- the author ------------------------------------------------------------------

test_author_required_when_approvals_are_needed if {
	inp := json.patch(_input("check", "medium", [_bob]), [{"op": "replace", "path": "/plan/author_identity", "value": ""}])
	_msgs(approvals.deny) == {"the plan needs approvals (risk \"medium\") and names no author: add `author:` with your e-mail address or principal in the allowed signers (author: Jane Doe <jane@example.net>), so that the author's own approval cannot count"} with input as inp
}

test_author_not_required_when_no_approval_is_needed if {
	inp := json.patch(_input("apply", "low", []), [{"op": "remove", "path": "/plan/author_identity"}])
	count(approvals.deny) == 0 with input as inp
}

test_author_required_for_a_zone_role if {
	inp := json.patch(_input("apply", "low", [_approval("erin", ["az-b-owner"])]), [{"op": "replace", "path": "/plan/author_identity", "value": ""}])
	count(approvals.deny) == 0 with input as inp
	count(approvals.deny) == 1 with input as inp
		with data.changegate.params.approvals.zone_roles as {"az-b": "az-b-owner"}
}

test_stale_self_approval_only_denied if {
	stale_self := object.union(_approval("alice", []), {"digests": {"policy": "sha256:9999999999990000"}})
	inp := _input("check", "low", [stale_self])
	_msgs(approvals.deny) == {"approval by alice, the plan's author (alice), does not count: self-approval is not allowed"} with input as inp
	count(approvals.warn) == 0 with input as inp
}

test_stale_approval_names_every_digest if {
	stale := object.union(_bob, {"digests": {"plan": "sha256:aaaaaaaaaaaa0000", "traffic": "sha256:bbbbbbbbbbbb0000"}})
	ws := approvals.warn with input as _input("apply", "medium", [stale, _carol])
	_msgs(ws) == {"approval by bob is stale: given for another plan (sha256:aaaaaaaaaaaa, now sha256:111111111111), traffic (sha256:bbbbbbbbbbbb, now sha256:333333333333); it does not count (approve again)"}
}

test_approval_without_digests_is_stale if {
	ws := approvals.warn with input as _input("apply", "medium", [json.patch(_bob, [{"op": "replace", "path": "/digests", "value": {}}]), _carol])
	_msgs(ws) == {"approval by bob is stale: given for another plan (none, now sha256:111111111111), topology (none, now sha256:222222222222), traffic (none, now sha256:333333333333), policy (none, now sha256:444444444444); approved without an inventory, and the plan now runs with one (sha256:555555555555); it does not count (approve again)"}
}

# --- the inventory ---------------------------------------------------------------

test_approval_for_another_inventory_is_stale if {
	stale := object.union(_bob, {"digests": {"inventory": "sha256:6666666666660000"}})
	inp := _input("apply", "medium", [stale])
	_msgs(approvals.warn) == {"approval by bob is stale: given for another inventory (sha256:666666666666, now sha256:555555555555); it does not count (approve again)"} with input as inp
	_msgs(approvals.deny) == {`risk "medium" needs 1 approval, has 0 valid`} with input as inp
}

test_approval_without_an_inventory_is_stale_with_one if {
	without := object.union(_bob, {"digests": {"inventory": ""}})
	inp := _input("apply", "medium", [without])
	_msgs(approvals.warn) == {"approval by bob is stale: approved without an inventory, and the plan now runs with one (sha256:555555555555); it does not count (approve again)"} with input as inp
	_msgs(approvals.deny) == {`risk "medium" needs 1 approval, has 0 valid`} with input as inp
}

test_approval_without_an_inventory_counts_without_one if {
	without := object.union(_bob, {"digests": {"inventory": ""}})
	inp := json.patch(_input("check", "medium", [without]), [{"op": "replace", "path": "/digests/inventory", "value": ""}])
	count(approvals.warn) == 0 with input as inp
	count(approvals.deny) == 0 with input as inp
}

test_approval_with_an_inventory_is_stale_without_one if {
	inp := json.patch(_input("check", "medium", [_bob]), [{"op": "replace", "path": "/digests/inventory", "value": ""}])
	_msgs(approvals.warn) == {
		"approval by bob is stale: given for another inventory (sha256:555555555555, now none); it does not count (approve again)",
		`risk "medium" needs 1 approval, has 0 valid (needed before apply)`,
	} with input as inp
}

test_unverified_approval_warned_and_not_counted if {
	inp := _input("apply", "medium", [object.union(_bob, {"verified": false})])
	_msgs(approvals.warn) == {"approval by bob is not verified (its signature does not check out against the allowed signers); it does not count"} with input as inp
	_msgs(approvals.deny) == {`risk "medium" needs 1 approval, has 0 valid`} with input as inp
}

# --- roles for zones and link classes ----------------------------------------------

test_zone_roles_off_by_default if {
	count(approvals.deny) == 0 with input as _input("apply", "medium", [_bob])
}

test_zone_role_missing if {
	ds := approvals.deny with input as _input("apply", "medium", [_bob])
		with data.changegate.params.approvals.zone_roles as {"az-b": "az-b-owner", "az-c": "az-c-owner"}
	_msgs(ds) == {"the plan touches zone az-b (step 1), which needs an approval from a az-b-owner; no valid approval has that role"}
	some d in ds
	d.zone == "az-b"
	d.role == "az-b-owner"
	d.steps == [1]
}

test_zone_role_several_steps if {
	inp := json.patch(_input("apply", "medium", [_bob]), [{"op": "add", "path": "/plan/steps/-", "value": object.union(_step, {"index": 2})}])
	_msgs(approvals.deny) == {"the plan touches zone az-b (steps 1, 2), which needs an approval from a az-b-owner; no valid approval has that role"} with input as inp
		with data.changegate.params.approvals.zone_roles as {"az-b": "az-b-owner"}
}

test_zone_role_present if {
	count(approvals.deny) == 0 with input as _input("apply", "medium", [_approval("erin", ["az-b-owner"])])
		with data.changegate.params.approvals.zone_roles as {"az-b": "az-b-owner"}
}

test_zone_role_warned_at_check if {
	ws := approvals.warn with input as _input("check", "medium", [_bob])
		with data.changegate.params.approvals.zone_roles as {"az-b": "az-b-owner"}
	_msgs(ws) == {"the plan touches zone az-b (step 1), which needs an approval from a az-b-owner; no valid approval has that role (needed before apply)"}
}

test_class_role_missing if {
	ds := approvals.deny with input as _input("apply", "medium", [_bob])
		with data.changegate.params.approvals.class_roles as {"secondary": "backbone-owner", "replication": "storage-owner"}
	_msgs(ds) == {"the plan changes secondary links (s1-s2), which needs an approval from a backbone-owner; no valid approval has that role"}
	some d in ds
	d.class == "secondary"
	d.links == ["s1-s2"]
}

test_class_role_present if {
	count(approvals.deny) == 0 with input as _input("apply", "medium", [_approval("frank", ["backbone-owner"])])
		with data.changegate.params.approvals.class_roles as {"secondary": "backbone-owner"}
}

test_role_of_an_invalid_approval_does_not_count if {
	unverified := object.union(_approval("frank", ["backbone-owner"]), {"verified": false})
	ds := approvals.deny with input as _input("apply", "medium", [_bob, unverified])
		with data.changegate.params.approvals.class_roles as {"secondary": "backbone-owner"}
	count(ds) == 1
}
