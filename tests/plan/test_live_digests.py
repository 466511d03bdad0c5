"""Plan-file live digests (SPEC 4) against a real sandbox: per resource, a keyed digest of the
managed live fields the plan saw, whole and per field. A live change to a managed field changes
that resource's digest and that field's digest only; volatile fields (updatedAt, updated_at,
versionId), unmanaged fields and representation-only differences (50 vs 50.0, id case) leave it
unchanged, so `apply PLANFILE` neither misses a real change nor refuses over noise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import QUICKSTART

from netsync.config import load_config
from netsync.pipeline import run_plan
from netsync.planfile import fingerprint

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"

OUTBOUND = "network.outbound.rivera"
INBOUND = "network.inbound.hawkins"
RULE = "routing.rules.CA Med-Mal to Caldwell"  # a no-op in the quickstart plan
RULE_NY = "routing.rules.Auto-route NY Personal Injury"  # an update in the quickstart plan
CASE_ADDRESS = f"cases.{CASE}"
MATTER_ADDRESS = f"matters.{MATTER}"
REQUEST = "case_requests.XYZ789-ClaimNumber"

World = dict[str, Any]
Mutation = Callable[[World], None]


def digests(sb) -> dict[str, dict[str, Any]]:
    """Every change's fingerprint (what a plan file keeps for the changes apply makes) for the
    quickstart config against this sandbox, no-ops included: a live change can make one."""
    env = sb.env()
    run = run_plan(load_config(QUICKSTART, env), env)
    assert [d.message for d in run.plan.errors] == []
    desired = {r.address: r for r in run.desired}
    key = run.config.digest_key
    return {
        c.address: fingerprint(key, "fixed", c, desired.get(c.address)).to_json()
        for c in run.plan.changes
    }


def mutate(sb, change: Mutation) -> None:
    with sb.world.lock:
        change(sb.world.data)


def rivera(world: World) -> dict[str, Any]:
    return world["outbound"][RIVERA]["relationship"]


def hawkins(world: World) -> dict[str, Any]:
    return world["inbound"][HAWKINS]["relationship"]


def rule(world: World, name: str = "CA Med-Mal to Caldwell") -> dict[str, Any]:
    return next(r for r in world["routing_rules"] if r["name"] == name)


def case(world: World) -> dict[str, Any]:
    return world["cases"][CASE]


def matter(world: World) -> dict[str, Any]:
    return world["matters"][MATTER]


def request(world: World) -> dict[str, Any]:
    return next(r for r in world["case_requests"] if r["reference_value_1"] == "XYZ789-ClaimNumber")


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    fields = before["live_fields"].keys() | after["live_fields"].keys()
    return {f for f in fields if before["live_fields"].get(f) != after["live_fields"].get(f)}


MANAGED = [
    pytest.param(
        OUTBOUND,
        lambda w: rivera(w).update(daysForInvestigating=31),
        "daysForInvestigating",
        id="outbound-days",
    ),
    pytest.param(
        OUTBOUND,
        lambda w: rivera(w).update(description="Another description"),
        "description",
        id="outbound-description",
    ),
    pytest.param(
        INBOUND,
        lambda w: hawkins(w).update(referralInstructions="Call us first"),
        "referralInstructions",
        id="inbound-instructions",
    ),
    pytest.param(
        INBOUND,
        lambda w: w["inbound"][HAWKINS].update(inNetwork=False),
        "status",
        id="inbound-status",
    ),
    pytest.param(RULE, lambda w: rule(w).update(priority=7), "priority", id="rule-priority"),
    pytest.param(RULE, lambda w: rule(w).update(isActive=False), "isActive", id="rule-active"),
    pytest.param(
        RULE,
        lambda w: rule(w)["conditions"][0].update(value="NV"),
        "conditions",
        id="rule-conditions",
    ),
    pytest.param(
        RULE_NY,
        lambda w: rule(w, "Auto-route NY Personal Injury").update(priority=9),
        "priority",
        id="updated-rule-priority",
    ),  # fmt: skip
    pytest.param(
        CASE_ADDRESS,
        lambda w: case(w)["referrals"][0].update(referentFirmId=CALDWELL),
        "referentFirmId",
        id="case-firm",
    ),
    pytest.param(
        MATTER_ADDRESS,
        lambda w: matter(w).update(referralAgreementFee=26),
        "referralAgreementFee",
        id="matter-fee",
    ),
    pytest.param(
        MATTER_ADDRESS,
        lambda w: matter(w).update(referralType="Word of Mouth"),
        "referralType",
        id="matter-referral-type",
    ),
    pytest.param(
        REQUEST, lambda w: request(w).update(due_on="2026-06-21"), "due_on", id="request-due-on"
    ),
    pytest.param(
        REQUEST,
        lambda w: request(w)["client"].update(city="Boulder"),
        "client",
        id="request-declared-subfield",
    ),
]


@pytest.mark.parametrize("address, change, field", MANAGED)
def test_a_managed_live_change_changes_that_resource_and_field_digest_only(
    sandbox, address, change, field
):
    """A live change to a managed field changes that resource's live digest and its per-field
    digest for that field only; every other resource's digests stay as they were."""
    sb = sandbox()
    before = digests(sb)
    mutate(sb, change)
    after = digests(sb)
    assert before[address]["live_digest"] is not None
    assert after[address]["live_digest"] != before[address]["live_digest"]
    assert changed_fields(before[address], after[address]) == {field}
    assert {a for a in before if a != address and before[a] != after[a]} == set()


UNCHANGED = [
    pytest.param(
        OUTBOUND,
        lambda w: w["firms"][RIVERA].update(generalReferralInstructions="Fax everything"),
        id="outbound-general-instructions",
    ),
    pytest.param(
        OUTBOUND, lambda w: w["firms"][RIVERA].update(name="Rivera & Sons"), id="outbound-firm-name"
    ),
    pytest.param(
        INBOUND, lambda w: hawkins(w).update(description="Undeclared"), id="inbound-undeclared"
    ),
    pytest.param(
        INBOUND, lambda w: hawkins(w).update(daysForInvestigating=99), id="inbound-undeclared-days"
    ),
    pytest.param(
        RULE, lambda w: rule(w).update(updatedAt="2026-09-09T09:09:09.000Z"), id="rule-updatedAt"
    ),
    pytest.param(
        CASE_ADDRESS,
        lambda w: case(w).update(updatedAt="2026-09-09T09:09:09.000Z"),
        id="case-updatedAt",
    ),
    pytest.param(CASE_ADDRESS, lambda w: case(w).update(title="Renamed"), id="case-title"),
    pytest.param(
        CASE_ADDRESS,
        lambda w: case(w)["referrals"][0].update(notes="Other notes"),
        id="case-referral-notes",
    ),
    pytest.param(
        MATTER_ADDRESS, lambda w: matter(w).update(versionId="999"), id="matter-versionId"
    ),
    pytest.param(
        MATTER_ADDRESS,
        lambda w: matter(w).update(description="Undeclared description"),
        id="matter-undeclared",
    ),
    pytest.param(
        MATTER_ADDRESS,
        lambda w: matter(w).update(referralAgreementFeeComment="Undeclared comment"),
        id="matter-undeclared-comment",
    ),
    pytest.param(
        REQUEST,
        lambda w: request(w).update(updated_at="2026-09-09T09:09:09Z"),
        id="request-updated_at",
    ),
    pytest.param(REQUEST, lambda w: request(w).update(notes="Undeclared"), id="request-undeclared"),
    pytest.param(
        REQUEST,
        lambda w: request(w)["client"].update(address_1="1 Other St"),
        id="request-undeclared-subfield",
    ),
]


@pytest.mark.parametrize("address, change", UNCHANGED)
def test_volatile_and_unmanaged_live_changes_leave_the_digest_unchanged(sandbox, address, change):
    """A live change to a volatile field (updatedAt/updated_at/versionId) or to a field the
    config does not manage leaves the resource's live digest and field digests unchanged."""
    sb = sandbox()
    before = digests(sb)
    mutate(sb, change)
    after = digests(sb)
    assert before[address]["live_digest"] is not None
    assert after[address] == before[address]


REPRESENTATION = [
    pytest.param(
        OUTBOUND,
        lambda w: rivera(w).update(sendingPercentage=50),
        lambda w: rivera(w).update(sendingPercentage=50.0),
        id="outbound-50-vs-50.0",
    ),
    pytest.param(
        RULE,
        lambda w: None,
        lambda w: rule(w).update(priority=2.0),
        id="rule-priority-2-vs-2.0",
    ),
    pytest.param(
        RULE,
        lambda w: None,
        lambda w: rule(w).update(targetFirmId=CALDWELL.upper()),
        id="rule-firm-id-case",
    ),
    pytest.param(
        RULE,
        lambda w: None,
        lambda w: rule(w)["conditions"].reverse(),
        id="rule-conditions-order",
    ),
    pytest.param(
        CASE_ADDRESS,
        lambda w: None,
        lambda w: case(w)["referrals"][0].update(referentFirmId=HAWKINS.upper()),
        id="case-firm-id-case",
    ),
    pytest.param(
        MATTER_ADDRESS,
        lambda w: None,
        lambda w: matter(w).update(referralAgreementFee=25.0),
        id="matter-25-vs-25.0",
    ),
    pytest.param(
        REQUEST,
        lambda w: None,
        lambda w: request(w).update(case_type_id=1.0),
        id="request-1-vs-1.0",
    ),
]


@pytest.mark.parametrize("address, first, second", REPRESENTATION)
def test_representation_only_differences_leave_the_digest_unchanged(
    sandbox, address, first, second
):
    """Values equal by SPEC 2's rules (50 = 50.0, ids in any case, conditions in any order)
    digest the same: a vendor answering another representation is not a live change."""
    sb = sandbox()
    mutate(sb, first)
    before = digests(sb)
    mutate(sb, second)
    after = digests(sb)
    assert before[address]["live_digest"] is not None
    assert after[address] == before[address]


def test_routing_rule_digests_are_present_for_every_live_rule(sandbox):
    """Every existing routing rule (no-op or update) has a live digest over its managed fields,
    and a rule the plan creates has none."""
    resources = digests(sandbox())
    for address in (RULE, RULE_NY):
        assert resources[address]["live_digest"] is not None
        assert set(resources[address]["live_fields"]) == {
            "conditions",
            "targetFirmId",
            "priority",
            "isActive",
        }
    created = resources["routing.rules.NV Product Liability to Rivera"]
    assert created["live_digest"] is None
    assert created["live_fields"] == {}
    assert created["desired_digest"] is not None
