"""Read a config file or a directory of them and merge into one located document."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from netsync.config.document import LocDict
from netsync.config.yamlload import YamlError, load_yaml
from netsync.kinds import SECTIONS
from netsync.model import Diagnostic, Location

# Mappings whose entries are whole resources (or aliases): an entry is owned by one file.
ATOMIC_ENTRIES = {("firms",), *(tuple(section.split(".")) for section in SECTIONS)}


@dataclass
class SourceDocument:
    data: LocDict
    files: list[Path]
    digest: str  # sha256 over every file's name and bytes, for plan files
    key: bytes  # secret-ish key for plan-file digests: only config holders can derive it


class ConfigError(Exception):
    """Config problems; carries every diagnostic so `validate` can report them all at once."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def config_files(path: Path) -> list[Path]:
    """The files a config path means: the file itself, or *.yaml/*.yml directly in a folder."""
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml")
        )
        if not files:
            raise ConfigError([Diagnostic(None, f"{path}: no *.yaml or *.yml files in directory")])
        return files
    if not path.exists():
        hint = " (use -c PATH)" if path.name == "netsync.yaml" else ""
        raise ConfigError([Diagnostic(None, f"{path}: no such file or directory{hint}")])
    return [path]


def read_source(path: Path, env: Mapping[str, str]) -> SourceDocument:
    files = config_files(path)
    merged = LocDict(loc=Location(str(files[0]), 1, 1))
    errors: list[Diagnostic] = []
    digest = hashlib.sha256()
    key = hashlib.sha256(b"netsync plan-file digest key\0")
    for file in files:
        name = str(file)
        try:
            raw = file.read_bytes()
        except OSError as exc:
            errors.append(Diagnostic(None, f"{name}: cannot read: {exc.strerror or exc}"))
            continue
        digest.update(file.name.encode() + b"\0" + raw + b"\0")
        key.update(raw + b"\0")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            errors.append(
                Diagnostic(None, f"not UTF-8 text (byte {exc.start})", Location(name, 1, 1))
            )
            continue
        try:
            value, problems = load_yaml(text, name, env)
        except YamlError as exc:
            errors.append(Diagnostic(None, exc.message, exc.location))
            continue
        errors.extend(Diagnostic(None, p.message, p.location) for p in problems)
        if value is None:
            continue  # an empty file declares nothing
        if not isinstance(value, LocDict):
            kind = "a list" if isinstance(value, list) else f"a {type(value).__name__}"
            errors.append(
                Diagnostic(
                    None,
                    f"the top level must be a mapping of sections, not {kind}",
                    Location(name, 1, 1),
                )
            )
            continue
        _merge(merged, value, (), errors)
    if errors:
        raise ConfigError(errors)
    return SourceDocument(merged, files, digest.hexdigest(), key.digest())


def _merge(into: LocDict, new: LocDict, path: tuple[str, ...], errors: list[Diagnostic]) -> None:
    for key, value in new.items():
        here = new.key_locs[key]
        if key not in into:
            into[key] = value
            into.key_locs[key] = here
            into.value_locs[key] = new.value_locs[key]
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
        elif child == ("version",) and existing == value:
            continue
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
