"""YAML loading with YAML 1.2 core scalars, duplicate-key errors, `${VAR}` interpolation and
source locations on every mapping, list and value.

PyYAML implements YAML 1.1: `2026-06-01` becomes a date, `on` becomes true and `01234` becomes
668. Config values are vendor write values, so netsync resolves plain scalars by the YAML 1.2 core
schema instead (and keeps leading-zero numbers as strings, as the SPEC requires).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from netsync.config.document import LocDict, LocList
from netsync.config.interpolate import InterpolationError, interpolate
from netsync.model import Location


class YamlError(Exception):
    """A problem found while reading YAML, with the place it was found."""

    def __init__(self, message: str, location: Location) -> None:
        super().__init__(message)
        self.message = message
        self.location = location


_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(
    r"^[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
    r"|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"
)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


def resolve_plain(text: str) -> Any:
    """The YAML 1.2 core-schema value of a plain scalar (leading zeros stay strings)."""
    if _NULL.match(text):
        return None
    if _BOOL.match(text):
        return text.lower() == "true"
    if _INT.match(text):
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)
    if _FLOAT.match(text):
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered.endswith(".nan"):
            return float("nan")
        if any(ch.isdigit() for ch in text):
            return float(text)
    return text


class _CoreResolver(yaml.resolver.Resolver):
    """Resolves every plain scalar to str; `_Constructor` applies YAML 1.2 core rules itself."""


_CoreResolver.yaml_implicit_resolvers = {}


def _loc(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Constructor(yaml.constructor.SafeConstructor):
    file: str
    env: Mapping[str, str]
    errors: list[YamlError]

    def construct_document(self, node: yaml.Node) -> Any:
        return self._build(node)

    def _build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            items = LocList(loc=_loc(self.file, node))
            for child in node.value:
                items.append(self._build(child))
                items.item_locs.append(_loc(self.file, child))
            return items
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode) -> LocDict:
        result = LocDict(loc=_loc(self.file, node))
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.errors.append(
                    YamlError("a mapping key must be a plain value", _loc(self.file, key_node))
                )
                continue
            key = key_node.value  # keys are names and ids: always their written text
            here = _loc(self.file, key_node)
            if key in result:
                first = result.key_locs[key]
                self.errors.append(
                    YamlError(f"duplicate key {key!r} (first defined at line {first.line})", here)
                )
                continue
            result[key] = self._build(value_node)
            result.key_locs[key] = here
            result.value_locs[key] = _loc(self.file, value_node)
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        here = _loc(self.file, node)
        text = node.value
        if node.tag != "tag:yaml.org,2002:str":
            # Only an explicit tag (`!!int 5`) gets here: the resolver types nothing itself.
            return self._explicit(node, here)
        if "$" in text:
            try:
                text = interpolate(text, self.env)
            except InterpolationError as exc:
                self.errors.append(YamlError(str(exc), here))
                return text
        if node.style is None:
            value = resolve_plain(text)
            if isinstance(value, float) and not math.isfinite(value):
                self.errors.append(YamlError(f"{text!r} is not a finite number", here))
            return value
        return text

    def _explicit(self, node: yaml.ScalarNode, here: Location) -> Any:
        builders: dict[str, Callable[[str], Any]] = {
            "tag:yaml.org,2002:int": int,
            "tag:yaml.org,2002:float": float,
            "tag:yaml.org,2002:bool": lambda t: resolve_plain(t) if _BOOL.match(t) else None,
            "tag:yaml.org,2002:null": lambda t: None,
        }
        builder = builders.get(node.tag)
        if builder is None:
            self.errors.append(YamlError(f"unsupported YAML tag {node.tag}", here))
            return node.value
        try:
            return builder(node.value)
        except ValueError:
            self.errors.append(YamlError(f"{node.value!r} is not a valid {node.tag}", here))
            return node.value


class _Loader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    yaml.composer.Composer,
    _Constructor,
    _CoreResolver,
):
    def __init__(self, stream: str, file: str, env: Mapping[str, str]) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        _CoreResolver.__init__(self)
        self.file = file
        self.env = env
        self.errors = []


def load_yaml(text: str, file: str, env: Mapping[str, str]) -> tuple[Any, list[YamlError]]:
    """Parse one YAML document. Returns (value, errors); syntax errors raise YamlError."""
    loader = _Loader(text, file, env)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        value = loader.construct_document(node)
        return value, loader.errors
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", Location(file, line, column)) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", Location(file, 1, 1)) from None
    finally:
        loader.dispose()
