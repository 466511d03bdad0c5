"""Command line: flags -> pipeline -> exit code.

Exit codes are part of the contract (SPEC section 3): 0 ok, 1 error (usage errors too: click's
default 2 would read as "changes" in a CI script), 2 changes or drift where asked for.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from netsync import __version__
from netsync.apply import EXIT_INTERRUPTED, Apply, Console, Settings
from netsync.apply.report import Report
from netsync.apply.report import Result as Verdict
from netsync.config import Config, ConfigError, load_config
from netsync.demo import EXAMPLE, run_demo
from netsync.http import Secrets
from netsync.kinds import ResourceType
from netsync.model import Plan
from netsync.pipeline import PlanRun, run_plan
from netsync.planfile import PlanFileError, read_plan_file, write_plan_file
from netsync.progress import Progress
from netsync.render import render
from netsync.sandbox.cli import sandbox
from netsync.scope import Scope

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
        except Exception as exc:  # a bug: still no traceback, still no secret
            if os.environ.get("NETSYNC_DEBUG"):
                raise
            message = Secrets.redact(f"{type(exc).__name__}: {exc}")
            click.echo(
                f"netsync: internal error: {message} (set NETSYNC_DEBUG=1 for details)", err=True
            )
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
    parts = []
    for rtype in ResourceType:
        n = counts.get(rtype, 0)
        if n:
            one, many = rtype.kind.nouns
            parts.append(f"{n} {one if n == 1 else many}")
    declared = ", ".join(parts) if parts else "no resources"
    files = len(config.files)
    aliases = len(config.firms)
    return (
        f"Config is valid: {declared}; {aliases} firm alias{'es' if aliases != 1 else ''} "
        f"({files} file{'s' if files != 1 else ''})."
    )


@click.group(
    name="netsync", cls=NetsyncGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
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


def use_color(no_color: bool) -> bool:
    return not no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()


def read_and_plan(config_path: str, targets: tuple[str, ...], parallelism: int) -> PlanRun | int:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return report_config_errors(exc)
    with Progress("Reading live state") as progress:
        return run_plan(
            config,
            os.environ,
            scope=Scope.of(targets),
            parallelism=parallelism,
            progress=progress,
        )


def emit(plan: Plan, fmt: str, no_color: bool, *, drift: bool = False) -> None:
    """The plan on stdout; errors on stderr as `path:line:col: address: message` (SPEC 3).

    Text output counts the errors but leaves their lines to stderr so they are not printed
    twice; json and markdown keep them in the document too, since pipelines read only that.
    """
    color = use_color(no_color)
    click.echo(render(plan, fmt, color=color, drift=drift, errors_inline=False), nl=False)
    for diagnostic in plan.errors:
        click.echo(str(diagnostic), err=True)


@main.command()
@CONFIG_OPTION
@FORMAT_OPTION
@click.option("-o", "--out", "plan_file", metavar="PLANFILE", help="Also save the plan for apply.")
@TARGET_OPTION
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 none, 1 error)."
)
@PARALLELISM_OPTION
@COLOR_OPTION
def plan(
    config_path: str,
    fmt: str,
    plan_file: str | None,
    targets: tuple[str, ...],
    detailed_exitcode: bool,
    parallelism: int,
    no_color: bool,
) -> int:
    """Read the live network, diff it against the config and print the plan.

    \b
    Examples:
      netsync plan -c network/
      netsync plan -c network/ --format markdown > plan.md
      netsync plan --target network.outbound --detailed-exitcode
      netsync plan -o release.plan && netsync apply release.plan
    """
    run = read_and_plan(config_path, targets, parallelism)
    if isinstance(run, int):
        return run
    emit(run.plan, fmt, no_color)
    if run.plan.errors:
        return EXIT_ERROR
    if plan_file:
        try:
            saved = write_plan_file(plan_file, run)
        except OSError as exc:
            click.echo(f"Error: cannot write {plan_file}: {exc.strerror or exc}", err=True)
            return EXIT_ERROR
        click.echo(f"Saved the plan to {saved}.", err=True)
    if detailed_exitcode and run.plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


@main.command()
@CONFIG_OPTION
@FORMAT_OPTION
@TARGET_OPTION
@PARALLELISM_OPTION
@COLOR_OPTION
def drift(
    config_path: str, fmt: str, targets: tuple[str, ...], parallelism: int, no_color: bool
) -> int:
    """Report where the live network differs from the config (exit 0 none, 2 drift, 1 error).

    \b
    Examples:
      netsync drift -c network/
      netsync drift -c network/ --format json > drift.json || alert
    """
    run = read_and_plan(config_path, targets, parallelism)
    if isinstance(run, int):
        return run
    emit(run.plan, fmt, no_color, drift=True)
    if run.plan.errors:
        return EXIT_ERROR
    return EXIT_CHANGES if run.plan.has_changes else EXIT_OK


@main.command()
@click.argument("plan_file", metavar="PLANFILE")
@FORMAT_OPTION
@COLOR_OPTION
def show(plan_file: str, fmt: str, no_color: bool) -> int:
    """Render a plan saved with `plan -o`.

    \b
    Examples:
      netsync show release.plan
      netsync show release.plan --format markdown
    """
    try:
        saved = read_plan_file(plan_file)
    except PlanFileError as exc:
        click.echo(f"Error: {exc}", err=True)
        return EXIT_ERROR
    click.echo(render(saved.plan, fmt, color=use_color(no_color)), nl=False)
    return EXIT_OK


@main.command()
@click.option(
    "-c",
    "--config",
    "config_path",
    default=str(EXAMPLE),
    show_default=True,
    metavar="PATH",
    help="Config to plan.",
)
@click.option(
    "--seed",
    default=str(EXAMPLE / "sandbox" / "seed.yaml"),
    show_default=True,
    metavar="FILE",
    help="Sandbox world to plan against.",
)
def demo(config_path: str, seed: str) -> int:
    """Run the main job against the built-in sandbox: no credentials, no network.

    Starts the sandbox seeded with the example's live world, then runs validate, plan and
    drift against it exactly as a CI job would.

    \b
    Examples:
      netsync demo
      netsync demo -c my-network/ --seed my-world.yaml
    """
    return run_demo(
        Path(config_path), Path(seed), lambda args: main.main(args, standalone_mode=False)
    )


@main.command()
@click.argument("plan_file", metavar="[PLANFILE]", required=False)
@CONFIG_OPTION
@click.option("--auto-approve", is_flag=True, help="Apply without asking (CI).")
@TARGET_OPTION
@click.option(
    "--force",
    is_flag=True,
    help="Allow more than max_change_percent of the resources, and destructive changes.",
)
@click.option(
    "--parallelism",
    type=click.IntRange(1, 256),
    default=16,
    show_default=True,
    help="Concurrent reads and writes (each vendor also keeps its own limits).",
)
@click.option("--report", "report_path", metavar="FILE", help="Write a JSON report of the run.")
@click.option(
    "--continue-on-error",
    is_flag=True,
    help="After a failure, go on with writes that do not depend on it.",
)
@MAX_WAIT_OPTION
@COLOR_OPTION
def apply(
    plan_file: str | None,
    config_path: str,
    auto_approve: bool,
    targets: tuple[str, ...],
    force: bool,
    parallelism: int,
    report_path: str | None,
    continue_on_error: bool,
    max_wait: float,
    no_color: bool,
) -> int:
    """Make the planned changes: without PLANFILE, plan, show it and ask for `yes`; with
    PLANFILE (from `plan -o`), apply exactly that plan after checking that nothing it read
    has changed since.

    \b
    Exit codes: 0 every change applied or already applied, 1 otherwise, 130 interrupted.

    \b
    Examples:
      netsync apply -c network/
      netsync apply -c network/ --auto-approve --report report.json
      netsync plan -c network/ -o release.plan && netsync apply release.plan -c network/
    """
    settings = Settings(targets, auto_approve, force, parallelism, continue_on_error, max_wait)
    report = Report(Verdict.REFUSED)
    try:
        code = _apply(plan_file, config_path, settings, no_color, report)
    except KeyboardInterrupt:
        click.echo("Interrupted before any write.", err=True)
        report.result = Verdict.ABORTED
        code = EXIT_INTERRUPTED
    if report_path:
        try:
            report.write(report_path)
        except OSError as exc:
            click.echo(f"Error: cannot write {report_path}: {exc.strerror or exc}", err=True)
            return EXIT_ERROR
    return code


def _apply(
    plan_file: str | None, config_path: str, settings: Settings, no_color: bool, report: Report
) -> int:
    def refused(message: str) -> int:
        click.echo(f"Error: {message}", err=True)
        report.errors.append(message)
        return EXIT_ERROR

    if plan_file and settings.targets:
        return refused("--target cannot be combined with a PLANFILE: the plan file is the scope")
    if not plan_file and not settings.auto_approve and not sys.stdin.isatty():
        return refused(
            "apply asks for confirmation and stdin is not a terminal: review the plan and "
            "pass --auto-approve (CI), or apply a reviewed plan file"
        )
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        report.errors += [str(d) for d in exc.diagnostics]
        return report_config_errors(exc)
    saved = None
    if plan_file:
        try:
            saved = read_plan_file(plan_file)
        except PlanFileError as exc:
            return refused(str(exc))
    console = Console(
        show_plan=lambda plan: click.echo(
            render(plan, "text", color=use_color(no_color), errors_inline=False), nl=False
        ),
        confirm=_confirm,
    )
    session = Apply(config, saved, settings, console, os.environ)
    try:
        return session.run()
    finally:
        report.result, report.scope = session.report.result, session.report.scope
        report.items, report.errors = session.report.items, report.errors + session.report.errors


def _confirm() -> bool:
    click.echo("\nDo you want to apply these changes? Only 'yes' will be accepted.", err=True)
    answer = click.prompt("Enter a value", default="", show_default=False, err=True)
    return answer.strip() == "yes"


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


main.add_command(_not_built("export", 11))
main.add_command(sandbox)
