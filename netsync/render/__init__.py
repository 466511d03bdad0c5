"""Plan rendering: the text, JSON and markdown forms of one `Plan`, always with sensitive
values masked, so every front end (plan, show, drift, apply) prints the same thing."""

from __future__ import annotations

from netsync.model import Plan
from netsync.render.json_out import FORMAT_VERSION, document_text, plan_to_json, render_json
from netsync.render.markdown import LIMIT as MARKDOWN_LIMIT
from netsync.render.markdown import render_markdown
from netsync.render.text import render_text

FORMATS = ("text", "json", "markdown")

__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "MARKDOWN_LIMIT",
    "document_text",
    "plan_to_json",
    "render",
    "render_json",
    "render_markdown",
    "render_text",
]


def render(
    plan: Plan, fmt: str, *, color: bool = False, drift: bool = False, errors_inline: bool = True
) -> str:
    """`plan` as `fmt` ("text", "json" or "markdown"). `drift` frames the same data as drift
    (headings only: the JSON stays the plan document, so one schema holds for both)."""
    if fmt == "text":
        return render_text(plan, color=color, drift=drift, errors_inline=errors_inline)
    if fmt == "json":
        return render_json(plan)
    if fmt == "markdown":
        return render_markdown(plan, drift=drift)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
