"""CaseXchange firms: GET /firms/available and GET /firms/{id} against openapi.yml's
listAvailableFirms / getFirmById (answers validated whole, envelope included), on the quickstart
world: Rivera is our accepted outbound partner, Nakamura an outbound request not yet accepted,
Hawkins an inbound partner only, Whitfield and Okafor pending inbound requests."""

from __future__ import annotations

import httpx
import pytest

from netsync.sandbox import Sandbox

from ._support import (
    CALDWELL,
    HAWKINS,
    ME,
    NAKAMURA,
    OKAFOR,
    RIVERA,
    WHITFIELD,
    assert_cx_meta,
    assert_response_schema,
    assert_schema,
    cx_headers,
)

P = "/api/public/v1"
RO = cx_headers("cxp_ro_sandbox")
STD = cx_headers("cxp_std_sandbox")
UNKNOWN = "00000000-0000-4000-8000-000000000000"
ALL_SIX = [CALDWELL, HAWKINS, NAKAMURA, OKAFOR, RIVERA, WHITFIELD]  # by name: Caldwell, Hawkins…


def available(client: httpx.Client, **params) -> dict:
    r = client.get(f"{P}/firms/available", params=params, headers=RO)
    assert r.status_code == 200, r.text
    body = r.json()
    assert_response_schema("casexchange", "/firms/available", "get", 200, body)
    assert_cx_meta(body)
    for item in body["data"]:
        assert_schema("casexchange", "AvailableFirm", item)
    return body


def ids(body: dict) -> list[str]:
    return [f["id"] for f in body["data"]]


def test_without_source_lists_network_and_directory_sorted_by_name(client):
    body = available(client)
    assert ids(body) == ALL_SIX  # our own firm is never listed
    assert ME not in ids(body)
    assert body["pagination"] == {"page": 1, "limit": 25, "total": 6, "totalPages": 1}
    rivera = next(f for f in body["data"] if f["id"] == RIVERA)
    assert rivera == {
        "id": RIVERA,
        "name": "Rivera Injury Law",
        "description": None,
        "jurisdictions": ["CA", "NV"],
        "caseTypes": ["Personal Injury", "Product Liability"],
        "referralInstructions": "Include police report number when available",  # relationship's
        "source": "both",
    }
    hawkins = next(f for f in body["data"] if f["id"] == HAWKINS)
    assert hawkins["source"] == "public_directory"  # inbound only: they send to us, not we to them
    assert hawkins["referralInstructions"].startswith("Submit all referrals")  # general ones


def test_source_network_is_accepted_outbound_relationships(client):
    assert ids(available(client, source="network", limit=100)) == [RIVERA]
    # Caldwell auto-accepts: a new outbound relationship puts it in the private network at once.
    assert client.post(f"{P}/network/outbound/{CALDWELL}", headers=STD).status_code == 200
    body = available(client, source="network", limit=100)
    assert ids(body) == [CALDWELL, RIVERA]
    assert {f["source"] for f in body["data"]} == {"both"}
    # Nakamura (outbound request not accepted) and Hawkins (inbound only) are not in it.
    assert NAKAMURA not in ids(body) and HAWKINS not in ids(body)


def test_source_directory_lists_every_listed_firm(client):
    body = available(client, source="directory")
    assert ids(body) == ALL_SIX  # with or without a relationship
    sources = {f["id"]: f["source"] for f in body["data"]}
    assert sources[RIVERA] == "both"
    assert {sources[f] for f in ALL_SIX if f != RIVERA} == {"public_directory"}


@pytest.mark.parametrize("value", ["both", "private_network", "public_directory", "", "NETWORK"])
def test_unknown_source_is_400(client, value):
    r = client.get(f"{P}/firms/available", params={"source": value}, headers=RO)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "validation_error"
    assert r.json()["error"]["details"] == [
        {"field": "source", "message": "must be one of network, directory"}
    ]
    assert_schema("casexchange", "Error", r.json())


def test_search_is_a_case_insensitive_partial_match_on_name(client):
    assert ids(available(client, search="LAW")) == [CALDWELL, NAKAMURA, RIVERA]
    assert ids(available(client, search="pratt")) == [HAWKINS]
    assert ids(available(client, search="")) == ALL_SIX  # empty: no filter
    # name only: Whitfield takes Wrongful Death, but its name does not say so
    body = available(client, search="wrongful")
    assert body["data"] == [] and body["pagination"]["total"] == 0
    assert body["pagination"]["totalPages"] == 0
    assert ids(available(client, search="law", source="network")) == [RIVERA]
    assert ids(available(client, search="law", source="directory")) == [CALDWELL, NAKAMURA, RIVERA]


def test_firm_by_id_is_the_firm_schema(client):
    r = client.get(f"{P}/firms/{RIVERA}", headers=RO)
    assert r.status_code == 200
    body = r.json()
    assert_response_schema("casexchange", "/firms/{id}", "get", 200, body)
    assert_schema("casexchange", "Firm", body["data"])
    assert body["data"]["id"] == RIVERA and body["data"]["name"] == "Rivera Injury Law"
    assert body["data"]["isInternal"] is False
    # upper-case ids name the same firm; a firm without any relationship is still on the platform
    assert client.get(f"{P}/firms/{RIVERA.upper()}", headers=RO).json()["data"]["id"] == RIVERA
    assert client.get(f"{P}/firms/{CALDWELL}", headers=RO).status_code == 200


def test_own_firm_by_id_equals_firms_me(client):
    me = client.get(f"{P}/firms/me", headers=RO).json()["data"]
    assert client.get(f"{P}/firms/{ME}", headers=RO).json()["data"] == me


def test_unknown_firm_is_404_in_the_error_shape(client):
    r = client.get(f"{P}/firms/{UNKNOWN}", headers=RO)
    assert r.status_code == 404
    body = r.json()
    assert_response_schema("casexchange", "/firms/{id}", "get", 404, body)
    assert body["error"] == {"code": "resource_not_found", "message": f"Firm {UNKNOWN} not found"}


def test_firm_id_that_is_not_a_uuid_is_400(client):
    r = client.get(f"{P}/firms/rivera", headers=RO)
    assert r.status_code == 400
    assert r.json()["error"]["details"] == [{"field": "id", "message": "must be a valid UUID"}]


@pytest.mark.parametrize("key", ["cxp_ro_sandbox", "cxp_std_sandbox", "cxp_full_sandbox"])
@pytest.mark.parametrize("path", ["/firms/available", f"/firms/{RIVERA}"])
def test_every_key_tier_may_read(client, key, path):
    assert client.get(f"{P}{path}", headers=cx_headers(key)).status_code == 200  # read_only


@pytest.mark.parametrize("path", ["/firms/available", f"/firms/{RIVERA}"])
def test_missing_or_unknown_key_is_401(client, path):
    for headers in ({}, cx_headers("cxp_full_nope")):
        r = client.get(f"{P}{path}", headers=headers)
        assert r.status_code == 401
        assert_response_schema("casexchange", "/firms/available", "get", 401, r.json())
        assert r.json()["error"]["code"] == "invalid_api_key"


@pytest.mark.parametrize("path", ["/firms/available", f"/firms/{RIVERA}"])
def test_writes_are_not_routes(client, path):
    r = client.post(f"{P}{path}", headers=cx_headers(), json={})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "resource_not_found"


def test_rate_limits_and_faults_apply():
    with (
        Sandbox(rate_limits={"casexchange": {"limit": 2, "window": 60}}) as sb,
        httpx.Client(base_url=sb.url) as c,
    ):
        first = c.get(f"{P}/firms/available", headers=RO)
        assert first.headers["X-RateLimit-Limit"] == "2"
        assert first.headers["X-RateLimit-Remaining"] == "1"
        assert c.get(f"{P}/firms/{RIVERA}", headers=RO).status_code == 200
        r = c.get(f"{P}/firms/available", headers=RO)
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert "Retry-After" in r.headers
        sb.set_rate_limits("off")
        sb.add_fault({"vendor": "casexchange", "path": "^/api/public/v1/firms/", "count": 2})
        for path in ("/firms/available", f"/firms/{RIVERA}"):
            r = c.get(f"{P}{path}", headers=RO)
            assert r.status_code == 503 and r.json()["error"]["code"] == "internal_error"
        assert c.get(f"{P}/firms/available", headers=RO).status_code == 200
        assert sb.errors == []


def test_answers_are_recorded_like_other_vendor_requests(client, sb):
    client.get(f"{P}/firms/available", params={"source": "network", "limit": 100}, headers=RO)
    entry = sb.requests[-1]
    assert entry["vendor"] == "casexchange" and entry["status"] == 200
    assert entry["query"] == {"source": "network", "limit": "100"}
