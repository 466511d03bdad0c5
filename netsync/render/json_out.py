"""The plan document of SPEC section 4, the one shape `--format json`, the plan file and
`schemas/plan.schema.json` share."""

from __future__ import annotations

import json
from typing import Any

from netsync.model import Plan
from netsync.render.common import view, views
from netsync.render.impact import impact_json

FORMAT_VERSION = "1"


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The SPEC section 4 document: every change (no-ops included) sorted by address, with
    sensitive values masked, a create's `before` and a delete's `after` null."""
    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "changes": [
            {
                "address": c.address,
                "type": c.type.value,
                "id": c.id,
                "action": c.action.value,
                "fields": list(c.fields),
                "before": c.before,
                "after": c.after,
            }
            for c in views(plan)
        ],
        "summary": plan.summary(),
        "errors": [d.to_json() for d in plan.errors],
        "warnings": [d.to_json() for d in plan.warnings],
    }
    if plan.scope is not None:
        document["scope"] = plan.scope
    if plan.requires_force:
        document["requires_force"] = list(plan.requires_force)
    document.update(impact_json(plan))
    if plan.unmanaged:  # live objects the config covers but does not declare (drift)
        document["unmanaged"] = [
            {"address": c.address, "type": c.type.value, "id": c.id, "live": c.before}
            for c in map(view, plan.unmanaged)
        ]
    return document


def render_json(plan: Plan) -> str:
    return document_text(plan_to_json(plan))


_ITEM = json.JSONEncoder().encode  # one value on one line, by the C encoder


def document_text(document: dict[str, Any]) -> str:
    """A JSON document with each top-level key on a line of its own, and each item of a
    top-level list or object (a change, a diagnostic, a resource's digests) on one line.

    `json.dumps(indent=...)` runs in pure Python, about five times slower than the C encoder
    that writes each line here: at thousands of changes that was a tenth of a plan's time. A
    change per line also keeps `git diff` and `grep` of a plan file to whole changes.
    """
    lines = ["{"]
    for n, (key, value) in enumerate(document.items()):
        comma = "," if n < len(document) - 1 else ""
        head = f"  {_ITEM(key)}: "
        if isinstance(value, dict) and value:
            items = [f"    {_ITEM(k)}: {_ITEM(v)}" for k, v in value.items()]
            lines += [head + "{", ",\n".join(items), f"  }}{comma}"]
        elif isinstance(value, list) and value:
            lines += [head + "[", ",\n".join(f"    {_ITEM(v)}" for v in value), f"  ]{comma}"]
        else:
            lines.append(head + _ITEM(value) + comma)
    lines.append("}")
    return "\n".join(lines) + "\n"
