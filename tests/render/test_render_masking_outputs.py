"""No personal data in any output format, while the field names stay visible."""

from __future__ import annotations

import json

import pytest
from render_fixtures import SECRETS

from netsync.model import Plan
from netsync.render import render


@pytest.mark.parametrize(
    ("fmt", "kwargs"),
    [
        ("text", {}),
        ("text", {"color": True}),
        ("json", {}),
        ("markdown", {}),
        ("markdown", {"drift": True}),
    ],
)
def test_no_sensitive_value_in_output(plan: Plan, fmt: str, kwargs: dict) -> None:
    out = render(plan, fmt, **kwargs)
    for name, secret in SECRETS.items():
        assert secret not in out, f"{name} leaked into {fmt}"
    assert "(sensitive)" in out
    for visible in ("contact.email", "phone_mobile", "first_name", "subject_type_id", "client"):
        assert visible in out.replace("\\_", "_"), f"{visible} should stay visible in {fmt}"


def test_json_keeps_structure(plan: Plan) -> None:
    doc = json.loads(render(plan, "json"))
    create = next(c for c in doc["changes"] if c["address"] == "case_requests.XYZ789-ClaimNumber")
    subject = create["after"]["subjects"][0]
    assert subject["subject_type_id"] == 1 and subject["is_primary"] is True
    assert [f["id"] for f in subject["custom_fields"]] == [1, 3, 2, 4]
    assert {f["value"] for f in subject["custom_fields"]} == {"(sensitive)"}
    assert create["after"]["client"] == {"name": "(sensitive)", "city": "(sensitive)", "zip": None}
    assert create["fields"] == ["case_type_id", "client", "contact", "subjects"]
    case = next(c for c in doc["changes"] if c["action"] == "re-refer")
    assert case["before"]["clientEmail"] == "(sensitive)"
    assert case["after"]["referentFirmId"] == "c3d4e5f6-7890-1abc-def2-34567890abcd"


def test_plan_object_is_not_modified(plan: Plan) -> None:
    render(plan, "json")
    update = next(c for c in plan.changes if c.address == "case_requests.ABC123-ClaimNumber")
    assert update.after["contact"]["email"] == SECRETS["contact_email"]
