"""Credentials hidden from what the control API serves over HTTP.

`GET /_sandbox/requests` and `GET /_sandbox/state` need no authentication, and the sandbox may
have been handed real keys (netsync pointed at it by mistake, or a seed copied from production),
so both keep only what identifies a credential's kind. The in-process `Sandbox.requests` and
`Sandbox.world` are left intact for tests.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

REDACTED = "***"
SECRET_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "cookie")
# Requests whose bodies carry passwords, client secrets or refresh tokens.
SECRET_BODY_PATHS = ("/oauth2/token", "/api/v1/auth/login", "/api/v1/auth/refresh-session")
# Body fields that identify rather than authenticate; every other field's value is hidden.
PUBLIC_BODY_FIELDS = frozenset({"grant_type", "client_id", "email", "username", "scope"})
# Fields of seeded logins, OAuth clients and Trackops users that identify rather than authenticate.
PUBLIC_IDS = frozenset({"email", "client_id", "username"})
_KEY_PREFIX = re.compile(r"[A-Za-z]+_[A-Za-z]+_")  # cxp_ro_, cxp_std_, cxp_full_


def redact_header(name: str, value: str) -> str:
    """Hide a credential but keep what kind it is: `Bearer ***`, `cxp_full_***`, `sid=***`."""
    if name == "cookie":
        names = [part.split("=", 1)[0].strip() for part in value.split(";") if part.strip()]
        return "; ".join(f"{n}={REDACTED}" for n in names)
    if name in ("authorization", "proxy-authorization"):
        scheme, sep, _ = value.strip().partition(" ")
        return f"{scheme} {REDACTED}" if sep else REDACTED
    m = _KEY_PREFIX.match(value)
    return f"{m.group(0)}{REDACTED}" if m else REDACTED


def redact_body(body: Any) -> Any:
    """A login/token body with every value but the identifying ones replaced by `***`."""
    if isinstance(body, dict):
        return {k: v if k in PUBLIC_BODY_FIELDS else REDACTED for k, v in body.items()}
    if isinstance(body, str):
        pairs = parse_qsl(body, keep_blank_values=True)
        if not pairs:
            return REDACTED
        return urlencode(
            [(k, v if k in PUBLIC_BODY_FIELDS else REDACTED) for k, v in pairs], safe="*"
        )
    return REDACTED if body is not None else None


def redact_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A request-log entry safe to serve over HTTP (the in-process `Sandbox.requests` is not)."""
    out = dict(entry)
    out["headers"] = {
        k: redact_header(k, v) if k in SECRET_HEADERS else v for k, v in entry["headers"].items()
    }
    if entry["path"].rstrip("/") in SECRET_BODY_PATHS:
        out["body"] = redact_body(entry["body"])
    return out


def redact_secret(value: Any) -> Any:
    """A key or token as `cxp_full_***`/`***`; non-strings are hidden whole."""
    if isinstance(value, str):
        m = _KEY_PREFIX.match(value)
        return f"{m.group(0)}{REDACTED}" if m else REDACTED
    return REDACTED


def redact_credentials(creds: Any) -> Any:
    """The world's `credentials` with every secret hidden and every identifier kept.

    Lists of bare strings (API keys, tokens) are secrets; in lists of objects (logins, OAuth
    clients, Trackops users) the identifying fields stay and the rest is hidden.
    """
    if not isinstance(creds, dict):
        return REDACTED
    out: dict[str, Any] = {}
    for vendor, kinds in creds.items():
        if not isinstance(kinds, dict):
            out[vendor] = REDACTED
            continue
        out[vendor] = {name: _redact_list(items) for name, items in kinds.items()}
    return out


def _redact_list(items: Any) -> Any:
    if not isinstance(items, list):
        return REDACTED
    return [
        {k: v if k in PUBLIC_IDS else REDACTED for k, v in item.items()}
        if isinstance(item, dict)
        else redact_secret(item)
        for item in items
    ]


def redact_world(data: dict[str, Any]) -> dict[str, Any]:
    """World data for `GET /_sandbox/state`: credentials and the JWT signing secret hidden."""
    out = dict(data)
    out["credentials"] = redact_credentials(data.get("credentials"))
    if "jwt_secret" in out:
        out["jwt_secret"] = REDACTED
    return out
