"""The reading commands: validate, plan, drift, show, and the demo."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import click

from netsync.cli.changed import HistoryError, changed_scope
from netsync.cli.github import PLAN_FORMAT_OPTION, annotate, publish
from netsync.cli.options import (
    CONFIG_OPTION,
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    FORMAT_OPTION,
    MAX_WAIT_OPTION,
    PARALLELISM_OPTION,
    TARGET_OPTION,
    report_config_errors,
    use_color,
)
from netsync.config import STDIN, Config, ConfigError, load_config
from netsync.demo import EXAMPLE, run_demo
from netsync.files import NotRegularFile, remove_stale, write_atomically
from netsync.kinds import ResourceType
from netsync.model import Diagnostic, Plan
from netsync.pipeline import REVIEW, PlanRun, run_plan
from netsync.planfile import PlanFileError, plan_document, read_plan_file
from netsync.progress import Progress
from netsync.providers import Options
from netsync.render import document_text, render
from netsync.review import ReviewOptions
from netsync.scope import Scope


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


VALIDATE_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="text for people, json for pipelines (errors with file, line and column), github "
    "for GitHub Actions (errors as annotations).",
)


@click.command()
@CONFIG_OPTION
@VALIDATE_FORMAT
def validate(config_path: str | None, fmt: str) -> int:
    """Check the config against the schema and references, without touching any API.

    \b
    Examples:
      netsync validate
      netsync validate -c examples/quickstart --format json
    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        if fmt == "json":
            click.echo(_validation_json(exc.diagnostics, None))
        annotate(exc.diagnostics, fmt)
        return report_config_errors(exc)
    click.echo(_validation_json([], config) if fmt == "json" else describe(config))
    return EXIT_OK


def _validation_json(errors: list[Diagnostic], config: Config | None) -> str:
    counts = Counter(r.type.value for r in config.resources) if config else {}
    document = {
        "format_version": "1",
        "valid": config is not None,
        "resources": {t.value: counts.get(t.value, 0) for t in ResourceType} if config else None,
        "errors": [d.to_json() for d in errors],
        "warnings": [],
    }
    return json.dumps(document, indent=2)


def read_and_plan(
    config_path: str | None,
    fmt: str,
    targets: tuple[str, ...],
    parallelism: int,
    max_wait: float,
    changed_since: str | None = None,
    checks: ReviewOptions = REVIEW,
) -> PlanRun | int:
    """The plan run, or the exit code after reporting an invalid config or an unreadable
    `--changed-since` revision (as a plan document with `errors` for json and markdown, which
    pipelines read instead of stderr)."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        failed = Plan(errors=exc.diagnostics)
        if not publish(failed, fmt) and fmt != "text":
            click.echo(render(failed, fmt), nl=False)
        return report_config_errors(exc)
    scope, notes = Scope.of(targets), []
    if changed_since is not None:
        try:
            scope, notes = changed_scope(changed_since, config_path, config, os.environ)
        except HistoryError as exc:
            failed = Plan(errors=[Diagnostic(None, str(exc))])
            if not publish(failed, fmt) and fmt != "text":
                click.echo(render(failed, fmt), nl=False)
            click.echo(f"Error: {exc}", err=True)
            return EXIT_ERROR
    with Progress("Reading live state") as progress:
        run = run_plan(
            config,
            os.environ,
            scope=scope,
            parallelism=parallelism,
            progress=progress,
            options=Options.of(os.environ, parallelism=parallelism, max_wait=max_wait),
            checks=checks,
        )
    run.plan.warnings[:0] = notes
    return run


def emit(plan: Plan, fmt: str, *, drift: bool = False) -> None:
    """The plan on stdout; errors on stderr as `path:line:col: address: message`.

    Text output counts the errors but leaves their lines to stderr so they are not printed
    twice; json and markdown keep them in the document too, since pipelines read only that.
    """
    if not publish(plan, fmt, drift=drift):  # --format github, and annotations in Actions
        click.echo(render(plan, fmt, color=use_color(), drift=drift, errors_inline=False), nl=False)
    for diagnostic in plan.errors:
        click.echo(str(diagnostic), err=True)


@click.command()
@CONFIG_OPTION
@PLAN_FORMAT_OPTION
@click.option("-o", "--out", "plan_file", metavar="PLANFILE", help="Also save the plan for apply.")
@TARGET_OPTION
@click.option(
    "--changed-since",
    metavar="GITREF",
    help="Plan only what differs from the config at this git revision (pull-request plans).",
)
@click.option(
    "--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 none, 1 error)."
)
@PARALLELISM_OPTION
@click.option(
    "--no-impact",
    is_flag=True,
    help="Skip the routing impact of rule changes (and its reads).",
)
@click.option(
    "--impact-limit",
    type=click.IntRange(min=0),
    default=REVIEW.impact_limit,
    show_default=True,
    metavar="N",
    help="Check at most N case profiles against CaseXchange's /routing/evaluate.",
)
@MAX_WAIT_OPTION
def plan(
    config_path: str | None,
    fmt: str,
    plan_file: str | None,
    targets: tuple[str, ...],
    changed_since: str | None,
    detailed_exitcode: bool,
    parallelism: int,
    no_impact: bool,
    impact_limit: int,
    max_wait: float,
) -> int:
    """Read the live network, diff it against the config and print the plan.

    \b
    Examples:
      netsync plan -c network/
      netsync plan -c network/ --format markdown > plan.md
      netsync plan --target network.outbound --detailed-exitcode
      netsync plan --changed-since origin/main --format markdown
      netsync plan -o release.plan && netsync apply release.plan
    """
    if changed_since is not None and (config_path == STDIN or targets):
        what = "-c -" if config_path == STDIN else "--target"
        click.echo(f"Error: --changed-since cannot be combined with {what}.", err=True)
        _discard(plan_file)
        return EXIT_ERROR
    checks = ReviewOptions(impact=not no_impact, impact_limit=impact_limit)
    run = read_and_plan(config_path, fmt, targets, parallelism, max_wait, changed_since, checks)
    if isinstance(run, int):
        _discard(plan_file)
        return run
    emit(run.plan, fmt)
    if run.plan.errors:
        _discard(plan_file)
        return EXIT_ERROR
    if plan_file:
        try:
            saved = write_atomically(plan_file, document_text(plan_document(run)))
        except (OSError, NotRegularFile) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            click.echo(f"Error: cannot write {plan_file}: {reason}", err=True)
            return EXIT_ERROR
        click.echo(f"Saved the plan to {saved}.", err=True)
    if detailed_exitcode and run.plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK


def _discard(plan_file: str | None) -> None:
    """No plan file survives a plan with errors: a later apply must not pick up an old one."""
    if plan_file and remove_stale(plan_file):
        click.echo(f"Removed the earlier plan file {plan_file}: this plan has errors.", err=True)


@click.command()
@CONFIG_OPTION
@PLAN_FORMAT_OPTION
@TARGET_OPTION
@PARALLELISM_OPTION
@MAX_WAIT_OPTION
def drift(
    config_path: str | None, fmt: str, targets: tuple[str, ...], parallelism: int, max_wait: float
) -> int:
    """Report where the live network differs from the config (exit 0 none, 2 drift, 1 error).

    \b
    Examples:
      netsync drift -c network/
      netsync drift -c network/ --format json > drift.json || alert
    """
    # drift also names the private network's firms the config leaves out (warnings)
    checks = ReviewOptions(declared_outbound=frozenset())
    run = read_and_plan(config_path, fmt, targets, parallelism, max_wait, checks=checks)
    if isinstance(run, int):
        return run
    emit(run.plan, fmt, drift=True)
    if run.plan.errors:
        return EXIT_ERROR
    return EXIT_CHANGES if run.plan.has_changes or run.plan.unmanaged else EXIT_OK


@click.command()
@click.argument("plan_file", metavar="PLANFILE")
@FORMAT_OPTION
def show(plan_file: str, fmt: str) -> int:
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
    click.echo(render(saved.display(), fmt, color=use_color()), nl=False)
    return EXIT_OK


@click.command()
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

    Starts the sandbox seeded with the example's live world, then runs validate, plan, apply
    and a clean re-plan against it exactly as a CI job would.

    \b
    Examples:
      netsync demo
      netsync demo -c my-network/ --seed my-world.yaml
    """
    root = click.get_current_context().find_root().command  # the `netsync` group
    return run_demo(
        Path(config_path), Path(seed), lambda args: root.main(args, standalone_mode=False)
    )
