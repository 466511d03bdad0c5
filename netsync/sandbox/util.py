"""Small helpers every vendor module shares: clock, ids, JSON type checks, the response type."""

from __future__ import annotations

import json
import math
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Response:
    """What a handler answers; the server turns it into bytes on the wire."""

    status: int
    body: Any = None  # dict/list -> JSON, str -> text, None -> empty body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


def now_iso() -> str:
    """ISO-8601 UTC with milliseconds and a Z, as CaseXchange writes timestamps."""
    return iso(time.time())


def iso(ts: float) -> str:
    dt = datetime.fromtimestamp(ts, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def new_uuid() -> str:
    return str(uuid.uuid4())


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(UUID_RE.match(value))


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_date(value: Any) -> bool:
    """A calendar date YYYY-MM-DD that exists."""
    if not isinstance(value, str) or not DATE_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_datetime(value: Any) -> datetime | None:
    """Parse an ISO-8601 date-time (Z or offset); None when it is not one."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def datetime_key(value: Any) -> float:
    """Sort key for date-time strings; unparseable values sort first."""
    dt = parse_datetime(value)
    return dt.timestamp() if dt else float("-inf")


def is_json_type(content_type: str) -> bool:
    """application/json or any application/*+json (json-patch+json, merge-patch+json, ...)."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} does not fit a double")
    return value


def loads_strict(text: str) -> Any:
    """json.loads as the vendors' parsers read JSON: no NaN/Infinity, no 1e999.

    Python accepts those and would echo them back as `NaN`, which no JSON parser (netsync's
    included) reads, so a body carrying one is not JSON here.
    """
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite)


def json_depth_exceeds(value: Any, limit: int) -> bool:
    """Whether objects/arrays nest deeper than `limit` (iterative: no recursion limit)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


@dataclass
class Request:
    """One parsed HTTP request as the vendor handlers see it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    raw: bytes = b""
    body: Any = None  # parsed JSON, else decoded text, else None
    json_error: bool = False  # a body was sent but is not JSON
    base_url: str = ""
