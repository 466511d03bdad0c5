"""JSON Schema validation of the merged config, with errors pointing at lines.

Formats are checked by our own checkers: jsonschema silently skips a format whose optional
checker package is missing (date-time needs rfc3339-validator), which would let a bad date through.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

from netsync.config.document import LocDict, lookup_location
from netsync.kinds import SECTIONS, UUID_PATTERN, split_address
from netsync.model import Diagnostic
from netsync.sensitive import MASK, is_sensitive

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"  # packaged; ./schemas links here
RESOURCE_SECTIONS = {tuple(section.split(".")) for section in SECTIONS}

_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def is_uuid(value: object) -> bool:
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        return False
    uuid.UUID(value)
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return not isinstance(value, str)
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())
    checker.checks("uuid")(lambda v: not isinstance(v, str) or is_uuid(v))
    checker.checks("date")(_is_date)
    checker.checks("date-time")(_is_date_time)
    return checker


@cache
def load_schema(name: str = "netsync.schema.json") -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text())


def address_and_field(path: tuple[Any, ...]) -> tuple[str, str]:
    """Split a document path into the resource address and the field inside it."""
    for section in RESOURCE_SECTIONS:
        n = len(section)
        if path[:n] == section and len(path) > n:
            address = ".".join((*section, str(path[n])))
            return address, _dotted(path[n + 1 :])
    return _dotted(path) or "(top level)", ""


def _dotted(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate_schema(doc: LocDict) -> list[Diagnostic]:
    validator = Draft202012Validator(load_schema(), format_checker=format_checker())
    diagnostics = []
    for error in validator.iter_errors(doc):
        diagnostics.extend(_diagnose(doc, error))
    return diagnostics


def _diagnose(doc: LocDict, error: jsonschema.ValidationError) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}))
        out = []
        for extra in sorted(k for k in instance if k not in allowed):
            address, field = address_and_field((*path, extra))
            if not field:  # outside resources the address already ends with the key
                address = address.rsplit(".", 1)[0] if "." in address else "(top level)"
            hint = _closest(extra, allowed)
            message = f"unknown field {field or extra!r}"
            message += f" (did you mean {hint!r}?)" if hint else ""
            loc = lookup_location(doc, (*path, extra), key=True)
            out.append(Diagnostic(address, message, loc))
        return out
    if "propertyNames" in error.schema_path and isinstance(instance, str):
        address, _ = address_and_field(path)
        bad = error.instance
        loc = lookup_location(doc, (*path, bad), key=True)
        return [Diagnostic(f"{address}.{bad}", _property_name_message(path, bad), loc)]
    address, field = address_and_field(path)
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        where = f"{field}: " if field else ""
        loc = lookup_location(doc, path, key=True)  # the line naming the incomplete mapping
        return [Diagnostic(address, f"{where}missing required field {missing!r}", loc)]
    message = _message(error, sensitive=_is_sensitive(address, field))
    if field:
        message = f"{field}: {message}"
    return [Diagnostic(address, message, lookup_location(doc, path))]


def _property_name_message(path: tuple[Any, ...], name: str) -> str:
    if path == ("firms",):
        if is_uuid(name):
            return "an alias must be a name, not a firm id"
        return f"invalid alias {name!r}: use letters, digits, '_' and '-', starting with a letter"
    if path in (("cases",), ("matters",)):
        return f"key {name!r} is not a valid id (expected a uuid)"
    return f"invalid key {name!r}"


def _is_sensitive(address: str, field: str) -> bool:
    """Client personal data is never echoed, not even in a validation error (SPEC 4)."""
    section, key = split_address(address)
    if not field or key is None or section not in SECTIONS:
        return False
    return is_sensitive(SECTIONS[section], field.replace("[", ".").replace("]", ""))


def _message(error: jsonschema.ValidationError, *, sensitive: bool = False) -> str:
    value = error.instance
    if sensitive:
        shown = json.dumps(MASK)
    elif isinstance(value, dict | list):
        shown = "a " + _json_type(value)
    else:
        shown = json.dumps(value)
    match error.validator:
        case "type":
            wanted = error.validator_value
            wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
            if isinstance(value, dict | list) and not sensitive:
                return f"expected {wanted}, got {shown}"
            return f"expected {wanted}, got {_json_type(value)} {shown}"
        case "enum":
            options = ", ".join(json.dumps(o) for o in error.validator_value)
            return f"{shown} is not one of {options}"
        case "const":
            return f"must be {json.dumps(error.validator_value)}, got {shown}"
        case "format":
            return f"{shown} is not a valid {error.validator_value}"
        case "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum":
            return f"{shown} is out of range ({error.validator} {error.validator_value})"
        case "pattern":
            return f"{shown} has an invalid format"
        case "minLength":
            return "must not be empty"
        case "anyOf" | "oneOf":
            return f"{shown} is not a valid value"
    return error.message


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "mapping"


def _closest(name: str, options: set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.75)
    return match[0] if match else None
