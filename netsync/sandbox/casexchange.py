"""CaseXchange: the public API (/api/public/v1, X-API-Key tiers) and the internal API (/api/v1,
JWT Bearer) for login, refresh and re-refer. Shapes follow the seed pages and openapi.yml.
"""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from .casetypes import display_names
from .seed import RELATIONSHIP_FIELDS
from .util import Request, Response, is_int, is_number, is_uuid, now_iso

PUBLIC_PREFIX = "/api/public/v1"
TIER_RANK = {"read_only": 0, "standard": 1, "full": 2}
TERMINAL = ("rejected", "withdrawn")
INACTIVE_REFERRAL = ("rejected", "withdrawn", "closed")


# --- envelopes ----------------------------------------------------------------------------
def meta() -> dict[str, str]:
    return {"requestId": "req_" + secrets.token_hex(8), "timestamp": now_iso()}


def ok(data: Any, status: int = 200, pagination: dict | None = None) -> Response:
    body: dict[str, Any] = {"data": data}
    if pagination is not None:
        body["pagination"] = pagination
    body["meta"] = meta()
    return Response(status, body)


def err(status: int, code: str, message: str, details: list | None = None) -> Response:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return Response(status, {"error": error, "meta": meta()})


def invalid(field: str, message: str) -> Response:
    return err(
        400, "validation_error", "Request validation failed", [{"field": field, "message": message}]
    )


def internal_err(status: int, code: str, message: str, details: list | None = None) -> Response:
    return Response(
        status,
        {
            "meta": {"success": False},
            "error": {"code": code, "message": message, "details": details or []},
        },
    )


ERROR_CODES = {
    404: "resource_not_found",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    429: "rate_limited",
}


def error_code(status: int) -> str:
    """The documented code for a status; `validation_error`/`internal_error` otherwise."""
    return ERROR_CODES.get(status) or ("internal_error" if status >= 500 else "validation_error")


# An injected 401/403 on the public API carries the code its real counterpart would.
PUBLIC_FAULT_CODES = {401: "invalid_api_key", 403: "insufficient_tier"}


def fault_response(status: int, path: str) -> Response:
    message = f"Injected fault (HTTP {status})"
    if path.startswith(PUBLIC_PREFIX):
        return err(status, PUBLIC_FAULT_CODES.get(status) or error_code(status), message)
    return internal_err(status, error_code(status), message)


def request_error(status: int, message: str, path: str) -> Response:
    """A body or framing problem refused before routing (server front door)."""
    if path.startswith(PUBLIC_PREFIX):
        details = [{"field": "body", "message": message}] if status == 400 else None
        summary = "Request validation failed" if status == 400 else message
        return err(status, error_code(status), summary, details)
    return internal_err(status, error_code(status), message)


# --- paging -------------------------------------------------------------------------------
PAGE_NUMBER = re.compile(r"-?[0-9]{1,18}")
MAX_LIMIT = 100


def page_params(query: dict[str, str], default_limit: int) -> Response | tuple[int, int]:
    """`page` (1-based, default 1) and `limit` (1..100) from a query, or a 400 naming the field."""
    values = {}
    for name, default in (("page", "1"), ("limit", str(default_limit))):
        text = query.get(name, default)
        if not PAGE_NUMBER.fullmatch(text):
            return invalid(name, "must be an integer")
        values[name] = int(text)
    if values["page"] < 1:
        return invalid("page", "must be >= 1")
    if not 1 <= values["limit"] <= MAX_LIMIT:
        return invalid("limit", f"must be between 1 and {MAX_LIMIT}")
    return values["page"], values["limit"]


def paginate(items: list, page: int, limit: int) -> tuple[list, dict[str, int]]:
    """One page of `items` and the `pagination` object (`totalPages` 0 when there are none)."""
    total = len(items)
    pagination = {"page": page, "limit": limit, "total": total, "totalPages": -(-total // limit)}
    return items[(page - 1) * limit : page * limit], pagination


# --- public API ---------------------------------------------------------------------------
def tier_of(key: str) -> str:
    if key.startswith("cxp_full_"):
        return "full"
    if key.startswith("cxp_std_"):
        return "standard"
    return "read_only"


def handle_public(req: Request, sb: Any) -> Response:
    from .casexchange_cases import _get_case, _list_cases  # the cases half of this vendor
    from .casexchange_firms import _firms_me, _get_firm, _list_available
    from .casexchange_routing import (
        _delete_rule,
        _evaluate,
        _list_case_types,
        _list_rules,
        _post_rule,
        _put_rule,
    )

    world = sb.world
    key = req.headers.get("x-api-key")
    if not key or key not in world.data["credentials"]["casexchange"]["api_keys"]:
        return err(401, "invalid_api_key", "API key is missing, invalid, or revoked")
    path = req.path[len(PUBLIC_PREFIX) :].rstrip("/") or "/"
    routes = [
        (r"/firms/me", {"GET": (_firms_me, "read_only")}),
        (r"/firms/available", {"GET": (_list_available, "read_only")}),
        (r"/firms/(?P<firm>[^/]+)", {"GET": (_get_firm, "read_only")}),
        (r"/network/pending", {"GET": (_pending, "read_only")}),
        (
            r"/network/outbound/(?P<fid>[^/]+)",
            {
                "GET": (_get_rel, "read_only"),
                "POST": (_post_outbound, "standard"),
                "PUT": (_put_outbound, "standard"),
            },
        ),
        (
            r"/network/inbound/(?P<fid>[^/]+)",
            {"GET": (_get_rel, "read_only"), "PUT": (_put_inbound, "standard")},
        ),
        (r"/case-types", {"GET": (_list_case_types, "read_only")}),
        (r"/routing/rules", {"GET": (_list_rules, "read_only"), "POST": (_post_rule, "full")}),
        (r"/routing/evaluate", {"GET": (_evaluate, "read_only")}),
        (
            r"/routing/rules/(?P<rid>[^/]+)",
            {"PUT": (_put_rule, "full"), "DELETE": (_delete_rule, "full")},
        ),
        (r"/sent-cases", {"GET": (_list_cases, "read_only")}),
        (r"/sent-cases/(?P<cid>[^/]+)", {"GET": (_get_case, "read_only")}),
    ]
    for pattern, methods in routes:
        m = re.fullmatch(pattern, path)
        if not m:
            continue
        if req.method not in methods:
            return err(404, "resource_not_found", f"No route for {req.method} {req.path}")
        func, needed = methods[req.method]
        if TIER_RANK[tier_of(key)] < TIER_RANK[needed]:
            return err(403, "insufficient_tier", f"This operation requires a {needed} API key")
        if req.json_error:
            return invalid("body", "request body is not valid JSON")
        params = m.groupdict()
        for name in ("fid", "rid", "firm"):  # a sent case may also be named by reference number
            if name in params and not is_uuid(params[name]):
                return invalid("firmId" if name == "fid" else "id", "must be a valid UUID")
            if name in params:
                params[name] = params[name].lower()
        with world.lock:
            return func(req, world, **params)
    return err(404, "resource_not_found", f"No route for {req.method} {req.path}")


def firm_detail(world: Any, fid: str, entry: dict | None) -> dict[str, Any]:
    firm = world.firm(fid) or {"name": None}
    return {
        "firmId": fid,
        "firmName": firm.get("name"),
        "jurisdictions": list(firm.get("jurisdictions") or []),
        "caseTypes": display_names(world.data, firm.get("caseTypes")),
        "inNetwork": bool(entry and entry["inNetwork"]),
        "generalReferralInstructions": firm.get("generalReferralInstructions"),
        "relationship": copy.deepcopy(entry["relationship"]) if entry else None,
    }


def _pending(req: Request, world: Any) -> Response:
    out = []
    for p in world.data["pending"]:
        firm = world.firm(p["firmId"]) or {}
        out.append({"firmId": p["firmId"], "firmName": firm.get("name"), **p})
    return ok(out)


def _direction(req: Request) -> str:
    return "outbound" if "/network/outbound/" in req.path else "inbound"


def _get_rel(req: Request, world: Any, fid: str) -> Response:
    entry = world.data[_direction(req)].get(fid)
    if entry is None:
        return err(404, "resource_not_found", f"No {_direction(req)} relationship with firm {fid}")
    return ok(firm_detail(world, fid, entry))


def _check_rel_body(body: Any, allowed: tuple[str, ...], optional: bool) -> Response | dict:
    if body is None and optional:
        return {}
    if not isinstance(body, dict):
        return invalid("body", "must be a JSON object")
    details = []
    for key, value in body.items():
        if key not in allowed:
            details.append({"field": key, "message": "unknown field"})
        elif key in ("description", "referralInstructions"):
            if value is not None and not isinstance(value, str):
                details.append({"field": key, "message": "must be a string or null"})
        elif key == "sendingPercentage":
            if value is not None and (not is_number(value) or not 0 <= value <= 100):
                details.append({"field": key, "message": "must be a number from 0 to 100"})
        elif key in ("daysForUnderEvaluation", "daysForInvestigating"):
            if value is not None and (not is_int(value) or value < 0):
                details.append({"field": key, "message": "must be an integer >= 0"})
        elif key == "status" and value not in ("active", "inactive"):
            details.append({"field": key, "message": "must be active or inactive"})
    if details:
        return err(400, "validation_error", "Request validation failed", details)
    return body


def _other_firm(world: Any, fid: str) -> Response | None:
    if fid == world.data["me"]["id"]:
        return invalid("firmId", "cannot create a relationship with your own firm")
    if world.firm(fid) is None:
        return err(404, "resource_not_found", f"Firm {fid} not found")
    return None


def _post_outbound(req: Request, world: Any, fid: str) -> Response:
    problem = _other_firm(world, fid)
    if problem:
        return problem
    body = _check_rel_body(req.body, RELATIONSHIP_FIELDS, optional=True)
    if isinstance(body, Response):
        return body
    entry = world.data["outbound"].get(fid)
    if entry is None:
        auto = world.firm(fid).get("auto_accept", True)
        entry = {"inNetwork": bool(auto), "relationship": dict.fromkeys(RELATIONSHIP_FIELDS)}
        world.data["outbound"][fid] = entry
        if not auto:
            world.data["pending"].append(
                {"firmId": fid, "direction": "outbound", "requestedDate": now_iso()}
            )
    entry["relationship"].update(body)
    world.mark_dirty()
    return ok(firm_detail(world, fid, entry))


def _put_outbound(req: Request, world: Any, fid: str) -> Response:
    body = _check_rel_body(req.body, RELATIONSHIP_FIELDS, optional=False)
    if isinstance(body, Response):
        return body
    entry = world.data["outbound"].get(fid)
    if entry is None:
        return err(404, "resource_not_found", f"No outbound relationship with firm {fid}")
    entry["relationship"].update(body)
    world.mark_dirty()
    return ok(firm_detail(world, fid, entry))


def _put_inbound(req: Request, world: Any, fid: str) -> Response:
    body = _check_rel_body(req.body, (*RELATIONSHIP_FIELDS, "status"), optional=False)
    if isinstance(body, Response):
        return body
    fields = {k: v for k, v in body.items() if k != "status"}
    status = body.get("status")
    pending = [
        p for p in world.data["pending"] if p["firmId"] == fid and p["direction"] == "inbound"
    ]
    entry = world.data["inbound"].get(fid)
    if pending:
        if status is None:
            return invalid("status", "required to answer a pending request (active or inactive)")
        world.data["pending"] = [p for p in world.data["pending"] if p not in pending]
        world.mark_dirty()
        if status == "inactive":  # declined: no relationship comes of it
            world.data["inbound"].pop(fid, None)
            return ok(firm_detail(world, fid, None))
        entry = {"inNetwork": True, "relationship": dict.fromkeys(RELATIONSHIP_FIELDS)}
        world.data["inbound"][fid] = entry
    elif entry is None:
        return err(404, "resource_not_found", f"No inbound relationship with firm {fid}")
    elif status is not None:
        entry["inNetwork"] = status == "active"
    entry["relationship"].update(fields)
    world.mark_dirty()
    return ok(firm_detail(world, fid, entry))
