"""A compiled yes/no check of the config schema: whether jsonschema would find no error at all.

jsonschema walks the document building a validator and an error generator per value (about a
third of loading a national network's config). Most configs are valid, and for them only the
answer matters: `compile_check` turns the schema into plain Python functions, one per
subschema, that answer it in a fraction of the time. `validate_schema` asks them first and runs
jsonschema, which words the messages, only when they do not answer "valid".

The functions mirror the keywords of jsonschema's Draft202012Validator (`_keywords.py`): the
same type tests (with netsync's strict integer), `re.search` for patterns, the same comparisons,
jsonschema's own `equal` and `uniq` (copied below) for enum, const and uniqueItems, and
netsync's own format functions. Anything else in a schema (`$ref`, `if`, `patternProperties`,
an unknown keyword) makes `compile_check` raise `Unsupported`, and every config then goes
through jsonschema. A check that raises is not an answer either: the caller runs jsonschema,
which raises or reports as it did.

Evaluation order: the functions stop at the first failure; jsonschema evaluates every keyword
(but in `anyOf`, `oneOf` and `not`). When every function passes, every check jsonschema makes
has been made, so a check that raises in jsonschema raises here too. Under `anyOf`, `oneOf` and
`not` that holds only for a subschema of one check, so a format (the one check that calls out
and may raise) is accepted there only alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from numbers import Number
from typing import Any

# jsonschema's own `equal` and `uniq` (jsonschema/_utils.py, MIT), which its enum, const and
# uniqueItems use, copied rather than imported: importing any of jsonschema costs 45-95 ms of
# every run, and a valid config never needs the rest of it. tests/config/test_fast_paths.py
# checks both against jsonschema's on random JSON values.


def equal(one: Any, two: Any) -> bool:
    """Equality as JSON Schema has it: a boolean is never a number, at any depth."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(equal(i, j) for i, j in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return len(one) == len(two) and all(
            key in two and equal(value, two[key]) for key, value in one.items()
        )
    return bool(_unbool(one) == _unbool(two))


def uniq(container: Any) -> bool:
    """Whether no two items are `equal`: sorted neighbours where the items sort, else all pairs."""
    try:
        ordered = sorted(_unbool(i) for i in container)
        for i, j in zip(ordered, ordered[1:], strict=False):
            if equal(i, j):
                return False
    except (NotImplementedError, TypeError):
        seen: list[Any] = []
        for item in container:  # `equal` itself keeps booleans apart from numbers
            if any(equal(i, item) for i in seen):
                return False
            seen.append(item)
    return True


_TRUE, _FALSE = object(), object()


def _unbool(element: Any) -> Any:
    """True and False as values no number equals (for `uniq`)."""
    if element is True:
        return _TRUE
    if element is False:
        return _FALSE
    return element


Check = Callable[[Any], bool]

# Keywords jsonschema does not validate with (annotations, and $defs, reached only by $ref).
_ANNOTATIONS = frozenset(
    ("$id", "$comment", "$defs", "title", "description", "default", "examples", "deprecated")
    + ("readOnly", "writeOnly")
)
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
_OBJECT_KEYWORDS = frozenset(("properties", "additionalProperties", "required"))
_BOUNDS = frozenset(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"))


class Unsupported(Exception):
    """The schema uses something this check does not mirror."""


def _is_number(value: Any) -> bool:
    kind = type(value)
    if kind is int or kind is float:  # the common case, without the ABC's isinstance
        return True
    return not isinstance(value, bool) and isinstance(value, Number)


def _is_integer(value: Any) -> bool:  # netsync's: 15.0 is not an integer (schema.py)
    return isinstance(value, int) and not isinstance(value, bool)


# The type tests of Draft 2020-12 (jsonschema/_types.py), with netsync's strict integer.
TYPES: dict[str, Check] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": _is_integer,
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def compile_check(schema: Any, formats: Mapping[str, Check]) -> Check:
    """A function answering whether jsonschema (Draft 2020-12, netsync's type checker, a format
    checker with `formats`) finds no error in an instance of `schema`. Raises Unsupported."""
    if isinstance(schema, dict) and schema.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
        raise Unsupported(f"$schema {schema['$schema']!r}")
    root = (
        {k: v for k, v in schema.items() if k != "$schema"} if isinstance(schema, dict) else schema
    )
    return _Compiler(formats).node(root, consumed=False)


class _Compiler:
    def __init__(self, formats: Mapping[str, Check]) -> None:
        self.formats = formats

    def node(self, schema: Any, *, consumed: bool) -> Check:
        """`consumed`: inside anyOf, oneOf or not, where jsonschema may stop early."""
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema that is a {type(schema).__name__}")
        checks: list[Check] = []
        if "type" in schema:  # first: the cheapest test, and the one most often decisive
            checks.append(_type_test(schema["type"]))
        if any(k in schema for k in _OBJECT_KEYWORDS):
            checks.append(self.object(schema, consumed))
        for keyword, value in schema.items():
            if keyword not in _ANNOTATIONS and keyword not in _OBJECT_KEYWORDS | {"type"}:
                checks.append(self.keyword(keyword, value, schema, consumed))
        return _all(checks)

    def keyword(self, keyword: str, value: Any, schema: dict[str, Any], consumed: bool) -> Check:
        if keyword == "enum":
            return _enum(value)
        if keyword == "const":
            return _const(value)
        if keyword == "format":
            if consumed:
                raise Unsupported("a format beside other checks inside anyOf, oneOf or not")
            return _format(self.formats.get(value) if isinstance(value, str) else None)
        if keyword in ("minLength", "maxLength") and _is_integer(value):
            return _length(value, keyword == "minLength")
        if keyword == "pattern" and isinstance(value, str):
            return _pattern(re.compile(value))
        if keyword in _BOUNDS and _is_number(value):
            return _bound(keyword, value)
        if keyword == "items" and "prefixItems" not in schema:
            return _items(self.node(value, consumed=consumed))
        if keyword == "uniqueItems" and isinstance(value, bool):
            return _unique if value else _always
        if keyword == "propertyNames":
            return _property_names(self.node(value, consumed=consumed))
        if keyword in ("anyOf", "oneOf", "allOf") and isinstance(value, list) and value:
            if keyword == "allOf":
                return _all([self.node(sub, consumed=consumed) for sub in value])
            branches = [self.branch(sub, consumed) for sub in value]
            return _any(branches) if keyword == "anyOf" else _one(branches)
        if keyword == "not":
            inner = self.branch(value, consumed)
            return lambda instance: not inner(instance)
        raise Unsupported(f"the keyword {keyword!r}")

    def branch(self, schema: Any, consumed: bool) -> Check:
        """A subschema whose answer anyOf, oneOf or not uses: a lone format is fine there, unless
        that keyword is itself inside another one's subschema."""
        if isinstance(schema, dict) and not consumed:
            checks = [k for k in schema if k not in _ANNOTATIONS]
            if checks == ["format"]:
                return self.keyword("format", schema["format"], schema, consumed=False)
        return self.node(schema, consumed=True)

    def object(self, schema: dict[str, Any], consumed: bool) -> Check:
        """properties, additionalProperties and required together, in one pass over the keys."""
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        additional = schema.get("additionalProperties", True)
        if not isinstance(properties, dict) or not isinstance(required, list):
            raise Unsupported("properties or required of an unexpected shape")
        if "patternProperties" in schema or not isinstance(additional, bool | dict):
            raise Unsupported("patternProperties, or additionalProperties of an unexpected shape")
        known = {name: self.node(sub, consumed=consumed) for name, sub in properties.items()}
        extra = (
            additional if isinstance(additional, bool) else self.node(additional, consumed=consumed)
        )
        return _object(known, extra, tuple(required))


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda instance: first(instance) and second(instance)

    def check(instance: Any) -> bool:
        for each in checks:  # noqa: SIM110 - a loop: all() over a generator is slower here
            if not each(instance):
                return False
        return True

    return check


def _any(checks: list[Check]) -> Check:
    return lambda instance: any(each(instance) for each in checks)


def _one(checks: list[Check]) -> Check:
    return lambda instance: sum(1 for each in checks if each(instance)) == 1


def _type_test(wanted: Any) -> Check:
    names = [wanted] if isinstance(wanted, str) else wanted
    if not isinstance(names, list) or not names or not all(n in TYPES for n in names):
        raise Unsupported(f"type {wanted!r}")
    tests = [TYPES[n] for n in names]
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda instance: first(instance) or second(instance)
    return lambda instance: any(test(instance) for test in tests)


def _enum(options: Any) -> Check:
    if not isinstance(options, list):
        raise Unsupported("enum that is not a list")
    return lambda instance: any(equal(each, instance) for each in options)


def _const(value: Any) -> Check:
    return lambda instance: equal(instance, value)


def _format(test: Check | None) -> Check:
    if test is None:  # a format the checker does not know: jsonschema lets every value pass
        return _always
    return lambda instance: bool(test(instance))


def _length(limit: int, at_least: bool) -> Check:
    if at_least:
        return lambda instance: not isinstance(instance, str) or len(instance) >= limit
    return lambda instance: not isinstance(instance, str) or len(instance) <= limit


def _pattern(pattern: re.Pattern[str]) -> Check:
    search = pattern.search
    return lambda instance: not isinstance(instance, str) or search(instance) is not None


def _bound(keyword: str, bound: Any) -> Check:
    """A number passes unless the comparison jsonschema reports an error for holds."""
    if keyword == "minimum":
        return lambda instance: not _is_number(instance) or not instance < bound
    if keyword == "maximum":
        return lambda instance: not _is_number(instance) or not instance > bound
    if keyword == "exclusiveMinimum":
        return lambda instance: not _is_number(instance) or not instance <= bound
    return lambda instance: not _is_number(instance) or not instance >= bound


def _items(each: Check) -> Check:
    def check(instance: Any) -> bool:
        if not isinstance(instance, list):
            return True
        return all(each(item) for item in instance)

    return check


def _unique(instance: Any) -> bool:
    return not isinstance(instance, list) or bool(uniq(instance))


def _property_names(each: Check) -> Check:
    def check(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        return all(each(name) for name in instance)

    return check


def _object(known: dict[str, Check], extra: bool | Check, required: tuple[str, ...]) -> Check:
    get = known.get

    def check(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for name in required:
            if name not in instance:
                return False
        for name, value in instance.items():
            each = get(name)
            if each is None:  # an additional property
                if extra is False or (extra is not True and not extra(value)):
                    return False
            elif not each(value):
                return False
        return True

    return check
