"""Seed files: read the YAML, check every key, and normalise it into world data.

Errors name the file and the key path (and the line when YAML reports one), because a bad seed
is a user error, never a traceback.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlsplit

from . import defaults
from .util import is_int, is_number, is_uuid, parse_datetime
from .yamlfile import SeedError

# --- field tables -------------------------------------------------------------------------

RELATIONSHIP_FIELDS = (
    "description",
    "sendingPercentage",
    "daysForUnderEvaluation",
    "daysForInvestigating",
    "referralInstructions",
)
REFERRAL_STATUSES = (
    "draft",
    "sent",
    "under_evaluation",
    "investigating",
    "signed",
    "in_litigation",
    "closing",
    "rejected",
    "withdrawn",
    "closed",
)
CASE_FIELDS = {
    "id", "referenceNumber", "salesforceId", "salesforceObjectType", "title", "description",
    "caseType", "jurisdiction", "county", "clientFirstName", "clientLastName", "clientEmail",
    "clientPhone", "clientDateOfBirth", "incidentDate", "source", "createdAt", "updatedAt",
    "closureReason", "settlementAmount", "attorneyFees", "externalId", "referrals",
}  # fmt: skip
REFERRAL_FIELDS = {"id", "referentFirmId", "status", "closingStatus", "notes", "createdAt"}
FIRM_FIELDS = {
    "id", "name", "jurisdictions", "caseTypes", "generalReferralInstructions", "auto_accept",
    "phone", "address", "city", "state", "zip", "website", "description", "directory",
    "createdAt", "updatedAt",
}  # fmt: skip
FIRM_TEXT_FIELDS = (
    "generalReferralInstructions", "description", "phone", "address", "city", "state", "zip",
)  # fmt: skip
TOP_KEYS = {
    "me", "firms", "builtin_firms", "outbound", "inbound", "pending", "routing_rules", "cases",
    "matters", "referral_types", "case_requests", "credentials", "case_types",
}  # fmt: skip
CASE_TYPE_FIELDS = {"id", "name", "displayName", "explanation"}


class _Checker:
    """Accumulates the first error with its key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> None:
        raise SeedError(f"{self.source}: {where}: {message}")

    def mapping(self, value: Any, where: str, allowed: set[str] | None = None) -> dict:
        if not isinstance(value, dict):
            self.fail(where, "must be a mapping")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    self.fail(f"{where}.{key}", "unknown key")
        return value

    def seq(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            self.fail(where, "must be a list")
        return value

    def uuid(self, value: Any, where: str) -> str:
        if not is_uuid(value):
            self.fail(where, f"must be a UUID, got {value!r}")
        return value.lower()

    def string(self, value: Any, where: str, nullable: bool = True) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            self.fail(where, "must be a string")
        return value

    def datetime(self, value: Any, where: str) -> str:
        if parse_datetime(value) is None:
            self.fail(where, f"must be an ISO-8601 date-time, got {value!r}")
        return value


def parse_seed(raw: Any, source: str = "seed") -> dict[str, Any]:
    """Validate a seed (parsed YAML or dict) and return normalised world data."""
    from .world import empty_world_data  # local import: world imports this module

    c = _Checker(source)
    if raw is None:
        raw = {}
    seed = c.mapping(raw, "(top level)", TOP_KEYS)
    data = empty_world_data()

    if "me" in seed:
        me = c.mapping(seed["me"], "me", FIRM_FIELDS - {"auto_accept", "directory"})
        data["me"] = _check_firm(c, me, "me")

    firms: dict[str, dict] = {}
    if seed.get("builtin_firms", True) is not False:
        for f in defaults.BUILTIN_FIRMS:
            firms[f["id"]] = {"auto_accept": True, **copy.deepcopy(f)}
    declared: dict[str, str] = {}
    for i, f in enumerate(c.seq(seed.get("firms", []), "firms")):
        w = f"firms[{i}]"
        firm = _check_firm(c, c.mapping(f, w, FIRM_FIELDS), w)
        if firm["id"] in declared:
            c.fail(f"{w}.id", f"firm {firm['id']} is already declared at {declared[firm['id']]}")
        declared[firm["id"]] = w
        firms[firm["id"]] = {
            "jurisdictions": [],
            "caseTypes": [],
            "generalReferralInstructions": None,
            "description": None,
            "auto_accept": True,
            "directory": True,
            **firm,
        }
    firms.pop(data["me"]["id"], None)
    data["firms"] = firms

    def firm_ref(value: Any, where: str) -> str:
        fid = c.uuid(value, where)
        if fid not in firms:
            c.fail(where, f"firm {fid} is not in the firm directory (add it under firms:)")
        return fid

    for direction in ("outbound", "inbound"):
        for key, rel in c.mapping(seed.get(direction, {}), direction).items():
            w = f"{direction}.{key}"
            fid = firm_ref(key, w)
            rel = c.mapping(rel or {}, w, set(RELATIONSHIP_FIELDS) | {"inNetwork"})
            _check_relationship(c, rel, w)
            in_network = rel.get("inNetwork", True)
            if not isinstance(in_network, bool):
                c.fail(f"{w}.inNetwork", "must be true or false")
            data[direction][fid] = {
                "inNetwork": in_network,
                "relationship": {k: rel.get(k) for k in RELATIONSHIP_FIELDS},
            }

    for i, p in enumerate(c.seq(seed.get("pending", []), "pending")):
        w = f"pending[{i}]"
        c.mapping(p, w, {"firmId", "direction", "requestedDate"})
        fid = firm_ref(p.get("firmId"), f"{w}.firmId")
        if p.get("direction") not in ("inbound", "outbound"):
            c.fail(f"{w}.direction", "must be inbound or outbound")
        requested = c.datetime(p.get("requestedDate", "2026-03-28T11:15:00.000Z"), w)
        data["pending"].append(
            {"firmId": fid, "direction": p["direction"], "requestedDate": requested}
        )
        if p["direction"] == "outbound" and fid not in data["outbound"]:
            data["outbound"][fid] = {
                "inNetwork": False,
                "relationship": dict.fromkeys(RELATIONSHIP_FIELDS),
            }

    for i, r in enumerate(c.seq(seed.get("routing_rules", []), "routing_rules")):
        w = f"routing_rules[{i}]"
        allowed = {"id", "name", "conditions", "targetFirmId", "priority", "isActive"}
        c.mapping(r, w, allowed | {"createdAt", "updatedAt", "hidden"})
        if not isinstance(r.get("hidden", False), bool):
            c.fail(f"{w}.hidden", "must be true or false")
        c.string(r.get("name"), f"{w}.name", nullable=False)
        for j, cond in enumerate(c.seq(r.get("conditions", []), f"{w}.conditions")):
            c.mapping(cond, f"{w}.conditions[{j}]")
        if not is_int(r.get("priority", 0)):
            c.fail(f"{w}.priority", "must be an integer")
        if not isinstance(r.get("isActive", True), bool):
            c.fail(f"{w}.isActive", "must be true or false")
        rule = {
            "id": c.uuid(r["id"], f"{w}.id") if "id" in r else _det_uuid("rule", i),
            "name": r["name"],
            "conditions": r.get("conditions", []),
            "targetFirmId": firm_ref(r.get("targetFirmId"), f"{w}.targetFirmId"),
            "priority": r.get("priority", i + 1),
            "isActive": r.get("isActive", True),
            "firmId": data["me"]["id"],
            "createdAt": c.datetime(r.get("createdAt", "2025-09-10T14:30:00.000Z"), w),
            "updatedAt": c.datetime(r.get("updatedAt", "2026-01-05T11:15:00.000Z"), w),
        }
        # hidden: a test knob -- evaluated by /routing/evaluate, invisible to the rules API
        data["hidden_routing_rules" if r.get("hidden") else "routing_rules"].append(rule)

    for i, case in enumerate(c.seq(seed.get("cases", []), "cases")):
        w = f"cases[{i}]"
        c.mapping(case, w, CASE_FIELDS)
        cid = c.uuid(case.get("id"), f"{w}.id")
        refs = []
        for j, ref in enumerate(c.seq(case.get("referrals", []), f"{w}.referrals")):
            rw = f"{w}.referrals[{j}]"
            c.mapping(ref, rw, REFERRAL_FIELDS)
            if ref.get("status") not in REFERRAL_STATUSES:
                c.fail(f"{rw}.status", f"must be one of {', '.join(REFERRAL_STATUSES)}")
            created = c.datetime(ref.get("createdAt"), f"{rw}.createdAt")
            refs.append(
                {
                    "id": c.uuid(ref["id"], f"{rw}.id") if "id" in ref else _det_uuid(cid, j),
                    "referentFirmId": firm_ref(ref.get("referentFirmId"), f"{rw}.referentFirmId"),
                    "status": ref["status"],
                    "closingStatus": ref.get("closingStatus"),
                    "notes": c.string(ref.get("notes"), f"{rw}.notes"),
                    "createdAt": created,
                    "updatedAt": created,
                }
            )
        created = c.datetime(case.get("createdAt", "2026-01-15T10:00:00.000Z"), f"{w}.createdAt")
        data["cases"][cid] = {
            **{k: v for k, v in case.items() if k != "referrals"},
            "id": cid,
            "createdAt": created,
            "updatedAt": case.get("updatedAt") or max([created] + [r["createdAt"] for r in refs]),
            "referrals": refs,
        }

    from .smokeball import normalise_seed_matter  # local: vendor module owns matter fields
    from .trackops import normalise_seed_case_request

    for i, m in enumerate(c.seq(seed.get("matters", []), "matters")):
        w = f"matters[{i}]"
        c.mapping(m, w)
        mid = c.uuid(m.get("id"), f"{w}.id")
        data["matters"][mid] = normalise_seed_matter(
            m, mid, lambda k, msg, w=w: c.fail(f"{w}.{k}", msg)
        )

    if "referral_types" in seed:
        types = []
        for i, t in enumerate(c.seq(seed["referral_types"], "referral_types")):
            w = f"referral_types[{i}]"
            c.mapping(t, w, {"id", "name", "isDeleted", "custom"})
            c.string(t.get("name"), f"{w}.name", nullable=False)
            types.append(
                {
                    "id": c.uuid(t["id"], f"{w}.id") if "id" in t else _det_uuid("rt", i),
                    "name": t["name"],
                    "isDeleted": bool(t.get("isDeleted", False)),
                    "custom": bool(t.get("custom", False)),
                }
            )
        data["referral_types"] = types

    if "case_types" in seed:
        data["case_types"] = _check_case_types(c, seed["case_types"])

    for i, r in enumerate(c.seq(seed.get("case_requests", []), "case_requests")):
        w = f"case_requests[{i}]"
        c.mapping(r, w)
        data["case_requests"].append(
            normalise_seed_case_request(r, i + 1, lambda k, msg, w=w: c.fail(f"{w}.{k}", msg))
        )

    if "credentials" in seed:
        creds = c.mapping(
            seed["credentials"], "credentials", {"casexchange", "smokeball", "trackops"}
        )
        for vendor, value in creds.items():
            allowed = set(defaults.DEFAULT_CREDENTIALS[vendor])
            c.mapping(value, f"credentials.{vendor}", allowed)
            data["credentials"][vendor] = {
                **{k: [] for k in allowed},
                **copy.deepcopy(value),
            }
    return data


def _check_firm(c: _Checker, firm: dict, where: str) -> dict:
    """A checked `me` or `firms[]` entry, its id lower-cased (the keys were checked already)."""
    fid = c.uuid(firm.get("id"), f"{where}.id")
    c.string(firm.get("name"), f"{where}.name", nullable=False)
    for key in FIRM_TEXT_FIELDS:
        c.string(firm.get(key), f"{where}.{key}")
    website = c.string(firm.get("website"), f"{where}.website")
    if website is not None and not _is_absolute_uri(website):
        c.fail(f"{where}.website", f"must be an absolute URI (https://...), got {website!r}")
    for key in ("jurisdictions", "caseTypes"):
        items = c.seq(firm.get(key, []), f"{where}.{key}")
        for j, item in enumerate(items):
            c.string(item, f"{where}.{key}[{j}]", nullable=False)
    for key in ("auto_accept", "directory"):
        if key in firm and not isinstance(firm[key], bool):
            c.fail(f"{where}.{key}", "must be true or false")
    for key in ("createdAt", "updatedAt"):
        if key in firm:
            c.datetime(firm[key], f"{where}.{key}")
    return {**firm, "id": fid}


def _check_case_types(c: _Checker, raw: Any) -> list[dict]:
    """The seed's `case_types:` (replacing the built-in table): ids and names each once, names
    compared case-insensitively, since a `caseType` value is looked up by either."""
    types: list[dict] = []
    seen: dict[str, str] = {}
    for i, t in enumerate(c.seq(raw, "case_types")):
        w = f"case_types[{i}]"
        c.mapping(t, w, CASE_TYPE_FIELDS)
        name = c.string(t.get("name"), f"{w}.name", nullable=False)
        if not name.strip():
            c.fail(f"{w}.name", "must not be empty")
        entry = {
            "id": c.uuid(t["id"], f"{w}.id") if "id" in t else _det_uuid("case_type", i),
            "name": name,
            "displayName": c.string(t.get("displayName"), f"{w}.displayName"),
            "explanation": c.string(t.get("explanation"), f"{w}.explanation"),
        }
        for key, what in ((entry["id"], "id"), (name.casefold(), "name")):
            if key in seen:
                c.fail(f"{w}.{what}", f"{what} {t.get(what, key)!r} is already used at {seen[key]}")
            seen[key] = w
        types.append(entry)
    return types


def _is_absolute_uri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc) and not any(ch.isspace() for ch in value)


def _check_relationship(c: _Checker, rel: dict, where: str) -> None:
    for key in ("description", "referralInstructions"):
        c.string(rel.get(key), f"{where}.{key}")
    sp = rel.get("sendingPercentage")
    if sp is not None and (not is_number(sp) or not 0 <= sp <= 100):
        c.fail(f"{where}.sendingPercentage", "must be a number from 0 to 100")
    for key in ("daysForUnderEvaluation", "daysForInvestigating"):
        v = rel.get(key)
        if v is not None and (not is_int(v) or v < 0):
            c.fail(f"{where}.{key}", "must be an integer >= 0")


def _det_uuid(kind: Any, n: int) -> str:
    """Deterministic ids for seed items without one, so reseeding gives the same world."""
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"netsync-sandbox/{kind}/{n}"))
