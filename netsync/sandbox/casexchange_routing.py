"""CaseXchange routing (public API): the rules CRUD (GET|POST /routing/rules, PUT|DELETE
/routing/rules/{id}), GET /routing/evaluate, and GET /case-types, the reference table evaluation
matches case types on. Envelopes and the router live in casexchange.py.

Evaluation: among the active rules -- the listed ones and the seeded `hidden: true` ones, which
the rules API never shows -- sorted by priority, then createdAt, then id, the first whose every
condition holds for the profile. The choices the vendor does not document are in
docs/sandbox.md, "Assumptions where the vendors are silent".
"""

from __future__ import annotations

import copy
from typing import Any

from . import casetypes
from .casexchange import err, invalid, ok
from .casexchange_firms import referral_instructions
from .util import Request, Response, datetime_key, is_int, is_uuid, new_uuid, now_iso

EVALUATE_REQUIRED = ("caseType", "jurisdiction")  # tier, county, typeCategory, attempt: ignored
CONDITION_FIELDS = ("caseType", "jurisdiction")
OPERATORS = ("eq", "in")

# --- routing rules ------------------------------------------------------------------------
RULE_FIELDS = ("name", "conditions", "targetFirmId", "priority", "isActive")


def _check_rule(world: Any, body: Any) -> Response | dict:
    if not isinstance(body, dict):
        return invalid("body", "must be a JSON object")
    details = []
    for key in body:
        if key not in RULE_FIELDS:
            details.append({"field": key, "message": "unknown field"})
    for key in ("name", "conditions", "targetFirmId"):
        if key not in body:
            details.append({"field": key, "message": "is required"})
    if "name" in body and (not isinstance(body["name"], str) or not body["name"].strip()):
        details.append({"field": "name", "message": "must be a non-empty string"})
    conds = body.get("conditions", [])
    if not isinstance(conds, list) or not all(isinstance(c, dict) for c in conds):
        details.append({"field": "conditions", "message": "must be an array of objects"})
    target = body.get("targetFirmId")
    if "targetFirmId" in body:
        if not is_uuid(target):
            details.append({"field": "targetFirmId", "message": "must be a valid UUID"})
        elif world.firm(target) is None:
            details.append({"field": "targetFirmId", "message": "unknown firm"})
    prio = body.get("priority", 0)
    if not is_int(prio) or prio < 0:
        details.append({"field": "priority", "message": "must be an integer >= 0"})
    if not isinstance(body.get("isActive", True), bool):
        details.append({"field": "isActive", "message": "must be a boolean"})
    if details:
        return err(400, "validation_error", "Request validation failed", details)
    return body


def _list_rules(req: Request, world: Any) -> Response:
    rules = sorted(world.data["routing_rules"], key=lambda r: (r["priority"], r["createdAt"]))
    return ok(copy.deepcopy(rules))


def _post_rule(req: Request, world: Any) -> Response:
    body = _check_rule(world, req.body)
    if isinstance(body, Response):
        return body
    stamp = now_iso()
    rule = {
        "id": new_uuid(),
        "name": body["name"],
        "conditions": body["conditions"],
        "targetFirmId": body["targetFirmId"].lower(),
        "priority": body.get("priority", 0),
        "isActive": body.get("isActive", True),
        "firmId": world.data["me"]["id"],
        "createdAt": stamp,
        "updatedAt": stamp,
    }
    world.data["routing_rules"].append(rule)
    world.mark_dirty()
    return ok(copy.deepcopy(rule), status=201)


def _find_rule(world: Any, rid: str) -> dict | None:
    return next((r for r in world.data["routing_rules"] if r["id"] == rid), None)


def _put_rule(req: Request, world: Any, rid: str) -> Response:
    rule = _find_rule(world, rid)
    if rule is None:
        return err(404, "resource_not_found", f"Routing rule {rid} not found")
    body = _check_rule(world, req.body)
    if isinstance(body, Response):
        return body
    rule.update(
        name=body["name"],
        conditions=body["conditions"],
        targetFirmId=body["targetFirmId"].lower(),
        priority=body.get("priority", 0),
        isActive=body.get("isActive", True),
        updatedAt=now_iso(),
    )
    world.mark_dirty()
    return ok(copy.deepcopy(rule))


def _delete_rule(req: Request, world: Any, rid: str) -> Response:
    if _find_rule(world, rid) is None:
        return err(404, "resource_not_found", f"Routing rule {rid} not found")
    world.data["routing_rules"] = [r for r in world.data["routing_rules"] if r["id"] != rid]
    world.mark_dirty()
    return Response(204, None)


# --- GET /routing/evaluate ------------------------------------------------------------------
def evaluation_order(world: Any) -> list[dict]:
    """Every active rule, hidden ones included, in the order evaluation tries them."""
    rules = world.data["routing_rules"] + world.data.get("hidden_routing_rules", [])
    active = [r for r in rules if r.get("isActive") is True]
    return sorted(active, key=lambda r: (r["priority"], datetime_key(r["createdAt"]), r["id"]))


def _normalise(data: dict[str, Any], field: str, value: Any) -> str | None:
    if field == "caseType":
        return casetypes.match_key(data, value)
    return value.casefold() if isinstance(value, str) else None


def condition_holds(data: dict[str, Any], cond: Any, profile: dict[str, str]) -> bool:
    """`{field, operator, value}` with field caseType|jurisdiction and operator eq (a string) or
    in (a list of strings); anything else -- another field or operator, a value of the wrong
    type, a condition that is not an object -- never holds."""
    if not isinstance(cond, dict):
        return False
    field, operator, value = cond.get("field"), cond.get("operator"), cond.get("value")
    if field not in CONDITION_FIELDS or operator not in OPERATORS:
        return False
    wanted = _normalise(data, field, profile[field])
    if operator == "eq":
        return isinstance(value, str) and _normalise(data, field, value) == wanted
    return isinstance(value, list) and any(
        isinstance(v, str) and _normalise(data, field, v) == wanted for v in value
    )


def matching_rule(world: Any, profile: dict[str, str]) -> dict | None:
    for rule in evaluation_order(world):
        conditions = rule.get("conditions")
        if isinstance(conditions, list) and all(
            condition_holds(world.data, c, profile) for c in conditions
        ):
            return rule
    return None


def _evaluate(req: Request, world: Any) -> Response:
    details = []
    for name in EVALUATE_REQUIRED:
        if name not in req.query:
            details.append({"field": name, "message": "is required"})
        elif not req.query[name].strip():
            details.append({"field": name, "message": "must not be empty"})
    if details:
        return err(400, "validation_error", "Request validation failed", details)
    rule = matching_rule(world, {name: req.query[name] for name in EVALUATE_REQUIRED})
    if rule is None:
        return ok(None)
    fid = rule["targetFirmId"]
    firm = world.firm(fid) or {"id": fid}
    assignment = {
        "firmId": fid,
        "firmName": firm.get("name"),
        "referralInstructions": referral_instructions(world, {**firm, "id": fid}),
    }
    return ok({"rule": {"id": rule["id"], "name": rule["name"]}, "assignments": [assignment]})


# --- GET /case-types ------------------------------------------------------------------------
def _list_case_types(req: Request, world: Any) -> Response:
    """All of the table, in table order, unpaged: listCaseTypes answers `{data, meta}` only."""
    return ok([casetypes.case_type_record(ct) for ct in world.data["case_types"]])
