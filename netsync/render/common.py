"""What the three renderers share: masked, JSON-ready views of changes, values shown with firm
names beside firm ids, and the one-line summary, so text, markdown and JSON never disagree."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from netsync.model import Action, Change, Plan, ResourceType
from netsync.sensitive import masked_own, split_path

SYMBOLS: dict[Action, str] = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REREFER: "»",
    Action.DELETE: "-",
    Action.NOOP: " ",
}
CHANGING = (Action.CREATE, Action.UPDATE, Action.REREFER, Action.DELETE)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """Plain JSON types for any value a planner may hold (Decimal, dates, sets, tuples, enums),
    so every output can be `json.dumps`ed and numbers print as given (`50`, `33.5`)."""
    kind = type(value)
    if kind in _PLAIN:  # the common cases, answered before the isinstance chain
        return value
    if kind is dict:
        return _plain_dict(value)
    if kind is list:
        return [v if type(v) in _PLAIN else jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return _plain_dict(value)
    if isinstance(value, set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, list | tuple):
        return [v if type(v) in _PLAIN else jsonable(v) for v in value]
    return str(value)


def _plain_dict(value: dict[Any, Any]) -> dict[str, Any]:
    """`jsonable` of a dict, its plain leaves taken inline (most are, thousands per plan)."""
    return {
        k if type(k) is str else str(k): v if type(v) in _PLAIN else jsonable(v)
        for k, v in value.items()
    }


@dataclass
class ChangeView:
    """One change as every output shows it: masked, JSON-ready, `before` null for a create."""

    address: str
    type: ResourceType
    id: str | None
    action: Action
    fields: list[str]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    labels: dict[str, str] = field(default_factory=dict)
    write_only: tuple[str, ...] = ()  # names in `after` that are sent but never compared

    def title(self) -> str | None:
        """The name to show after the address, unless the address already ends with it."""
        name = self.label(self.id)
        return None if name is None or self.address.endswith(f".{name}") else name

    def label(self, value: Any) -> str | None:
        """The display name for a firm id (ids compare case-insensitively), if known."""
        if not isinstance(value, str) or not self.labels:
            return None
        if value in self.labels:
            return self.labels[value]
        lowered = {k.lower(): v for k, v in self.labels.items()}
        return lowered.get(value.lower())


def view(change: Change) -> ChangeView:
    """Mask and normalise one change. A create has no `before`; a delete has no `after`."""
    rtype = ResourceType(change.type)
    action = Action(change.action)
    # `jsonable` builds new containers, so masking needs no copy of its own.
    before = None if action is Action.CREATE else masked_own(rtype, jsonable(change.before))
    after = None
    if action is not Action.DELETE:  # shown with what is sent beside it (a re-referral's notes)
        shown = None if change.after is None else {**change.after, **change.write_only}
        after = masked_own(rtype, jsonable(shown))
    return ChangeView(
        address=change.address,
        type=rtype,
        id=change.id,
        action=action,
        fields=[str(f) for f in change.fields],
        before=before,
        after=after,
        labels=dict(change.labels),
        write_only=tuple(change.write_only),
    )


def views(plan: Plan) -> list[ChangeView]:
    """Every change, masked, sorted by address (the order SPEC section 4 fixes)."""
    return [view(c) for c in sorted(plan.changes, key=lambda c: c.address)]


def changing_views(plan: Plan) -> list[ChangeView]:
    """The changes that are not no-ops, as `views` shows them: the text and markdown plans
    list only these, so the thousands of no-ops are never masked for them."""
    changing = [c for c in plan.changes if Action(c.action) is not Action.NOOP]
    return [view(c) for c in sorted(changing, key=lambda c: c.address)]


def lookup(fields: dict[str, Any] | None, path: str) -> Any:
    """The value at a dotted field path (`contact.email`, `subjects.0.id`); None when absent,
    which is how SPEC section 2 treats an absent field."""
    if fields is None:
        return None
    if path in fields:
        return fields[path]
    node: Any = fields
    for seg in split_path(path):
        if isinstance(node, dict):
            node = node.get(seg)
        elif isinstance(node, list) and seg.isdigit() and int(seg) < len(node):
            node = node[int(seg)]
        else:
            return None
    return node


def changed_paths(change: ChangeView) -> list[str]:
    """The fields to show for an update: the planner's list, else top-level keys that differ."""
    if change.fields:
        return change.fields
    before, after = change.before or {}, change.after or {}
    return [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]


SHOWN_MAX = 2_000  # characters of one value in text and markdown; JSON keeps every character


def compact(value: Any) -> str:
    """A value as one line of JSON: strings quoted, numbers as given, control chars escaped;
    a huge value is cut with its size named, so one field cannot flood a terminal."""
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= SHOWN_MAX:
        return text
    return f"{text[:SHOWN_MAX]}… ({len(text):,} characters; --format json shows it whole)"


def show_value(change: ChangeView, value: Any) -> str:
    """A value for humans: a firm id gets its name beside it (`Rivera Injury Law (c3d4…)`)."""
    name = change.label(value)
    if name is not None:
        return f"{name} ({value})"
    return compact(value)


def count_changes(summary: dict[str, int]) -> int:
    return sum(summary.get(a.value, 0) for a in CHANGING)


UNMANAGED_REMEDIES = (
    "Declare them under routing.rules, delete them in the CaseXchange portal, set "
    "routing.prune: true so that apply deletes them, or list their names under routing.ignore."
)


def nothing_selected(plan: Plan) -> bool:
    """A targeted plan whose targets select no resource at all."""
    nothing = not plan.changes and not plan.unmanaged
    return bool(plan.scope) and plan.scope.get("selected") == 0 and nothing


def changed_since(plan: Plan) -> str | None:
    """The git revision a `--changed-since` plan compares with."""
    return (plan.scope or {}).get("changed_since")


def scope_line(plan: Plan) -> str | None:
    """What a scoped plan leaves out, so no reviewer takes it for the whole network."""
    ref = changed_since(plan)
    if ref is None:
        return None
    selected = (plan.scope or {}).get("selected", 0)
    return (
        f"Scope: the {selected} declared resource{'s' if selected != 1 else ''} changed since "
        f"{ref} (--changed-since); the rest of the network was not read."
    )


def summary_line(plan: Plan, *, drift: bool = False) -> str:
    """`Plan: 1 to create, 2 to update, 1 to re-refer, 0 to delete.` or the no-change line;
    for drift, unmanaged live objects count too."""
    summary = plan.summary()
    unmanaged = len(plan.unmanaged) if drift else 0
    if count_changes(summary) == 0 and not plan.errors and not unmanaged:
        if nothing_selected(plan) and changed_since(plan):
            return f"No declared resource changed since {changed_since(plan)}: nothing to plan."
        if nothing_selected(plan):
            return "Nothing selected: no resource matches the --target given."
        if drift:
            return "No drift. Live state matches the configuration."
        return "No changes. Live state matches the configuration."
    prefix = "Plan"
    if drift:
        prefix = "Drift detected" if count_changes(summary) or unmanaged else "Drift"
    line = (
        f"{prefix}: {summary['create']} to create, {summary['update']} to update, "
        f"{summary['re-refer']} to re-refer, {summary['delete']} to delete"
    )
    if unmanaged:
        line += f"; {unmanaged} unmanaged routing rule{'s' if unmanaged != 1 else ''}"
    return line + "."
