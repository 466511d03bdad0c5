"""Replays every CaseXchange example of the seed pages and checks the documented shapes."""

from __future__ import annotations

from ._support import (
    BEARER,
    CALDWELL,
    CASE,
    HAWKINS,
    ME,
    NAKAMURA,
    OKAFOR,
    OTHER_CASE,
    RIVERA,
    WHITFIELD,
    assert_cx_meta,
    assert_schema,
    cx_headers,
)

P = "/api/public/v1"
RO = cx_headers("cxp_ro_sandbox")
STD = cx_headers("cxp_std_sandbox")


def test_get_outbound_matches_seed_example(client):
    r = client.get(f"{P}/network/outbound/{RIVERA}", headers=RO)
    assert r.status_code == 200
    body = r.json()
    assert_cx_meta(body)
    assert_schema("casexchange", "NetworkFirmDetail", body["data"])
    assert body["data"] == {
        "firmId": RIVERA,
        "firmName": "Rivera Injury Law",
        "jurisdictions": ["CA", "NV"],
        "caseTypes": ["Personal Injury", "Product Liability"],
        "inNetwork": True,
        "generalReferralInstructions": (
            "Email intake@riverainjury.example.com with case summary and client contact info."
        ),
        "relationship": {
            "description": "Primary PI partner for Southern California referrals",
            "sendingPercentage": 33.5,
            "daysForUnderEvaluation": 14,
            "daysForInvestigating": 30,
            "referralInstructions": "Include police report number when available",
        },
    }


def test_get_outbound_absent_is_404(client):
    r = client.get(f"{P}/network/outbound/{CALDWELL}", headers=RO)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "resource_not_found"
    assert_schema("casexchange", "Error", r.json())


def test_get_inbound_matches_seed_shape(client):
    r = client.get(f"{P}/network/inbound/{HAWKINS}", headers=RO)
    assert r.status_code == 200
    data = r.json()["data"]
    assert_schema("casexchange", "NetworkFirmDetail", data)
    assert data["firmName"] == "Hawkins & Pratt LLP"
    assert data["jurisdictions"] == ["NY", "NJ", "CT"]
    assert data["relationship"]["sendingPercentage"] is None
    assert data["relationship"]["daysForInvestigating"] == 45
    # A firm that only has a pending request has no inbound relationship yet.
    assert client.get(f"{P}/network/inbound/{WHITFIELD}", headers=RO).status_code == 404


def test_get_pending_lists_both_directions(client):
    r = client.get(f"{P}/network/pending", headers=RO)
    assert r.status_code == 200
    data = r.json()["data"]
    for item in data:
        assert_schema("casexchange", "PendingRelationship", item)
    got = {(p["firmId"], p["direction"]) for p in data}
    assert got == {(WHITFIELD, "inbound"), (OKAFOR, "inbound"), (NAKAMURA, "outbound")}
    whitfield = next(p for p in data if p["firmId"] == WHITFIELD)
    assert whitfield == {
        "firmId": WHITFIELD,
        "firmName": "Whitfield Trial Attorneys",
        "requestedDate": "2026-03-28T11:15:00.000Z",
        "direction": "inbound",
    }


def test_post_outbound_seed_example_creates_then_updates(client):
    body = {
        "description": "Strategic referral partner for CA personal injury",
        "sendingPercentage": 33.5,
        "daysForUnderEvaluation": 14,
        "daysForInvestigating": 30,
    }
    r = client.post(f"{P}/network/outbound/{CALDWELL}", headers=STD, json=body)
    assert r.status_code == 200
    data = r.json()["data"]
    assert_schema("casexchange", "NetworkFirmDetail", data)
    assert data["inNetwork"] is True
    assert data["relationship"] == {**body, "referralInstructions": None}
    # Same call again updates (create-or-update), it does not duplicate or fail.
    r = client.post(f"{P}/network/outbound/{CALDWELL}", headers=STD, json={"sendingPercentage": 10})
    assert r.status_code == 200
    assert r.json()["data"]["relationship"]["sendingPercentage"] == 10
    assert r.json()["data"]["relationship"]["daysForInvestigating"] == 30
    # The body is optional.
    r = client.post(f"{P}/network/outbound/{WHITFIELD}", headers=STD)
    assert r.status_code == 200
    assert r.json()["data"]["relationship"]["description"] is None


def test_post_outbound_to_non_auto_accepting_firm_stays_pending(sb, client):
    sb.world.data["outbound"].pop(NAKAMURA)
    sb.world.data["pending"] = [p for p in sb.world.data["pending"] if p["firmId"] != NAKAMURA]
    r = client.post(f"{P}/network/outbound/{NAKAMURA}", headers=STD, json={"description": "x"})
    assert r.status_code == 200
    assert r.json()["data"]["inNetwork"] is False
    pending = client.get(f"{P}/network/pending", headers=RO).json()["data"]
    assert {"firmId": NAKAMURA, "direction": "outbound"}.items() <= next(
        p for p in pending if p["firmId"] == NAKAMURA
    ).items()


def test_post_outbound_unknown_firm_is_404(client):
    r = client.post(f"{P}/network/outbound/00000000-0000-4000-8000-000000000000", headers=STD)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "resource_not_found"


def test_put_outbound_seed_example_is_partial(client):
    body = {
        "sendingPercentage": 50,
        "referralInstructions": "Include police report and medical records when available",
    }
    r = client.put(f"{P}/network/outbound/{RIVERA}", headers=STD, json=body)
    assert r.status_code == 200
    rel = r.json()["data"]["relationship"]
    assert rel["sendingPercentage"] == 50
    assert rel["referralInstructions"] == body["referralInstructions"]
    assert rel["description"] == "Primary PI partner for Southern California referrals"
    assert rel["daysForUnderEvaluation"] == 14
    again = client.get(f"{P}/network/outbound/{RIVERA}", headers=RO).json()["data"]
    assert again["relationship"] == rel


def test_put_outbound_without_relationship_is_404(client):
    r = client.put(f"{P}/network/outbound/{CALDWELL}", headers=STD, json={"description": "x"})
    assert r.status_code == 404


def test_put_inbound_seed_example_accepts_pending_request(client):
    body = {
        "status": "active",
        "referralInstructions": "Send cases via API with full intake details and signed retainer",
    }
    r = client.put(f"{P}/network/inbound/{WHITFIELD}", headers=STD, json=body)
    assert r.status_code == 200
    data = r.json()["data"]
    assert_schema("casexchange", "NetworkFirmDetail", data)
    assert data["firmName"] == "Whitfield Trial Attorneys"
    assert data["jurisdictions"] == ["TX", "OK"]
    assert data["inNetwork"] is True
    assert data["generalReferralInstructions"] is None
    assert data["relationship"] == {
        "description": None,
        "sendingPercentage": None,
        "daysForUnderEvaluation": None,
        "daysForInvestigating": None,
        "referralInstructions": body["referralInstructions"],
    }
    pending = client.get(f"{P}/network/pending", headers=RO).json()["data"]
    assert WHITFIELD not in {p["firmId"] for p in pending}
    assert client.get(f"{P}/network/inbound/{WHITFIELD}", headers=RO).json()["data"]["inNetwork"]


def test_put_inbound_inactive_declines_or_suspends(client):
    r = client.put(f"{P}/network/inbound/{OKAFOR}", headers=STD, json={"status": "inactive"})
    assert r.status_code == 200
    assert client.get(f"{P}/network/inbound/{OKAFOR}", headers=RO).status_code == 404
    pending = client.get(f"{P}/network/pending", headers=RO).json()["data"]
    assert OKAFOR not in {p["firmId"] for p in pending}
    r = client.put(f"{P}/network/inbound/{HAWKINS}", headers=STD, json={"status": "inactive"})
    assert r.status_code == 200
    assert r.json()["data"]["inNetwork"] is False
    assert r.json()["data"]["relationship"]["daysForInvestigating"] == 45


def test_put_inbound_with_neither_relationship_nor_request_is_404(client):
    r = client.put(f"{P}/network/inbound/{RIVERA}", headers=STD, json={"status": "active"})
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "resource_not_found"


def test_firms_me(client):
    r = client.get(f"{P}/firms/me", headers=RO)
    assert r.status_code == 200
    assert_schema("casexchange", "Firm", r.json()["data"])
    assert r.json()["data"]["id"] == ME
    assert r.json()["data"]["name"] == "Acme Law Group"


def test_routing_rules_crud(client):
    full = cx_headers("cxp_full_sandbox")
    rules = client.get(f"{P}/routing/rules", headers=RO).json()["data"]
    assert [r["name"] for r in rules] == ["Auto-route NY Personal Injury", "CA Med-Mal to Caldwell"]
    for rule in rules:
        assert_schema("casexchange", "RoutingRule", rule)
    new = {
        "name": "NV Product Liability to Rivera",
        "conditions": [{"field": "caseType", "operator": "in", "value": ["Product Liability"]}],
        "targetFirmId": RIVERA,
        "priority": 3,
        "isActive": True,
    }
    r = client.post(f"{P}/routing/rules", headers=full, json=new)
    assert r.status_code == 201
    created = r.json()["data"]
    assert_schema("casexchange", "RoutingRule", created)
    assert {k: created[k] for k in new} == new
    assert created["firmId"] == ME
    # PUT replaces the rule with the body.
    replaced = {**new, "targetFirmId": CALDWELL, "isActive": False}
    r = client.put(f"{P}/routing/rules/{created['id']}", headers=full, json=replaced)
    assert r.status_code == 200
    assert r.json()["data"]["targetFirmId"] == CALDWELL
    assert r.json()["data"]["isActive"] is False
    r = client.delete(f"{P}/routing/rules/{created['id']}", headers=full)
    assert r.status_code == 204
    assert r.content == b""
    assert client.delete(f"{P}/routing/rules/{created['id']}", headers=full).status_code == 404
    r = client.put(f"{P}/routing/rules/{created['id']}", headers=full, json=replaced)
    assert r.status_code == 404


def test_sent_cases_list_and_detail(client):
    r = client.get(f"{P}/sent-cases", headers=RO, params={"limit": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["pagination"] == {"page": 1, "limit": 1, "total": 2, "totalPages": 2}
    assert_schema("casexchange", "SentCaseListItem", body["data"][0])
    assert body["data"][0]["id"] == OTHER_CASE  # newest updatedAt first
    page2 = client.get(f"{P}/sent-cases", headers=RO, params={"limit": 1, "page": 2}).json()
    assert page2["data"][0]["id"] == CASE
    assert page2["data"][0]["status"] == "rejected"
    assert page2["data"][0]["receivingFirmId"] == HAWKINS
    r = client.get(f"{P}/sent-cases/{CASE}", headers=RO)
    assert r.status_code == 200
    detail = r.json()["data"]
    assert_schema("casexchange", "SentCaseDetail", detail)
    assert detail["status"] == "rejected"
    assert detail["referrals"][0]["referentFirmId"] == HAWKINS
    assert detail["referrals"][0]["referentFirmName"] == "Hawkins & Pratt LLP"
    assert client.get(f"{P}/sent-cases", headers=RO, params={"limit": 101}).status_code == 400


def test_re_refer_seed_example_shape(client):
    r = client.post(
        f"/api/v1/cases/{CASE}/re-refer",
        headers=BEARER,
        json={"referentFirmId": RIVERA, "notes": "Re-routed after Hawkins & Pratt declined"},
    )
    assert r.status_code == 201
    body = r.json()
    assert body["success"] is True
    seed_keys = {
        "id",
        "title",
        "description",
        "referenceNumber",
        "status",
        "caseType",
        "jurisdiction",
        "clientFirstName",
        "clientLastName",
        "clientEmail",
        "clientPhone",
        "referringFirmId",
        "referringFirm",
        "referentFirmId",
        "referentFirm",
        "notes",
        "externalId",
        "salesforceRecordId",
        "salesforceObjectType",
        "settlementAmount",
        "attorneyFees",
        "closureReason",
        "source",
        "createdById",
        "createdBy",
        "lastUpdatedById",
        "lastUpdatedBy",
        "statusUpdates",
        "documents",
        "createdAt",
        "updatedAt",
    }
    assert set(body["data"]) == seed_keys
    assert body["data"]["referentFirmId"] == RIVERA
    assert body["data"]["referentFirm"] == {
        "id": RIVERA,
        "name": "Rivera Injury Law",
        "caseStatusSubscriber": True,
    }
    assert body["data"]["referringFirmId"] == ME
    assert body["data"]["status"] == "sent"
    detail = client.get(f"{P}/sent-cases/{CASE}", headers=RO).json()["data"]
    assert detail["status"] == "sent"
    assert [x["referentFirmId"] for x in detail["referrals"]] == [HAWKINS, RIVERA]
    assert detail["referrals"][-1]["notes"] == "Re-routed after Hawkins & Pratt declined"
