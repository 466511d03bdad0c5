"""YAML loading: YAML 1.2 core scalars, duplicate-key errors, `${VAR}` interpolation, source
locations on every mapping, list and value, and limits that hold against hostile input.

The document is built straight from the parser's events (libyaml's when PyYAML has it) rather
than through PyYAML's node graph: the graph shares an anchored node between its aliases, so
building values from it expands an alias bomb before anything can count it. Here every value is
counted as it is built, an alias adds the size of its anchor before it is copied, and the build
stops at the first value past the budget, at the alias (or value) that crossed it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from netsync.config import limits
from netsync.config.document import (
    LocDict,
    LocList,
    Variables,
    address_and_field,
    copy_located,
    located_dict,
    located_list,
    place,
)
from netsync.config.interpolate import InterpolationError, interpolate_tracked
from netsync.config.scalars import (
    MAP_TAG,
    SEQ_TAG,
    TYPED_START,
    ScalarError,
    check_finite,
    clean_source,
    escaped,
    explicit,
    resolve_plain,
    tag_name,
    text_problem,
)
from netsync.model import Location

try:  # libyaml parses ten times faster than PyYAML's pure-Python parser
    from yaml.cyaml import CParser as _FastParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _FastParser = None

DocPath = tuple[str | int, ...]  # keys and list indexes from the document root


class YamlError(Exception):
    """A problem found while reading YAML, with the place and (when known) the address."""

    def __init__(self, message: str, location: Location, address: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.address = address


class Budget:
    """How many values the whole config has built so far: one budget for every file of a
    directory, so a thousand files cannot each take the limit."""

    def __init__(self) -> None:
        self.used = 0


class _PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _parser(text: str) -> Any:
    return _FastParser(text) if _FastParser is not None else _PurePythonParser(text)


class _Builder:
    """Builds located values from parser events, counting them against the limits.

    `sequence` and `mapping` read the common item, a scalar without tag, anchor, `$` or
    anything to report, inline (it is most of a config); anything else goes through `node`,
    which reports it. Locations are kept as places, ints (see `located_dict`): where the loops
    below write `mark.line << 32 | mark.column`, it is `place(mark)`, without the call.
    """

    inline = True  # False reads every value through `node` (tests compare both ways)

    def __init__(self, text: str, file: str, env: Mapping[str, str], used: int = 0) -> None:
        self.events = _parser(text)
        self.file = file
        self.env = env
        self.errors: list[YamlError] = []
        self.path: list[str | int] = []
        self.count = used  # values built so far, this document's and earlier files' together
        self.anchors: dict[str, tuple[Any, int, Variables]] = {}
        self.open_anchors: set[str] = set()
        self.variables: Variables = ()  # of the scalar built last, for its parent to record
        # When the text holds nothing text_problem refuses, nothing read as written can: the
        # inline path skips the check (an interpolated value is never read inline).
        self.plain_text = clean_source(text)

    def here(self, event: Any) -> Location:
        mark = event.start_mark
        return Location(self.file, mark.line + 1, mark.column + 1)

    def error(self, message: str, event: Any, *, key: str | None = None) -> YamlError:
        """An error at `event`, addressed by the current path (plus `key` for a key's error)."""
        path: DocPath = (*self.path, key) if key is not None else tuple(self.path)
        address, field = address_and_field(path)
        if field and key is None:
            message = f"{field}: {message}"
        return YamlError(message, self.here(event), address)

    def document(self) -> Any:
        events = self.events
        events.get_event()  # stream start
        if events.check_event(StreamEndEvent):
            return None  # no document: an empty file, or only comments
        events.get_event()  # document start
        value = self.node(events.get_event())
        events.get_event()  # document end
        if not events.check_event(StreamEndEvent):
            here = self.here(events.peek_event())
            raise YamlError("invalid YAML: expected one document, found another ('---')", here)
        return value

    def node(self, event: Any) -> Any:
        """The value that starts with `event`; `self.variables` is left set for a scalar."""
        self.variables = ()
        kind = type(event)
        if kind is AliasEvent:
            return self.alias(event)
        start = self.count
        self.count = start + 1
        if start >= limits.MAX_VALUES:
            raise self.error(
                f"the config has more than {limits.MAX_VALUES:,} values (keys, values and "
                "list items, in all files together), the limit that keeps validation fast",
                event,
            )
        anchor = event.anchor
        if anchor is not None:
            self.open_anchors.add(anchor)
        if kind is ScalarEvent:
            value = self.scalar(event)
        elif kind is SequenceStartEvent:
            value = self.sequence(event)
        else:
            value = self.mapping(event)
        if anchor is not None:
            self.open_anchors.discard(anchor)
            self.anchors[anchor] = (value, self.count - start, self.variables)
        return value

    def alias(self, event: AliasEvent) -> Any:
        name = event.anchor
        if name in self.open_anchors:
            raise self.error(f"alias *{name} is used inside its own anchor &{name}", event)
        if name not in self.anchors:
            raise self.error(f"alias *{name} has no anchor &{name} before it", event)
        value, size, variables = self.anchors[name]
        self.count += size
        if self.count > limits.MAX_VALUES:
            raise self.error(
                f"alias *{name} makes the config larger than {limits.MAX_VALUES:,} values "
                "(every use of an alias copies its anchor; is this an alias bomb?)",
                event,
            )
        self.variables = variables
        return copy_located(value)

    def enter(self, event: Any) -> None:
        if len(self.path) >= limits.MAX_DEPTH:
            raise self.error(f"nested more than {limits.MAX_DEPTH} levels deep", event)
        tag = event.tag
        if tag is not None and tag not in (MAP_TAG, SEQ_TAG):
            self.errors.append(self.error(f"unsupported YAML tag {tag_name(tag)}", event))
        elif tag == (SEQ_TAG if isinstance(event, MappingStartEvent) else MAP_TAG):
            self.errors.append(self.error(f"YAML tag {tag_name(tag)} on the wrong kind", event))

    def sequence(self, event: SequenceStartEvent) -> LocList:
        self.enter(event)
        item_places: list[int] = []
        item_vars: dict[int, Variables] = {}
        items = located_list(self.file, place(event.start_mark), item_places, item_vars)
        get_event, path, append = self.events.get_event, self.path, items.append
        max_values, max_string, plain_text = limits.MAX_VALUES, limits.MAX_STRING, self.plain_text
        inline = self.inline
        while True:
            item = get_event()
            kind = type(item)
            if kind is SequenceEndEvent:
                break
            mark = item.start_mark
            item_places.append(mark.line << 32 | mark.column)
            if (
                inline
                and kind is ScalarEvent
                and item.anchor is None
                and item.tag is None
                and self.count < max_values
            ):
                value = _inline_scalar(item.value, item.style, max_string, plain_text)
                if value is not _NOT_INLINE:
                    self.count += 1
                    append(value)
                    continue
            index = len(items)
            path.append(index)
            append(self.node(item))
            path.pop()
            if self.variables:
                item_vars[index] = self.variables
        self.variables = ()
        return items

    def mapping(self, event: MappingStartEvent) -> LocDict:
        self.enter(event)
        key_places: dict[str, int] = {}
        value_places: dict[str, int] = {}
        value_vars: dict[str, Variables] = {}
        result = located_dict(
            self.file, place(event.start_mark), key_places, value_places, value_vars
        )
        get_event, path = self.events.get_event, self.path
        max_values, max_string, plain_text = limits.MAX_VALUES, limits.MAX_STRING, self.plain_text
        max_key, inline = limits.MAX_KEY, self.inline
        while True:
            key_event = get_event()
            if inline and type(key_event) is ScalarEvent and key_event.tag is None:
                text: str = key_event.value
                if (
                    text in result
                    or len(text) > max_key
                    or (text == "<<" and not key_event.style)
                    or (not plain_text and text_problem(text))
                ):
                    key = self.key(key_event, result, key_places)  # which reports it
                else:
                    self.count += 1
                    key = text
            elif type(key_event) is MappingEndEvent:
                break
            else:
                key = self.key(key_event, result, key_places)
            value_event = get_event()
            if key is None:
                self.node(value_event)  # a refused key's value: built to be counted, then dropped
                continue
            if (
                inline
                and type(value_event) is ScalarEvent
                and value_event.anchor is None
                and value_event.tag is None
                and self.count < max_values
            ):
                value = _inline_scalar(value_event.value, value_event.style, max_string, plain_text)
                if value is not _NOT_INLINE:
                    self.count += 1
                    result[key] = value
                    mark = key_event.start_mark
                    key_places[key] = mark.line << 32 | mark.column
                    mark = value_event.start_mark
                    value_places[key] = mark.line << 32 | mark.column
                    continue
            path.append(key)
            result[key] = self.node(value_event)
            path.pop()
            key_places[key] = place(key_event.start_mark)
            value_places[key] = place(value_event.start_mark)
            if self.variables:
                value_vars[key] = self.variables
        self.variables = ()
        return result

    def key(self, event: Any, mapping: LocDict, key_places: dict[str, int]) -> str | None:
        """The key `event` starts as written, or None (with an error) for one it refuses."""
        if type(event) is not ScalarEvent:
            self.errors.append(self.error("a mapping key must be a plain value", event))
            self.node(event)
            return None
        self.count += 1
        text = event.value
        problem = self.key_problem(event, mapping, key_places)
        if problem:
            self.errors.append(self.error(problem, event, key=escaped(text[:80])))
            return None
        return text

    def key_problem(
        self, event: ScalarEvent, mapping: LocDict, key_places: dict[str, int]
    ) -> str | None:
        text = event.value
        if event.tag not in (None, "tag:yaml.org,2002:str"):
            return f"unsupported YAML tag {tag_name(event.tag)} on a key"
        if len(text) > limits.MAX_KEY:
            return f"a key longer than {limits.MAX_KEY:,} characters"
        if text == "<<" and not event.style:
            return (
                "merge keys (<<) are not supported: repeat the fields in each entry "
                "(a duplicate of a whole entry can be an alias, *name)"
            )
        if text in mapping:
            first = (key_places[text] >> 32) + 1
            return f"duplicate key {text!r} (first defined at line {first})"
        problem = text_problem(text)
        return f"key {problem}" if problem else None

    def scalar(self, event: ScalarEvent) -> Any:
        text = event.value
        if len(text) > limits.MAX_STRING:
            self.errors.append(
                self.error(f"a value longer than {limits.MAX_STRING:,} characters", event)
            )
            return None
        variables: Variables = ()
        if "$" in text:
            try:
                text, variables = interpolate_tracked(text, self.env)
            except InterpolationError as exc:
                self.errors.append(self.error(str(exc), event))
                return None
        try:
            value = self.typed(event, text, variables)
        except ScalarError as exc:
            if variables:
                shown = _from(variables)
            else:
                shown = repr(_short(text)) if exc.echo else "the value"
            self.errors.append(self.error(f"{shown} {exc}", event))
            return None
        self.variables = variables
        return value

    def typed(self, event: ScalarEvent, text: str, variables: Variables) -> Any:
        if variables and len(text) > limits.MAX_STRING:
            raise ScalarError(f"is longer than {limits.MAX_STRING:,} characters", echo=False)
        if event.tag is not None:
            value = explicit(event.tag, text)
        elif not event.style and not (variables and text == ""):  # plain: '' (libyaml) or None
            value = resolve_plain(text)  # an empty ${VAR} stays "", never a silent null
        else:
            value = text
        check_finite(value)
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise ScalarError(problem, echo=False)
        return value


_NOT_INLINE = object()  # what `_inline_scalar` answers for a scalar `node` must read


def _inline_scalar(text: str, style: str | None, max_string: int, plain_text: bool) -> Any:
    """The value of an untagged scalar without `$` that is fine as written, as `scalar` reads
    it, or _NOT_INLINE when `scalar` has something to do or say about it (then it is read
    again by `node`, which reports it)."""
    if "$" in text or len(text) > max_string:
        return _NOT_INLINE
    if style:  # quoted or block: a string as written
        value: Any = text
    elif text and text[0] not in TYPED_START:
        value = text  # most plain values: no number, boolean or null starts this way
    else:
        try:
            value = resolve_plain(text)
        except ScalarError:
            return _NOT_INLINE
        if type(value) is float and not math.isfinite(value):
            return _NOT_INLINE
    if not plain_text and type(value) is str and text_problem(value):
        return _NOT_INLINE
    return value


def _from(variables: Variables) -> str:
    return "the value from " + " and ".join(f"${{{name}}}" for name in variables)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"


def load_yaml(
    text: str, file: str, env: Mapping[str, str], budget: Budget | None = None
) -> tuple[Any, list[YamlError]]:
    """Parse one YAML document. Returns (value, errors); a syntax error or a broken limit raises
    YamlError (the rest of the document is not worth reading). `budget` is shared by the files
    of one config."""
    budget = budget or Budget()
    builder: _Builder | None = None
    try:
        builder = _Builder(text, file, env, budget.used)  # the pure-Python reader checks here
        return builder.document(), builder.errors
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except yaml.reader.ReaderError as exc:
        in_bytes = builder is not None and _FastParser is not None
        line, column = _position(text, exc.position, in_bytes)
        raise YamlError(
            f"invalid YAML: the character #x{exc.character:04x} is not allowed in YAML text",
            Location(file, line, column),
        ) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", Location(file, 1, 1)) from None
    finally:
        if builder is not None:
            budget.used = builder.count
            builder.events.dispose()


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: str) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    message = f"invalid YAML: {problem}"
    source_line = _line(text, line)
    if "\t" in source_line[:column]:
        message += " (indent with spaces: YAML does not allow tabs there)"
    elif _unquoted_variable_in_flow(source_line):
        message += (
            ' (a ${VAR} inside {...} or [...] must be quoted, "${VAR}", which keeps it a '
            "string; write the field on its own line to have it typed as a number)"
        )
    return YamlError(message, Location(file, line, column))


def _unquoted_variable_in_flow(line: str) -> bool:
    """Whether `line` has a `${` outside quotes after a `{` or `[` (a rough reading of one line,
    enough to choose a hint)."""
    start = line.find("${")
    while start >= 0:
        before = line[:start]
        quoted = before.count('"') % 2 == 1 or before.count("'") % 2 == 1
        if not quoted and ("{" in before.replace("${", "") or "[" in before):
            return True
        start = line.find("${", start + 2)
    return False


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _position(text: str, index: int, in_bytes: bool) -> tuple[int, int]:
    """Line and column of a reader error's offset: a character index from PyYAML's reader, a
    byte offset into the UTF-8 text from libyaml's."""
    if in_bytes:
        index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
