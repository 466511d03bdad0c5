"""Checks the schema cannot express: aliases, cross references, sums, vendor write limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from netsync.config.loader import lookup_location
from netsync.config.schema import is_uuid
from netsync.config.yamlload import LocDict
from netsync.model import Diagnostic, Location

# PUT /matters/{id} cannot change these (and GET does not return them as written).
MATTER_READONLY = ("clientIds", "otherSideIds", "matterTypeId", "clientRole", "otherSideRole")
FIRM_KEYED_SECTIONS = (("network", "outbound"), ("network", "inbound"))
ID_KEYED_SECTIONS = (("cases",), ("matters",))


def section(doc: LocDict, *path: str) -> LocDict:
    node: Any = doc
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, LocDict) else LocDict(loc=doc.loc)


def resolve_firm(ref: Any, firms: Mapping[str, Any]) -> str | None:
    """A firm reference's id (lower-case), or None for an unknown alias."""
    if not isinstance(ref, str):
        return None
    if is_uuid(ref):
        return ref.lower()
    if ref not in firms:
        return None
    target = firms[ref]
    # A malformed alias target is the schema's error to report; don't report it twice.
    return target.lower() if isinstance(target, str) else f"alias:{ref}"


def semantic_checks(doc: LocDict, env: Mapping[str, str]) -> list[Diagnostic]:
    firms = section(doc, "firms")
    errors: list[Diagnostic] = []
    outbound_ids: set[str] = set()
    for path in FIRM_KEYED_SECTIONS:
        ids = _check_firm_keys(doc, path, firms, errors)
        if path == ("network", "outbound"):
            outbound_ids = ids
    for path in ID_KEYED_SECTIONS:
        _check_unique_ids(doc, path, errors)
    for address, loc, ref, what in _firm_references(doc):
        if not isinstance(ref, str):
            continue  # wrong type: reported by the schema
        firm_id = resolve_firm(ref, firms)
        if firm_id is None:
            errors.append(Diagnostic(address, f"{what}: unknown firm alias {ref!r}", loc))
        elif firm_id not in outbound_ids:
            errors.append(
                Diagnostic(
                    address,
                    f"{what}: firm {ref!r} is not declared in network.outbound "
                    "(a case or rule can only target a firm we send referrals to)",
                    loc,
                )
            )
    errors.extend(_check_percentage_sum(doc))
    errors.extend(_check_pinned_rule_ids(doc))
    errors.extend(_check_matter_fields(doc))
    errors.extend(_check_trackops_url(doc, env))
    return errors


def _check_firm_keys(
    doc: LocDict, path: tuple[str, ...], firms: LocDict, errors: list[Diagnostic]
) -> set[str]:
    entries = section(doc, *path)
    seen: dict[str, str] = {}
    for key in entries:
        address = ".".join((*path, key))
        loc = entries.key_locs[key]
        firm_id = resolve_firm(key, firms)
        if firm_id is None:
            errors.append(
                Diagnostic(address, f"unknown firm alias {key!r} (declare it under firms:)", loc)
            )
            continue
        if firm_id in seen:
            other = seen[firm_id]
            errors.append(
                Diagnostic(
                    address,
                    f"firm {firm_id} is declared twice in {'.'.join(path)}: as {key!r} here "
                    f"and as {other!r} at {entries.key_locs[other]}",
                    loc,
                )
            )
            continue
        seen[firm_id] = key
    return set(seen)


def _check_unique_ids(doc: LocDict, path: tuple[str, ...], errors: list[Diagnostic]) -> None:
    entries = section(doc, *path)
    seen: dict[str, str] = {}
    for key in entries:
        lowered = key.lower()
        if lowered in seen:
            first = entries.key_locs[seen[lowered]]
            errors.append(
                Diagnostic(
                    ".".join((*path, key)),
                    f"declared twice (ids are case-insensitive): also at {first}",
                    entries.key_locs[key],
                )
            )
        seen.setdefault(lowered, key)


def _firm_references(doc: LocDict) -> Iterator[tuple[str, Location, Any, str]]:
    rules = section(doc, "routing", "rules")
    for name, rule in rules.items():
        if isinstance(rule, LocDict) and "targetFirmId" in rule:
            loc = rule.value_locs["targetFirmId"]
            yield f"routing.rules.{name}", loc, rule["targetFirmId"], "targetFirmId"
    cases = section(doc, "cases")
    for case_id, case in cases.items():
        if isinstance(case, LocDict) and "referentFirmId" in case:
            loc = case.value_locs["referentFirmId"]
            yield f"cases.{case_id}", loc, case["referentFirmId"], "referentFirmId"


def _check_percentage_sum(doc: LocDict) -> list[Diagnostic]:
    outbound = section(doc, "network", "outbound")
    total = Decimal(0)
    for entry in outbound.values():
        value = entry.get("sendingPercentage") if isinstance(entry, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            total += Decimal(str(value))
    if total > 100:
        loc = lookup_location(doc, ("network", "outbound"))
        return [
            Diagnostic(
                "network.outbound",
                f"sendingPercentage values add up to {total}, more than 100",
                loc,
            )
        ]
    return []


def _check_pinned_rule_ids(doc: LocDict) -> list[Diagnostic]:
    rules = section(doc, "routing", "rules")
    seen: dict[str, str] = {}
    out = []
    for name, rule in rules.items():
        pinned = rule.get("id") if isinstance(rule, dict) else None
        if not isinstance(pinned, str):
            continue
        if pinned.lower() in seen:
            out.append(
                Diagnostic(
                    f"routing.rules.{name}",
                    f"id: {pinned} is already pinned by rule {seen[pinned.lower()]!r}",
                    rule.value_locs["id"],
                )
            )
        seen.setdefault(pinned.lower(), name)
    return out


def _check_matter_fields(doc: LocDict) -> list[Diagnostic]:
    out = []
    for matter_id, matter in section(doc, "matters").items():
        if not isinstance(matter, LocDict):
            continue
        for name in MATTER_READONLY:
            if name in matter:
                out.append(
                    Diagnostic(
                        f"matters.{matter_id}",
                        f"{name}: cannot be managed: PUT /matters cannot change it",
                        matter.key_locs[name],
                    )
                )
    return out


def _check_trackops_url(doc: LocDict, env: Mapping[str, str]) -> list[Diagnostic]:
    requests = doc.get("case_requests")
    if not requests:
        return []
    trackops = section(doc, "providers", "trackops")
    if trackops.get("base_url") or env.get("NETSYNC_TRACKOPS_URL"):
        return []
    return [
        Diagnostic(
            "case_requests",
            "case_requests need providers.trackops.base_url (e.g. https://acme.viewcases.com)",
            doc.key_locs["case_requests"],
        )
    ]
