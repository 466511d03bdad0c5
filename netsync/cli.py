"""Command line: flags -> pipeline -> exit code.

Exit codes are part of the contract (SPEC section 3): 0 ok, 1 error (usage errors too: click's
default 2 would read as "changes" in a CI script), 2 changes or drift where asked for.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import click

from netsync import __version__
from netsync.config import Config, ConfigError, load_config
from netsync.model import SECTION_TYPES

EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


class NetsyncGroup(click.Group):
    """Maps every usage error and abort to exit 1."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        standalone = extra.pop("standalone_mode", True)
        try:
            rv = super().main(args, prog_name or "netsync", standalone_mode=False, **extra)
        except click.ClickException as exc:
            exc.show()
            rv = EXIT_ERROR
        except click.Abort:
            click.echo("Aborted.", err=True)
            rv = EXIT_ERROR
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            rv = EXIT_ERROR
        code = rv if isinstance(rv, int) else EXIT_OK
        if standalone:
            sys.exit(code)
        return code


CONFIG_OPTION = click.option(
    "-c",
    "--config",
    "config_path",
    default="netsync.yaml",
    show_default=True,
    metavar="PATH",
    help="Config file, or a directory whose *.yaml/*.yml files are merged.",
)


def report_config_errors(error: ConfigError) -> int:
    for diagnostic in error.diagnostics:
        click.echo(str(diagnostic), err=True)
    count = len(error.diagnostics)
    click.echo(f"{count} error{'s' if count != 1 else ''} in config.", err=True)
    return EXIT_ERROR


def describe(config: Config) -> str:
    counts = Counter(r.type for r in config.resources)
    names = {
        "network.outbound": ("outbound relationship", "outbound relationships"),
        "network.inbound": ("inbound relationship", "inbound relationships"),
        "routing.rules": ("routing rule", "routing rules"),
        "cases": ("case", "cases"),
        "matters": ("matter", "matters"),
        "case_requests": ("case request", "case requests"),
    }
    parts = []
    for dotted, rtype in SECTION_TYPES.items():
        n = counts.get(rtype, 0)
        if n:
            one, many = names[dotted]
            parts.append(f"{n} {one if n == 1 else many}")
    declared = ", ".join(parts) if parts else "no resources"
    files = len(config.files)
    aliases = len(config.firms)
    return (
        f"Config is valid: {declared}; {aliases} firm alias{'es' if aliases != 1 else ''} "
        f"({files} file{'s' if files != 1 else ''})."
    )


@click.group(cls=NetsyncGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="netsync")
def main() -> None:
    """GitOps for referral networks: plan and apply CaseXchange, Smokeball and Trackops
    settings from YAML in git, and report drift.

    \b
    Examples:
      netsync validate -c network/
      netsync plan -c network/ --format markdown > plan.md
      netsync apply -c network/ --auto-approve
    """


@main.command()
@CONFIG_OPTION
def validate(config_path: str) -> int:
    """Check the config against the schema and references, without touching any API.

    \b
    Examples:
      netsync validate
      netsync validate -c examples/quickstart
    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return report_config_errors(exc)
    click.echo(describe(config))
    return EXIT_OK


def _not_built(name: str, issue: int) -> click.Command:
    @click.command(
        name=name,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
        help=f"Not built yet (tracked in issue #{issue}).",
    )
    def command() -> int:
        click.echo(f"netsync {name}: not built yet (tracked in issue #{issue}).", err=True)
        return EXIT_ERROR

    return command


for _name in ("plan", "show", "apply", "drift", "export"):
    main.add_command(_not_built(_name, 4))
main.add_command(_not_built("sandbox", 3))
