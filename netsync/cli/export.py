"""`netsync export`: the live network as netsync YAML, to adopt an existing account."""

from __future__ import annotations

import os
from pathlib import Path

import click

from netsync.cli.options import (
    EXIT_ERROR,
    EXIT_OK,
    MAX_WAIT_OPTION,
    PARALLELISM_OPTION,
    report_config_errors,
)
from netsync.config import STDIN, ConfigError, load_config
from netsync.export import FILES, ExportResult, Selection, existing_files, run_export
from netsync.files import NotRegularFile, write_atomically
from netsync.http import VendorError
from netsync.kinds import UUID_PATTERN
from netsync.providers import Options


@click.command()
@click.option(
    "-c",
    "--config",
    "config_path",
    default=None,
    metavar="PATH",
    help="A config whose aliases, provider settings, routing.prune and settings are reused.",
)
@click.option("-o", "--out", "out_dir", metavar="DIR", help="Write the seven files here.")
@click.option("--firm", "firms", multiple=True, metavar="ID", help="Also this firm. Repeatable.")
@click.option("--case", "cases", multiple=True, metavar="ID", help="A sent case. Repeatable.")
@click.option("--matter", "matters", multiple=True, metavar="ID", help="A matter. Repeatable.")
@click.option(
    "--case-request", "case_requests", multiple=True, metavar="REF", help="A case request."
)
@click.option("--all-fields", is_flag=True, help="Every matter field, not only the referral.")
@click.option("--force", is_flag=True, help="Overwrite the export's files in DIR.")
@PARALLELISM_OPTION
@MAX_WAIT_OPTION
def export(
    config_path: str | None,
    out_dir: str | None,
    firms: tuple[str, ...],
    cases: tuple[str, ...],
    matters: tuple[str, ...],
    case_requests: tuple[str, ...],
    all_fields: bool,
    force: bool,
    parallelism: int,
    max_wait: float,
) -> int:
    """Write netsync YAML for what is live, so an existing network can be managed from git.

    Exports the private network's outbound relationships, every routing rule, and the firms,
    cases, matters and case requests named. Planning the export shows no changes. Client
    personal data is never written.

    \b
    Examples:
      netsync export -o network/
      netsync export --case 3c90c3cc-0d44-4b50-8888-8dd25736052a --matter 9a1b… > network.yaml
    """
    if config_path == STDIN:
        click.echo("Error: export reads no config from standard input; use -c PATH.", err=True)
        return EXIT_ERROR
    folder = Path(out_dir) if out_dir else None
    if folder is not None and (refused := _refusal(folder, force)):
        click.echo(f"Error: {refused}", err=True)
        return EXIT_ERROR
    try:
        config = load_config(config_path) if config_path else None
    except ConfigError as exc:
        return report_config_errors(exc)
    aliases = config.firms if config else {}
    unknown = [f for f in firms if f not in aliases and not UUID_PATTERN.match(f)]
    if unknown:
        where = "the -c config's firms" if config else "a -c config's firms (none given)"
        click.echo(
            f"Error: --firm {unknown[0]}: not a CaseXchange firm id, nor an alias in {where}.",
            err=True,
        )
        return EXIT_ERROR
    firms = tuple(aliases.get(f, f) for f in firms)
    selection = Selection(firms, cases, matters, case_requests, all_fields)
    options = Options.of(os.environ, parallelism=parallelism, max_wait=max_wait)
    try:
        result = run_export(config, os.environ, selection, options, parallelism)
    except VendorError as exc:
        click.echo(f"Error: {exc}", err=True)
        return EXIT_ERROR
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if result.errors:
        for error in result.errors:
            click.echo(f"Error: {error}", err=True)
        click.echo("Nothing was exported.", err=True)
        return EXIT_ERROR
    return _write(result, folder)


def _refusal(folder: Path, force: bool) -> str | None:
    if folder.exists() and not folder.is_dir():
        return f"{folder} is not a directory"
    ours, others = existing_files(folder)
    if others:
        names = ", ".join(p.name for p in others)
        return f"{folder} holds other YAML files ({names}): export into an empty directory"
    if ours and not force:
        names = ", ".join(p.name for p in ours)
        return f"{folder} already holds {names}: use --force to replace them"
    return None


def _write(result: ExportResult, folder: Path | None) -> int:
    if folder is None:
        click.echo(result.document, nl=False)
    else:
        try:
            folder.mkdir(exist_ok=True)
            for name in FILES:
                write_atomically(folder / name, result.files[name])
        except (OSError, NotRegularFile) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            click.echo(f"Error: cannot write to {folder}: {reason}", err=True)
            return EXIT_ERROR
    where = f" to {folder}/" if folder else ""
    n = result.resources
    click.echo(f"Exported {n} resource{'s' if n != 1 else ''}{where}.", err=True)
    return EXIT_OK
