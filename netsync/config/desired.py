"""The validated document as typed desired resources and effective provider settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netsync.config.checks import resolve_firm, section
from netsync.config.yamlload import LocDict
from netsync.model import SECTION_TYPES, Resource, ResourceType

REGIONS = {
    "us": ("https://api.smokeball.com", "https://auth.smokeball.com"),
    "au": ("https://api.smokeball.com.au", "https://auth.smokeball.com.au"),
    "uk": ("https://api.smokeball.co.uk", "https://auth.smokeball.co.uk"),
}

PROVIDER_DEFAULTS: dict[str, dict[str, Any]] = {
    "casexchange": {
        "base_url": "https://api.casexchange.com",
        "api_key_env": "CASEXCHANGE_API_KEY",
        "token_env": "CASEXCHANGE_TOKEN",
        "email_env": "CASEXCHANGE_EMAIL",
        "password_env": "CASEXCHANGE_PASSWORD",
        "timeout": 30,
        "concurrency": None,
        "rate_limit": None,
    },
    "smokeball": {
        "region": "us",
        "api_key_env": "SMOKEBALL_API_KEY",
        "token_env": "SMOKEBALL_TOKEN",
        "client_id_env": "SMOKEBALL_CLIENT_ID",
        "client_secret_env": "SMOKEBALL_CLIENT_SECRET",
        "confirm_timeout": 60,
        "timeout": 30,
        "concurrency": None,
        "rate_limit": 5,
    },
    "trackops": {
        "base_url": None,
        "username_env": "TRACKOPS_USERNAME",
        "token_env": "TRACKOPS_API_TOKEN",
        "timeout": 30,
        "concurrency": None,
        "rate_limit": 2,
    },
}

URL_OVERRIDES = {
    ("casexchange", "base_url"): "NETSYNC_CASEXCHANGE_URL",
    ("smokeball", "base_url"): "NETSYNC_SMOKEBALL_URL",
    ("smokeball", "auth_url"): "NETSYNC_SMOKEBALL_AUTH_URL",
    ("trackops", "base_url"): "NETSYNC_TRACKOPS_URL",
}


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
    max_change_percent: float = 30
    sections: set[str] = field(default_factory=set)
    # Keys plan-file digests; derived from the config's bytes and never written anywhere, so a
    # plan file alone cannot be used to guess masked values back from their digests.
    digest_key: bytes = b""

    def firm_label(self, firm_id: str) -> str | None:
        """The alias a firm id is known by in this config, if any."""
        for alias, target in self.firms.items():
            if target == firm_id.lower():
                return alias
        return None


def plain(value: Any) -> Any:
    """Located containers -> plain dicts and lists, so nothing downstream sees YAML types."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def provider_settings(doc: LocDict, env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    result = {}
    for name, defaults in PROVIDER_DEFAULTS.items():
        settings = {**defaults, **plain(section(doc, "providers", name))}
        if name == "smokeball":
            base, auth = REGIONS[settings.get("region") or "us"]
            settings.setdefault("base_url", base)
            settings.setdefault("auth_url", auth)
        for (provider, key), variable in URL_OVERRIDES.items():
            if provider == name and env.get(variable):
                settings[key] = env[variable]
        for key in ("base_url", "auth_url"):
            if settings.get(key):
                settings[key] = settings[key].rstrip("/")
        result[name] = settings
    return result


def build_resources(doc: LocDict) -> list[Resource]:
    firms = section(doc, "firms")
    resources: list[Resource] = []
    for dotted, rtype in SECTION_TYPES.items():
        entries = section(doc, *dotted.split("."))
        for key, body in entries.items():
            body = body if isinstance(body, LocDict) else LocDict(loc=entries.value_locs[key])
            fields = plain(body)
            write_only: dict[str, Any] = {}
            resource_id: str | None = key
            if rtype in (ResourceType.OUTBOUND, ResourceType.INBOUND):
                resource_id = resolve_firm(key, firms)
            elif rtype is ResourceType.ROUTING_RULE:
                resource_id = fields.pop("id", None)
                fields["targetFirmId"] = resolve_firm(fields["targetFirmId"], firms)
            elif rtype is ResourceType.CASE:
                fields["referentFirmId"] = resolve_firm(fields["referentFirmId"], firms)
                if "notes" in fields:
                    write_only["notes"] = fields.pop("notes")
            elif rtype is ResourceType.CASE_REQUEST:
                resource_id = None  # the Trackops record id is learned from the live read
            resources.append(
                Resource(
                    address=f"{dotted}.{key}",
                    type=rtype,
                    key=key,
                    id=resource_id,
                    fields=fields,
                    location=entries.key_locs[key],
                    field_locations=dict(body.value_locs),
                    write_only=write_only,
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
        max_change_percent=safety.get("max_change_percent", 30),
        sections={k for k in doc if k != "version"},
        digest_key=key,
    )
