"""CaseXchange's case-types table (world key `case_types`): looking a case type up by name or id,
and the display names firm profiles answer. Pure functions of the world data, so any vendor
module can use them without an import cycle.
"""

from __future__ import annotations

from typing import Any


def lookup(data: dict[str, Any], value: Any) -> dict[str, Any] | None:
    """The case type `value` names -- its id (any case) or its name (case-insensitively) --
    or None."""
    if not isinstance(value, str):
        return None
    table = data.get("case_types") or []
    wanted = value.lower()
    for ct in table:
        if ct["id"] == wanted:
            return ct
    folded = value.casefold()
    return next((ct for ct in table if ct["name"].casefold() == folded), None)


def match_key(data: dict[str, Any], value: Any) -> str | None:
    """What two case-type values are compared by: the table entry they name, else the text
    itself case-insensitively; None for a value that is not a string (it matches nothing)."""
    if not isinstance(value, str):
        return None
    ct = lookup(data, value)
    return f"id:{ct['id']}" if ct else f"text:{value.casefold()}"


def display_names(data: dict[str, Any], values: Any) -> list[Any]:
    """A firm's `caseTypes` as profiles answer them: a value naming a table entry becomes its
    `displayName` (else its `name`); anything else is answered as stored."""
    out = []
    for value in values or []:
        ct = lookup(data, value)
        out.append((ct.get("displayName") or ct["name"]) if ct else value)
    return out


def case_type_record(ct: dict[str, Any]) -> dict[str, Any]:
    """One entry of the table in openapi.yml's `CaseType` shape."""
    return {
        "id": ct["id"],
        "name": ct["name"],
        "displayName": ct.get("displayName"),
        "explanation": ct.get("explanation"),
    }
