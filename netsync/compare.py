"""SPEC section 2's comparison rules: what counts as a change.

Numbers compare by decimal value whatever JSON type carried them; booleans are never numbers;
ids compare case-insensitively; date-times as instants; staff-id lists and routing conditions
as sets; a live field that is absent equals null. Nested values are aligned pairwise by these
rules and then compared with deepdiff, which also names the changed paths.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from deepdiff import DeepDiff

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")

# Lists compared as sets, per field name (SPEC: staff id lists, routing-rule conditions).
UNORDERED_FIELDS = {
    "personAssistingStaffIds",
    "originatingStaffIds",
    "conditions",
    "splitOriginatingStaffSettings",
    "case_services_list",
    "case_flags_list",
}


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def align(desired: Any, live: Any) -> tuple[Any, Any]:
    """Rewrite a (desired, live) pair so that equal-by-the-rules values are equal in Python."""
    if isinstance(desired, dict) and isinstance(live, dict):
        a, b = {}, {}
        for key in desired.keys() | live.keys():
            a[key], b[key] = align(desired.get(key), live.get(key))
        return a, b
    if isinstance(desired, list) and isinstance(live, list):
        if len(desired) == len(live):
            pairs = [align(x, y) for x, y in zip(desired, live, strict=True)]
            return [p[0] for p in pairs], [p[1] for p in pairs]
        return [_scalar(x) for x in desired], [_scalar(y) for y in live]
    if isinstance(desired, bool) or isinstance(live, bool):
        return desired, live
    if isinstance(desired, int | float) or isinstance(live, int | float):
        a, b = _number(desired), _number(live)
        if a is not None and b is not None:
            return a, b
        return desired, live
    if isinstance(desired, str) and isinstance(live, str):
        if _UUID.match(desired) and _UUID.match(live):
            return desired.lower(), live.lower()
        a, b = _instant(desired), _instant(live)
        if a is not None and b is not None:
            return a, b
    return desired, live


def _scalar(value: Any) -> Any:
    """A context-free canonical form, for items of lists whose pairing is unknown (sets):
    absent keys and nulls alike, numbers (and numeric strings) as decimals, ids lower-case,
    date-times as instants."""
    if isinstance(value, dict):
        return {k: _scalar(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_scalar(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        if _UUID.match(value):
            return value.lower()
        number = _number(value) if value.strip() else None
        if number is not None:
            return number
        instant = _instant(value)
        return instant if instant is not None else value
    return value


def equal(name: str, desired: Any, live: Any) -> bool:
    """Whether a managed field's desired and live values are the same by the SPEC's rules."""
    if name in UNORDERED_FIELDS:
        a, b = _scalar(desired), _scalar(live)
        if isinstance(a, list | dict) and isinstance(b, list | dict):
            return not DeepDiff(a, b, ignore_order=True)
        return a == b
    a, b = align(desired, live)
    if isinstance(a, list | dict) or isinstance(b, list | dict):
        return not DeepDiff(a, b)
    if a is None or b is None:
        return a is None and b is None
    return type(a) is type(b) and a == b


def changed_fields(desired: dict[str, Any], live: dict[str, Any]) -> list[str]:
    """Managed fields (desired keys) whose live value differs, sorted."""
    return sorted(name for name in desired if not equal(name, desired[name], live.get(name)))


def changed_subfields(name: str, desired: dict[str, Any], live: Any) -> list[str]:
    """For objects sent whole but managed per subfield (Trackops client/contact): dotted paths
    of the declared subfields that differ."""
    live = live if isinstance(live, dict) else {}
    return [
        f"{name}.{key}" for key in sorted(desired) if not equal(key, desired[key], live.get(key))
    ]
