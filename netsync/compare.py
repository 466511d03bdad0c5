"""SPEC section 2's comparison rules: what counts as a change.

Numbers compare by decimal value whatever JSON type carried them; booleans are never numbers;
ids compare case-insensitively; date-times as instants; a live field that is absent equals null.
Nested values are aligned pairwise by these rules and then compared structurally (sets sorted
by a canonical key, at every depth).

Which fields of a kind are sets, objects sent whole, keyed lists or create-only is vendor
knowledge: each provider declares a `FieldRules` per kind and the planner passes it in here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from netsync.kinds import UUID_PATTERN

_SCALARS = frozenset((str, int, float, bool, type(None)))
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


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
        return [canonical(x) for x in desired], [canonical(y) for y in live]
    if isinstance(desired, bool) or isinstance(live, bool):
        return desired, live
    if isinstance(desired, int | float) or isinstance(live, int | float):
        a, b = _number(desired), _number(live)
        if a is not None and b is not None:
            return a, b
        return desired, live
    if isinstance(desired, str) and isinstance(live, str):
        if UUID_PATTERN.match(desired) and UUID_PATTERN.match(live):
            return desired.lower(), live.lower()
        a, b = _instant(desired), _instant(live)
        if a is not None and b is not None:
            return a, b
    return desired, live


def canonical(value: Any) -> Any:
    """A context-free canonical form, for items of lists whose pairing is unknown (sets) and for
    digests: absent keys and nulls alike, numbers (and numeric strings) as decimals, ids
    lower-case, date-times as instants."""
    if type(value) is str:  # the common case first; the branch below, unchanged
        return _canonical_text(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return _canonical_text(value)
    return value


def _canonical_text(value: str) -> Any:
    if UUID_PATTERN.match(value):
        return value.lower()
    number = _number(value) if value.strip() else None
    if number is not None:
        return number
    instant = _instant(value)
    return instant if instant is not None else value


def equal(desired: Any, live: Any, *, unordered: bool = False) -> bool:
    """Whether a desired and a live value are the same by the SPEC's rules; `unordered` lists
    (staff ids, routing conditions) compare as sets, at every depth."""
    if type(desired) is type(live) and type(desired) in _SCALARS and desired == live:
        return True  # the same scalar is equal by every rule: most fields of a no-op
    if unordered:
        return _same(_sorted(canonical(desired)), _sorted(canonical(live)))
    return _same(*align(desired, live))


def _same(a: Any, b: Any) -> bool:
    """Strict structural equality of aligned values: a boolean is never a number, and
    containers match item by item (Python's own == would call True equal to 1)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if a is None or b is None:
        return a is None and b is None
    return type(a) is type(b) and a == b


def _sorted(value: Any) -> Any:
    """Lists as sets at every depth: one of each item, sorted by a canonical text key, so two
    sets compare without pairing their items (a repeated item is the same set)."""
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        items = {_key(item): item for item in (_sorted(v) for v in value)}
        return [items[key] for key in sorted(items)]
    return value


def _key(value: Any) -> str:
    """A text that is the same exactly for canonically equal values (booleans apart)."""
    return json.dumps(_printable(value), sort_keys=True, default=lambda v: f"<{v!r}>")


@dataclass
class Diff:
    """One resource's desired fields against its live fields."""

    before: dict[str, Any]  # the live values of the managed fields (declared subfields only)
    changed: list[str]  # changed fields, nested ones as dotted paths, sorted
    fixed: list[str]  # create-only fields that differ: the vendor cannot change them now


@dataclass(frozen=True)
class FieldRules:
    """How one kind's fields compare and are written, as its vendor declares them."""

    unordered: frozenset[str] = frozenset()  # lists compared as sets
    whole_objects: frozenset[str] = frozenset()  # sent whole, managed per declared subfield
    keyed_lists: Mapping[str, str] = field(default_factory=dict)  # list field -> item key
    create_only: frozenset[str] = frozenset()  # set on create; a later difference is a warning

    def equal(self, name: str, desired: Any, live: Any) -> bool:
        return equal(desired, live, unordered=name in self.unordered)

    def diff(self, desired: Mapping[str, Any], live: Mapping[str, Any]) -> Diff:
        result = Diff({}, [], [])
        for name, value in desired.items():
            current = live.get(name)
            if name in self.whole_objects and isinstance(value, dict):
                current = current if isinstance(current, dict) else {}
                result.before[name] = {key: current.get(key) for key in value}
                result.changed += [
                    f"{name}.{key}" for key in value if not equal(value[key], current.get(key))
                ]
            elif name in self.keyed_lists:
                result.before[name], paths = _keyed(value, current, self.keyed_lists[name])
                result.changed += [f"{name}.{path}" for path in paths]
            else:
                result.before[name] = current
                if not self.equal(name, value, current):
                    (result.fixed if name in self.create_only else result.changed).append(name)
        result.changed.sort()
        return result

    def canonical(self, name: str, value: Any) -> Any:
        """A field's value in a form where equal-by-the-rules values are equal and print the
        same (for digests: 50, 50.0 and "50" alike; ids in one case; sets sorted)."""
        value = canonical(value)
        return _printable(_sorted(value) if name in self.unordered else value)


def _printable(value: Any) -> Any:
    if type(value) is str:
        return value
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def _keyed(desired: Any, live: Any, key: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Items matched by `key` (Trackops custom fields by id): (the live values of the declared
    items, the keys whose value differs)."""
    live_by_key = {
        str(item.get(key)): item.get("value") for item in (live or []) if isinstance(item, dict)
    }
    before, changed = [], []
    for item in desired or []:
        name = str(item.get(key))
        before.append({key: item.get(key), "value": live_by_key.get(name)})
        if not equal(item.get("value"), live_by_key.get(name)):
            changed.append(name)
    return before, changed
