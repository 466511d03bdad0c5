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
from typing import TYPE_CHECKING, Any

from netsync.config.display import describe, json_type, short_json, shown, shown_key
from netsync.config.document import (
    RESOURCE_SECTIONS,
    LocDict,
    address_and_field,
    lookup_location,
    lookup_variables,
)
from netsync.config.schemacheck import Check, Unsupported, compile_check
from netsync.kinds import SECTIONS, UUID_PATTERN, split_address
from netsync.model import Diagnostic
from netsync.providers import PROVIDERS
from netsync.sensitive import MASK, is_sensitive

if TYPE_CHECKING:  # imported where a config has an error (see _validator_class)
    import jsonschema

__all__ = [
    "RESOURCE_SECTIONS",
    "address_and_field",
    "env_name_message",
    "format_checker",
    "is_uuid",
    "load_schema",
    "validate_schema",
]

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"  # packaged; ./schemas links here


def _strict_integer(checker: Any, instance: object) -> bool:
    """JSON Schema's "integer" accepts 15.0; vendors reject it, so netsync does too."""
    return isinstance(instance, int) and not isinstance(instance, bool)


@cache
def _validator_class() -> Any:
    """Draft 2020-12 with netsync's integers: the schema file stays standard JSON Schema
    (editors use it); only validation is stricter. Imported here, not at the top: a valid
    config never needs jsonschema (schemacheck.py answers), and importing it costs 45-95 ms."""
    from jsonschema import Draft202012Validator, validators

    integers = Draft202012Validator.TYPE_CHECKER.redefine("integer", _strict_integer)
    return validators.extend(Draft202012Validator, type_checker=integers)


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def is_uuid(value: object) -> bool:
    if not isinstance(value, str) or not UUID_PATTERN.match(value):
        return False
    if len(value) != 36:  # the pattern's `$` also matches before a final newline
        uuid.UUID(value)  # which it refuses (ValueError); any 36 characters that match it pass
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


# The formats netsync checks, each a function answering whether a value passes.
FORMATS = {
    "uuid": lambda v: not isinstance(v, str) or is_uuid(v),
    "date": _is_date,
    "date-time": _is_date_time,
}


def format_checker() -> jsonschema.FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in FORMATS.items():
        checker.checks(name)(check)
    return checker


@cache
def load_schema(name: str = "netsync.schema.json") -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / name).read_text())


def validate_schema(doc: LocDict) -> list[Diagnostic]:
    if _known_valid(doc):
        return []  # what jsonschema would find: no error, so no message
    return schema_diagnostics(doc)


def _known_valid(doc: LocDict) -> bool:
    """Whether the compiled check (schemacheck.py) says jsonschema would find no error; False
    when it cannot say (an unsupported schema, or a check that raised: jsonschema decides)."""
    check = _compiled_check()
    if check is None:
        return False
    try:
        return check(doc)
    except Exception:
        return False


@cache
def _compiled_check() -> Check | None:
    try:
        return compile_check(load_schema(), FORMATS)
    except Unsupported:
        return None


def schema_diagnostics(doc: LocDict) -> list[Diagnostic]:
    """The schema's messages for `doc`, from jsonschema (validate_schema's answer)."""
    validator = _validator_class()(load_schema(), format_checker=format_checker())
    errors = list(validator.iter_errors(doc))
    # A value of the wrong type gets one message: its range or format says nothing more.
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    diagnostics = []
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in mistyped:
            continue
        diagnostics.extend(_diagnose(doc, error))
    return diagnostics


def env_name_message(vendor: str, setting: str) -> str:
    """The one message for a bad `*_env` setting: it never echoes the value, which is often the
    credential itself, pasted where its variable's name belongs."""
    provider = PROVIDERS.get(vendor)
    example = provider.defaults.get(setting) if provider else None
    like = f" (like {example})" if isinstance(example, str) else ""
    return f"{setting} must name an environment variable{like}, not hold the key itself"


def _is_env_setting(path: tuple[Any, ...]) -> bool:
    return len(path) == 3 and path[0] == "providers" and str(path[2]).endswith("_env")


def _diagnose(doc: LocDict, error: jsonschema.ValidationError) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        return _unknown_fields(doc, error, path)
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
    if _is_env_setting(path):
        message = env_name_message(str(path[1]), str(path[2]))
        return [Diagnostic(address, message, lookup_location(doc, path))]
    variables = lookup_variables(doc, path)
    message = _message(error, variables, sensitive=_is_sensitive(address, field))
    if field:
        message = f"{field}: {message}"
    return [Diagnostic(address, message, lookup_location(doc, path))]


def _unknown_fields(
    doc: LocDict, error: jsonschema.ValidationError, path: tuple[Any, ...]
) -> list[Diagnostic]:
    allowed = set(error.schema.get("properties", {}))
    out = []
    for extra in sorted(k for k in error.instance if k not in allowed):
        address, field = address_and_field((*path, extra))
        if not field:  # outside resources the address already ends with the key
            address = address.rsplit(".", 1)[0] if "." in address else "(top level)"
        hint = _closest(extra, allowed)
        message = f"unknown field {shown_key(field or extra)}"
        message += f" (did you mean {hint!r}?)" if hint else ""
        loc = lookup_location(doc, (*path, extra), key=True)
        out.append(Diagnostic(address, message, loc))
    return out


def _property_name_message(path: tuple[Any, ...], name: str) -> str:
    if path == ("firms",):
        if is_uuid(name):
            return "an alias must be a name, not a firm id"
        return (
            f"invalid alias {shown_key(name)}: use letters, digits, '_' and '-', "
            "starting with a letter"
        )
    if name == "":
        return "a key must not be empty"
    if path in (("cases",), ("matters",)):
        return f"key {shown_key(name)} is not a valid id (expected a uuid)"
    return f"invalid key {shown_key(name)}"


def _is_sensitive(address: str, field: str) -> bool:
    """Client personal data is never echoed, not even in a validation error (SPEC 4)."""
    section, key = split_address(address)
    if not field or key is None or section not in SECTIONS:
        return False
    return is_sensitive(SECTIONS[section], field.replace("[", ".").replace("]", ""))


def _got(value: Any, variables: tuple[str, ...], sensitive: bool) -> str:
    """What a type error says it found: `string "30"`, `null`, `a mapping`, `a string from
    ${VAR}`, `number "(sensitive)"`."""
    if sensitive and value is not None:
        return f"{json_type(value)} {json.dumps(MASK)}"
    if value is None:
        return "null"
    return describe(value, variables) or f"{json_type(value)} {short_json(value)}"


def _message(
    error: jsonschema.ValidationError, variables: tuple[str, ...], *, sensitive: bool = False
) -> str:
    value = error.instance
    text = json.dumps(MASK) if sensitive else shown(value, variables)
    match error.validator:
        case "type":
            wanted = error.validator_value
            wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
            message = f"expected {wanted}, got {_got(value, variables, sensitive)}"
            if "integer" in wanted and isinstance(value, float) and not variables:
                message += f" (write {int(value)})" if value.is_integer() and value < 1e15 else ""
            if value is None and wanted == "object":
                message += " (write {} for an entry without fields)"
            return message
        case "enum":
            options = ", ".join(json.dumps(o) for o in error.validator_value)
            return f"{text} is not one of {options}"
        case "const":
            return f"must be {json.dumps(error.validator_value)}, got {text}"
        case "format":
            return f"{text} is not a valid {error.validator_value}"
        case "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum":
            return f"{text} is out of range ({error.validator} {error.validator_value})"
        case "pattern":
            return f"{text} has an invalid format"
        case "minLength":
            return "must not be empty"
        case "maxLength":
            return f"is longer than {error.validator_value:,} characters"
        case "anyOf" | "oneOf":
            return f"{text} is not a valid value"
    return f"{text} is not valid here (schema rule {error.validator!r})"


def _closest(name: str, options: set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, sorted(options), n=1, cutoff=0.75)
    return match[0] if match else None
