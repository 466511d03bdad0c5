"""What every command shares: exit codes, options (`--no-color`, `-v`, `--version` on every
command), config-error reporting, colour, logging."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import click

from netsync import __version__
from netsync.config import ConfigError
from netsync.http import Secrets

EXIT_OK, EXIT_ERROR, EXIT_CHANGES, EXIT_INTERRUPTED = 0, 1, 2, 130


CONFIG_OPTION = click.option(
    "-c",
    "--config",
    "config_path",
    default=None,
    metavar="PATH",
    help="Config file, a directory whose *.yaml/*.yml files are merged, or - for standard "
    "input (default: netsync.yaml or netsync.yml here).",
)


FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="text for terminals, json for pipelines, markdown for pull-request comments.",
)
TARGET_OPTION = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDR",
    help="Only this address or section (whole segments: network.outbound, cases.<id>). Repeatable.",
)
PARALLELISM_OPTION = click.option(
    "--parallelism",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Concurrent reads.",
)
MAX_WAIT_OPTION = click.option(
    "--max-wait",
    type=click.FloatRange(0),
    default=120,
    show_default=True,
    metavar="S",
    help="Longest wait a vendor may demand on a 429; a longer demand fails at once.",
)


def _no_color(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["netsync.no_color"] = True


class _Redacting(logging.Formatter):
    """Log lines never carry a credential, in any encoding."""

    def format(self, record: logging.LogRecord) -> str:
        return Secrets.redact(super().format(record))


def _verbose(_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    logger = logging.getLogger("netsync")
    for handler in [h for h in logger.handlers if getattr(h, "netsync", False)]:
        logger.removeHandler(handler)
    handler: logging.Handler = logging.StreamHandler(sys.stderr) if value else logging.NullHandler()
    handler.netsync = True  # type: ignore[attr-defined]
    handler.setFormatter(_Redacting("netsync: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if value else logging.WARNING)
    logger.propagate = False


def common(command: Any) -> Any:
    """`--no-color`, `-v/--verbose` and `--version`, which every command takes."""
    options: list[Callable[[Any], Any]] = [
        click.option(
            "--no-color",
            is_flag=True,
            expose_value=False,
            callback=_no_color,
            help="Never colour (NO_COLOR is honoured too).",
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=_verbose,
            help="Log every request (credentials redacted) and every retry on stderr.",
        ),
        click.version_option(__version__, "--version", prog_name="netsync"),
    ]
    for option in options:
        command = option(command)
    return command


def report_config_errors(error: ConfigError) -> int:
    for diagnostic in error.diagnostics:
        click.echo(str(diagnostic), err=True)
    count = len(error.diagnostics)
    click.echo(f"{count} error{'s' if count != 1 else ''} in config.", err=True)
    return EXIT_ERROR


def use_color() -> bool:
    """Colour only on a terminal, and never with --no-color or NO_COLOR."""
    ctx = click.get_current_context(silent=True)
    off = bool(ctx and ctx.meta.get("netsync.no_color"))
    return not off and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
