"""`netsync export`: the live network as netsync YAML, to adopt an existing account.

collect (reads) -> shape (live objects as config entries, aliases, personal data left out) ->
yamlout (stable text) -> the result checked by netsync's own config loader, so an export never
writes a config that `validate` rejects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from netsync.config import Config, ConfigError, RawFile, load_config_files
from netsync.config.desired import provider_settings
from netsync.config.document import LocDict, plain, section
from netsync.export.collect import Selection, collect
from netsync.export.shape import shape
from netsync.export.yamlout import FILES, Entry, Section, file_text
from netsync.kinds import ResourceType
from netsync.model import Diagnostic, Location
from netsync.providers import Options

__all__ = ["FILES", "ExportResult", "Selection", "existing_files", "run_export"]

NOWHERE = Location("", 0, 0)


@dataclass
class ExportResult:
    files: dict[str, str] = field(default_factory=dict)  # file name -> text (the seven files)
    document: str = ""  # everything in one document, for stdout
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    resources: int = 0


def run_export(
    config: Config | None,
    env: Mapping[str, str],
    selection: Selection,
    options: Options,
    parallelism: int,
) -> ExportResult:
    """Read and shape; `errors` non-empty means nothing may be written. Raises VendorError when
    a vendor cannot be used at all."""
    document = config.document if config else LocDict(loc=NOWHERE)
    settings = config.providers if config else provider_settings(LocDict(loc=NOWHERE), env)
    collected = collect(settings, env, selection, options, parallelism)
    shaped = shape(collected, config.firms if config else {}, selection.all_fields)
    result = ExportResult(
        errors=collected.errors + shaped.errors, warnings=collected.warnings + shaped.warnings
    )
    if result.errors:
        return result
    sections = _sections(document, config, shaped.entries, shaped.aliases)
    result.files = {name: file_text(parts) for name, parts in sections.items()}
    merged: dict[str, Section] = {}
    for parts in sections.values():
        merged.update(parts)
    result.document = file_text(merged)
    result.resources = sum(len(entries) for entries in shaped.entries.values())
    result.errors = _check(result.files, env)
    return result


def _sections(
    document: LocDict,
    config: Config | None,
    entries: dict[ResourceType, list[Entry]],
    aliases: dict[str, str],
) -> dict[str, dict[str, Section]]:
    providers = {
        name: _no_userinfo(value) for name, value in plain(section(document, "providers")).items()
    }
    head = {"providers": Section(settings={k: v for k, v in providers.items() if v})}
    settings = plain(section(document, "settings"))
    if settings:
        head["settings"] = Section(settings=settings)
    routing: dict[str, Any] = {"prune": config.prune if config else False}
    if config and config.ignore_rules:
        routing["ignore"] = sorted(config.ignore_rules)
    firms = [Entry(alias, firm_id) for firm_id, alias in aliases.items()]
    return {
        "providers.yaml": head,
        "firms.yaml": {"firms": Section(entries={"": firms})},
        "network.yaml": {
            "network": Section(
                settings={"pending": config.pending_policy if config else "report"},
                entries={
                    "outbound": entries[ResourceType.OUTBOUND],
                    "inbound": entries[ResourceType.INBOUND],
                },
            )
        },
        "routing.yaml": {
            "routing": Section(
                settings=routing, entries={"rules": entries[ResourceType.ROUTING_RULE]}
            )
        },
        "cases.yaml": {"cases": Section(entries={"": entries[ResourceType.CASE]})},
        "matters.yaml": {"matters": Section(entries={"": entries[ResourceType.MATTER]})},
        "case_requests.yaml": {
            "case_requests": Section(entries={"": entries[ResourceType.CASE_REQUEST]})
        },
    }


def _no_userinfo(settings: Any) -> Any:
    """Provider settings with any `user:password@` taken out of their URLs."""
    if not isinstance(settings, dict):
        return settings
    out = {}
    for key, value in settings.items():
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            parts = urlsplit(value)
            host = parts.netloc.rsplit("@", 1)[-1]
            value = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
        out[key] = value
    return out


def _check(files: dict[str, str], env: Mapping[str, str]) -> list[Diagnostic]:
    """The files as `validate` would read them: any error means the export is refused."""
    raws = [RawFile(Path(f"{name} (export)"), text.encode()) for name, text in files.items()]
    try:
        load_config_files(raws, env)
    except ConfigError as exc:
        return [
            Diagnostic(
                d.address, f"the exported config would not validate: {d.message}", d.location
            )
            for d in exc.diagnostics
        ]
    return []


def existing_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """(ours, others): the export's files already in `folder`, and any other YAML there."""
    if not folder.is_dir():
        return [], []
    yaml_files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
    ours = [p for p in yaml_files if p.name in FILES]
    return ours, [p for p in yaml_files if p.name not in FILES]
