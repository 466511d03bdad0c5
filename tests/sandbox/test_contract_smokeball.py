"""Smokeball: the seed page's PUT example, GET in the swagger `Matter` shape, 202 semantics."""

from __future__ import annotations

import base64
import time

import httpx

from netsync.sandbox import Sandbox

from ._support import MATTER, QUICKSTART_SEED, SB_HEADERS, assert_schema

PATCH_JSON = {**SB_HEADERS, "Content-Type": "application/json-patch+json"}

# The seed page's example body; its "<string>" placeholders replaced by valid values.
SEED_PUT = {
    "externalSystemId": "EXT01",
    "number": "FUS-124",
    "matterTypeId": "009f778f-83df-454a-b344-768a862a7e55",
    "clientIds": ["832e778f-83df-454a-b344-768a862a7e67"],
    "otherSideIds": ["776e778f-83df-454a-b344-768a862a6e58"],
    "branchId": "dd4e4381-b6a0-4c64-8feb-e8ea8016ea42",
    "branchProviderId": "Smokeball",
    "clientRole": "Plaintiff",
    "otherSideRole": "Defendant",
    "description": "This is a brief description for the matter",
    "status": "Open",
    "openedDate": "2022-04-23T14:00:00Z",
    "closedDate": "2022-04-23T14:00:00Z",
    "leadOpenedDate": "2022-04-23T14:00:00Z",
    "leadClosedDate": "2022-04-23T14:00:00Z",
    "leadClosedReason": "No longer interested",
    "referralType": "Google",
    "referrerId": "97bbe49f-6460-4bfc-b287-34ddfdbb81ef",
    "referralAgreementFeeType": "%",
    "referralAgreementFee": 123,
    "referralAgreementFeeComment": "comment",
    "personResponsibleStaffId": "c85d28cb-a760-4627-aa59-0a853c2e65ed",
    "personAssistingStaffId": "c85d28cb-a760-4627-aa59-0a853c2e65ed",
    "personAssistingStaffIds": ["c85d28cb-a760-4627-aa59-0a853c2e65ed"],
    "originatingStaffId": "c85d28cb-a760-4627-aa59-0a853c2e65ed",
    "originatingStaffIds": ["c85d28cb-a760-4627-aa59-0a853c2e65ed"],
    "splitOriginatingStaffSettings": {
        "isEnabled": True,
        "splitMatterStaffs": [{"matterStaffId": "s1", "matterStaffRatio": 123}],
        "splitMethod": "UseRatio",
        "remainderStaffId": "s1",
    },
    "supervisorStaffId": "c85d28cb-a760-4627-aa59-0a853c2e65ed",
    "clientCode": "Client A",
    "isLead": False,
}


def test_get_matter_matches_swagger_matter(client):
    r = client.get(f"/matters/{MATTER}", headers=SB_HEADERS)
    assert r.status_code == 200
    m = r.json()
    assert_schema("smokeball", "Matter", m)
    assert m["referralType"] == "Google"
    assert m["referralAgreementFeeType"] == "%"
    assert m["referralAgreementFee"] == 25
    assert m["status"] == "Open"
    assert m["referrer"] == {
        "id": "97bbe49f-6460-4bfc-b287-34ddfdbb81ef",
        "href": f"{str(client.base_url).rstrip('/')}/contacts/97bbe49f-6460-4bfc-b287-34ddfdbb81ef",
        "relation": "Contact",
    }
    assert m["personResponsible"]["id"] == "c85d28cb-a760-4627-aa59-0a853c2e65ed"
    assert [x["id"] for x in m["originatingStaffs"]] == ["c85d28cb-a760-4627-aa59-0a853c2e65ed"]
    assert "referrerId" not in m and "personResponsibleStaffId" not in m


def test_put_seed_example_answers_202_link_and_echoes_request_id(client):
    r = client.put(
        f"/matters/{MATTER}", headers={**PATCH_JSON, "RequestId": "req-123"}, json=SEED_PUT
    )
    assert r.status_code == 202
    assert r.headers["RequestId"] == "req-123"
    link = r.json()
    assert_schema("smokeball", "Link", link)
    assert link["id"] == MATTER
    assert link["method"] == "GET"
    assert link["href"].endswith(f"/matters/{MATTER}")
    m = client.get(f"/matters/{MATTER}", headers=SB_HEADERS).json()
    assert_schema("smokeball", "Matter", m)
    assert m["referralAgreementFee"] == 123
    assert m["clientCode"] == "Client A"
    assert m["supervisor"]["id"] == "c85d28cb-a760-4627-aa59-0a853c2e65ed"
    assert m["splitOriginatingStaffSettings"]["splitMethod"] == "UseRatio"


def test_partial_put_clears_every_omitted_field(client):
    before = client.get(f"/matters/{MATTER}", headers=SB_HEADERS).json()
    assert before["referrer"] is not None and before["description"] is not None
    r = client.put(f"/matters/{MATTER}", headers=PATCH_JSON, json={"referralAgreementFee": 33})
    assert r.status_code == 202
    after = client.get(f"/matters/{MATTER}", headers=SB_HEADERS).json()
    assert after["referralAgreementFee"] == 33
    for lost in (
        "referrer",
        "personResponsible",
        "description",
        "number",
        "status",
        "referralType",
        "referralAgreementFeeType",
        "originatingStaffs",
    ):
        assert after[lost] is None, lost
    # Fields PUT cannot change are kept when omitted.
    assert after["matterType"] == before["matterType"]
    assert after["clients"] == before["clients"]


def test_put_cannot_change_immutable_fields(client):
    body = {"clientIds": ["00000000-0000-4000-8000-000000000000"], "status": "Open"}
    r = client.put(f"/matters/{MATTER}", headers=PATCH_JSON, json=body)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert_schema("smokeball", "ProblemDetails", problem)
    assert problem["status"] == 400 and "clientIds" in problem["detail"]
    assert client.get(f"/matters/{MATTER}", headers=SB_HEADERS).json()["status"] == "Open"


def test_put_bad_types_unknown_fields_and_media_type(client):
    r = client.put(f"/matters/{MATTER}", headers=PATCH_JSON, json={"referralAgreementFee": "33"})
    assert r.status_code == 400
    r = client.put(f"/matters/{MATTER}", headers=PATCH_JSON, json={"status": "Archived"})
    assert r.status_code == 400
    r = client.put(f"/matters/{MATTER}", headers=PATCH_JSON, json={"referrer": {"id": "x"}})
    assert r.status_code == 400
    r = client.put(
        f"/matters/{MATTER}", headers={**SB_HEADERS, "Content-Type": "text/plain"}, content="x"
    )
    assert r.status_code == 415
    r = client.put(
        f"/matters/{MATTER}",
        headers={**SB_HEADERS, "Content-Type": "application/json"},
        json={"status": "Open"},
    )
    assert r.status_code == 202


def test_unknown_matter_is_404_problem(client):
    r = client.get("/matters/00000000-0000-4000-8000-000000000000", headers=SB_HEADERS)
    assert r.status_code == 404
    assert r.json()["status"] == 404
    r = client.put(
        "/matters/00000000-0000-4000-8000-000000000000", headers=PATCH_JSON, json={"status": "Open"}
    )
    assert r.status_code == 404


def test_custom_referral_type_by_name_is_stored_as_id(client):
    types = client.get("/referraltypes", headers=SB_HEADERS).json()
    assert_schema("smokeball", "ReferralTypeCollection", types)
    custom = next(t for t in types["value"] if t["name"] == "Billboard - I-10")
    r = client.put(
        f"/matters/{MATTER}", headers=PATCH_JSON, json={"referralType": "Billboard - I-10"}
    )
    assert r.status_code == 202
    m = client.get(f"/matters/{MATTER}", headers=SB_HEADERS).json()
    assert m["referralType"] == custom["id"]
    r = client.put(f"/matters/{MATTER}", headers=PATCH_JSON, json={"referralType": "Nope"})
    assert r.status_code == 400


def test_matters_list_is_paged_and_account_prefix_accepted(client):
    r = client.get("/matters", headers=SB_HEADERS, params={"offset": 0, "limit": 1})
    assert r.status_code == 200
    page = r.json()
    assert_schema("smokeball", "MatterPagedCollection", page)
    assert page["size"] == 1 and page["offset"] == 0 and page["limit"] == 1
    assert page["value"][0]["id"] == MATTER
    assert client.get("/matters", headers=SB_HEADERS, params={"limit": 501}).status_code == 400
    r = client.get(f"/ea4ca7b9-b826-4840-a8b5-94e6c6937c65/matters/{MATTER}", headers=SB_HEADERS)
    assert r.status_code == 200 and r.json()["id"] == MATTER


def test_write_becomes_visible_only_after_delay():
    sandbox = Sandbox(seed=QUICKSTART_SEED, smokeball_visibility_delay=0.5)
    with sandbox as sb, httpx.Client(base_url=sb.url) as c:

        def fee() -> float:
            return c.get(f"/matters/{MATTER}", headers=SB_HEADERS).json()["referralAgreementFee"]

        r = c.put(f"/matters/{MATTER}", headers=PATCH_JSON, json={"referralAgreementFee": 33})
        assert r.status_code == 202
        assert fee() == 25  # accepted, not yet visible
        time.sleep(0.6)
        assert fee() == 33


def test_oauth_client_credentials_token_is_accepted():
    with Sandbox() as sb, httpx.Client(base_url=sb.url) as c:
        basic = base64.b64encode(b"sandbox-client:sandbox-secret").decode()
        r = c.post(
            "/oauth2/token",
            headers={"Authorization": f"Basic {basic}"},
            data={"grant_type": "client_credentials"},
        )
        assert r.status_code == 200
        tok = r.json()
        assert tok["expires_in"] == 3600 and tok["token_type"] == "Bearer"
        r = c.get(
            "/referraltypes",
            headers={"x-api-key": "sandbox-key", "Authorization": f"Bearer {tok['access_token']}"},
        )
        assert r.status_code == 200
        bad = base64.b64encode(b"sandbox-client:wrong").decode()
        r = c.post(
            "/oauth2/token",
            headers={"Authorization": f"Basic {bad}"},
            data={"grant_type": "client_credentials"},
        )
        assert r.status_code == 401
        assert r.json() == {"error": "invalid_client"}
