"""The terminal plan, Terraform-like: one block per changed resource, then diagnostics, then
the summary line CI logs and humans look for first."""

from __future__ import annotations

from netsync.model import Action, Diagnostic, Plan
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
from netsync.render.impact import heading as impact_heading
from netsync.render.impact import line as impact_line
from netsync.render.impact import shown as impact_shown

ARROW = "→"
INDENT = "    "
_COLORS = {Action.CREATE: "32", Action.UPDATE: "33", Action.REREFER: "36", Action.DELETE: "31"}


def safe(text: str) -> str:
    """Escape control and bidi characters in user content so it cannot restyle the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


class _Style:
    """ANSI styling, or none at all when colour is off (pipes, `NO_COLOR`, golden files)."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def wrap(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text

    def action(self, action: Action, text: str) -> str:
        return self.wrap(text, _COLORS[action]) if action in _COLORS else text

    def bold(self, text: str) -> str:
        return self.wrap(text, "1")


def _header(change: ChangeView, style: _Style) -> str:
    name = change.title()
    suffix = f"  ({safe(name)})" if name else ""
    symbol = style.action(change.action, SYMBOLS[change.action])
    return f"{symbol} {style.bold(safe(change.address))}{suffix}"


def _value(change: ChangeView, value: object) -> str:
    return safe(show_value(change, value))


def _block(change: ChangeView, style: _Style) -> list[str]:
    lines = [_header(change, style)]
    if change.action is Action.CREATE:
        plus = style.action(Action.CREATE, "+")
        for name, value in (change.after or {}).items():
            lines.append(f"{INDENT}{plus} {safe(name)}: {_value(change, value)}")
    elif change.action is Action.DELETE:
        minus = style.action(Action.DELETE, "-")
        if change.id is not None and "id" not in (change.before or {}):
            lines.append(f"{INDENT}{minus} id: {_value(change, change.id)}")
        for name, value in (change.before or {}).items():
            lines.append(f"{INDENT}{minus} {safe(name)}: {_value(change, value)}")
    else:
        paths = changed_paths(change)
        for path in paths:
            old = _value(change, lookup(change.before, path))
            new = _value(change, lookup(change.after, path))
            lines.append(f"{INDENT}{safe(path)}: {old} {ARROW} {new}")
        after = change.after or {}
        for name in change.write_only:
            lines.append(f"{INDENT}{safe(name)}: {_value(change, after.get(name))}")
    return lines


def _unmanaged_block(rule: ChangeView, style: _Style) -> list[str]:
    lines = [f"? {style.bold(safe(rule.address))}  (id {safe(str(rule.id))})"]
    for name, value in (rule.before or {}).items():
        lines.append(f"{INDENT}{safe(name)}: {_value(rule, value)}")
    return lines


def _diagnostic(kind: str, code: str, diag: Diagnostic, style: _Style) -> str:
    return f"{style.wrap(kind + ':', '1;' + code)} {safe(str(diag))}"


def render_text(
    plan: Plan, *, color: bool = False, drift: bool = False, errors_inline: bool = True
) -> str:
    """The plan for a terminal; no ANSI codes at all unless `color` is true.

    `errors_inline=False` leaves the error lines out (the CLI prints them on stderr) but keeps
    them counted, so a failed read never reads as "No changes".
    """
    style = _Style(color)
    out: list[str] = []
    changes = changing_views(plan)
    if changes and drift:
        out += [f"Live state differs from the configuration (each line: live {ARROW} git):", ""]
    for change in changes:
        out += [*_block(change, style), ""]
    if plan.impact is not None:
        items, more = impact_shown(plan)
        out += [style.bold(impact_heading(plan))]
        out += [f"{INDENT}{safe(impact_line(item))}" for item in items]
        out += [f"{INDENT}… and {more} more (--format json lists them)"] if more else []
        out.append("")
    unmanaged = [view(c) for c in plan.unmanaged] if drift else []
    if unmanaged:
        out += ["Unmanaged routing rules (live in CaseXchange, not in git):", ""]
        for rule in unmanaged:
            out += [*_unmanaged_block(rule, style), ""]
        out += [UNMANAGED_REMEDIES, ""]
    listed = {c.address for c in unmanaged}
    warnings = [d for d in plan.warnings if d.address not in listed]
    diags = [_diagnostic("Warning", "33", d, style) for d in warnings]
    if errors_inline:
        diags += [_diagnostic("Error", "31", d, style) for d in plan.errors]
    if diags:
        out += [*diags, ""]
    out.append(style.bold(summary_line(plan, drift=drift)))
    if scope_line(plan):
        out.append(safe(scope_line(plan) or ""))
    unchanged = plan.summary()["no-op"]
    if unchanged and (changes or plan.errors):
        out.append(f"{unchanged} unchanged.")
    if plan.errors:
        n = len(plan.errors)
        out.append(f"{n} error{'s' if n != 1 else ''}: nothing can be applied until fixed.")
    elif plan.requires_force and not drift:
        out.append("Apply will need --force:")
        out += [f"  - {safe(reason)}" for reason in plan.requires_force]
    return "\n".join(out) + "\n"
