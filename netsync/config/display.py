"""How config messages show a value: never a credential, never a value that came from the
environment, never a megabyte of text.

Config errors are printed on every pull request's CI log, so a key pasted where a variable name
belongs (`api_key_env: cxp_std_...`), or `${CASEXCHANGE_API_KEY}` interpolated into a number
field, must be described ("a string from ${CASEXCHANGE_API_KEY}"), not echoed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from netsync.model import Diagnostic

# Credential shapes: CaseXchange keys by tier prefix, and common token formats (GitHub, Slack,
# Stripe, JWTs), which someone may paste into a config by mistake.
_CREDENTIAL = re.compile(
    r"(?<![A-Za-z0-9_])(?i:cxp_)[A-Za-z0-9_]*|gh[pousr]_[A-Za-z0-9]{10,}|github_pat_\w{10,}|xox[abpr]-[\w-]{10,}"
    r"|sk_(?:live|test)_\w{10,}|eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*"
)
_RANDOM = re.compile(r"^(?=.*[0-9])(?=.*[a-z])[A-Za-z0-9]{20,}$")  # a long token, no underscores
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH", re.IGNORECASE)
REDACTED = "(redacted)"
_MAX_SHOWN = 60


def looks_like_credential(text: str) -> bool:
    """A credential by its shape: a vendor key prefix, a known token format, or a long random
    string (environment variable names are words joined by underscores)."""
    return bool(_CREDENTIAL.search(text) or _RANDOM.match(text))


def from_variables(variables: Iterable[str]) -> str:
    return " and ".join(f"${{{name}}}" for name in variables)


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "mapping"


def describe(value: Any, variables: tuple[str, ...] = ()) -> str | None:
    """A description to show instead of the value, or None when the value itself may be shown."""
    if variables:
        return f"a {json_type(value)} from {from_variables(variables)}"
    if isinstance(value, dict | list):
        return "a " + json_type(value)
    if isinstance(value, str) and looks_like_credential(value):
        return "a string that looks like a credential"
    return None


def short_json(value: Any) -> str:
    """JSON of a plain value, a long string cut short with its length."""
    if isinstance(value, str) and len(value) > _MAX_SHOWN:
        cut = json.dumps(value[:_MAX_SHOWN])[:-1]
        return f'{cut}…" ({len(value):,} characters)'
    return json.dumps(value)


def shown(value: Any, variables: tuple[str, ...] = ()) -> str:
    """A value as a message may show it: JSON for plain values, a description otherwise."""
    return describe(value, variables) or short_json(value)


def shown_key(key: str) -> str:
    """A key for a message: repr, unless it looks like a credential or is very long."""
    if looks_like_credential(key):
        return "(a key that looks like a credential)"
    return repr(key if len(key) <= _MAX_SHOWN else key[:_MAX_SHOWN] + "…")


def scrub(diagnostics: list[Diagnostic], env: Mapping[str, str]) -> list[Diagnostic]:
    """The last guard before a message is printed: secret-named environment values and
    credential-shaped text replaced, whatever produced the message."""
    secrets = sorted(
        (v for k, v in env.items() if _SECRET_NAME.search(k) and len(v) >= 6),
        key=len,
        reverse=True,
    )

    def clean(text: str | None) -> str | None:
        if not text:
            return text
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return _CREDENTIAL.sub(REDACTED, text)

    return [Diagnostic(clean(d.address), clean(d.message) or "", d.location) for d in diagnostics]
