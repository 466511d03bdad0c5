"""GitHub Actions: `--format github` for validate, plan and drift, and the annotations a run
under `GITHUB_ACTIONS=true` adds on stderr with any other format (stdout stays as asked).

With `--format github`, stdout carries the workflow commands (netsync.render.github) and the
markdown plan, exactly as `--format markdown` prints it, is appended to `$GITHUB_STEP_SUMMARY`
when that is set. Paths in annotations are relative to `$GITHUB_WORKSPACE`. Exit codes do not
change: a summary that cannot be written is a warning, not a failure.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

from netsync.model import Diagnostic, Plan
from netsync.render import render_markdown
from netsync.render.github import annotation, annotations, render_github

GITHUB = "github"

PLAN_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", GITHUB]),
    default="text",
    show_default=True,
    help="text for terminals, json for pipelines, markdown for pull-request comments, github "
    "for GitHub Actions (annotations; the markdown plan goes to $GITHUB_STEP_SUMMARY).",
)


def _workspace() -> str | None:
    return os.environ.get("GITHUB_WORKSPACE") or None


def _in_actions() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def annotate(errors: Sequence[Diagnostic], fmt: str) -> None:
    """Validation errors as annotations: on stdout for `--format github`, on stderr under
    GITHUB_ACTIONS=true with another format, nowhere otherwise."""
    if fmt == GITHUB or _in_actions():
        text = annotations(errors, workspace=_workspace())
        if text:
            click.echo(text, nl=False, err=fmt != GITHUB)


def publish(plan: Plan, fmt: str, *, drift: bool = False) -> bool:
    """The GitHub side of one plan or drift run. True when it wrote stdout (`--format github`),
    so the caller prints no other rendering."""
    if fmt == GITHUB:
        click.echo(render_github(plan, drift=drift, workspace=_workspace()), nl=False)
        _append_summary(render_markdown(plan, drift=drift))
        return True
    if _in_actions():
        text = annotations(plan.errors, plan.warnings, workspace=_workspace())
        if text:
            click.echo(text, nl=False, err=True)
    return False


def _append_summary(markdown: str) -> None:
    """Append (never overwrite: earlier steps' summaries share the file) the markdown plan."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            if summary.tell():  # keep the earlier content a paragraph of its own
                summary.write("\n")
            summary.write(markdown)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        message = f"cannot append the plan to $GITHUB_STEP_SUMMARY: {reason}"
        click.echo(annotation("warning", Diagnostic(None, message)))
