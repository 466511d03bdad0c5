"""The plan as GitHub Actions workflow commands (`--format github`).

One annotation per error and warning, at its config line when one is known:

    ::error file=network/network.yaml,line=6,col=26::network.outbound.rivera: sendingPercentage: …
    ::warning::network.inbound.f7b8…: undeclared pending request from Okafor Legal Group …

then the text plan folded into a log group titled with the summary line. The plan's lines are
inside `::stop-commands::` so that nothing in them can ever run as a workflow command. The job
summary is the markdown plan (`render_markdown`); appending it to `$GITHUB_STEP_SUMMARY` is the
command line's business, not a renderer's.

Escaping follows GitHub's rules for workflow commands: `%`, CR and LF in the message as `%25`,
`%0D`, `%0A`; in property values also `:` as `%3A` and `,` as `%2C`. Other control and bidi
characters are shown as `\\uXXXX`, as in the text plan. Values come from the masked plan only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from netsync.model import Diagnostic, Plan
from netsync.render.common import summary_line
from netsync.render.text import render_text

__all__ = ["annotation", "annotations", "escape_data", "escape_property", "render_github"]

_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY = {**_DATA, ":": "%3A", ",": "%2C"}


def _printable(text: str) -> str:
    """Control and bidi characters as `\\uXXXX`, except CR and LF, which the escaping keeps."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in "\r\n" else f"\\u{ord(ch):04x}" for ch in text)


def escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF percent-encoded."""
    return "".join(_DATA.get(ch, ch) for ch in _printable(text))


def escape_property(text: str) -> str:
    """A workflow command's property value: the message escapes plus `:` and `,`."""
    return "".join(_PROPERTY.get(ch, ch) for ch in _printable(text))


def annotation_path(file: str, workspace: str | None) -> str | None:
    """The file as GitHub wants it: relative to the workspace when the file is under it, else
    as given; None for a config that is no file (`<stdin>`)."""
    if file.startswith("<"):
        return None
    if not workspace:
        return file
    try:
        where = Path(os.path.realpath(file))
        return where.relative_to(os.path.realpath(workspace)).as_posix()
    except (OSError, ValueError):
        return file


def annotation(kind: str, diagnostic: Diagnostic, *, workspace: str | None = None) -> str:
    """One `::error …::` or `::warning …::` line (without its newline)."""
    loc = diagnostic.location
    path = annotation_path(loc.file, workspace) if loc else None
    if loc is None or path is None:
        return f"::{kind}::{escape_data(str(diagnostic))}"
    message = str(replace(diagnostic, location=None))
    props = f"file={escape_property(path)},line={loc.line},col={loc.column}"
    return f"::{kind} {props}::{escape_data(message)}"


def annotations(
    errors: Iterable[Diagnostic] = (),
    warnings: Iterable[Diagnostic] = (),
    *,
    workspace: str | None = None,
) -> str:
    """Every error, then every warning, one line each; empty when there are none."""
    lines = [annotation("error", d, workspace=workspace) for d in errors]
    lines += [annotation("warning", d, workspace=workspace) for d in warnings]
    return "".join(line + "\n" for line in lines)


def render_github(
    plan: Plan, *, drift: bool = False, workspace: str | None = None, token: str | None = None
) -> str:
    """The annotations, then the text plan (no colour) in a log group that runs no command."""
    token = token or secrets.token_hex(16)
    body = render_text(plan, drift=drift, errors_inline=False)
    return (
        annotations(plan.errors, plan.warnings, workspace=workspace)
        + f"::group::{escape_data(summary_line(plan, drift=drift))}\n"
        + f"::stop-commands::{token}\n"
        + body
        + f"::{token}::\n"
        + "::endgroup::\n"
    )
