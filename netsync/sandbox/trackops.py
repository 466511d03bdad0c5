"""Trackops case requests: HTTP Basic (`<username>/token`), bare JSON arrays and objects, bodies
under `casefile_request`, client/contact objects replaced whole on update.

Trackops documents neither its error body nor its record shape beyond the request fields; the
sandbox answers `{"errors": [...]}` and echoes the stored fields plus system fields (see docs).
"""

from __future__ import annotations

import base64
import copy
import math
import re
from collections.abc import Callable
from typing import Any

from .util import Request, Response, is_date, is_int, is_number, now_iso

INTS = ("case_type_id", "case_region_id", "company_location_id", "referral_source_id", "client_id")
DATES = ("created_on", "due_on")
STRS = ("reference_value_1", "reference_value_2", "reference_value_3", "case_location", "notes",
        "scheduling_notes", "admin_notes")  # fmt: skip
DECIMALS = ("budget_money", "budget_hours")
INT_LISTS = ("case_services_list", "case_flags_list")
CLIENT_KEYS = ("name", "address_1", "address_2", "address_3", "city", "state", "zip", "country")
CONTACT_KEYS = ("first_name", "middle_name", "last_name", "email", "phone_office", "phone_home",
                "phone_mobile", "phone_fax")  # fmt: skip
REQUIRED_POST = ("case_type_id", "client", "contact", "case_region_id", "created_on")
POST_FIELDS = (*REQUIRED_POST, "due_on", "company_location_id", "referral_source_id", *STRS,
               *DECIMALS, *INT_LISTS, "custom_fields", "subjects")  # fmt: skip
PUT_FIELDS = ("client_id", "client", "contact", "created_on", "due_on", "company_location_id",
              "referral_source_id", *STRS, *INT_LISTS, "custom_fields")  # fmt: skip
NOT_ON_PUT = ("case_type_id", "case_region_id", "budget_money", "budget_hours", "subjects")
RECORD_ORDER = ("id", "case_request_number", "series_number", "case_type_id", "case_region_id",
                "client_id", "client", "contact", "created_on", "due_on", "company_location_id",
                "referral_source_id", *STRS, *DECIMALS, *INT_LISTS, "custom_fields", "subjects",
                "created_at", "updated_at")  # fmt: skip


def errors(status: int, *messages: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"errors": list(messages)}, headers or {})


def fault_response(status: int, path: str) -> Response:
    return errors(status, f"Injected fault (HTTP {status})")


def _check_obj(value: Any, name: str, keys: tuple, required: tuple) -> str | None:
    if not isinstance(value, dict):
        return f"{name} must be an object"
    for k, v in value.items():
        if k not in keys:
            return f"{name}.{k} is not a known {name} field"
        # `zip` is a string in the table but a number in the vendor's own example: accept both.
        ok = isinstance(v, str) or v is None or (k == "zip" and is_int(v))
        if not ok:
            return f"{name}.{k} must be a string"
    for k in required:
        if not isinstance(value.get(k), str) or not value[k].strip():
            return f"{name}.{k} is required"
    return None


def check_fields(body: dict[str, Any], allowed: tuple) -> str | None:
    """First problem with a casefile_request body, or None."""
    for key, v in body.items():
        if key not in allowed:
            if key in NOT_ON_PUT:
                return f"{key} cannot be changed on an existing case request"
            return f"{key} is not a case request field"
        if key == "client":
            text = _check_obj(v, "client", CLIENT_KEYS, ("name", "country"))
        elif key == "contact":
            text = _check_obj(v, "contact", CONTACT_KEYS, ("last_name", "email"))
        elif v is None:
            text = f"{key} is required" if key in REQUIRED_POST else None
        elif key in INTS:
            text = None if is_int(v) else f"{key} must be an integer"
        elif key in DATES:
            text = None if is_date(v) else f"{key} must be a date (YYYY-MM-DD)"
        elif key in STRS:
            text = None if isinstance(v, str) else f"{key} must be a string"
        elif key in DECIMALS:  # the vendor example sends "1500": numeric strings are accepted
            good = is_number(v) or (isinstance(v, str) and re.fullmatch(r"-?\d+(\.\d+)?", v))
            text = None if good else f"{key} must be a decimal"
        elif key in INT_LISTS:
            good = isinstance(v, list) and all(is_int(x) for x in v)
            text = None if good else f"{key} must be a list of integers"
        elif key == "custom_fields":
            good = isinstance(v, list) and all(
                isinstance(x, dict) and is_int(x.get("id")) for x in v
            )
            text = None if good else "custom_fields must be a list of {id, value} objects"
        elif key == "subjects":
            good = isinstance(v, list) and all(
                isinstance(s, dict) and is_int(s.get("subject_type_id")) for s in v
            )
            text = None if good else "subjects must be a list of objects with subject_type_id"
        else:
            text = None
        if text:
            return text
    return None


def _record(data: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(data.get(k)) for k in RECORD_ORDER}


def _new_record(fields: dict[str, Any], rid: int, stamp: str) -> dict[str, Any]:
    rec = {k: None for k in RECORD_ORDER}
    rec.update(custom_fields=[], subjects=[], case_services_list=[], case_flags_list=[])
    rec.update(copy.deepcopy(fields))
    rec.update(id=rid, series_number=rid, case_request_number=f"CR-{rid:05d}")
    rec.update(created_at=stamp, updated_at=stamp)
    return rec


def normalise_seed_case_request(
    r: dict, n: int, fail: Callable[[str, str], None]
) -> dict[str, Any]:
    system = ("id", "case_request_number", "series_number", "created_at", "updated_at")
    fields = {k: v for k, v in r.items() if k not in system}
    text = check_fields(fields, POST_FIELDS)
    missing = [k for k in REQUIRED_POST if k not in fields]
    if text or missing:
        text = text or f"{missing[0]} is required"
        fail(text.split()[0], text)
    rid = r.get("id", 100 + n)
    if not is_int(rid):
        fail("id", "must be an integer")
    rec = _new_record(fields, rid, r.get("created_at", "2026-05-20T15:00:00Z"))
    for key in ("case_request_number", "series_number", "updated_at"):
        if key in r:
            rec[key] = r[key]
    return rec


def _auth(req: Request, world: Any) -> bool:
    auth = req.headers.get("authorization", "")
    if not auth.lower().startswith("basic "):
        return False
    try:
        user, _, token = base64.b64decode(auth[6:].strip()).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    if not user.endswith("/token"):
        return False
    wanted = {"username": user[: -len("/token")], "token": token}
    return wanted in world.data["credentials"]["trackops"]["users"]


FILTERS: dict[str, Callable[[dict, str], bool]] = {
    "id": lambda r, v: str(r["id"]) == v,
    "reference_value_1": lambda r, v: r.get("reference_value_1") == v,
    "reference_value_2": lambda r, v: r.get("reference_value_2") == v,
    "reference_value_3": lambda r, v: r.get("reference_value_3") == v,
    "series_number": lambda r, v: str(r.get("series_number")) == v,
    "case_request_number": lambda r, v: r.get("case_request_number") == v,
    "case_region": lambda r, v: str(r.get("case_region_id")) == v,
    "created_from": lambda r, v: (r.get("created_on") or "") >= v,
    "created_to": lambda r, v: (r.get("created_on") or "9999") <= v,
    "from": lambda r, v: (r.get("created_on") or "") >= v,
    "to": lambda r, v: (r.get("created_on") or "9999") <= v,
    "due_from": lambda r, v: (r.get("due_on") or "") >= v,
    "due_to": lambda r, v: (r.get("due_on") or "9999") <= v,
    "updated_from": lambda r, v: (r.get("updated_at") or "") >= v,
    "updated_to": lambda r, v: (r.get("updated_at") or "9999") <= v,
}


def handle(req: Request, sb: Any) -> Response:
    world = sb.world
    if not _auth(req, world):
        return errors(401, "Unauthorized", headers={"WWW-Authenticate": 'Basic realm="Trackops"'})
    path = req.path.rstrip("/")
    with world.lock:
        if path == "/api/v1/case/requests":
            if req.method == "GET":
                return _list(req, world)
            if req.method == "POST":
                return _create(req, world)
        m = re.fullmatch(r"/api/v1/case/requests/([0-9]{1,18})", path)  # int() of 5k digits fails
        if m:
            rec = next((r for r in world.data["case_requests"] if r["id"] == int(m.group(1))), None)
            if rec is None:
                return errors(404, f"Case request {m.group(1)} not found")
            if req.method == "GET":
                return Response(200, _record(rec))
            if req.method == "PUT":
                return _update(req, world, rec)
    return errors(404, f"No route for {req.method} {req.path}")


def _list(req: Request, world: Any) -> Response:
    q = req.query
    try:
        page, per_page = int(q.get("page", "1")), int(q.get("per_page", "25"))
    except ValueError:
        return errors(400, "page and per_page must be integers")
    if page < 1 or not 1 <= per_page <= 100:
        return errors(400, "page must be >= 1 and per_page between 1 and 100")
    rows = sorted(world.data["case_requests"], key=lambda r: r["id"])
    for name, value in q.items():
        if name in FILTERS:
            rows = [r for r in rows if FILTERS[name](r, value)]
    if q.get("mode") == "count":
        return Response(
            200, {"record_count": len(rows), "page_count": math.ceil(len(rows) / per_page)}
        )
    chunk = rows[(page - 1) * per_page : page * per_page]
    return Response(200, [_record(r) for r in chunk])


def _envelope(req: Request) -> dict | Response:
    if req.json_error or not isinstance(req.body, dict):
        return errors(400, "Request body must be a JSON object")
    inner = req.body.get("casefile_request")
    if not isinstance(inner, dict) or set(req.body) != {"casefile_request"}:
        return errors(400, "Request body must be nested under a casefile_request object")
    return inner


def _create(req: Request, world: Any) -> Response:
    body = _envelope(req)
    if isinstance(body, Response):
        return body
    text = check_fields(body, POST_FIELDS)
    missing = [k for k in REQUIRED_POST if k not in body]
    if missing:
        return errors(400, *(f"{k} is required" for k in missing))
    if text:
        return errors(400, text)
    rid = max([r["id"] for r in world.data["case_requests"]] + [100]) + 1
    rec = _new_record(body, rid, now_iso())
    world.data["case_requests"].append(rec)
    world.mark_dirty()
    return Response(201, _record(rec))


def _update(req: Request, world: Any, rec: dict) -> Response:
    body = _envelope(req)
    if isinstance(body, Response):
        return body
    text = check_fields(body, PUT_FIELDS)
    if text:
        return errors(400, text)
    for name in ("client", "contact"):
        if name in body and isinstance(rec.get(name), dict):
            lost = [k for k in rec[name] if k not in body[name]]
            if lost:
                missing = ", ".join(lost)
                text = f"{name}: the entire object must be updated at once (missing: {missing})"
                return errors(400, text)
    for key, value in body.items():
        if key == "custom_fields":  # matched by id: update values, add new ids
            by_id = {f["id"]: f for f in rec.get("custom_fields") or []}
            for f in value:
                by_id[f["id"]] = copy.deepcopy(f)
            rec["custom_fields"] = list(by_id.values())
        else:
            rec[key] = copy.deepcopy(value)
    rec["updated_at"] = now_iso()
    world.mark_dirty()
    return Response(200, _record(rec))
