"""CaseXchange routing evaluation and case types: GET /routing/evaluate against openapi.yml's
evaluateRoutingRules (RoutingEvaluationResult) and routing.mdx, GET /case-types against
listCaseTypes (CaseType), the `hidden: true` rule knob, and the firm profiles those match on.
Every test talks real HTTP to a sandbox on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import httpx
import jsonschema
import pytest

from netsync.sandbox import SeedError
from netsync.sandbox.defaults import BUILTIN_CASE_TYPES

from ._support import (
    CALDWELL,
    HAWKINS,
    RIVERA,
    WHITFIELD,
    assert_cx_meta,
    assert_schema,
    cx_headers,
)
from .make_vendor_schemas import convert

P = "/api/public/v1"
RO = cx_headers("cxp_ro_sandbox")
FULL = cx_headers("cxp_full_sandbox")
PI_ID = "7c0a9e52-0002-4000-8000-000000000004"  # built-in "Personal Injury"
MED_MAL_ID = "7c0a9e52-0002-4000-8000-000000000002"  # built-in "Medical Malpractice"

# The operations' 200 schemas as openapi.yml writes them (OpenAPI 3.0, converted below); the
# vendored vendor_schemas/ predate these two operations.
_META = {
    "type": "object",
    "properties": {"requestId": {"type": "string"}, "timestamp": {"type": "string"}},
    "required": ["requestId", "timestamp"],
}
_COMPONENTS = {
    "CaseType": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "displayName": {"type": "string", "nullable": True},
            "explanation": {"type": "string", "nullable": True},
        },
    },
    "RoutingEvaluationAssignment": {
        "type": "object",
        "properties": {
            "firmId": {"type": "string", "format": "uuid"},
            "firmName": {"type": "string"},
            "referralInstructions": {"type": "string", "nullable": True},
        },
    },
    "RoutingEvaluationResult": {
        "type": "object",
        "properties": {
            "rule": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string"},
                },
            },
            "assignments": {
                "type": "array",
                "items": {"$ref": "#/components/schemas/RoutingEvaluationAssignment"},
            },
        },
    },
}
_EVALUATE_200 = {
    "type": "object",
    "properties": {
        "data": {
            "nullable": True,
            "allOf": [{"$ref": "#/components/schemas/RoutingEvaluationResult"}],
        },
        "meta": _META,
    },
    "required": ["data", "meta"],
}
_CASE_TYPES_200 = {
    "type": "object",
    "properties": {
        "data": {"type": "array", "items": {"$ref": "#/components/schemas/CaseType"}},
        "meta": _META,
    },
    "required": ["data", "meta"],
}


def assert_openapi(schema: dict[str, Any], body: Any) -> None:
    full = {**convert(schema), "$defs": convert(_COMPONENTS)}
    validator = jsonschema.Draft202012Validator(full, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def rule(name: str, conditions: list, target: str = RIVERA, priority: int = 1, **extra) -> dict:
    return {
        "name": name,
        "conditions": conditions,
        "targetFirmId": target,
        "priority": priority,
        **extra,
    }


def ct_in(*names: str) -> dict:
    return {"field": "caseType", "operator": "in", "value": list(names)}


def jur_eq(code: str) -> dict:
    return {"field": "jurisdiction", "operator": "eq", "value": code}


def evaluate(sb, headers: dict | None = None, **params) -> dict:
    """The whole 200 answer, validated against evaluateRoutingRules' response schema."""
    r = httpx.get(f"{sb.url}{P}/routing/evaluate", params=params, headers=headers or RO)
    assert r.status_code == 200, r.text
    body = r.json()
    assert_openapi(_EVALUATE_200, body)
    assert_cx_meta(body)
    assert set(body) == {"data", "meta"}
    return body


def winner(sb, case_type: str, jurisdiction: str, **extra) -> str | None:
    data = evaluate(sb, caseType=case_type, jurisdiction=jurisdiction, **extra)["data"]
    return None if data is None else data["rule"]["name"]


# --- the quickstart world ---------------------------------------------------------------------
def test_quickstart_answer_in_the_documented_shape(sandbox):
    sb = sandbox()  # "Auto-route NY Personal Injury" (1) and "CA Med-Mal to Caldwell" (2)
    body = evaluate(sb, caseType="Medical Malpractice", jurisdiction="CA")
    assert body["data"] == {
        "rule": {"id": "f5b82daf-3c49-4e17-baf2-8d9f461e23bc", "name": "CA Med-Mal to Caldwell"},
        "assignments": [
            {"firmId": CALDWELL, "firmName": "Caldwell Medical Law", "referralInstructions": None}
        ],
    }
    assert winner(sb, "Personal Injury", "NY") == "Auto-route NY Personal Injury"
    assert winner(sb, "Personal Injury", "CA") is None


def test_no_match_is_data_null(sandbox):
    sb = sandbox({"routing_rules": [rule("CA PI", [ct_in("Personal Injury"), jur_eq("CA")])]})
    body = evaluate(sb, caseType="Personal Injury", jurisdiction="TX")
    assert body["data"] is None
    assert evaluate(sb, caseType="Wrongful Death", jurisdiction="CA")["data"] is None
    assert winner(sb, "Personal Injury", "CA") == "CA PI"
    # A world without rules answers null for anything.
    assert evaluate(sandbox({}), caseType="Personal Injury", jurisdiction="CA")["data"] is None


# --- which rule wins --------------------------------------------------------------------------
def test_lowest_priority_number_wins_whatever_the_seed_order(sandbox):
    sb = sandbox(
        {
            "routing_rules": [
                rule("P5 any CA", [jur_eq("CA")], CALDWELL, priority=5),
                rule("P2 CA PI", [jur_eq("CA"), ct_in("Personal Injury")], RIVERA, priority=2),
                rule("P0 CA med-mal", [jur_eq("CA"), ct_in("Medical Malpractice")], HAWKINS, 0),
            ]
        }
    )
    assert winner(sb, "Personal Injury", "CA") == "P2 CA PI"
    assert winner(sb, "Medical Malpractice", "CA") == "P0 CA med-mal"
    assert winner(sb, "Wrongful Death", "CA") == "P5 any CA"
    body = evaluate(sb, caseType="Medical Malpractice", jurisdiction="CA")
    assert body["data"]["assignments"][0]["firmId"] == HAWKINS


def test_eq_and_in_operators(sandbox):
    sb = sandbox(
        {
            "routing_rules": [
                rule(
                    "NY injuries",
                    [ct_in("Personal Injury", "Wrongful Death"), jur_eq("NY")],
                    RIVERA,
                    1,
                ),
                rule(
                    "NJ or CT",
                    [{"field": "jurisdiction", "operator": "in", "value": ["NJ", "CT"]}],
                    CALDWELL,
                    2,
                ),
                rule(
                    "Exact type",
                    [{"field": "caseType", "operator": "eq", "value": "Immigration"}],
                    HAWKINS,
                    3,
                ),
            ]
        }
    )
    assert winner(sb, "Personal Injury", "NY") == "NY injuries"
    assert winner(sb, "Wrongful Death", "NY") == "NY injuries"
    assert winner(sb, "Medical Malpractice", "NY") is None  # not in the list
    assert winner(sb, "Medical Malpractice", "CT") == "NJ or CT"  # jurisdiction `in`
    assert winner(sb, "Medical Malpractice", "NJ") == "NJ or CT"
    assert winner(sb, "Immigration", "NJ") == "NJ or CT"  # priority 2 before 3
    assert winner(sb, "Immigration", "WA") == "Exact type"  # caseType `eq`
    assert winner(sb, "Immigration Law", "WA") is None  # eq is equality, not a prefix
    assert winner(sb, "Personal Injury", "NYC") is None


def test_every_condition_must_hold(sandbox):
    sb = sandbox({"routing_rules": [rule("CA PI", [ct_in("Personal Injury"), jur_eq("CA")])]})
    assert winner(sb, "Personal Injury", "CA") == "CA PI"
    assert winner(sb, "Personal Injury", "NV") is None  # the case type alone is not enough
    assert winner(sb, "Product Liability", "CA") is None  # nor the jurisdiction


def test_inactive_rules_are_skipped(sandbox):
    sb = sandbox(
        {
            "routing_rules": [
                rule("Off", [jur_eq("CA")], CALDWELL, priority=0, isActive=False),
                rule("On", [jur_eq("CA")], RIVERA, priority=3),
                rule("Off too", [jur_eq("NV")], CALDWELL, priority=1, isActive=False),
            ]
        }
    )
    assert winner(sb, "Personal Injury", "CA") == "On"
    assert winner(sb, "Personal Injury", "NV") is None


def test_ties_go_to_the_rule_created_first_then_the_lowest_id(sandbox):
    low, high = "10000000-0000-4000-8000-000000000000", "20000000-0000-4000-8000-000000000000"
    early, late = "2025-01-01T00:00:00.000Z", "2025-06-01T00:00:00.000Z"
    cond = [jur_eq("CA")]
    # Same priority, different creation times: the earlier wins even with the higher id.
    by_time = [
        rule("Late, low id", cond, RIVERA, 4, id=low, createdAt=late),
        rule("Early, high id", cond, CALDWELL, 4, id=high, createdAt=early),
    ]
    assert winner(sandbox({"routing_rules": by_time}), "Personal Injury", "CA") == "Early, high id"
    # Same priority and creation time: the lowest id wins, in either seed order.
    by_id = [
        rule("High id", cond, CALDWELL, 4, id=high, createdAt=early),
        rule("Low id", cond, RIVERA, 4, id=low, createdAt=early),
    ]
    for rules in (by_id, by_id[::-1]):
        sb = sandbox({"routing_rules": rules})
        for _ in range(3):
            assert winner(sb, "Personal Injury", "CA") == "Low id"


def test_unsupported_fields_and_operators_never_match(sandbox):
    sb = sandbox(
        {
            "routing_rules": [
                rule("County", [jur_eq("CA"), {"field": "county", "operator": "eq", "value": "X"}]),
                rule("Neq", [{"field": "jurisdiction", "operator": "neq", "value": "NY"}]),
                rule(
                    "Eq with a list", [{"field": "jurisdiction", "operator": "eq", "value": ["CA"]}]
                ),
                rule(
                    "In with a string", [{"field": "jurisdiction", "operator": "in", "value": "CA"}]
                ),
                rule("Catch-all", [], HAWKINS, priority=9),
            ]
        }
    )
    # Every rule above the catch-all names CA in some form; none of them matches.
    body = evaluate(sb, caseType="Personal Injury", jurisdiction="CA", county="X")
    assert body["data"]["rule"]["name"] == "Catch-all"  # no conditions: matches every profile
    assert body["data"]["assignments"][0]["firmName"] == "Hawkins & Pratt LLP"


def test_case_type_by_name_or_id_and_case_insensitive(sandbox):
    sb = sandbox(
        {
            "routing_rules": [
                rule("By name", [ct_in("Personal Injury")], RIVERA, 1),
                rule(
                    "By id",
                    [{"field": "caseType", "operator": "eq", "value": MED_MAL_ID}],
                    CALDWELL,
                    2,
                ),
                rule("Not in the table", [ct_in("Maritime")], HAWKINS, 3),
            ]
        }
    )
    assert winner(sb, PI_ID, "CA") == "By name"  # query by id, rule by name
    assert winner(sb, PI_ID.upper(), "CA") == "By name"
    assert winner(sb, "personal INJURY", "ca") == "By name"
    assert winner(sb, "Medical Malpractice", "CA") == "By id"  # query by name, rule by id
    assert winner(sb, MED_MAL_ID, "CA") == "By id"
    assert winner(sb, "maritime", "CA") == "Not in the table"  # compared as text
    assert winner(sb, "00000000-0000-4000-8000-000000000000", "CA") is None


def test_seeded_case_types_replace_the_table_for_matching(sandbox):
    tort = "5a5a5a5a-0000-4000-8000-000000000001"
    sb = sandbox(
        {
            "case_types": [{"id": tort, "name": "Mass Tort", "displayName": "Mass Torts"}],
            "routing_rules": [rule("Torts", [ct_in("Mass Tort")]), rule("PI", [ct_in(PI_ID)])],
        }
    )
    assert winner(sb, tort, "TX") == "Torts"
    assert winner(sb, "Mass Torts", "TX") is None  # the display name is not a name
    assert winner(sb, "Personal Injury", "TX") is None  # the built-in table is gone
    assert winner(sb, PI_ID, "TX") == "PI"  # still equal as text


def test_optional_parameters_are_ignored(sandbox):
    sb = sandbox({"routing_rules": [rule("CA", [jur_eq("CA")])]})
    extra = {"tier": "2", "county": "Kern", "typeCategory": "Tort", "attempt": "3"}
    assert winner(sb, "Personal Injury", "CA", **extra) == "CA"
    assert winner(sb, "Personal Injury", "CA", tier="not-a-number") == "CA"


def test_assignment_is_the_target_firm_with_its_referral_instructions(sandbox):
    sb = sandbox(
        {
            "outbound": {RIVERA: {"referralInstructions": "Call Maria first"}},
            "inbound": {HAWKINS: {"referralInstructions": "Ours, not theirs"}},
            "routing_rules": [
                rule("To Rivera", [jur_eq("CA")], RIVERA),
                rule("To Hawkins", [jur_eq("NY")], HAWKINS),
                rule("To Whitfield", [jur_eq("TX")], WHITFIELD),
            ],
        }
    )

    def assignments(jurisdiction: str) -> list:
        body = evaluate(sb, caseType="Personal Injury", jurisdiction=jurisdiction)
        return body["data"]["assignments"]

    # In our network with instructions set: the relationship's instructions.
    ca = [
        {
            "firmId": RIVERA,
            "firmName": "Rivera Injury Law",
            "referralInstructions": "Call Maria first",
        }
    ]
    assert assignments("CA") == ca
    # Not in our outbound network: the firm's general instructions (or null).
    ny = assignments("NY")
    assert ny == [
        {
            "firmId": HAWKINS,
            "firmName": "Hawkins & Pratt LLP",
            "referralInstructions": "Submit all referrals through the CaseXchange portal "
            "with full medical records attached.",
        }
    ]
    assert assignments("TX")[0]["referralInstructions"] is None


def test_evaluation_follows_rule_writes(sandbox):
    sb = sandbox({"routing_rules": [rule("Old", [jur_eq("CA")], RIVERA, priority=5)]})
    with httpx.Client(base_url=sb.url, headers=FULL) as c:
        r = c.post(f"{P}/routing/rules", json=rule("New", [jur_eq("CA")], CALDWELL, priority=1))
        assert r.status_code == 201
        new_id = r.json()["data"]["id"]
        assert winner(sb, "Personal Injury", "CA") == "New"
        body = rule("New", [jur_eq("CA")], CALDWELL, priority=1, isActive=False)
        assert c.put(f"{P}/routing/rules/{new_id}", json=body).status_code == 200
        assert winner(sb, "Personal Injury", "CA") == "Old"
        listed = c.get(f"{P}/routing/rules").json()["data"]
        old_id = next(r["id"] for r in listed if r["name"] == "Old")
        assert c.delete(f"{P}/routing/rules/{old_id}").status_code == 204
        assert winner(sb, "Personal Injury", "CA") is None


# --- the hidden-rule knob ---------------------------------------------------------------------
def test_hidden_rule_is_evaluated_but_listed_nowhere(sandbox):
    hidden_id = "abcdef00-0000-4000-8000-000000000001"
    sb = sandbox(
        {
            "routing_rules": [
                rule("Visible", [jur_eq("CA")], RIVERA, priority=2),
                rule("Secret", [jur_eq("CA")], HAWKINS, priority=1, id=hidden_id, hidden=True),
            ]
        }
    )
    with httpx.Client(base_url=sb.url, headers=FULL) as c:
        listed = c.get(f"{P}/routing/rules").json()["data"]
        assert [r["name"] for r in listed] == ["Visible"]
        assert "hidden" not in listed[0]
        body = evaluate(sb, caseType="Personal Injury", jurisdiction="CA")
        assert body["data"]["rule"] == {"id": hidden_id, "name": "Secret"}
        assert body["data"]["assignments"][0]["firmId"] == HAWKINS
        # The rules API cannot touch it.
        put = c.put(f"{P}/routing/rules/{hidden_id}", json=rule("X", [], RIVERA))
        assert put.status_code == 404
        assert put.json()["error"]["code"] == "resource_not_found"
        assert c.delete(f"{P}/routing/rules/{hidden_id}").status_code == 404
        assert winner(sb, "Personal Injury", "CA") == "Secret"
    assert [r["name"] for r in sb.world.data["routing_rules"]] == ["Visible"]
    assert [r["id"] for r in sb.world.data["hidden_routing_rules"]] == [hidden_id]
    # An inactive hidden rule is skipped like any other.
    sb2 = sandbox(
        {
            "routing_rules": [
                rule("Visible", [jur_eq("CA")], RIVERA, priority=2),
                rule("Secret", [jur_eq("CA")], HAWKINS, priority=1, hidden=True, isActive=False),
            ]
        }
    )
    assert winner(sb2, "Personal Injury", "CA") == "Visible"


def test_hidden_must_be_a_boolean():
    from netsync.sandbox import Sandbox

    with pytest.raises(SeedError, match=r"routing_rules\[0\]\.hidden: must be true or false"):
        Sandbox(seed={"routing_rules": [rule("R", [], hidden="yes")]})


# --- errors, tiers, faults --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "details"),
    [
        ({"jurisdiction": "CA"}, [{"field": "caseType", "message": "is required"}]),
        ({"caseType": "Personal Injury"}, [{"field": "jurisdiction", "message": "is required"}]),
        (
            {},
            [
                {"field": "caseType", "message": "is required"},
                {"field": "jurisdiction", "message": "is required"},
            ],
        ),
        (
            {"caseType": "", "jurisdiction": "CA"},
            [{"field": "caseType", "message": "must not be empty"}],
        ),
    ],
)
def test_missing_parameters_are_400(sandbox, params, details):
    sb = sandbox()
    r = httpx.get(f"{sb.url}{P}/routing/evaluate", params=params, headers=RO)
    assert r.status_code == 400
    body = r.json()
    assert_schema("casexchange", "Error", body)
    assert body["error"] == {
        "code": "validation_error",
        "message": "Request validation failed",
        "details": details,
    }


def test_any_key_tier_may_evaluate_and_no_key_may_not(sandbox):
    sb = sandbox()
    for key in ("cxp_ro_sandbox", "cxp_std_sandbox", "cxp_full_sandbox"):
        body = evaluate(sb, cx_headers(key), caseType="Personal Injury", jurisdiction="NY")
        assert body["data"]["rule"]["name"] == "Auto-route NY Personal Injury"
    for path in ("/routing/evaluate", "/case-types"):
        r = httpx.get(f"{sb.url}{P}{path}", params={"caseType": "x", "jurisdiction": "NY"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "invalid_api_key"
    r = httpx.post(f"{sb.url}{P}/routing/evaluate", headers=FULL)
    assert r.status_code == 404  # GET only


def test_injected_403_on_evaluate(sandbox):
    sb = sandbox()
    sb.add_fault({"vendor": "casexchange", "path": "/routing/evaluate", "status": 403})
    params = {"caseType": "Personal Injury", "jurisdiction": "NY"}
    r = httpx.get(f"{sb.url}{P}/routing/evaluate", params=params, headers=FULL)
    assert r.status_code == 403
    body = r.json()
    assert_schema("casexchange", "Error", body)
    assert body["error"] == {"code": "insufficient_tier", "message": "Injected fault (HTTP 403)"}
    # count 1: the next request is answered normally; the rules list never was affected
    assert winner(sb, "Personal Injury", "NY") == "Auto-route NY Personal Injury"
    # The same through the control endpoint, twice.
    rule_ = {"vendor": "casexchange", "path": "^/api/public/v1/routing/evaluate$", "status": 403}
    assert httpx.post(f"{sb.url}/_sandbox/faults", json={**rule_, "count": 2}).status_code == 201
    statuses = [
        httpx.get(f"{sb.url}{P}/routing/evaluate", params=params, headers=RO).status_code
        for _ in range(3)
    ]
    assert statuses == [403, 403, 200]
    assert httpx.get(f"{sb.url}{P}/routing/rules", headers=RO).status_code == 200
    assert sb.errors == []


# --- GET /case-types --------------------------------------------------------------------------
def test_case_types_envelope_and_built_in_table(sandbox):
    sb = sandbox()
    r = httpx.get(f"{sb.url}{P}/case-types", headers=RO, params={"page": "2", "limit": "1"})
    assert r.status_code == 200
    body = r.json()
    assert_openapi(_CASE_TYPES_200, body)
    assert_cx_meta(body)
    assert set(body) == {"data", "meta"}  # listCaseTypes is not paged: no `pagination`
    names = [ct["name"] for ct in body["data"]]
    assert names == [
        "Immigration",
        "Medical Malpractice",
        "Nursing Home Abuse",
        "Personal Injury",
        "Product Liability",
        "Workers' Compensation",
        "Wrongful Death",
    ]
    assert body["data"][3] == {
        "id": PI_ID,
        "name": "Personal Injury",
        "displayName": "Personal Injury",
        "explanation": "Injury to a person caused by another party's negligence.",
    }
    assert body["data"] == BUILTIN_CASE_TYPES


def test_built_in_table_covers_every_firm_and_the_quickstart_seed(sandbox):
    sb = sandbox()
    known = {ct["name"] for ct in httpx.get(f"{sb.url}{P}/case-types", headers=RO).json()["data"]}
    used = {t for firm in sb.world.data["firms"].values() for t in firm["caseTypes"]}
    used |= {case["caseType"] for case in sb.world.data["cases"].values()}
    for r in sb.world.data["routing_rules"]:
        for cond in r["conditions"]:
            if cond["field"] == "caseType":
                used |= set(cond["value"])
    assert used == {
        "Immigration",
        "Medical Malpractice",
        "Nursing Home Abuse",
        "Personal Injury",
        "Product Liability",
        "Wrongful Death",
    }
    assert used <= known


def test_seeded_case_types_replace_the_built_in_table(sandbox):
    sb = sandbox(
        {
            "case_types": [
                {"id": "5A5A5A5A-0000-4000-8000-000000000001", "name": "Mass Tort"},
                {"name": "Maritime", "displayName": "Maritime Law", "explanation": "At sea."},
            ]
        }
    )
    data = httpx.get(f"{sb.url}{P}/case-types", headers=RO).json()["data"]
    assert data[0] == {
        "id": "5a5a5a5a-0000-4000-8000-000000000001",
        "name": "Mass Tort",
        "displayName": None,
        "explanation": None,
    }
    assert data[1]["name"] == "Maritime" and data[1]["displayName"] == "Maritime Law"
    assert len(data) == 2
    assert_openapi(_CASE_TYPES_200, {"data": data, "meta": {"requestId": "r", "timestamp": "t"}})
    # The generated id is stable from one start to the next.
    again = sandbox({"case_types": [{"name": "x"}, {"name": "Maritime"}]})
    assert (
        httpx.get(f"{again.url}{P}/case-types", headers=RO).json()["data"][1]["id"] == data[1]["id"]
    )


@pytest.mark.parametrize(
    ("case_types", "message"),
    [
        ([{"name": "A"}, {"name": "a"}], r"case_types\[1\]\.name: name 'a' is already used"),
        ([{"id": PI_ID, "name": "A"}, {"id": PI_ID, "name": "B"}], r"case_types\[1\]\.id"),
        ([{"name": ""}], r"case_types\[0\]\.name: must not be empty"),
        ([{"name": "A", "category": "x"}], r"case_types\[0\]\.category: unknown key"),
        ([{"id": "nope", "name": "A"}], r"case_types\[0\]\.id: must be a UUID"),
    ],
)
def test_bad_case_types_seed_names_the_key(case_types, message):
    from netsync.sandbox import Sandbox

    with pytest.raises(SeedError, match=message):
        Sandbox(seed={"case_types": case_types})


# --- firm profiles ----------------------------------------------------------------------------
def test_outbound_detail_and_directory_carry_the_profile(sandbox):
    sb = sandbox()
    r = httpx.get(f"{sb.url}{P}/network/outbound/{RIVERA}", headers=RO)
    detail = r.json()["data"]
    assert_schema("casexchange", "NetworkFirmDetail", detail)
    assert detail["jurisdictions"] == ["CA", "NV"]
    assert detail["caseTypes"] == ["Personal Injury", "Product Liability"]
    r = httpx.get(f"{sb.url}{P}/firms/available", params={"source": "directory"}, headers=RO)
    firms = {f["id"]: f for f in r.json()["data"]}
    assert firms[HAWKINS]["jurisdictions"] == ["NY", "NJ", "CT"]
    assert firms[HAWKINS]["caseTypes"] == ["Medical Malpractice", "Nursing Home Abuse"]
    assert firms[WHITFIELD]["caseTypes"] == ["Personal Injury", "Wrongful Death"]


def test_profiles_answer_the_tables_display_names(sandbox):
    tort = "5a5a5a5a-0000-4000-8000-000000000001"
    okafor = "f7b8c9d0-1234-4ef0-8789-0abcdef01234"
    sb = sandbox(
        {
            "case_types": [
                {"id": tort, "name": "Mass Tort", "displayName": "Mass Torts"},
                {"name": "Maritime"},
            ],
            "firms": [
                {
                    "id": okafor,
                    "name": "Okafor Legal Group",
                    "jurisdictions": ["GA"],
                    "caseTypes": [tort, "maritime", "Unlisted Type"],
                }
            ],
            "outbound": {okafor: {}},
        }
    )
    expected = ["Mass Torts", "Maritime", "Unlisted Type"]
    detail = httpx.get(f"{sb.url}{P}/network/outbound/{okafor}", headers=RO).json()["data"]
    assert detail["caseTypes"] == expected
    assert detail["jurisdictions"] == ["GA"]
    r = httpx.get(f"{sb.url}{P}/firms/available", params={"search": "okafor"}, headers=RO)
    assert r.json()["data"][0]["caseTypes"] == expected
    assert sb.world.data["firms"][okafor]["caseTypes"] == [tort, "maritime", "Unlisted Type"]
