"""Which managed values are personal data, and how every output hides them (SPEC section 4).

Sensitive, by resource type:

- `trackops_case_request`: every subfield of `client` and `contact` (the keys stay visible so a
  reviewer sees *which* subfield changes, the values do not); in `subjects`, every custom field's
  `value` (a subject's `id`, `subject_type_id`, `is_primary`, `is_pinned` and each custom field's
  `id` stay visible; any other subject key is masked too, since subjects are personal data).
- `casexchange_case`: the case's client fields (`clientFirstName`, `clientLastName`,
  `clientEmail`, `clientPhone`, `clientDateOfBirth`).

A sensitive non-null value becomes the string `"(sensitive)"`. `null` stays `null`: it reveals
nothing but lets a reviewer see that a value is being cleared or is absent.

Field paths are dotted (`contact.email`); list items are addressed by index, as `subjects.0`
or `subjects[0]`.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from typing import Any

from netsync.model import ResourceType

MASK = "(sensitive)"

CASE_CLIENT_FIELDS = frozenset(
    {"clientFirstName", "clientLastName", "clientEmail", "clientPhone", "clientDateOfBirth"}
)
PERSON_OBJECTS = frozenset({"client", "contact"})
SUBJECT_VISIBLE = frozenset({"id", "subject_type_id", "is_primary", "is_pinned"})
CUSTOM_FIELD_VISIBLE = frozenset({"id"})

_INDEX = re.compile(r"\[(\d+)\]")


# The kinds that hold personal data; every other kind's values are never masked.
SENSITIVE_TYPES = frozenset({ResourceType.CASE, ResourceType.CASE_REQUEST})


def split_path(field_path: str) -> list[str]:
    """`subjects[0].custom_fields.1.value` -> ["subjects", "0", "custom_fields", "1", "value"]."""
    return list(_split(field_path))


@lru_cache(maxsize=4096)
def _split(field_path: str) -> tuple[str, ...]:
    """The segments of a path; field names repeat across resources, so each is split once."""
    return tuple(seg for seg in _INDEX.sub(r".\1", field_path).split(".") if seg != "")


def _classify(resource_type: ResourceType, segs: list[str]) -> tuple[bool, bool]:
    """(sensitive, container): whether the value at `segs` holds personal data, and whether it
    is only a container of it (walked into, keys kept) rather than a value masked whole."""
    if not segs:
        return False, False
    head = segs[0]
    if resource_type is ResourceType.CASE:
        return head in CASE_CLIENT_FIELDS, False
    if resource_type is not ResourceType.CASE_REQUEST:
        return False, False
    if head in PERSON_OBJECTS:
        return True, len(segs) == 1
    if head != "subjects":
        return False, False
    if len(segs) <= 2:  # the subjects list, or one subject
        return True, True
    key = segs[2]
    if key == "custom_fields":
        if len(segs) <= 4:  # the list, or one custom field
            return True, True
        return segs[4] not in CUSTOM_FIELD_VISIBLE, False
    return key not in SUBJECT_VISIBLE, False


def is_sensitive(resource_type: ResourceType, field_path: str) -> bool:
    """True when the value at `field_path` is, or contains, personal data that outputs mask."""
    return _classify(ResourceType(resource_type), split_path(field_path))[0]


def _mask(resource_type: ResourceType, segs: list[str], value: Any) -> Any:
    if value is None:
        return None
    sensitive, container = _classify(resource_type, segs)
    if sensitive and not container:
        return MASK
    if isinstance(value, dict):
        return {k: _mask(resource_type, [*segs, str(k)], v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(resource_type, [*segs, str(i)], v) for i, v in enumerate(value)]
    # A scalar where an object or list of personal data was expected: hide it whole.
    return MASK if sensitive else copy.deepcopy(value)


def _copy(value: Any) -> Any:
    """`_mask` where nothing is sensitive: the same deep copy, without classifying each path."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return copy.deepcopy(value)


def mask_value(resource_type: ResourceType, field_path: str, value: Any) -> Any:
    """A deep copy of `value` (found at `field_path`) with its sensitive parts masked."""
    resource_type = ResourceType(resource_type)
    if resource_type not in SENSITIVE_TYPES:
        return _copy(value)
    return _mask(resource_type, split_path(field_path), value)


def masked_fields(
    resource_type: ResourceType, fields: dict[str, Any] | None
) -> dict[str, Any] | None:
    """A deep copy of a resource's managed fields with every sensitive value masked."""
    if fields is None:
        return None
    return {name: mask_value(resource_type, name, value) for name, value in fields.items()}


def masked_own(resource_type: ResourceType, fields: dict[str, Any] | None) -> dict[str, Any] | None:
    """`masked_fields` for fields the caller built for this call and shares with nobody: the
    same result, but a kind without personal data gets them back as they are, uncopied."""
    if ResourceType(resource_type) not in SENSITIVE_TYPES:
        return fields
    return masked_fields(resource_type, fields)


def sensitive_values(resource_type: ResourceType, fields: dict[str, Any] | None) -> set[str]:
    """The personal data among a resource's values, as text, so free text that may echo it (a
    vendor's error message) can be scrubbed."""
    found: set[str] = set()

    def walk(segs: list[str], value: Any) -> None:
        if value is None:
            return
        sensitive, container = _classify(resource_type, segs)
        if isinstance(value, dict):
            for k, v in value.items():
                walk([*segs, str(k)], v)
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value):
                walk([*segs, str(i)], v)
        elif sensitive and not isinstance(value, bool) and len(str(value)) >= 3:
            found.add(str(value))

    for name, value in (fields or {}).items():
        walk([name], value)
    return found


def scrub(text: str, resource_type: ResourceType, *field_sets: dict[str, Any] | None) -> str:
    """`text` with every sensitive value of the given fields replaced by the mask."""
    values: set[str] = set()
    for fields in field_sets:
        values |= sensitive_values(ResourceType(resource_type), fields)
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
