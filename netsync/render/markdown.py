"""The plan as a pull-request comment: summary first, a table of changed resources, a
collapsible field-by-field block per resource, then diagnostics; escaped, and kept under
GitHub's comment size limit by dropping detail from the end with a visible note."""

from __future__ import annotations

import html
import re

from netsync.model import Action, Change, Plan
from netsync.render.common import (
    SYMBOLS,
    UNMANAGED_REMEDIES,
    ChangeView,
    changed_paths,
    changing_views,
    lookup,
    scope_line,
    show_value,
    summary_line,
    view,
)
from netsync.render.impact import axis, heading, outcome, shown, was
from netsync.render.text import safe

LIMIT = 65_000  # GitHub rejects comments over 65,536 characters
CELL_MAX = 500  # characters of raw content in one table cell, so one value cannot eat the budget
_NOTE_RESERVE = 600
_NEWLINES = re.compile(r"\r\n|\r|\n")
_MD_ESCAPES = str.maketrans(
    {c: "\\" + c for c in "\\|*_`[]~"}  # markdown punctuation that would format or split cells
)
_ENTITY_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "\\|*_`[]~"})
_AT = "@&#8288;"  # `@` and an invisible word joiner: shown as @, never a mention


def _clip(text: str, limit: int = CELL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(text: str, limit: int = CELL_MAX) -> str:
    """User content for a table cell or list item: HTML- and markdown-escaped, one line, and
    no `@mention` (a word joiner after `@`), so a plan comment never notifies anyone."""
    parts = _NEWLINES.split(_clip(str(text), limit))
    cells = (safe(html.escape(p, quote=False)).translate(_MD_ESCAPES) for p in parts)
    return "<br>".join(cells).replace("@", _AT)


def html_text(text: str, limit: int = CELL_MAX) -> str:
    """User content inside an HTML element (`<summary>`), where backslash escapes would show."""
    one_line = _NEWLINES.sub(" ", _clip(str(text), limit))
    return safe(html.escape(one_line, quote=True)).translate(_ENTITY_ESCAPES).replace("@", _AT)


def _title(change: ChangeView) -> str:
    name = change.title()
    return f"{change.address} ({name})" if name else change.address


def _field_names(change: ChangeView) -> list[str]:
    if change.action is Action.CREATE:
        return list(change.after or {})
    if change.action is Action.DELETE:
        return list(change.before or {})
    return changed_paths(change)


def _row(change: ChangeView) -> str:
    cells = [
        f"`{SYMBOLS[change.action]}`",
        md(_title(change)),
        change.type.value,
        change.action.value,
        md(", ".join(_field_names(change))),
    ]
    return "| " + " | ".join(cells) + " |"


def _details(change: ChangeView) -> str:
    paths = _field_names(change)
    paths += [name for name in change.write_only if name not in paths]
    lines = [
        f"<details><summary>{SYMBOLS[change.action]} {html_text(_title(change))}: "
        f"{change.action.value}</summary>",
        "",
        "| Field | Before | After |",
        "|---|---|---|",
    ]
    for path in paths:
        absent = change.before is None or path in change.write_only
        before = "" if absent else md(show_value(change, lookup(change.before, path)))
        after = "" if change.after is None else md(show_value(change, lookup(change.after, path)))
        lines.append(f"| {md(path)} | {before} | {after} |")
    lines += ["", "</details>"]
    return "\n".join(lines)


def _unmanaged(change: Change) -> str:
    rule = view(change)
    fields = ", ".join(f"{k}: {show_value(rule, v)}" for k, v in (rule.before or {}).items())
    return f"- {md(rule.address)} (id {md(str(rule.id))}): {md(fields)}"


def _fit(items: list[str], budget: int, sep: int = 1) -> tuple[list[str], int]:
    """The longest prefix of `items` (each plus `sep` separator characters) within `budget`."""
    kept: list[str] = []
    for item in items:
        cost = len(item) + sep
        if cost > budget:
            break
        kept.append(item)
        budget -= cost
    return kept, budget


def _section(title: str, items: list[str], total: int, sep: str = "\n") -> list[str]:
    if not items:
        return []
    return [f"#### {title} ({total})", "", sep.join(items), ""]


IMPACT_HEAD = "| Case type | Jurisdiction | After apply | Today | Verified |\n|---|---|---|---|---|"


def _verified(verified: bool, note: str | None) -> str:
    return "yes" if verified else md(f"no: {note}" if note else "no")


def _impact_rows(plan: Plan) -> list[str]:
    items, more = shown(plan)
    rows = [
        f"| {md(axis(i.case_type))} | {md(axis(i.jurisdiction))} | {md(outcome(i.after))} | "
        f"{md(was(i.before))} | {_verified(i.verified, i.note)} |"
        for i in items
    ]
    if more:
        rows.append(f"| … and {more} more | | | | |")
    return rows


def render_markdown(plan: Plan, *, drift: bool = False, limit: int = LIMIT) -> str:
    """Markdown for a PR comment, always shorter than `limit` characters."""
    changes = changing_views(plan)
    summary = plan.summary()
    head = [
        f"**{md(summary_line(plan, drift=drift), limit=1000)}**",
        "",
        "| Create | Update | Re-refer | Delete | No-op |",
        "|---:|---:|---:|---:|---:|",
        "| " + " | ".join(str(summary[a.value]) for a in Action) + " |",
        "",
    ]
    if scope_line(plan):
        head += [md(scope_line(plan) or "", limit=1000), ""]
    if drift and changes:
        head += ["Before is the live state, after is the configuration in git.", ""]
    if plan.requires_force and not drift:
        reasons = "; ".join(plan.requires_force)
        head += [f"> **Apply will need `--force`:** {md(reasons, limit=2000)}", ""]
    table_head = "| | Address | Type | Action | Fields |\n|---|---|---|---|---|"
    rows = [_row(c) for c in changes]
    details = [_details(c) for c in changes]
    errors = [f"- {md(str(d), limit=2000)}" for d in plan.errors]
    unmanaged = [_unmanaged(c) for c in plan.unmanaged] if drift else []
    listed = {c.address for c in plan.unmanaged} if drift else set()
    warnings = [f"- {md(str(d), limit=2000)}" for d in plan.warnings if d.address not in listed]
    if unmanaged:
        head += [f"> {md(UNMANAGED_REMEDIES, limit=1000)}", ""]

    headings = 4 * 40 + len(table_head)
    budget = limit - 1 - len("\n".join(head)) - headings - _NOTE_RESERVE
    kept_errors, budget = _fit(errors, budget)
    kept_unmanaged, budget = _fit(unmanaged, budget)
    kept_rows, budget = _fit(rows, budget)
    impact = _impact_rows(plan) if plan.impact is not None else []
    kept_impact, budget = _fit(impact, budget)
    kept_warnings, budget = _fit(warnings, budget)
    kept_details, budget = _fit(details, budget, sep=2)  # blocks are separated by a blank line

    omitted = {
        "details of {} resources": len(details) - len(kept_details),
        "{} table rows": len(rows) - len(kept_rows),
        "{} routing impact rows": len(impact) - len(kept_impact),
        "{} warnings": len(warnings) - len(kept_warnings),
        "{} errors": len(errors) - len(kept_errors),
        "{} unmanaged routing rules": len(unmanaged) - len(kept_unmanaged),
    }
    out = list(head)
    if any(omitted.values()):
        what = ", ".join(k.format(n) for k, n in omitted.items() if n)
        out += [
            f"> **Output truncated** to fit a comment: {what} omitted "
            f"(of {len(changes)} changed resources). Use `netsync plan --format json` or "
            "`netsync show PLANFILE --format json` with the plan file for the full plan.",
            "",
        ]
    if kept_rows:
        out += [f"#### Changes ({len(changes)})", "", table_head, *kept_rows, ""]
    if plan.impact is not None:
        out += [f"#### {md(heading(plan), limit=1000)}", ""]
        out += [IMPACT_HEAD, *kept_impact, ""] if kept_impact else []
    out += _section("Unmanaged routing rules", kept_unmanaged, len(unmanaged))
    out += _section("Details", kept_details, len(changes), sep="\n\n")
    out += _section("Warnings", kept_warnings, len(warnings))
    out += _section("Errors", kept_errors, len(errors))
    text = "\n".join(out).rstrip("\n") + "\n"
    return text if len(text) < limit else text[: limit - 2] + "\n"
