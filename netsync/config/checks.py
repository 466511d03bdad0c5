"""Checks the schema cannot express: aliases, cross references, sums, vendor write limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from netsync.config.display import describe, looks_like_credential, shown, shown_key
from netsync.config.document import LocDict, Variables, lookup_location, section
from netsync.config.schema import env_name_message, is_uuid
from netsync.kinds import KeyForm, ResourceType
from netsync.model import Diagnostic, Location
from netsync.providers import PROVIDERS

FIRM_KEYED_SECTIONS = [
    tuple(t.section.split(".")) for t in ResourceType if t.kind.key is KeyForm.FIRM
]
ID_KEYED_SECTIONS = [
    tuple(t.section.split(".")) for t in ResourceType if t.kind.key is KeyForm.UUID
]


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
    for address, loc, ref, what, variables in _firm_references(doc):
        if not isinstance(ref, str):
            continue  # wrong type: reported by the schema
        firm_id = resolve_firm(ref, firms)
        named = f"({shown(ref, variables)})" if variables else shown_key(ref)
        if firm_id is None:
            errors.append(Diagnostic(address, f"{what}: unknown firm alias {named}", loc))
        elif firm_id not in outbound_ids:
            errors.append(
                Diagnostic(
                    address,
                    f"{what}: firm {named} is not declared in network.outbound "
                    "(a case or rule can only target a firm we send referrals to)",
                    loc,
                )
            )
    errors.extend(_check_env_names(doc))
    errors.extend(_check_percentage_sum(doc))
    errors.extend(_check_pinned_rule_ids(doc))
    errors.extend(_check_unwritable_fields(doc))
    errors.extend(_check_ignored_fields(doc))
    errors.extend(_check_base_urls(doc, env))
    return errors


def _check_ignored_fields(doc: LocDict) -> list[Diagnostic]:
    """A field may be managed or ignored, never both."""
    per_kind = section(doc, "settings", "ignore_fields")
    out = []
    for rtype in ResourceType:
        everywhere = per_kind.get(rtype.value)
        for key, body in section(doc, *rtype.section.split(".")).items():
            if not isinstance(body, LocDict):
                continue
            own = body.get("ignore_fields")
            for ignored, where in ((own, "its ignore_fields"), (everywhere, "settings")):
                for name in ignored if isinstance(ignored, list) else []:
                    if isinstance(name, str) and name in body and name != "ignore_fields":
                        message = f"{name}: declared and ignored (in {where}): keep one"
                        out.append(Diagnostic(rtype.address(key), message, body.key_locs[name]))
    return out


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
                Diagnostic(
                    address, f"unknown firm alias {shown_key(key)} (declare it under firms:)", loc
                )
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


def _firm_references(doc: LocDict) -> Iterator[tuple[str, Location, Any, str, Variables]]:
    for rtype in ResourceType:
        name = rtype.kind.firm_field
        if name is None:
            continue
        for key, body in section(doc, *rtype.section.split(".")).items():
            if isinstance(body, LocDict) and name in body:
                variables = body.value_vars.get(name, ())
                yield rtype.address(key), body.value_locs[name], body[name], name, variables


def _check_env_names(doc: LocDict) -> list[Diagnostic]:
    """A `*_env` value that is a valid variable name but shaped like a credential (`cxp_std_...`,
    a long random token) is a key pasted in the wrong place; the schema reports invalid names."""
    out = []
    for vendor, settings in section(doc, "providers").items():
        if not isinstance(settings, LocDict):
            continue
        for setting, value in settings.items():
            if not (setting.endswith("_env") and isinstance(value, str) and _is_name(value)):
                continue
            if looks_like_credential(value):
                message = env_name_message(vendor, setting)
                address = f"providers.{vendor}.{setting}"
                out.append(Diagnostic(address, message, settings.value_locs[setting]))
    return out


def _is_name(value: str) -> bool:
    return value.isascii() and value.replace("_", "a").isalnum() and not value[:1].isdigit()


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
                    f"id: {describe(pinned) or pinned} is already pinned by rule "
                    f"{shown_key(seen[pinned.lower()])}",
                    rule.value_locs["id"],
                )
            )
        seen.setdefault(pinned.lower(), name)
    return out


def _check_unwritable_fields(doc: LocDict) -> list[Diagnostic]:
    out = []
    for provider in PROVIDERS.values():
        for rtype, (names, reason) in provider.unwritable.items():
            for key, body in section(doc, *rtype.section.split(".")).items():
                if not isinstance(body, LocDict):
                    continue
                for name in names:
                    if name in body:
                        message = f"{name}: cannot be managed: {reason}"
                        out.append(Diagnostic(rtype.address(key), message, body.key_locs[name]))
    return out


def _check_base_urls(doc: LocDict, env: Mapping[str, str]) -> list[Diagnostic]:
    """Kinds whose vendor has no default URL need one from the config or the environment."""
    out = []
    for provider in PROVIDERS.values():
        if provider.base_url_example is None:
            continue
        settings = section(doc, "providers", provider.name)
        if settings.get("base_url") or env.get(provider.url_variables["base_url"]):
            continue
        for rtype in ResourceType:
            top = rtype.section.split(".")[0]
            if rtype.vendor == provider.name and doc.get(top):
                out.append(
                    Diagnostic(
                        top,
                        f"{top} need providers.{provider.name}.base_url "
                        f"(e.g. {provider.base_url_example})",
                        doc.key_locs[top],
                    )
                )
    return out
