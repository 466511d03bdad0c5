"""Scalar typing by the YAML 1.2 core schema, explicit core tags, and the checks every string and
number passes before it becomes a config value.

PyYAML implements YAML 1.1: `2026-06-01` becomes a date, `on` becomes true and `01234` becomes
668. Config values are vendor write values, so netsync resolves plain scalars by the YAML 1.2 core
schema instead (and keeps leading-zero numbers as strings, as the SPEC requires).
"""

from __future__ import annotations

import math
import re
from typing import Any

from netsync.config.limits import MAX_INTEGER, MAX_NUMBER_TEXT

_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(
    r"^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
TYPED_START = frozenset("0123456789+-.~nNtTfF")  # how every non-string plain scalar starts

CORE = "tag:yaml.org,2002:"
STR_TAG, MAP_TAG, SEQ_TAG = CORE + "str", CORE + "map", CORE + "seq"

# C0/C1 controls other than tab, newline and carriage return; bidirectional controls, which make
# text display in another order than it is read ("Trojan Source"); zero-width characters and a
# stray byte-order mark, which make two different keys look the same.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_SUSPECT = re.compile("|".join(p.pattern for p in (_CONTROL, _BIDI, _INVISIBLE)))


class ScalarError(ValueError):
    """A scalar that cannot become a config value. The message never repeats the value; `echo`
    says whether the caller may put the written text in front of it (a number: yes; a string
    with a control character: no, that would print the character)."""

    def __init__(self, message: str, *, echo: bool = True) -> None:
        super().__init__(message)
        self.echo = echo


def resolve_plain(text: str) -> Any:
    """The YAML 1.2 core-schema value of a plain scalar (leading zeros stay strings).

    Raises ScalarError for a number too long or too large to be a vendor value, before Python
    spends time converting it.
    """
    if text and text[0] not in TYPED_START:
        return text  # most values: no number, boolean or null starts this way
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        return _integer(text)
    if _FLOAT.match(text):
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered.endswith(".nan"):
            return float("nan")
        if any(ch.isdigit() for ch in text):
            _check_length(text)
            return float(text)
    return text


def _integer(text: str) -> int:
    _check_length(text)
    if text.startswith("0o"):
        value = int(text[2:], 8)
    elif text.startswith("0x"):
        value = int(text[2:], 16)
    else:
        value = int(text)
    if abs(value) > MAX_INTEGER:
        raise ScalarError("is too large: integers are limited to 64 bits (9223372036854775807)")
    return value


def _check_length(text: str) -> None:
    if len(text) > MAX_NUMBER_TEXT:
        raise ScalarError(f"is a number written with more than {MAX_NUMBER_TEXT} characters")


def check_finite(value: Any) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ScalarError("is not a finite number (.nan and .inf cannot be sent to a vendor)")


def tag_name(tag: str) -> str:
    """A tag as the user wrote it: `!!binary` rather than `tag:yaml.org,2002:binary`."""
    return "!!" + tag[len(CORE) :] if tag.startswith(CORE) else tag


def explicit(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit core tag (`!!int 5`); ScalarError otherwise."""
    name = tag_name(tag)
    if tag == STR_TAG:
        return text
    if tag not in (CORE + "int", CORE + "float", CORE + "bool", CORE + "null"):
        raise ScalarError(f"has the unsupported YAML tag {name} (netsync reads plain YAML values)")
    value = resolve_plain(text)
    kind = tag[len(CORE) :]
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "null" and value is None:
        return None
    raise ScalarError(f"is not a valid {name}")


def text_problem(text: str) -> str | None:
    """Why a string cannot be a config value or key, naming the character but not the text."""
    if not _SUSPECT.search(text):
        return None  # the common case, in one scan
    for pattern, what in (
        (_BIDI, "the bidirectional control character"),
        (_CONTROL, "the control character"),
        (_INVISIBLE, "the invisible character"),
    ):
        found = pattern.search(text)
        if found:
            code = f"U+{ord(found.group()):04X}"
            return f"contains {what} {code}, which can make text read differently than it is"
    return None


def clean_source(text: str) -> bool:
    """Whether no key or value read from the YAML `text` as written (not interpolated) can hold
    a character `text_problem` refuses: the text holds none, nor a backslash (a double-quoted
    escape can write any character)."""
    return "\\" not in text and _SUSPECT.search(text) is None


def escaped(text: str) -> str:
    """`text` with the characters `text_problem` refuses written as `\\u202e`, so a message can
    name a key without printing them."""
    return _SUSPECT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
