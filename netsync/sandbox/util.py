"""Small helpers every vendor module shares: clock, ids, JSON type checks, the response type."""

from __future__ import annotations

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
