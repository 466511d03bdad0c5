"""Live objects as the config declares them: the fields the config schema has for the kind, in
its order; firm ids as aliases; personal data left out (named in a comment, so it stays
unmanaged); a null only where the schema allows one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from netsync.config.schema import load_schema
from netsync.export.aliases import assign_aliases
from netsync.export.collect import Collected
from netsync.export.yamlout import Entry
from netsync.kinds import ResourceType, split_address
from netsync.model import Diagnostic, LiveResource
from netsync.sensitive import is_sensitive

NEVER = frozenset({"ignore_fields", "id"})  # config-only, or a rule's pin (rules go by name)


@dataclass
class Shaped:
    entries: dict[ResourceType, list[Entry]]
    aliases: dict[str, str]  # firm id -> alias
    errors: list[Diagnostic]
    warnings: list[Diagnostic]


def field_schemas(rtype: ResourceType) -> dict[str, Any]:
    """The config schema's properties for one entry of `rtype`'s section."""
    node: Any = load_schema()
    for part in rtype.section.split("."):
        node = node["properties"][part]
    return node["additionalProperties"]["properties"]


def _allows_null(schema: Mapping[str, Any]) -> bool:
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        return any(_allows_null(branch) for branch in branches)
    kind = schema.get("type")
    return kind is None or kind == "null" or (isinstance(kind, list) and "null" in kind)


def shape(collected: Collected, existing_aliases: Mapping[str, str], all_fields: bool) -> Shaped:
    out = Shaped({t: [] for t in ResourceType}, {}, [], [])
    outbound = _present(collected, ResourceType.OUTBOUND)
    inbound = _inbound(collected, out)
    for firm_id, needed_by in sorted(collected.required.items()):
        if firm_id not in outbound:
            for address in needed_by:
                out.errors.append(
                    Diagnostic(
                        address,
                        f"firm {firm_id} has no outbound relationship with us, so a config "
                        "naming it would not validate: not exported",
                    )
                )
    firms = set(outbound) | set(inbound)
    out.aliases = assign_aliases(firms, collected.names, existing_aliases)
    for rtype, objects in ((ResourceType.OUTBOUND, outbound), (ResourceType.INBOUND, inbound)):
        for firm_id, live in objects.items():
            out.entries[rtype].append(_entry(rtype, out.aliases[firm_id], live, out))
    _rules(collected, out)
    for rtype in (ResourceType.CASE, ResourceType.MATTER, ResourceType.CASE_REQUEST):
        exported = None if all_fields else collected.exported.get(rtype)
        skip = collected.unwritable.get(rtype, frozenset())
        for address, live in sorted(collected.of(rtype).items()):
            key = split_address(address)[1] or ""
            if not live.exists:
                out.errors.append(Diagnostic(address, f"no such {rtype.kind.nouns[0]}"))
            elif rtype is ResourceType.CASE and not live.fields.get("referentFirmId"):
                out.errors.append(Diagnostic(address, "the case has never been referred"))
            elif live.matches > 1:
                out.errors.append(Diagnostic(address, f"{live.matches} records carry it"))
            else:
                entry = _entry(rtype, key, live, out, exported, skip)
                out.entries[rtype].append(entry)
    return out


def _present(collected: Collected, rtype: ResourceType) -> dict[str, LiveResource]:
    """Firm id -> relationship, for those the vendor answered 200 (not only a request)."""
    found = {}
    for live in collected.of(rtype).values():
        if live.exists and live.fields and live.id:
            found[live.id.lower()] = live
    return found


def _inbound(collected: Collected, out: Shaped) -> dict[str, LiveResource]:
    outbound = {
        (o.id or "").lower() for o in collected.of(ResourceType.OUTBOUND).values() if o.exists
    }
    found = {}
    for address, live in collected.of(ResourceType.INBOUND).items():
        firm_id = (split_address(address)[1] or "").lower()
        if live.status == "pending":
            out.warnings.append(
                Diagnostic(address, "only a pending request from this firm: not exported")
            )
        elif live.exists:
            found[firm_id] = live
        elif firm_id not in outbound:
            out.errors.append(Diagnostic(address, "--firm: no relationship with this firm"))
    return found


def _rules(collected: Collected, out: Shaped) -> None:
    names: dict[str, int] = {}
    for rule in collected.rules:
        names[rule.key or ""] = names.get(rule.key or "", 0) + 1
    for rule in collected.rules:
        if names[rule.key or ""] > 1:
            out.errors.append(
                Diagnostic(
                    rule.address,
                    f"{names[rule.key or '']} live rules share this name; a config declares "
                    "rules by name: rename them in the portal first",
                )
            )
            continue
        out.entries[ResourceType.ROUTING_RULE].append(
            _entry(ResourceType.ROUTING_RULE, rule.key or "", rule, out)
        )


def _entry(
    rtype: ResourceType,
    key: str,
    live: LiveResource,
    out: Shaped,
    exported: tuple[str, ...] | None = None,
    skip: frozenset[str] = frozenset(),
) -> Entry:
    """One live object as a config entry: the schema's fields for its kind (those `exported`
    when given), never the unwritable ones (`skip`) nor personal data (named in `left_out`)."""
    schemas = field_schemas(rtype)
    fields: dict[str, Any] = {}
    left_out = []
    for name, schema in schemas.items():
        if name in NEVER or name in rtype.kind.write_only or name in skip:
            continue
        if name not in live.fields:
            continue
        if exported and name not in exported:
            continue
        value = live.fields[name]
        if is_sensitive(rtype, name):
            if value not in (None, [], {}):
                left_out.append(name)
            continue
        if value is None and not _allows_null(schema):
            continue
        if name == rtype.kind.firm_field and isinstance(value, str):
            value = out.aliases.get(value.lower(), value)
        fields[name] = value
    return Entry(key, fields, left_out)
