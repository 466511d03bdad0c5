"""The routing impact as every output shows it (SPEC 6): one line per case profile that moves,
`Personal Injury / CA: CA PI to Rivera → Rivera Injury Law (was Caldwell Law, rule CA Med-Mal)`,
a markdown table, and the JSON `impact` items. Nothing here is sensitive (case types,
jurisdictions, rule and firm names), but every string still goes through the outputs' escaping.
"""

from __future__ import annotations

from typing import Any

from netsync.model import Impact, Plan, Routed

ANY_LABEL = "(any other)"
NOT_ROUTED = "(no rule: not auto-routed)"
SHOWN = 50  # profiles the text and markdown plans list; JSON holds every one the plan kept


def axis(value: str | None) -> str:
    return ANY_LABEL if value is None else value


def profile_label(item: Impact) -> str:
    return f"{axis(item.case_type)} / {axis(item.jurisdiction)}"


def firm(side: Routed) -> str:
    name = side.firm_name or side.firm_id or "?"
    return name if side.in_network else f"{name} (has not accepted our request yet)"


def outcome(side: Routed | None) -> str:
    """Where one side sends the profile, as a reviewer reads it."""
    if side is None:
        return NOT_ROUTED
    if side.status != "routed":
        return f"{side.status} ({side.detail})"
    return f"{side.rule_name} → {firm(side)}"


def was(side: Routed | None) -> str:
    if side is None:
        return "was not auto-routed"
    if side.status != "routed":
        return f"was {side.status}: {side.detail}"
    return f"was {firm(side)}, rule {side.rule_name}"


def line(item: Impact) -> str:
    mark = "verified" if item.verified else "unverified"
    return f"{profile_label(item)}: {outcome(item.after)} ({was(item.before)}) [{mark}]"


def shown(plan: Plan) -> tuple[list[Impact], int]:
    """The items text and markdown list, and how many more moved."""
    items = (plan.impact or [])[:SHOWN]
    return items, max(plan.impact_total, len(plan.impact or [])) - len(items)


def heading(plan: Plan) -> str:
    total = max(plan.impact_total, len(plan.impact or []))
    if not total:
        return "Routing impact: no case profile changes where it is routed."
    noun = "profile" if total == 1 else "profiles"
    return f"Routing impact: {total} case {noun} (case type / jurisdiction) routed differently:"


def _side_json(side: Routed | None) -> dict[str, Any] | None:
    if side is None:
        return None
    out: dict[str, Any] = {
        "ruleId": side.rule_id,
        "ruleName": side.rule_name,
        "firmId": side.firm_id,
        "firmName": side.firm_name,
        "status": side.status,
    }
    if side.detail is not None:
        out["detail"] = side.detail
    if not side.in_network:
        out["inNetwork"] = False
    return out


def impact_json(plan: Plan) -> dict[str, Any]:
    """`impact` (and `impact_truncated`) of the plan document; empty when not computed."""
    if plan.impact is None:
        return {}
    out: dict[str, Any] = {
        "impact": [
            {
                "profile": {"caseType": i.case_type, "jurisdiction": i.jurisdiction},
                "before": _side_json(i.before),
                "after": _side_json(i.after),
                "verified": i.verified,
                "note": i.note,
            }
            for i in plan.impact
        ]
    }
    if plan.impact_total > len(plan.impact):
        out["impact_truncated"] = {"shown": len(plan.impact), "total": plan.impact_total}
    return out


def impact_from_json(document: dict[str, Any]) -> tuple[list[Impact] | None, int]:
    """A plan file's impact back as model items (for `show`)."""
    raw = document.get("impact")
    if raw is None:
        return None, 0
    items = [
        Impact(
            item["profile"].get("caseType"),
            item["profile"].get("jurisdiction"),
            _side(item.get("before")),
            _side(item.get("after")),
            bool(item.get("verified")),
            item.get("note"),
        )
        for item in raw
    ]
    total = (document.get("impact_truncated") or {}).get("total", len(items))
    return items, total


def _side(raw: dict[str, Any] | None) -> Routed | None:
    if raw is None:
        return None
    return Routed(
        raw.get("status") or "routed",
        raw.get("ruleId"),
        raw.get("ruleName"),
        raw.get("firmId"),
        raw.get("firmName"),
        raw.get("detail"),
        in_network=raw.get("inNetwork") is not False,
    )
