"""The exported config as YAML text: stable bytes (sorted keys, fixed field order, no
timestamps), strings quoted wherever a YAML 1.2 reader would take them for something else,
`${` written as `$${` so nothing is interpolated, and a comment where data was left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from netsync.config.scalars import resolve_plain

FILES = (
    "providers.yaml",
    "firms.yaml",
    "network.yaml",
    "routing.yaml",
    "cases.yaml",
    "matters.yaml",
    "case_requests.yaml",
)
HEADER = "# Written by `netsync export`. From now on, change the network here, by pull request."


@dataclass
class Entry:
    """One exported resource (or alias): its key, fields in order, and what was left out."""

    key: str
    value: Any
    left_out: list[str] = field(default_factory=list)


@dataclass
class Section:
    """A top-level key's content: plain settings first, then keyed entries."""

    settings: dict[str, Any] = field(default_factory=dict)
    entries: dict[str, list[Entry]] = field(default_factory=dict)  # sub-key -> entries


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases, strings quoted when netsync's YAML 1.2 reader would read them
    as another type (PyYAML's YAML 1.1 rules miss `0o17`, for one)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    text = text.replace("${", "$${")
    style = None
    if not isinstance(resolve_plain(text), str) or resolve_plain(text) != text:
        style = '"'
    if "\n" in text:
        style = "|" if text == text.rstrip("\n") + "\n" and not text.startswith(" ") else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)


def dump_value(value: Any, indent: int) -> list[str]:
    """`value` as YAML lines indented by `indent` spaces (a mapping or list over several
    lines, a scalar on one)."""
    text = yaml.dump(
        value,
        Dumper=_Dumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
    )
    text = text.removesuffix("\n...\n").rstrip("\n")
    return [(" " * indent + line) if line else line for line in text.split("\n")]


def _key(key: str) -> str:
    return dump_value(key, 0)[0]


def _entry_lines(entry: Entry, indent: int) -> list[str]:
    pad = " " * indent
    lines = []
    if entry.left_out:
        lines.append(f"{pad}# left out, unmanaged (personal data): {', '.join(entry.left_out)}")
    if isinstance(entry.value, dict) and entry.value:
        lines.append(f"{pad}{_key(entry.key)}:")
        lines += dump_value(entry.value, indent + 2)
    elif isinstance(entry.value, dict):
        lines.append(f"{pad}{_key(entry.key)}: {{}}")
    else:
        lines.append(f"{pad}{_key(entry.key)}: {dump_value(entry.value, 0)[0]}")
    return lines


def section_text(name: str, section: Section) -> list[str]:
    """`name:` with its settings and its keyed entries, sorted by key; `{}` when empty."""
    if not section.settings and not any(section.entries.values()):
        return [f"{name}: {{}}"]  # `cases:` alone would read as null
    lines = [f"{name}:"]
    for key, value in section.settings.items():
        if isinstance(value, dict | list) and value:
            lines.append(f"  {_key(key)}:")
            lines += dump_value(value, 4)
        else:
            lines.append(f"  {_key(key)}: {dump_value(value, 0)[0]}")
    for sub, entries in section.entries.items():
        ordered = sorted(entries, key=lambda e: e.key)
        if sub == "":
            for entry in ordered:
                lines += _entry_lines(entry, 2)
            continue
        if not ordered:
            lines.append(f"  {_key(sub)}: {{}}")
            continue
        lines.append(f"  {_key(sub)}:")
        for entry in ordered:
            lines += _entry_lines(entry, 4)
    return lines


def file_text(sections: dict[str, Section], note: str | None = None) -> str:
    """One file: the header, `version: 1`, then each section."""
    lines = [HEADER]
    if note:
        lines.append(f"# {note}")
    lines.append("version: 1")
    for name, section in sections.items():
        lines += section_text(name, section)
    return "\n".join(lines) + "\n"
