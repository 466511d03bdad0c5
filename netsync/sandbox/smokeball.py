"""Smokeball: OAuth2 client credentials, GET matters (Link objects), PUT matters (a whole-matter
replace answered 202 and shown later), referral types. Errors are RFC 7807 problem details.

Matters are stored in PUT (MatterDto) names; GET maps ids to Link objects, which is exactly the
asymmetry a client must translate.
"""

from __future__ import annotations

import base64
import copy
import re
import secrets
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from .util import Request, Response, is_json_type, is_number, parse_datetime

WRITABLE = (
    "externalSystemId", "number", "branchId", "branchProviderId", "description", "status",
    "openedDate", "closedDate", "leadOpenedDate", "leadClosedDate", "leadClosedReason",
    "referralType", "referrerId", "referralAgreementFeeType", "referralAgreementFee",
    "referralAgreementFeeComment", "personResponsibleStaffId", "personAssistingStaffId",
    "personAssistingStaffIds", "originatingStaffId", "originatingStaffIds",
    "splitOriginatingStaffSettings", "supervisorStaffId", "clientCode", "isLead",
)  # fmt: skip
IMMUTABLE = ("matterTypeId", "clientIds", "otherSideIds", "clientRole", "otherSideRole")
EXTRAS = ("title", "versionId")
DATES = ("openedDate", "closedDate", "leadOpenedDate", "leadClosedDate")
LISTS = ("clientIds", "otherSideIds", "personAssistingStaffIds", "originatingStaffIds")
STATUSES = ("Open", "Pending", "Closed", "Deleted", "Cancelled")
FEE_TYPES = ("%", "Flat fee", "Other")
SPLIT_KEYS = {"isEnabled", "splitMatterStaffs", "splitMethod", "remainderStaffId"}
TOP_SEGMENTS = ("matters", "referraltypes")


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    body = {
        "type": f"https://httpstatuses.io/{status}",
        "title": _title(status),
        "status": status,
        "detail": detail,
    }
    return Response(status, body, headers or {}, "application/problem+json")


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error" if status < 500 else "Server Error"


def fault_response(status: int, path: str) -> Response:
    return problem(status, f"Injected fault (HTTP {status})")


def request_error(status: int, message: str, path: str) -> Response:
    """A body or framing problem refused before routing; OAuth's own shape at the token URL."""
    if path.rstrip("/") == "/oauth2/token":
        return Response(status, {"error": "invalid_request", "error_description": message})
    return problem(status, message)


def check_fields(body: dict[str, Any]) -> str | None:
    """First type error in a MatterDto-shaped dict, or None."""
    for key, value in body.items():
        if value is None:
            if key == "isLead":
                return "isLead must be a boolean"
            continue
        if key in LISTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return f"{key} must be an array of strings"
        elif key in DATES:
            if parse_datetime(value) is None:
                return f"{key} must be an ISO-8601 date-time"
        elif key == "referralAgreementFee":
            if not is_number(value):
                return "referralAgreementFee must be a number"
        elif key == "isLead":
            if not isinstance(value, bool):
                return "isLead must be a boolean"
        elif key == "splitOriginatingStaffSettings":
            if not isinstance(value, dict) or set(value) - SPLIT_KEYS:
                return f"splitOriginatingStaffSettings must be an object with {sorted(SPLIT_KEYS)}"
        elif not isinstance(value, str):
            return f"{key} must be a string"
        elif key == "status" and value not in STATUSES:
            return f"status must be one of {', '.join(STATUSES)}"
        elif key == "referralAgreementFeeType" and value not in FEE_TYPES:
            return f"referralAgreementFeeType must be one of {', '.join(FEE_TYPES)}"
    return None


def normalise_seed_matter(m: dict, mid: str, fail: Callable[[str, str], None]) -> dict[str, Any]:
    """A seed matter: PUT names (+ title, versionId); missing fields are null."""
    fields = {k: v for k, v in m.items() if k != "id"}
    for key in fields:
        if key not in (*WRITABLE, *IMMUTABLE, *EXTRAS):
            fail(key, "unknown matter field (use the PUT names, e.g. referrerId)")
    problem_text = check_fields({k: v for k, v in fields.items() if k not in EXTRAS})
    if problem_text:
        fail(problem_text.split()[0], problem_text)
    matter = {k: None for k in (*WRITABLE, *IMMUTABLE)}
    matter.update(isLead=False, title=None, versionId="637771038395217729")
    matter.update(copy.deepcopy(fields))
    matter["id"] = mid
    return matter


def _link(base: str, kind: str, relation: str, value: str | None) -> dict | None:
    if value is None:
        return None
    return {"id": value, "href": f"{base}/{kind}/{value}", "relation": relation}


def _links(base: str, kind: str, relation: str, values: list | None) -> list | None:
    return None if values is None else [_link(base, kind, relation, v) for v in values]


def matter_view(base: str, m: dict[str, Any]) -> dict[str, Any]:
    """A stored matter in the GET `Matter` shape of swagger.json."""
    return {
        "href": f"{base}/matters/{m['id']}",
        "id": m["id"],
        "externalSystemId": m.get("externalSystemId"),
        "versionId": m.get("versionId"),
        "number": m.get("number"),
        "title": m.get("title"),
        "matterType": _link(base, "mattertypes", "MatterType", m.get("matterTypeId")),
        "clients": _links(base, "contacts", "Contact", m.get("clientIds")),
        "otherSides": _links(base, "contacts", "Contact", m.get("otherSideIds")),
        "description": m.get("description"),
        "status": m.get("status"),
        "personResponsible": _link(base, "staff", "Staff", m.get("personResponsibleStaffId")),
        "personAssisting": _link(base, "staff", "Staff", m.get("personAssistingStaffId")),
        "personAssistingStaffs": _links(base, "staff", "Staff", m.get("personAssistingStaffIds")),
        "originatingStaff": _link(base, "staff", "Staff", m.get("originatingStaffId")),
        "originatingStaffs": _links(base, "staff", "Staff", m.get("originatingStaffIds")),
        "splitOriginatingStaffSettings": copy.deepcopy(m.get("splitOriginatingStaffSettings")),
        "supervisor": _link(base, "staff", "Staff", m.get("supervisorStaffId")),
        "clientCode": m.get("clientCode"),
        "openedDate": m.get("openedDate"),
        "closedDate": m.get("closedDate"),
        "leadOpenedDate": m.get("leadOpenedDate"),
        "leadClosedDate": m.get("leadClosedDate"),
        "leadClosedReason": m.get("leadClosedReason"),
        "isLead": bool(m.get("isLead")),
        "branch": _link(base, "branches", "Branch", m.get("branchId")),
        "branchProviderId": m.get("branchProviderId"),
        "referralType": m.get("referralType"),
        "referrer": _link(base, "contacts", "Contact", m.get("referrerId")),
        "referralAgreementFeeType": m.get("referralAgreementFeeType"),
        "referralAgreementFee": m.get("referralAgreementFee"),
        "referralAgreementFeeComment": m.get("referralAgreementFeeComment"),
        "tags": [],
    }


# --- auth -----------------------------------------------------------------------------------
def _token(req: Request, sb: Any) -> Response:
    world = sb.world
    form = {k: v[-1] for k, v in parse_qs(req.raw.decode("utf-8", "replace")).items()}
    client_id, secret = form.get("client_id"), form.get("client_secret")
    auth = req.headers.get("authorization", "")
    if auth.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(auth[6:].strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            client_id = secret = None
    if form.get("grant_type") != "client_credentials":
        return Response(400, {"error": "unsupported_grant_type"})
    clients = world.data["credentials"]["smokeball"]["clients"]
    if {"client_id": client_id, "client_secret": secret} not in clients:
        return Response(401, {"error": "invalid_client"})
    token = "sbat_" + secrets.token_hex(16)
    with world.lock:
        world.sessions["smokeball_access"][token] = time.time() + 3600
    return Response(200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"})


def _check_auth(req: Request, world: Any) -> Response | None:
    creds = world.data["credentials"]["smokeball"]
    key = req.headers.get("x-api-key")
    if not key or key not in creds["api_keys"]:
        return problem(403, "A valid x-api-key header is required")
    auth = req.headers.get("authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    issued = world.sessions["smokeball_access"].get(token)
    if not token or (token not in creds["tokens"] and not (issued and issued > time.time())):
        return problem(401, "A valid Authorization: Bearer token is required")
    return None


def strip_account(path: str) -> str:
    """Drop an optional /{accountId} prefix that server-to-server URLs carry."""
    parts = path.split("/")
    if len(parts) > 2 and parts[1] not in TOP_SEGMENTS and parts[2] in TOP_SEGMENTS:
        return "/" + "/".join(parts[2:])
    return path


def handle(req: Request, sb: Any) -> Response:
    if req.path.rstrip("/") == "/oauth2/token":
        if req.method != "POST":
            return Response(405, {"error": "method_not_allowed"})
        return _token(req, sb)
    resp = _handle(req, sb)
    if "requestid" in req.headers:  # echoed: a folded header must not split our answer
        resp.headers["RequestId"] = " ".join(req.headers["requestid"].split())
    return resp


def _handle(req: Request, sb: Any) -> Response:
    world = sb.world
    denied = _check_auth(req, world)
    if denied:
        return denied
    path = strip_account(req.path).rstrip("/")
    base = req.base_url
    with world.lock:
        world.settle_matters()
        if path == "/referraltypes" and req.method == "GET":
            value = [
                {"id": t["id"], "name": t["name"], "isDeleted": t["isDeleted"]}
                for t in world.data["referral_types"]
            ]
            return Response(200, {"href": f"{base}/referraltypes", "value": value})
        if path == "/matters" and req.method == "GET":
            return _list(req, world, base)
        m = re.fullmatch(r"/matters/([^/]+)", path)
        if m:
            mid = m.group(1).lower()
            if req.method == "GET":
                matter = world.data["matters"].get(mid)
                if matter is None:
                    return problem(404, f"Matter {mid} does not exist")
                return Response(200, matter_view(base, matter))
            if req.method == "PUT":
                return _put(req, sb, mid)
    return problem(404, f"No route for {req.method} {req.path}")


def _list(req: Request, world: Any, base: str) -> Response:
    q = {k.lower(): v for k, v in req.query.items()}
    try:
        offset, limit = int(q.get("offset", "0")), int(q.get("limit", "500"))
    except ValueError:
        return problem(400, "offset and limit must be integers")
    if offset < 0 or not 1 <= limit <= 500:
        return problem(400, "offset must be >= 0 and limit between 1 and 500")
    matters = sorted(world.data["matters"].values(), key=lambda m: m["id"])
    size = len(matters)
    page = [matter_view(base, m) for m in matters[offset : offset + limit]]

    def link(off: int) -> dict[str, str]:
        return {"href": f"{base}/matters?limit={limit}&offset={off}", "relation": "collection"}

    last = max(0, (size - 1) // limit * limit)
    body = {
        "href": f"{base}/matters",
        "offset": offset,
        "limit": limit,
        "size": size,
        "first": link(0),
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < size else None,
        "last": link(last),
        "value": page,
    }
    return Response(200, body)


def _resolve_referral_type(world: Any, value: Any) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    for t in world.data["referral_types"]:
        if value.lower() in (t["id"].lower(), t["name"].lower()):
            if t.get("isDeleted"):
                return None, f"Referral type '{value}' is deleted"
            return (t["id"] if t.get("custom") else t["name"]), None
    return None, f"Unknown referral type '{value}'"


def _put(req: Request, sb: Any, mid: str) -> Response:
    world = sb.world
    if not is_json_type(req.headers.get("content-type", "")):  # application/*+json included
        return problem(415, "Content-Type must be application/json-patch+json")
    current = world.latest_matter(mid)
    if current is None:
        return problem(404, f"Matter {mid} does not exist")
    body = req.body
    if req.json_error or not isinstance(body, dict):
        return problem(400, "The request body must be a JSON object (MatterDto)")
    unknown = [k for k in body if k not in (*WRITABLE, *IMMUTABLE)]
    if unknown:
        return problem(400, f"Unknown field(s): {', '.join(sorted(unknown))}")
    text = check_fields(body)
    if text:
        return problem(400, text)
    for key in IMMUTABLE:
        if key in body and not _same(key, body[key], current.get(key)):
            return problem(400, f"{key} cannot be changed on an existing matter")
    split = body.get("splitOriginatingStaffSettings")
    if isinstance(split, dict) and split.get("isEnabled") and not body.get("originatingStaffIds"):
        return problem(400, "originatingStaffIds is required when split settings are enabled")
    ref_type, text = _resolve_referral_type(world, body.get("referralType"))
    if text:
        return problem(400, text)
    new = {k: current.get(k) for k in (*IMMUTABLE, *EXTRAS)}
    new.update({k: copy.deepcopy(body.get(k)) for k in WRITABLE})  # the replace: omitted -> null
    new.update(id=mid, referralType=ref_type, isLead=bool(body.get("isLead", False)))
    new["versionId"] = str(time.time_ns() // 100)
    delay = float(sb.smokeball_visibility_delay or 0)
    if delay > 0:
        world.data["matter_updates"].append(
            {"matterId": mid, "visibleAt": time.time() + delay, "matter": new}
        )
    else:
        world.data["matters"][mid] = new
    world.mark_dirty()
    href = f"{req.base_url}/matters/{mid}"
    return Response(202, {"id": mid, "href": href, "relation": "Matter", "method": "GET"})


def _same(key: str, a: Any, b: Any) -> bool:
    if key in ("clientIds", "otherSideIds"):
        return {x.lower() for x in a or []} == {x.lower() for x in b or []}
    if key == "matterTypeId" and isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return a == b
