"""`--changed-since GITREF`: the config as a git revision had it, and the addresses whose
resolved desired state differs from it, so a pull request's plan costs what it changes.

Both sides are resolved the same way (aliases to ids, `${VAR}` from the current environment),
so a change of an alias's target or of a variable's value is a change of the resources that use
it. A change to `providers`, `settings`, `routing.prune`, `routing.ignore` or `network.pending`
can change any plan: the plan is then unscoped, and says so.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from netsync.config import Config, ConfigError, RawFile, load_config_files
from netsync.config.document import plain, section
from netsync.config.limits import MAX_FILE_BYTES, MAX_FILES
from netsync.config.sources import default_path
from netsync.kinds import ResourceType
from netsync.model import Resource

SUFFIXES = (".yaml", ".yml")


class HistoryError(Exception):
    """The revision cannot be read: never a silent full or empty plan."""


class AbsentAtRef(HistoryError):
    """The revision exists but holds no config at this path: everything is new."""


@dataclass
class Changes:
    """What differs between the config at a revision and now."""

    ref: str
    unscoped: str | None = None  # why the whole config must be planned
    changed: list[str] = field(default_factory=list)  # addresses to plan
    removed: list[str] = field(default_factory=list)  # no longer declared


def config_at(ref: str, path: str | Path | None, env: Mapping[str, str]) -> Config:
    """The config at `ref`, read with `git show` at the same repository-relative path.

    Raises HistoryError when `ref` is not a commit of this repository (a shallow clone),
    AbsentAtRef when the commit has no config there, ConfigError when that config is invalid.
    """
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n:"):
        raise HistoryError(f"--changed-since {ref!r} is not a git revision")
    target = Path(path) if path is not None else default_path()
    here = target if target.is_dir() else target.parent
    root = Path(str(_git(["rev-parse", "--show-toplevel"], here, ref)).strip())
    _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root, ref)
    try:
        relative = target.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise HistoryError(f"{target} is outside the git repository at {root}") from None
    spec = f"{ref}:{'' if relative == '.' else relative}"
    if target.is_dir():
        listing = str(_git(["ls-tree", "-z", spec], root, ref, absent=True))
        blobs = [e.split("\t", 1) for e in listing.split("\0") if "\t" in e]
        names = sorted(n for meta, n in blobs if meta.split()[1] == "blob")
        prefix = "" if relative == "." else f"{relative}/"
        paths = [f"{ref}:{prefix}{n}" for n in names if n.lower().endswith(SUFFIXES)]
        if len(paths) > MAX_FILES:
            raise HistoryError(f"{relative} at {ref}: more *.yaml/*.yml files than {MAX_FILES:,}")
    else:
        paths = [spec]
    raws = [RawFile(Path(f"{p.split(':', 1)[1]} (at {ref})"), _show(p, root, ref)) for p in paths]
    if not raws:
        raise AbsentAtRef(f"no *.yaml or *.yml files at {relative} in {ref}")
    return load_config_files(raws, env)


def _show(spec: str, root: Path, ref: str) -> bytes:
    data = _git(["cat-file", "blob", spec], root, ref, text=False, absent=True)
    assert isinstance(data, bytes)
    if len(data) > MAX_FILE_BYTES:
        raise HistoryError(f"{spec} is larger than a config file may be")
    return data


def _git(
    args: list[str], cwd: Path, ref: str, *, text: bool = True, absent: bool = False
) -> str | bytes:
    """Run git; a failure is a HistoryError (AbsentAtRef when `absent`: the path is missing
    from a commit that exists)."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=30, check=False, text=text
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HistoryError(f"cannot run git: {exc}") from None
    if done.returncode == 0:
        return done.stdout
    detail = done.stderr if text else done.stderr.decode("utf-8", "replace")
    first = (detail.strip().splitlines() or ["no such commit"])[0]
    if absent:
        raise AbsentAtRef(f"the config is not in {ref} ({first})")
    raise HistoryError(
        f"cannot read the config at {ref}: {first} (in CI, fetch the history the ref needs, "
        "e.g. actions/checkout with fetch-depth: 0)"
    )


def changes_since(ref: str, old: Config, new: Config) -> Changes:
    """The addresses whose resolved desired state differs; unscoped when a setting that can
    change any plan differs."""
    changes = Changes(ref)
    moved = [name for name, before, after in _settings(old, new) if before != after]
    if moved:
        changes.unscoped = f"{', '.join(moved)} changed since {ref}"
        return changes
    before = {r.address: _fingerprint(r) for r in old.resources}
    after = {r.address: _fingerprint(r) for r in new.resources}
    changes.changed = sorted(a for a, value in after.items() if before.get(a) != value)
    changes.removed = sorted(a for a in before if a not in after)
    return changes


def _settings(old: Config, new: Config) -> list[tuple[str, object, object]]:
    return [
        ("providers", old.providers, new.providers),
        ("settings", _settings_section(old), _settings_section(new)),
        ("routing.prune", old.prune, new.prune),
        ("routing.ignore", old.ignore_rules, new.ignore_rules),
        ("network.pending", old.pending_policy, new.pending_policy),
    ]


def _settings_section(config: Config) -> str:
    return json.dumps(plain(section(config.document, "settings")), sort_keys=True, default=str)


def _fingerprint(resource: Resource) -> str:
    value = {
        "type": resource.type.value,
        "id": resource.id,
        "fields": resource.fields,
        "write_only": resource.write_only,
        "ignored": sorted(resource.ignored),
    }
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def removal_planned(address: str, config: Config) -> bool:
    """A resource removed from the config is planned only where removal has an action: a
    routing rule under `prune: true` is deleted."""
    return config.prune and address.startswith(ResourceType.ROUTING_RULE.section + ".")


__all__ = [
    "AbsentAtRef",
    "Changes",
    "ConfigError",
    "HistoryError",
    "changes_since",
    "config_at",
    "removal_planned",
]
