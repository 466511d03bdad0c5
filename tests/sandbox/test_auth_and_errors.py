"""Every auth rule and every documented error code, per vendor."""

from __future__ import annotations

import time

import httpx
import pytest

from netsync.sandbox import Sandbox

from ._support import (
    BEARER,
    CALDWELL,
    CASE,
    HAWKINS,
    MATTER,
    OTHER_CASE,
    RIVERA,
    SB_HEADERS,
    TRACKOPS_AUTH,
    WHITFIELD,
    assert_schema,
    cx_headers,
)

P = "/api/public/v1"
RULE = {
    "name": "R",
    "conditions": [{"field": "jurisdiction", "operator": "eq", "value": "CA"}],
    "targetFirmId": RIVERA,
}


def _cx_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert_schema("casexchange", "Error", body)
    assert body["error"]["code"] == code
    return body


@pytest.mark.parametrize("headers", [{}, cx_headers("cxp_full_nope"), cx_headers("sandbox-key")])
def test_unknown_or_missing_key_is_401(client, headers):
    _cx_error(client.get(f"{P}/firms/me", headers=headers), 401, "invalid_api_key")


def test_read_only_key_cannot_write(client):
    ro = cx_headers("cxp_ro_sandbox")
    _cx_error(client.post(f"{P}/network/outbound/{CALDWELL}", headers=ro), 403, "insufficient_tier")
    r = client.put(f"{P}/network/outbound/{RIVERA}", headers=ro, json={"description": "x"})
    _cx_error(r, 403, "insufficient_tier")
    r = client.put(f"{P}/network/inbound/{HAWKINS}", headers=ro, json={"status": "active"})
    _cx_error(r, 403, "insufficient_tier")
    assert client.get(f"{P}/network/outbound/{RIVERA}", headers=ro).status_code == 200
    # Nothing changed.
    rel = client.get(f"{P}/network/outbound/{RIVERA}", headers=ro).json()["data"]["relationship"]
    assert rel["description"] == "Primary PI partner for Southern California referrals"


def test_standard_key_writes_network_but_not_routing_rules(client):
    std = cx_headers("cxp_std_sandbox")
    assert client.post(f"{P}/network/outbound/{CALDWELL}", headers=std).status_code == 200
    _cx_error(client.post(f"{P}/routing/rules", headers=std, json=RULE), 403, "insufficient_tier")
    rid = client.get(f"{P}/routing/rules", headers=std).json()["data"][0]["id"]
    _cx_error(client.delete(f"{P}/routing/rules/{rid}", headers=std), 403, "insufficient_tier")
    assert client.post(f"{P}/routing/rules", headers=cx_headers(), json=RULE).status_code == 201


@pytest.mark.parametrize(
    "body,field",
    [
        ({"sendingPercentage": 101}, "sendingPercentage"),
        ({"sendingPercentage": "50"}, "sendingPercentage"),
        ({"daysForInvestigating": -1}, "daysForInvestigating"),
        ({"daysForInvestigating": 1.5}, "daysForInvestigating"),
        ({"description": 5}, "description"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_relationship_validation_error_names_the_field(client, body, field):
    r = client.put(f"{P}/network/outbound/{RIVERA}", headers=cx_headers(), json=body)
    err = _cx_error(r, 400, "validation_error")
    assert [d["field"] for d in err["error"]["details"]] == [field]


def test_other_validation_errors(client):
    full = cx_headers()
    r = client.put(f"{P}/network/inbound/{HAWKINS}", headers=full, json={"status": "paused"})
    _cx_error(r, 400, "validation_error")
    # A pending request must be answered with a status.
    r = client.put(f"{P}/network/inbound/{WHITFIELD}", headers=full, json={"description": "x"})
    _cx_error(r, 400, "validation_error")
    _cx_error(client.get(f"{P}/network/outbound/not-a-uuid", headers=full), 400, "validation_error")
    _cx_error(
        client.post(f"{P}/routing/rules", headers=full, json={"name": "x"}), 400, "validation_error"
    )
    bad_target = {**RULE, "targetFirmId": "00000000-0000-4000-8000-000000000000"}
    _cx_error(
        client.post(f"{P}/routing/rules", headers=full, json=bad_target), 400, "validation_error"
    )
    r = client.post(
        f"{P}/routing/rules", headers={**full, "Content-Type": "application/json"}, content="{nope"
    )
    _cx_error(r, 400, "validation_error")
    _cx_error(client.get(f"{P}/sent-cases/{CALDWELL}", headers=full), 404, "resource_not_found")


def test_re_refer_state_rules(client):
    # Non-terminal case (under_evaluation) -> 400 invalid_state_transition.
    r = client.post(
        f"/api/v1/cases/{OTHER_CASE}/re-refer", headers=BEARER, json={"referentFirmId": CALDWELL}
    )
    assert r.status_code == 400
    assert r.json() == {
        "meta": {"success": False},
        "error": {
            "code": "invalid_state_transition",
            "message": r.json()["error"]["message"],
            "details": [],
        },
    }
    # Unknown case -> 404; bad body -> 400 validation_error.
    unknown = "00000000-0000-4000-8000-000000000000"
    r = client.post(
        f"/api/v1/cases/{unknown}/re-refer", headers=BEARER, json={"referentFirmId": RIVERA}
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "resource_not_found"
    for body in ({}, {"referentFirmId": "rivera"}, {"referentFirmId": RIVERA, "x": 1}):
        r = client.post(f"/api/v1/cases/{CASE}/re-refer", headers=BEARER, json=body)
        assert r.status_code == 400 and r.json()["error"]["code"] == "validation_error", body
    # 201 success: the latest referral changes.
    r = client.post(
        f"/api/v1/cases/{CASE}/re-refer",
        headers=BEARER,
        json={"referentFirmId": RIVERA, "notes": None},
    )
    assert r.status_code == 201
    detail = client.get(f"{P}/sent-cases/{CASE}", headers=cx_headers()).json()["data"]
    assert detail["referrals"][-1]["referentFirmId"] == RIVERA and detail["status"] == "sent"
    # Now the case is active again: a second re-refer is refused.
    r = client.post(
        f"/api/v1/cases/{CASE}/re-refer", headers=BEARER, json={"referentFirmId": CALDWELL}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_state_transition"


def test_re_refer_conflict_when_active_referral_to_same_firm(sb, client):
    case = sb.world.data["cases"][CASE]
    case["referrals"].insert(
        0,
        {
            "id": "11111111-2222-4333-8444-555555555555",
            "referentFirmId": RIVERA,
            "status": "investigating",
            "closingStatus": None,
            "notes": None,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
        },
    )
    r = client.post(
        f"/api/v1/cases/{CASE}/re-refer", headers=BEARER, json={"referentFirmId": RIVERA}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "conflict"
    assert len(sb.world.data["cases"][CASE]["referrals"]) == 2


def test_internal_api_token_errors(client):
    url = f"/api/v1/cases/{CASE}/re-refer"
    body = {"referentFirmId": RIVERA}
    assert client.post(url, json=body).json()["error"]["code"] == "no_token"
    r = client.post(url, json=body, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "token_invalid"
    assert r.json()["meta"] == {"success": False}


def test_login_expiry_and_refresh():
    with Sandbox(token_ttl=1) as sb, httpx.Client(base_url=sb.url) as c:
        bad = c.post("/api/v1/auth/login", json={"email": "sandbox@example.com", "password": "x"})
        assert bad.status_code == 401
        r = c.post(
            "/api/v1/auth/login", json={"email": "sandbox@example.com", "password": "sandbox"}
        )
        assert r.status_code == 200
        data = r.json()["data"]
        assert r.json()["meta"] == {"success": True}
        assert data["user"]["email"] == "sandbox@example.com"
        auth = {"Authorization": f"Bearer {data['accessToken']}"}
        assert c.get("/api/v1/auth/me", headers=auth).status_code == 200
        time.sleep(1.1)
        r = c.get("/api/v1/auth/me", headers=auth)
        assert r.status_code == 401 and r.json()["error"]["code"] == "token_expired"
        r = c.post("/api/v1/auth/refresh-session", json={"refreshToken": data["refreshToken"]})
        assert r.status_code == 200
        assert r.json()["data"]["message"] == "Session refreshed successfully"
        fresh = {"Authorization": f"Bearer {r.json()['data']['accessToken']}"}
        assert c.get("/api/v1/auth/me", headers=fresh).status_code == 200
        # Refresh tokens rotate: the old one is spent.
        r = c.post("/api/v1/auth/refresh-session", json={"refreshToken": data["refreshToken"]})
        assert r.status_code == 401


@pytest.mark.parametrize(
    "headers,status",
    [
        ({}, 403),
        ({"Authorization": "Bearer sandbox-token"}, 403),
        ({"x-api-key": "sandbox-key"}, 401),
        ({"x-api-key": "sandbox-key", "Authorization": "Bearer wrong"}, 401),
        ({"x-api-key": "wrong", "Authorization": "Bearer sandbox-token"}, 403),
        (SB_HEADERS, 200),
    ],
)
def test_smokeball_needs_both_headers(client, headers, status):
    r = client.get(f"/matters/{MATTER}", headers=headers)
    assert r.status_code == status
    if status != 200:
        assert r.headers["content-type"].startswith("application/problem+json")
        assert_schema("smokeball", "ProblemDetails", r.json())
        assert r.json()["status"] == status


@pytest.mark.parametrize(
    "auth",
    [
        None,
        ("sandbox", "sandbox-token"),
        ("sandbox/token", "wrong"),
        ("other/token", "sandbox-token"),
    ],
)
def test_trackops_bad_basic_auth_is_401(client, auth):
    r = client.get("/api/v1/case/requests", auth=auth)
    assert r.status_code == 401
    assert r.json() == {"errors": ["Unauthorized"]}
    assert client.get("/api/v1/case/requests", auth=TRACKOPS_AUTH).status_code == 200


def test_seed_credentials_replace_defaults():
    seed = {"credentials": {"casexchange": {"api_keys": ["cxp_ro_custom"]}}}
    with Sandbox(seed=seed) as sb, httpx.Client(base_url=sb.url) as c:
        assert c.get(f"{P}/firms/me", headers=cx_headers("cxp_ro_custom")).status_code == 200
        assert c.get(f"{P}/firms/me", headers=cx_headers("cxp_ro_sandbox")).status_code == 401
        assert sb.env()["CASEXCHANGE_API_KEY"] == "cxp_ro_custom"
        assert c.get(f"/matters/{MATTER}", headers=SB_HEADERS).status_code == 404  # still default
