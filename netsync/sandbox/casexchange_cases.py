"""CaseXchange sent cases (public, read-only key) and the internal API (/api/v1, JWT Bearer):
login, refresh-session and re-refer. Envelopes and the public router live in casexchange.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import unquote

from .casexchange import INACTIVE_REFERRAL, TERMINAL, err, internal_err, ok, page_params, paginate
from .util import Request, Response, datetime_key, is_uuid, new_uuid, now_iso


# --- sent cases ---------------------------------------------------------------------------
def latest_referral(case: dict) -> dict | None:
    refs = list(enumerate(case.get("referrals") or []))
    if not refs:
        return None
    return max(refs, key=lambda ir: (datetime_key(ir[1]["createdAt"]), ir[0]))[1]


def case_status(case: dict) -> str:
    ref = latest_referral(case)
    return ref["status"] if ref else "draft"


def _created_by(world: Any, case: dict) -> str:
    return case.get("createdBy") or "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"


def sent_case_detail(world: Any, case: dict) -> dict[str, Any]:
    latest = latest_referral(case) or {}
    nullable = [
        "referenceNumber",
        "salesforceId",
        "salesforceObjectType",
        "title",
        "description",
        "caseType",
        "jurisdiction",
        "county",
        "clientFirstName",
        "clientLastName",
        "clientEmail",
        "clientPhone",
        "clientDateOfBirth",
        "incidentDate",
        "tier",
        "ratedTier",
        "ratingNotes",
        "source",
        "closureReason",
        "settlementAmount",
        "attorneyFees",
        "leadAttorneyName",
        "clientFeeAgreementPercentage",
        "statuteOfLimitationsExpiration",
        "estimatedDateOfResolution",
        "estimatedDistributionDate",
        "projectedSettlementAmount",
        "phase",
    ]
    out: dict[str, Any] = {"id": case["id"]}
    out.update({k: case.get(k) for k in nullable})
    refs = sorted(case.get("referrals") or [], key=lambda r: datetime_key(r["createdAt"]))
    out.update(
        isTestCase=False,
        createdBy=_created_by(world, case),
        createdAt=case["createdAt"],
        updatedAt=case["updatedAt"],
        status=case_status(case),
        closingStatus=latest.get("closingStatus"),
        requiresUpdate=False,
        referrals=[
            {
                "id": r["id"],
                "referentFirmId": r["referentFirmId"],
                "referentFirmName": (world.firm(r["referentFirmId"]) or {}).get("name"),
                "status": r["status"],
                "closingStatus": r.get("closingStatus"),
                "notes": r.get("notes"),
                "createdBy": None,
                "lastUpdatedBy": None,
                "createdAt": r["createdAt"],
                "updatedAt": r.get("updatedAt", r["createdAt"]),
            }
            for r in refs
        ],
        customFields=[],
    )
    return out


def _list_cases(req: Request, world: Any) -> Response:
    q = req.query
    paging = page_params(q, 20)
    if isinstance(paging, Response):
        return paging
    cases = list(world.data["cases"].values())
    if "status" in q:
        cases = [c for c in cases if case_status(c) == q["status"]]
    if q.get("search"):
        needle = q["search"].lower()
        cases = [c for c in cases if needle in json.dumps(_list_item(world, c)).lower()]
    sort = q.get("sort", "updatedAt")
    if sort == "updatedAt":
        cases.sort(key=lambda c: datetime_key(c["updatedAt"]))
    else:
        cases.sort(key=lambda c: str(_list_item(world, c).get(sort) or ""))
    if q.get("order", "desc") == "desc":
        cases.reverse()
    chunk, pagination = paginate(cases, *paging)
    return ok([_list_item(world, c) for c in chunk], pagination=pagination)


def _list_item(world: Any, case: dict) -> dict[str, Any]:
    latest = latest_referral(case) or {}
    fid = latest.get("referentFirmId")
    return {
        "id": case["id"],
        "referenceNumber": case.get("referenceNumber"),
        "salesforceId": case.get("salesforceId"),
        "receivingFirmName": (world.firm(fid) or {}).get("name") if fid else None,
        "receivingFirmId": fid,
        "status": case_status(case),
        "closingStatus": latest.get("closingStatus"),
        "updatedAt": case["updatedAt"],
    }


def find_case(world: Any, key: str) -> dict | None:
    """A sent case by UUID, reference number or Salesforce record id (openapi.yml getSentCase)."""
    key = unquote(key)
    if is_uuid(key):
        return world.data["cases"].get(key.lower())
    for case in world.data["cases"].values():
        if key in (case.get("referenceNumber"), case.get("salesforceId")):
            return case
    return None


def _get_case(req: Request, world: Any, cid: str) -> Response:
    case = find_case(world, cid)
    if case is None:
        return err(404, "resource_not_found", f"Case {cid} not found")
    return ok(sent_case_detail(world, case))


# --- internal API: JWT login, refresh, re-refer -------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(world: Any, claims: dict[str, Any]) -> str:
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    key = world.data["jwt_secret"].encode()
    sig = _b64(hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


def check_bearer(req: Request, world: Any) -> Response | None:
    """None when the Bearer token is good, else the documented 401."""
    auth = req.headers.get("authorization", "")
    if not auth.lower().startswith("bearer ") or not auth[7:].strip():
        return internal_err(401, "no_token", "Authorization header is missing")
    token = auth[7:].strip()
    if token in world.data["credentials"]["casexchange"]["tokens"]:
        return None
    parts = token.split(".")
    if len(parts) != 3:
        return internal_err(401, "token_invalid", "Access token is invalid")
    key = world.data["jwt_secret"].encode()
    want = _b64(hmac.new(key, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want, parts[2]):
        return internal_err(401, "token_invalid", "Access token is invalid")
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return internal_err(401, "token_invalid", "Access token is invalid")
    if float(claims.get("exp", 0)) <= time.time():
        return internal_err(401, "token_expired", "Access token has expired")
    return None


def _user(world: Any, email: str) -> dict[str, Any]:
    me = world.data["me"]
    return {
        "id": "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
        "email": email,
        "firstName": "Sandbox",
        "lastName": "User",
        "role": "member",
        "firmId": me["id"],
        "isActive": True,
        "firm": {"id": me["id"], "name": me["name"]},
    }


def _issue(world: Any, sb: Any, email: str) -> dict[str, str]:
    now = time.time()
    access = make_jwt(
        world,
        {"sub": _user(world, email)["id"], "email": email, "iat": now, "exp": now + sb.token_ttl,
         "jti": secrets.token_hex(4)},
    )  # fmt: skip
    refresh = "rt_" + secrets.token_hex(16)
    world.sessions["casexchange_refresh"][refresh] = now + 7 * 24 * 3600
    return {"accessToken": access, "refreshToken": refresh}


def handle_internal(req: Request, sb: Any) -> Response:
    world = sb.world
    path = req.path.rstrip("/")
    if req.json_error:
        return internal_err(400, "validation_error", "Request body is not valid JSON")
    body = req.body if isinstance(req.body, dict) else {}
    with world.lock:
        if path == "/api/v1/auth/login" and req.method == "POST":
            email, password = body.get("email"), body.get("password")
            if not isinstance(email, str) or not isinstance(password, str):
                return internal_err(400, "validation_error", "email and password are required")
            logins = world.data["credentials"]["casexchange"]["logins"]
            if {"email": email, "password": password} not in logins:
                return internal_err(401, "invalid_credentials", "Invalid email or password")
            data = {"user": _user(world, email), **_issue(world, sb, email)}
            return Response(200, {"meta": {"success": True}, "data": data})
        if path == "/api/v1/auth/refresh-session" and req.method == "POST":
            token = body.get("refreshToken")
            sessions = world.sessions["casexchange_refresh"]
            expiry = sessions.pop(token, None) if isinstance(token, str) else None
            if expiry is None or expiry <= time.time():
                return internal_err(401, "token_invalid", "Refresh token is invalid or expired")
            data = {"message": "Session refreshed successfully", **_issue(world, sb, "refresh")}
            return Response(200, {"meta": {"success": True}, "data": data})
        denied = check_bearer(req, world)
        if denied:
            return denied
        if path == "/api/v1/auth/me" and req.method == "GET":
            email = world.data["credentials"]["casexchange"]["logins"][:1] or [{"email": None}]
            return Response(
                200, {"meta": {"success": True}, "data": _user(world, email[0]["email"])}
            )
        m = re.fullmatch(r"/api/v1/cases/([^/]+)/re-refer", path)
        if m and req.method == "POST":
            return _re_refer(req, world, m.group(1).lower())
    return internal_err(404, "resource_not_found", f"No route for {req.method} {req.path}")


def _re_refer(req: Request, world: Any, cid: str) -> Response:
    case = world.data["cases"].get(cid) if is_uuid(cid) else None
    if case is None:
        return internal_err(404, "resource_not_found", f"Case {cid} not found")
    body = req.body
    if not isinstance(body, dict):
        return internal_err(400, "validation_error", "Request body must be a JSON object")
    details = [
        {"field": k, "message": "unknown field"}
        for k in body
        if k not in ("referentFirmId", "notes")
    ]
    target = body.get("referentFirmId")
    if not is_uuid(target):
        details.append({"field": "referentFirmId", "message": "is required and must be a UUID"})
    if body.get("notes") is not None and not isinstance(body.get("notes"), str):
        details.append({"field": "notes", "message": "must be a string or null"})
    if details:
        return internal_err(400, "validation_error", "Request validation failed", details)
    target = target.lower()
    if target == world.data["me"]["id"]:
        return internal_err(400, "validation_error", "Cannot refer a case to your own firm")
    if world.firm(target) is None:
        return internal_err(404, "resource_not_found", f"Firm {target} not found")
    status = case_status(case)
    if status not in TERMINAL:
        return internal_err(
            400, "invalid_state_transition", f"Case in status '{status}' cannot be re-referred"
        )
    for ref in case["referrals"]:
        if ref["referentFirmId"] == target and ref["status"] not in INACTIVE_REFERRAL:
            return internal_err(409, "conflict", "An active referral to this firm already exists")
    stamp = now_iso()
    case["referrals"].append(
        {
            "id": new_uuid(),
            "referentFirmId": target,
            "status": "sent",
            "closingStatus": None,
            "notes": body.get("notes"),
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    )
    case["updatedAt"] = stamp
    world.mark_dirty()
    return Response(201, {"success": True, "data": full_case(world, case)})


def full_case(world: Any, case: dict) -> dict[str, Any]:
    """The case object of the re-refer seed page."""
    latest = latest_referral(case) or {}
    me, fid = world.data["me"], latest.get("referentFirmId")
    firm = world.firm(fid) if fid else None
    creator = _created_by(world, case)
    person = {"id": creator, "firstName": "Sandbox", "lastName": "User"}
    keys = [
        "title",
        "description",
        "referenceNumber",
        "caseType",
        "jurisdiction",
        "clientFirstName",
        "clientLastName",
        "clientEmail",
        "clientPhone",
        "externalId",
        "settlementAmount",
        "attorneyFees",
        "closureReason",
        "source",
    ]
    out: dict[str, Any] = {"id": case["id"], **{k: case.get(k) for k in keys}}
    out.update(
        status=case_status(case),
        referringFirmId=me["id"],
        referringFirm={"id": me["id"], "name": me["name"], "caseStatusSubscriber": True},
        referentFirmId=fid,
        referentFirm={"id": fid, "name": firm["name"], "caseStatusSubscriber": True}
        if firm
        else None,
        notes=latest.get("notes"),
        salesforceRecordId=case.get("salesforceId"),
        salesforceObjectType=case.get("salesforceObjectType"),
        createdById=creator,
        createdBy=person,
        lastUpdatedById=creator,
        lastUpdatedBy=person,
        statusUpdates=[],
        documents=[],
        createdAt=case["createdAt"],
        updatedAt=case["updatedAt"],
    )
    return out
