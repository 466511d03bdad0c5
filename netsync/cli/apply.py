"""`netsync apply`: flags -> checks -> the apply session (netsync.apply) -> exit code."""

from __future__ import annotations

import os
import sys

import click

from netsync.apply import EXIT_INTERRUPTED, Apply, Console, Settings
from netsync.apply.report import Report, Verdict
from netsync.cli.options import (
    CONFIG_OPTION,
    EXIT_ERROR,
    MAX_WAIT_OPTION,
    TARGET_OPTION,
    report_config_errors,
    use_color,
)
from netsync.config import ConfigError, load_config
from netsync.files import NotRegularFile
from netsync.planfile import PlanFileError, read_plan_file
from netsync.render import render


@click.command()
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
def apply(
    plan_file: str | None,
    config_path: str | None,
    auto_approve: bool,
    targets: tuple[str, ...],
    force: bool,
    parallelism: int,
    report_path: str | None,
    continue_on_error: bool,
    max_wait: float,
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
    code = EXIT_ERROR
    try:
        code = _apply(plan_file, config_path, settings, report)
    except KeyboardInterrupt:
        click.echo("Interrupted before any write.", err=True)
        report.result = Verdict.ABORTED
        click.echo(report.last_line())
        code = EXIT_INTERRUPTED
    finally:  # also when apply fails on a bug: the report is written whenever apply starts
        if report_path and not _write_report(report, report_path) and code != EXIT_INTERRUPTED:
            code = EXIT_ERROR
    return code


def _write_report(report: Report, path: str) -> bool:
    try:
        report.write(path)
    except (OSError, NotRegularFile) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        click.echo(f"Error: cannot write {path}: {reason}", err=True)
        return False
    return True


def _apply(
    plan_file: str | None, config_path: str | None, settings: Settings, report: Report
) -> int:
    def refused(message: str) -> int:
        click.echo(f"Error: {message}", err=True)
        report.errors.append(message)
        click.echo(report.last_line())
        return EXIT_ERROR

    if plan_file and settings.targets:
        return refused("--target cannot be combined with a PLANFILE: the plan file is the scope")
    if config_path == "-" and not settings.auto_approve and not plan_file:
        return refused(
            "-c - reads the config from stdin, which the prompt needs too: add --auto-approve"
        )
    if not plan_file and not settings.auto_approve and not sys.stdin.isatty():
        return refused(
            "apply asks for confirmation and stdin is not a terminal: review the plan and "
            "pass --auto-approve (CI), or apply a reviewed plan file"
        )
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        report.errors += [str(d) for d in exc.diagnostics]
        code = report_config_errors(exc)
        click.echo(report.last_line())
        return code
    saved = None
    if plan_file:
        try:
            saved = read_plan_file(plan_file)
        except PlanFileError as exc:
            return refused(str(exc))
    console = Console(
        show_plan=lambda plan: click.echo(
            render(plan, "text", color=use_color(), errors_inline=False), nl=False
        ),
        confirm=_confirm,
    )
    session = Apply(config, saved, settings, console, os.environ)
    try:
        return session.run()
    finally:
        report.result, report.scope = session.report.result, session.report.scope
        report.items, report.errors = session.report.items, report.errors + session.report.errors
        report.cancelled = session.report.cancelled


def _confirm() -> bool:
    """Ask on the terminal. Ctrl-C stays an interrupt (exit 130, report written); end of input
    (Ctrl-D) is a no."""
    click.echo("\nDo you want to apply these changes? Only 'yes' will be accepted.", err=True)
    click.echo("Enter a value: ", err=True, nl=False)
    answer = sys.stdin.readline()
    return answer.strip() == "yes"
