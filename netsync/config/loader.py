"""Read a config (a file, a directory of them, or standard input) and merge it into one located
document."""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

from netsync.config import limits
from netsync.config.display import json_type
from netsync.config.document import LocDict
from netsync.config.errors import ConfigError
from netsync.config.schema import load_schema
from netsync.config.sources import RawFile, read_config_bytes
from netsync.config.yamlload import Budget, YamlError, load_yaml
from netsync.kinds import SECTIONS
from netsync.model import Diagnostic, Location

__all__ = ["ConfigError", "SourceDocument", "read_source"]

# Mappings whose entries are whole resources (or aliases): an entry is owned by one file.
ATOMIC_ENTRIES = {("firms",), *(tuple(section.split(".")) for section in SECTIONS)}

_WIDE_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


@dataclass
class SourceDocument:
    data: LocDict
    files: list[Path]
    digest: str  # sha256 over every file's name and bytes, for plan files
    key: bytes  # secret-ish key for plan-file digests: only config holders can derive it


def read_source(
    path: str | Path | None, env: Mapping[str, str], stdin: IO[Any] | None = None
) -> SourceDocument:
    """Read, parse and merge the config at `path` (None: netsync.yaml or netsync.yml here;
    "-": standard input)."""
    raws, errors = read_config_bytes(path, stdin)
    return parse_source(raws, env, errors, str(path))


def parse_source(
    raws: list[RawFile], env: Mapping[str, str], errors: list[Diagnostic], name: str = ""
) -> SourceDocument:
    """Parse and merge files already read (from disk, stdin, or a git revision)."""
    first = raws[0].name if raws else name
    merged = LocDict(loc=Location(first, 1, 1))
    digest = hashlib.sha256()
    key = hashlib.sha256(b"netsync plan-file digest key\0")
    budget = Budget()
    for raw in raws:
        digest.update(raw.path.name.encode() + b"\0" + raw.data + b"\0")
        key.update(raw.data + b"\0")
        if budget.used > limits.MAX_VALUES:
            break  # reported once, at the value that crossed it
        value = _parse(raw, env, errors, budget)
        if value is not None:
            _merge(merged, value, (), errors)
    if errors:
        raise ConfigError(errors)
    return SourceDocument(merged, [raw.path for raw in raws], digest.hexdigest(), key.digest())


def _parse(
    raw: RawFile, env: Mapping[str, str], errors: list[Diagnostic], budget: Budget
) -> LocDict | None:
    """One file's top-level mapping, or None (with its problems added to `errors`)."""
    text = _decode(raw, errors)
    if text is None:
        return None
    try:
        value, problems = load_yaml(text, raw.name, env, budget)
    except YamlError as exc:
        errors.append(Diagnostic(exc.address, exc.message, exc.location))
        return None
    errors.extend(Diagnostic(p.address, p.message, p.location) for p in problems)
    if value is None:
        return None  # an empty file declares nothing
    if not isinstance(value, LocDict):
        message = f"the top level must be a mapping of sections, not a {json_type(value)}"
        errors.append(Diagnostic(None, message, Location(raw.name, 1, 1)))
        return None
    _empty_sections(value, container_paths())
    return value


def _decode(raw: RawFile, errors: list[Diagnostic]) -> str | None:
    for bom, encoding in _WIDE_BOMS.items():
        if raw.data.startswith(bom):
            message = f"not UTF-8 text: the file is {encoding}; save it as UTF-8"
            errors.append(Diagnostic(None, message, Location(raw.name, 1, 1)))
            return None
    try:
        return raw.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.data.rfind(b"\n", 0, exc.start) + 1
        line = raw.data.count(b"\n", 0, exc.start) + 1
        column = len(raw.data[line_start : exc.start].decode("utf-8", "replace")) + 1
        byte = raw.data[exc.start]
        message = f"not UTF-8 text (byte {exc.start}: 0x{byte:02x}); save it as UTF-8"
        errors.append(Diagnostic(None, message, Location(raw.name, line, column)))
        return None


@cache
def container_paths() -> frozenset[tuple[str, ...]]:
    """Config mappings that only group others (`cases`, `network.outbound`, `providers.x`), from
    the schema: every `type: object` reached through `properties` (resource bodies are reached
    through `additionalProperties`, so they are not among them)."""
    found: set[tuple[str, ...]] = set()

    def walk(node: Mapping[str, Any], path: tuple[str, ...]) -> None:
        for name, sub in node.get("properties", {}).items():
            if sub.get("type") == "object":
                found.add((*path, name))
                walk(sub, (*path, name))

    walk(load_schema(), ())
    return frozenset(found)


def _empty_sections(doc: LocDict, paths: frozenset[tuple[str, ...]]) -> None:
    """An empty section (`cases:` with its last entry commented out) is null in YAML; it means
    an empty section, not an error."""
    for path in sorted(paths, key=len):
        parent: Any = doc
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, LocDict) else None
        name = path[-1]
        if isinstance(parent, LocDict) and name in parent and parent[name] is None:
            parent[name] = LocDict(loc=parent.value_locs[name])


def _merge(into: LocDict, new: LocDict, path: tuple[str, ...], errors: list[Diagnostic]) -> None:
    for key, value in new.items():
        here = new.key_locs[key]
        if key not in into:
            into[key] = value
            into.key_locs[key] = here
            into.value_locs[key] = new.value_locs[key]
            if key in new.value_vars:
                into.value_vars[key] = new.value_vars[key]
            continue
        existing = into[key]
        child = (*path, key)
        mergeable = (
            isinstance(existing, LocDict)
            and isinstance(value, LocDict)
            and path not in ATOMIC_ENTRIES
        )
        if mergeable:
            _merge(existing, value, child, errors)
        elif child == ("version",) and type(existing) is type(value) and existing == value:
            continue  # `version: 1` may repeat (not `version: true`, which equals 1 in Python)
        else:
            first = into.key_locs[key]
            errors.append(
                Diagnostic(
                    ".".join(child),
                    f"defined twice: here and at {first} "
                    "(each key may be defined in one file only)",
                    here,
                )
            )
