"""What every command shares: exit codes, options, config-error reporting, colour."""

from __future__ import annotations

import os
import sys

import click

from netsync.config import ConfigError

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


CONFIG_OPTION = click.option(
    "-c",
    "--config",
    "config_path",
    default="netsync.yaml",
    show_default=True,
    metavar="PATH",
    help="Config file, or a directory whose *.yaml/*.yml files are merged.",
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
COLOR_OPTION = click.option(
    "--no-color", is_flag=True, help="Never colour (NO_COLOR is honoured too)."
)


def report_config_errors(error: ConfigError) -> int:
    for diagnostic in error.diagnostics:
        click.echo(str(diagnostic), err=True)
    count = len(error.diagnostics)
    click.echo(f"{count} error{'s' if count != 1 else ''} in config.", err=True)
    return EXIT_ERROR


def use_color(no_color: bool) -> bool:
    return not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
