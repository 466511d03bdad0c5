"""`netsync apply` end to end over real HTTP against the sandbox: the exact write requests
(method, path, credential headers, JSON bodies) for every kind and action of SPEC 2, the report
of SPEC 3, the apply order, and a clean re-plan afterwards."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from support import QUICKSTART, quickstart_seed, write_config

from netsync.config.schema import format_checker, load_schema
from netsync.sandbox import casexchange as sandbox_casexchange
from netsync.sandbox import casexchange_cases as sandbox_cases

PUBLIC = "/api/public/v1"
RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
WHITFIELD = "e5f6a7b8-9012-3cde-f456-7890abcdef01"
OKAFOR = "f7b8c9d0-1234-4ef0-8789-0abcdef01234"
NAKAMURA = "f6a7b8c9-0123-4def-5678-90abcdef0123"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"
NY_RULE = "e4a71c9f-2b38-4d06-a9f1-7c8e350d12ab"
CA_RULE = "f5b82daf-3c49-4e17-baf2-8d9f461e23bc"
LOGIN = "/api/v1/auth/login"
TRACKOPS_BASIC = "Basic c2FuZGJveC90b2tlbjpzYW5kYm94LXRva2Vu"  # sandbox/token:sandbox-token

HEADER = f"""\
version: 1
providers:
  trackops:
    base_url: https://acme.viewcases.com
    rate_limit: 100
firms:
  rivera: {RIVERA}
  caldwell: {CALDWELL}
  hawkins: {HAWKINS}
  whitfield: {WHITFIELD}
"""
RIVERA_AS_LIVE = """\
    rivera:
      description: Primary PI partner for Southern California referrals
      sendingPercentage: 33.5
      daysForUnderEvaluation: 14
      daysForInvestigating: 30
      referralInstructions: Include police report number when available
"""
NY_CONDITIONS = [
    {"field": "caseType", "operator": "in", "value": ["Personal Injury"]},
    {"field": "jurisdiction", "operator": "eq", "value": "NY"},
]


# --- helpers (local to this file: no shared conftest for tests/apply) ----------------------------


def config(tmp_path: Path, body: str) -> Path:
    return write_config(tmp_path, HEADER + body)


def apply(netsync, sb, cfg: Path, *extra: str, env: dict | None = None):
    return netsync(sb, "apply", "-c", str(cfg), "--auto-approve", *extra, env=env)


def writes(sb) -> list[dict[str, Any]]:
    """Every recorded request that is not a read (logins included), in log order."""
    return [r for r in sb.requests if r["method"] != "GET"]


def calls(requests: list[dict[str, Any]]) -> list[tuple[str, str, Any]]:
    """(method, path, body), sorted: concurrent writes have no fixed log order."""
    return sorted(
        ((r["method"], r["path"], r["body"]) for r in requests),
        key=lambda c: json.dumps(c, sort_keys=True),
    )


def one(requests: list[dict[str, Any]], method: str, path: str) -> dict[str, Any]:
    found = [r for r in requests if r["method"] == method and r["path"] == path]
    assert len(found) == 1, f"{method} {path}: {len(found)} requests"
    return found[0]


def last_line(out: str) -> str:
    return out.strip().splitlines()[-1]


def assert_clean_replan(netsync, sb, cfg: Path, env: dict | None = None) -> None:
    code, out, err = netsync(sb, "plan", "-c", str(cfg), "--detailed-exitcode", env=env)
    assert code == 0, out + err
    assert "No changes." in out


# --- network.outbound ----------------------------------------------------------------------------


def test_outbound_create_posts_declared_fields_and_update_puts_changed_fields_only(
    sandbox, netsync, tmp_path
):
    """Outbound create: POST /network/outbound/{id} with exactly the declared fields; outbound
    update: PUT with only the changed field; both with the X-API-Key; the world and a re-plan
    agree afterwards."""
    sb = sandbox()
    cfg = config(
        tmp_path,
        """\
network:
  outbound:
    rivera:
      description: Primary PI partner for Southern California referrals
      sendingPercentage: 40
      daysForUnderEvaluation: 14
      daysForInvestigating: 30
      referralInstructions: Include police report number when available
    caldwell:
      description: Med-mal partner
      sendingPercentage: 25
      daysForUnderEvaluation: 10
""",
    )
    code, out, err = apply(netsync, sb, cfg)
    assert code == 0, out + err
    assert last_line(out) == (
        "Apply complete: 1 created, 1 updated, 0 re-referred, 0 deleted, 0 already applied."
    )
    sent = writes(sb)
    assert calls(sent) == calls(
        [
            {
                "method": "POST",
                "path": f"{PUBLIC}/network/outbound/{CALDWELL}",
                "body": {
                    "description": "Med-mal partner",
                    "sendingPercentage": 25,
                    "daysForUnderEvaluation": 10,
                },
            },
            {
                "method": "PUT",
                "path": f"{PUBLIC}/network/outbound/{RIVERA}",
                "body": {"sendingPercentage": 40},
            },
        ]
    )
    for request in sent:
        assert request["headers"]["x-api-key"] == "cxp_full_sandbox"
        assert request["headers"]["content-type"].startswith("application/json")
        assert request["status"] == 200
    outbound = sb.world.data["outbound"]
    assert outbound[CALDWELL] == {
        "inNetwork": True,
        "relationship": {
            "description": "Med-mal partner",
            "sendingPercentage": 25,
            "daysForUnderEvaluation": 10,
            "daysForInvestigating": None,
            "referralInstructions": None,
        },
    }
    assert outbound[RIVERA]["relationship"]["sendingPercentage"] == 40
    assert outbound[RIVERA]["relationship"]["referralInstructions"] == (
        "Include police report number when available"
    )
    assert_clean_replan(netsync, sb, cfg)


# --- network.inbound -----------------------------------------------------------------------------


def test_inbound_accept_update_and_decline_send_exact_puts(sandbox, netsync, tmp_path):
    """Inbound: accepting a pending request is ONE PUT with status active plus the declared
    fields; an existing relationship gets only its changed field; `pending: decline` sends
    {"status": "inactive"} for the undeclared request, and only with --force."""
    sb = sandbox()
    cfg = config(
        tmp_path,
        """\
network:
  inbound:
    hawkins:
      status: active
      description: Receives med-mal overflow from Hawkins & Pratt
      referralInstructions: Send cases via API
    whitfield:
      status: active
      description: Trial partner
      referralInstructions: Send full intake
  pending: decline
""",
    )
    code, out, err = apply(netsync, sb, cfg)
    assert code == 1, out + err
    assert "--force" in err
    assert writes(sb) == []

    code, out, err = apply(netsync, sb, cfg, "--force")
    assert code == 0, out + err
    assert last_line(out) == (
        "Apply complete: 0 created, 3 updated, 0 re-referred, 0 deleted, 0 already applied."
    )
    sent = writes(sb)
    assert calls(sent) == calls(
        [
            {
                "method": "PUT",
                "path": f"{PUBLIC}/network/inbound/{HAWKINS}",
                "body": {"referralInstructions": "Send cases via API"},
            },
            {
                "method": "PUT",
                "path": f"{PUBLIC}/network/inbound/{WHITFIELD}",
                "body": {
                    "status": "active",
                    "description": "Trial partner",
                    "referralInstructions": "Send full intake",
                },
            },
            {
                "method": "PUT",
                "path": f"{PUBLIC}/network/inbound/{OKAFOR}",
                "body": {"status": "inactive"},
            },
        ]
    )
    assert all(r["headers"]["x-api-key"] == "cxp_full_sandbox" for r in sent)
    assert all(r["status"] == 200 for r in sent)
    world = sb.world.data
    assert world["inbound"][WHITFIELD] == {
        "inNetwork": True,
        "relationship": {
            "description": "Trial partner",
            "sendingPercentage": None,
            "daysForUnderEvaluation": None,
            "daysForInvestigating": None,
            "referralInstructions": "Send full intake",
        },
    }
    assert OKAFOR not in world["inbound"]
    assert [(p["firmId"], p["direction"]) for p in world["pending"]] == [(NAKAMURA, "outbound")]
    assert world["inbound"][HAWKINS]["relationship"]["referralInstructions"] == (
        "Send cases via API"
    )
    assert world["inbound"][HAWKINS]["relationship"]["daysForUnderEvaluation"] == 10
    assert_clean_replan(netsync, sb, cfg)


# --- routing.rules -------------------------------------------------------------------------------


def test_routing_rules_create_whole_rule_update_and_prune_delete(sandbox, netsync, tmp_path):
    """Rules: POST /routing/rules with name + declared fields; PUT /routing/rules/{id} with the
    WHOLE rule where undeclared priority/isActive come from the live rule (not the vendor's
    defaults 0/true); DELETE of an undeclared rule under prune: true, only with --force and only
    after the creates and updates finished."""
    seed = quickstart_seed()
    seed["routing_rules"][0].update(priority=7, isActive=False)
    sb = sandbox(seed)
    cfg = config(
        tmp_path,
        "network:\n  outbound:\n"
        + RIVERA_AS_LIVE
        + """\
routing:
  prune: true
  rules:
    Auto-route NY Personal Injury:
      conditions:
        - {field: caseType, operator: in, value: [Personal Injury]}
        - {field: jurisdiction, operator: eq, value: NY}
      targetFirmId: rivera
    NV Product Liability to Rivera:
      conditions:
        - {field: jurisdiction, operator: eq, value: NV}
      targetFirmId: rivera
      priority: 3
""",
    )
    code, out, err = apply(netsync, sb, cfg)
    assert code == 1, out + err
    assert writes(sb) == []

    code, out, err = apply(netsync, sb, cfg, "--force")
    assert code == 0, out + err
    assert last_line(out) == (
        "Apply complete: 1 created, 1 updated, 0 re-referred, 1 deleted, 0 already applied."
    )
    sent = writes(sb)
    nv_conditions = [{"field": "jurisdiction", "operator": "eq", "value": "NV"}]
    assert calls(sent) == calls(
        [
            {
                "method": "POST",
                "path": f"{PUBLIC}/routing/rules",
                "body": {
                    "name": "NV Product Liability to Rivera",
                    "conditions": nv_conditions,
                    "targetFirmId": RIVERA,
                    "priority": 3,
                },
            },
            {
                "method": "PUT",
                "path": f"{PUBLIC}/routing/rules/{NY_RULE}",
                "body": {
                    "name": "Auto-route NY Personal Injury",
                    "conditions": NY_CONDITIONS,
                    "targetFirmId": RIVERA,
                    "priority": 7,
                    "isActive": False,
                },
            },
            {"method": "DELETE", "path": f"{PUBLIC}/routing/rules/{CA_RULE}", "body": None},
        ]
    )
    assert all(r["headers"]["x-api-key"] == "cxp_full_sandbox" for r in sent)
    delete = one(sent, "DELETE", f"{PUBLIC}/routing/rules/{CA_RULE}")
    others = [r for r in sent if r is not delete]
    assert delete["started"] >= max(r["finished"] for r in others), "prune deletes run last"
    rules = {r["name"]: r for r in sb.world.data["routing_rules"]}
    assert sorted(rules) == ["Auto-route NY Personal Injury", "NV Product Liability to Rivera"]
    ny = rules["Auto-route NY Personal Injury"]
    assert (ny["id"], ny["targetFirmId"], ny["priority"], ny["isActive"]) == (
        NY_RULE,
        RIVERA,
        7,
        False,
    )
    nv = rules["NV Product Liability to Rivera"]
    assert (nv["conditions"], nv["targetFirmId"], nv["priority"], nv["isActive"]) == (
        nv_conditions,
        RIVERA,
        3,
        True,
    )
    assert_clean_replan(netsync, sb, cfg)


# --- cases (re-refer) ----------------------------------------------------------------------------

CASE_CONFIG = (
    "network:\n  outbound:\n"
    + RIVERA_AS_LIVE
    + f"""\
cases:
  {CASE}:
    referentFirmId: rivera
    notes: Re-routed after Hawkins & Pratt declined
"""
)
RE_REFER = f"/api/v1/cases/{CASE}/re-refer"
RE_REFER_BODY = {"referentFirmId": RIVERA, "notes": "Re-routed after Hawkins & Pratt declined"}


def assert_re_referred_once(sb) -> None:
    referrals = sb.world.data["cases"][CASE]["referrals"]
    assert [r["referentFirmId"] for r in referrals] == [HAWKINS, RIVERA]
    assert (referrals[-1]["status"], referrals[-1]["notes"]) == (
        "sent",
        "Re-routed after Hawkins & Pratt declined",
    )


def test_re_refer_posts_with_the_static_bearer_token_and_needs_no_key_tier(
    sandbox, netsync, tmp_path
):
    """Re-refer: POST /api/v1/cases/{id}/re-refer {referentFirmId, notes} with Authorization:
    Bearer sandbox-token and no X-API-Key; a read_only key does not block it (key tiers do not
    apply to the Bearer write)."""
    sb = sandbox()
    cfg = config(tmp_path, CASE_CONFIG)
    env = {"CASEXCHANGE_API_KEY": "cxp_ro_sandbox"}
    code, out, err = apply(netsync, sb, cfg, env=env)
    assert code == 0, out + err
    assert last_line(out) == (
        "Apply complete: 0 created, 0 updated, 1 re-referred, 0 deleted, 0 already applied."
    )
    sent = writes(sb)
    assert calls(sent) == [("POST", RE_REFER, RE_REFER_BODY)]
    assert sent[0]["headers"]["authorization"] == "Bearer sandbox-token"
    assert "x-api-key" not in sent[0]["headers"]
    assert sent[0]["status"] == 201
    assert_re_referred_once(sb)
    assert_clean_replan(netsync, sb, cfg, env=env)


def test_re_refer_answer_is_followed_by_a_re_read_of_the_case(sandbox, netsync, tmp_path):
    """SPEC 2: "A re-refer may answer 200 or 201; netsync re-reads the case either way": after
    the 201 from the re-refer POST, GET /api/public/v1/sent-cases/{id} is read again."""
    sb = sandbox()
    cfg = config(tmp_path, CASE_CONFIG)
    code, out, err = apply(netsync, sb, cfg)
    assert code == 0, out + err
    post = one(sb.requests, "POST", RE_REFER)
    assert post["status"] == 201
    rereads = [
        r
        for r in sb.requests
        if (r["method"], r["path"]) == ("GET", f"{PUBLIC}/sent-cases/{CASE}")
        and r["started"] >= post["finished"]
    ]
    assert len(rereads) == 1, "no re-read of the case after the re-refer answer"
    assert_re_referred_once(sb)


def test_re_refer_with_the_service_login_logs_in_first(sandbox, netsync, tmp_path, monkeypatch):
    """Re-refer with the service login (no CASEXCHANGE_TOKEN): POST /api/v1/auth/login
    {email, password} precedes the re-refer, which carries the access token the login answered."""
    issued: list[str] = []
    real = sandbox_cases.handle_internal

    def spy(req, sb):
        resp = real(req, sb)
        if req.path == LOGIN and resp.status == 200:
            issued.append(resp.body["data"]["accessToken"])
        return resp

    monkeypatch.setattr(sandbox_cases, "handle_internal", spy)
    sb = sandbox()
    cfg = config(tmp_path, CASE_CONFIG)
    env = {
        "CASEXCHANGE_TOKEN": None,
        "CASEXCHANGE_EMAIL": "sandbox@example.com",
        "CASEXCHANGE_PASSWORD": "sandbox",
    }
    code, out, err = apply(netsync, sb, cfg, env=env)
    assert code == 0, out + err
    sent = writes(sb)
    assert [(r["method"], r["path"], r["body"]) for r in sent] == [
        ("POST", LOGIN, {"email": "sandbox@example.com", "password": "sandbox"}),
        ("POST", RE_REFER, RE_REFER_BODY),
    ]
    login, re_refer = sent
    assert login["status"] == 200
    assert "authorization" not in login["headers"]
    assert login["finished"] <= re_refer["started"]
    assert len(issued) == 1
    assert re_refer["headers"]["authorization"] == f"Bearer {issued[0]}"
    assert re_refer["status"] == 201
    assert_re_referred_once(sb)
    assert_clean_replan(netsync, sb, cfg, env=env)


# --- Smokeball matters ---------------------------------------------------------------------------


def test_matter_put_is_the_whole_matter_from_a_fresh_read(sandbox, netsync, tmp_path):
    """Smokeball: PUT /matters/{id} as application/json-patch+json with a UUID RequestId,
    x-api-key and Bearer; the body is the whole writable matter in PUT names with only the
    declared change applied, built from a read taken just before the write (a description changed
    by someone else after `plan -o` is carried, not reverted); afterwards the matter lost no
    field, and the report's request_id is the RequestId sent."""
    sb = sandbox()
    cfg = config(
        tmp_path,
        f"""\
matters:
  {MATTER}:
    referralAgreementFee: 33
""",
    )
    plan_file = tmp_path / "p.plan"
    code, out, err = netsync(sb, "plan", "-c", str(cfg), "-o", str(plan_file))
    assert code == 0, out + err
    new_description = "Edited in Smokeball after the plan was made"
    with sb.world.lock:
        sb.world.data["matters"][MATTER]["description"] = new_description
        before = copy.deepcopy(sb.world.data["matters"][MATTER])
    sb.clear_requests()
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", str(plan_file), "-c", str(cfg), "--force", "--report", str(report)
    )
    assert code == 0, out + err
    assert last_line(out) == (
        "Apply complete: 0 created, 1 updated, 0 re-referred, 0 deleted, 0 already applied."
    )
    sent = writes(sb)
    assert len(sent) == 1
    put = sent[0]
    assert (put["method"], put["path"], put["status"]) == ("PUT", f"/matters/{MATTER}", 202)
    headers = put["headers"]
    assert headers["content-type"] == "application/json-patch+json"
    assert headers["x-api-key"] == "sandbox-key"
    assert headers["authorization"] == "Bearer sandbox-token"
    request_id = headers["requestid"]
    assert str(uuid.UUID(request_id)) == request_id.lower()
    not_put = ("id", "title", "versionId", "clientRole", "otherSideRole")  # GET has no roles
    expected = {k: v for k, v in before.items() if k not in not_put}
    expected["referralAgreementFee"] = 33
    assert put["body"] == expected
    assert put["body"]["description"] == new_description
    after = copy.deepcopy(sb.world.data["matters"][MATTER])
    assert after["versionId"] != before["versionId"]
    assert {**after, "versionId": None} == {
        **before,
        "referralAgreementFee": 33,
        "versionId": None,
    }
    items = json.loads(report.read_text())["items"]
    assert [(i["address"], i["outcome"], i["request_id"]) for i in items] == [
        (f"matters.{MATTER}", "applied", request_id)
    ]
    assert_clean_replan(netsync, sb, cfg)


# --- Trackops case requests ----------------------------------------------------------------------


def test_case_request_create_and_update_send_whole_client_contact_objects(
    sandbox, netsync, tmp_path
):
    """Trackops: POST /api/v1/case/requests {"casefile_request": {reference_value_1, declared}};
    PUT /api/v1/case/requests/{id} with the changed fields only, where a changed contact subfield
    sends the WHOLE live contact (extra live keys such as phone_office included) with the declared
    subfields applied, and an unchanged client is not sent."""
    sb = sandbox()
    cfg = config(
        tmp_path,
        """\
case_requests:
  ABC123-ClaimNumber:
    case_type_id: 1
    case_region_id: 1
    created_on: 2026-06-01
    notes: Surveillance requested by the insurer
    client: {name: Acme Insurance, country: US}
    contact: {last_name: Adjuster, email: joe@example.com}
  XYZ789-ClaimNumber:
    case_type_id: 1
    case_region_id: 2
    created_on: 2026-05-20
    due_on: 2026-07-01
    client: {name: Globex Mutual, city: Denver, state: CO, country: US}
    contact: {first_name: Dana, last_name: Reyes, email: dana.r@example.org}
""",
    )
    live_client = copy.deepcopy(sb.world.data["case_requests"][0]["client"])
    code, out, err = apply(netsync, sb, cfg)
    assert code == 0, out + err
    assert last_line(out) == (
        "Apply complete: 1 created, 1 updated, 0 re-referred, 0 deleted, 0 already applied."
    )
    sent = writes(sb)
    assert calls(sent) == calls(
        [
            {
                "method": "POST",
                "path": "/api/v1/case/requests",
                "body": {
                    "casefile_request": {
                        "reference_value_1": "ABC123-ClaimNumber",
                        "case_type_id": 1,
                        "case_region_id": 1,
                        "created_on": "2026-06-01",
                        "notes": "Surveillance requested by the insurer",
                        "client": {"name": "Acme Insurance", "country": "US"},
                        "contact": {"last_name": "Adjuster", "email": "joe@example.com"},
                    }
                },
            },
            {
                "method": "PUT",
                "path": "/api/v1/case/requests/501",
                "body": {
                    "casefile_request": {
                        "due_on": "2026-07-01",
                        "contact": {
                            "first_name": "Dana",
                            "last_name": "Reyes",
                            "email": "dana.r@example.org",
                            "phone_office": "555-555-0199",
                        },
                    }
                },
            },
        ]
    )
    assert all(r["headers"]["authorization"] == TRACKOPS_BASIC for r in sent)
    records = sb.world.data["case_requests"]
    assert [r["reference_value_1"] for r in records] == ["XYZ789-ClaimNumber", "ABC123-ClaimNumber"]
    xyz = records[0]
    assert xyz["due_on"] == "2026-07-01"
    assert xyz["contact"]["email"] == "dana.r@example.org"
    assert xyz["contact"]["phone_office"] == "555-555-0199"
    assert xyz["client"] == live_client
    assert records[1]["case_region_id"] == 1
    assert_clean_replan(netsync, sb, cfg)


# --- the report ----------------------------------------------------------------------------------


def test_report_is_valid_and_matches_every_write(sandbox, netsync, tmp_path, monkeypatch):
    """--report: valid against schemas/report.schema.json, result applied, one item per change
    whose method, path, status and attempts are those of the write on the wire; request_id is
    CaseXchange's meta.requestId for public-API writes, the RequestId sent for Smokeball, null
    otherwise."""
    meta_ids: dict[tuple[str, str], str] = {}
    real = sandbox_casexchange.handle_public

    def spy(req, sb):
        resp = real(req, sb)
        if req.method != "GET" and isinstance(resp.body, dict):
            meta_ids[(req.method, req.path)] = resp.body["meta"]["requestId"]
        return resp

    monkeypatch.setattr(sandbox_casexchange, "handle_public", spy)
    sb = sandbox()
    report = tmp_path / "report.json"
    code, out, err = netsync(
        sb, "apply", "-c", str(QUICKSTART), "--auto-approve", "--force", "--report", str(report)
    )
    assert code == 0, out + err
    document = json.loads(report.read_text())
    Draft202012Validator(
        load_schema("report.schema.json"), format_checker=format_checker()
    ).validate(document)
    assert (document["format_version"], document["result"]) == ("1", "applied")
    items = {i["address"]: i for i in document["items"]}
    assert len(items) == len(document["items"])
    assert sorted(items) == sorted(
        [
            "case_requests.ABC123-ClaimNumber",
            "case_requests.XYZ789-ClaimNumber",
            f"cases.{CASE}",
            f"matters.{MATTER}",
            "network.inbound.hawkins",
            "network.inbound.whitfield",
            "network.outbound.caldwell",
            "network.outbound.rivera",
            "routing.rules.Auto-route NY Personal Injury",
            "routing.rules.NV Product Liability to Rivera",
        ]
    )
    sent = writes(sb)
    assert len(sent) == len(items)
    for address, item in items.items():
        request = one(sent, item["method"], item["path"])
        assert item["status"] == request["status"], address
        assert (item["attempts"], item["outcome"]) == (1, "applied"), address
        assert item["started"] and item["ended"] and item["started"] <= item["ended"]
        if request["vendor"] == "smokeball":
            assert item["request_id"] == request["headers"]["requestid"], address
        elif request["path"].startswith(PUBLIC):
            assert item["request_id"] == meta_ids[(item["method"], item["path"])], address
        else:
            assert item["request_id"] is None, address
    assert items[f"cases.{CASE}"]["path"] == f"/api/v1/cases/{CASE}/re-refer"
    assert items["network.outbound.caldwell"]["method"] == "POST"
    assert items["routing.rules.NV Product Liability to Rivera"]["status"] == 201
    assert_clean_replan(netsync, sb, QUICKSTART)


# --- order ---------------------------------------------------------------------------------------


def test_outbound_create_runs_before_the_rule_and_re_referral_that_target_it(
    sandbox, netsync, tmp_path
):
    """Order: an outbound create finishes before a routing-rule create and a re-referral that
    target that firm start."""
    sb = sandbox(latency_ms=40)
    cfg = config(
        tmp_path,
        f"""\
network:
  outbound:
    caldwell:
      sendingPercentage: 10
routing:
  rules:
    CA Med-Mal overflow to Caldwell:
      conditions:
        - {{field: jurisdiction, operator: eq, value: CA}}
      targetFirmId: caldwell
      priority: 5
cases:
  {CASE}:
    referentFirmId: caldwell
    notes: Caldwell takes med-mal
""",
    )
    code, out, err = apply(netsync, sb, cfg)
    assert code == 0, out + err
    sent = writes(sb)
    create = one(sent, "POST", f"{PUBLIC}/network/outbound/{CALDWELL}")
    rule = one(sent, "POST", f"{PUBLIC}/routing/rules")
    re_refer = one(sent, "POST", RE_REFER)
    assert rule["body"]["targetFirmId"] == CALDWELL
    assert re_refer["body"] == {"referentFirmId": CALDWELL, "notes": "Caldwell takes med-mal"}
    assert create["finished"] <= rule["started"]
    assert create["finished"] <= re_refer["started"]
    assert_clean_replan(netsync, sb, cfg)


def test_outbound_update_lowering_percentage_runs_before_one_raising_it(sandbox, netsync, tmp_path):
    """Order: an outbound update that lowers sendingPercentage finishes before one that raises
    it starts (the shares stay within 100 % at every step)."""
    seed = quickstart_seed()
    seed["outbound"][CALDWELL] = {"inNetwork": True, "sendingPercentage": 60}
    sb = sandbox(seed, latency_ms=40)
    cfg = config(
        tmp_path,
        """\
network:
  outbound:
    rivera:
      sendingPercentage: 70
    caldwell:
      sendingPercentage: 20
""",
    )
    code, out, err = apply(netsync, sb, cfg)
    assert code == 0, out + err
    sent = writes(sb)
    raising = one(sent, "PUT", f"{PUBLIC}/network/outbound/{RIVERA}")
    lowering = one(sent, "PUT", f"{PUBLIC}/network/outbound/{CALDWELL}")
    assert (raising["body"], lowering["body"]) == (
        {"sendingPercentage": 70},
        {"sendingPercentage": 20},
    )
    assert lowering["finished"] <= raising["started"]
    assert_clean_replan(netsync, sb, cfg)
