"""The validated document as typed desired resources and effective provider settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netsync.config.checks import resolve_firm
from netsync.config.document import LocDict, plain, section
from netsync.kinds import KeyForm, ResourceType
from netsync.model import Resource
from netsync.providers import PROVIDERS


@dataclass
class Config:
    """Everything later stages need from the config; nothing here holds a secret."""

    document: LocDict
    files: list[Path]
    digest: str
    firms: dict[str, str]  # alias -> firm id (lower-case)
    resources: list[Resource]
    providers: dict[str, dict[str, Any]]
    pending_policy: str = "report"
    prune: bool = False
    ignore_rules: frozenset[str] = frozenset()  # routing.ignore: live rules left alone
    max_change_percent: float = 30
    min_resources: int = 10
    firm_profile_check: str = "warn"  # settings.checks.firm_profile: warn | error | off
    sections: set[str] = field(default_factory=set)
    # Keys plan-file digests; derived from the config's bytes and never written anywhere, so a
    # plan file alone cannot be used to guess masked values back from their digests.
    digest_key: bytes = b""


def provider_settings(doc: LocDict, env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Each provider's settings: its defaults, the config's values, then NETSYNC_*_URL."""
    result = {}
    for name, provider in PROVIDERS.items():
        settings = provider.settle({**provider.defaults, **plain(section(doc, "providers", name))})
        for key, variable in provider.url_variables.items():
            if env.get(variable):
                settings[key] = env[variable]
        for key in provider.url_variables:
            if settings.get(key):
                settings[key] = settings[key].rstrip("/")
        result[name] = settings
    return result


def build_resources(doc: LocDict) -> list[Resource]:
    firms = section(doc, "firms")
    per_kind = plain(section(doc, "settings", "ignore_fields"))
    everywhere = {t: set(per_kind.get(t.value) or ()) for t in ResourceType}
    resources: list[Resource] = []
    for rtype in ResourceType:
        kind = rtype.kind
        entries = section(doc, *rtype.section.split("."))
        for key, body in entries.items():
            body = body if isinstance(body, LocDict) else LocDict(loc=entries.value_locs[key])
            fields = plain(body)
            write_only = {name: fields.pop(name) for name in kind.write_only if name in fields}
            ignored = frozenset(fields.pop("ignore_fields", None) or ()) | everywhere.get(
                rtype, set()
            )
            if kind.firm_field:
                fields[kind.firm_field] = resolve_firm(fields[kind.firm_field], firms)
            resource_id: str | None
            if kind.key is KeyForm.FIRM:
                resource_id = resolve_firm(key, firms)
            elif kind.key is KeyForm.NAME:
                resource_id = fields.pop("id", None)  # an optional pin to one live object
            elif kind.key is KeyForm.UUID:
                resource_id = key
            else:
                resource_id = None  # learned from the live read
            resources.append(
                Resource(
                    address=rtype.address(key),
                    type=rtype,
                    key=key,
                    id=resource_id,
                    fields=fields,
                    location=entries.key_locs[key],
                    field_locations=dict(body.value_locs),
                    write_only=write_only,
                    ignored=ignored,
                )
            )
    return resources


def build_config(
    doc: LocDict, files: list[Path], digest: str, env: Mapping[str, str], key: bytes = b""
) -> Config:
    firms = {alias: str(target).lower() for alias, target in section(doc, "firms").items()}
    safety = section(doc, "settings", "safety")
    return Config(
        document=doc,
        files=files,
        digest=digest,
        firms=firms,
        resources=build_resources(doc),
        providers=provider_settings(doc, env),
        pending_policy=section(doc, "network").get("pending", "report"),
        prune=bool(section(doc, "routing").get("prune", False)),
        ignore_rules=frozenset(section(doc, "routing").get("ignore") or ()),
        max_change_percent=safety.get("max_change_percent", 30),
        min_resources=safety.get("min_resources", 10),
        firm_profile_check=section(doc, "settings", "checks").get("firm_profile", "warn"),
        sections={k for k in doc if k != "version"},
        digest_key=key,
    )
