"""Golden files for text (plain and coloured) and markdown, plus drift framing and edge cases.

NETSYNC_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.
"""

from __future__ import annotations

import re

import pytest
from render_fixtures import RIVERA, build_plan, check_golden

from netsync.model import Action, Change, Plan, ResourceType
from netsync.render import render

ANSI = re.compile(r"\x1b\[")


@pytest.mark.parametrize(
    ("name", "fmt", "kwargs"),
    [
        ("plan.txt", "text", {}),
        ("plan-color.txt", "text", {"color": True}),
        ("drift.txt", "text", {"drift": True}),
        ("plan.md", "markdown", {}),
        ("drift.md", "markdown", {"drift": True}),
    ],
)
def test_golden(plan: Plan, name: str, fmt: str, kwargs: dict) -> None:
    check_golden(name, render(plan, fmt, **kwargs))


def test_text_details(plan: Plan) -> None:
    out = render(plan, "text")
    assert (
        "~ network.outbound.rivera  (Rivera Injury Law)\n    sendingPercentage: 33.5 → 50\n" in out
    )
    assert 'contact.email: "(sensitive)" → "(sensitive)"' in out
    assert (
        "referentFirmId: Hawkins & Pratt LLP (d4e5f6a7-8901-2bcd-ef34-567890abcde0) → "
        "Rivera Injury Law (c3d4e5f6-7890-1abc-def2-34567890abcd)"
    ) in out
    assert '    notes: "Re-routed after Hawkins & Pratt declined"' in out
    assert "    + sendingPercentage: 25" in out
    assert '- routing.rules.Old TX rule\n    - id: "rule-9"\n    - name: "Old TX rule"' in out
    assert "Warning: network.outbound.rivera: awaiting the other firm's acceptance" in out
    assert "Error: trackops: 503 Service Unavailable after 5 attempts" in out
    assert "Error: cases.yaml:3:3: cases.0000aaaa" in out
    assert "Plan: 2 to create, 5 to update, 1 to re-refer, 1 to delete.\n" in out
    assert "whitfield" not in out, "no-ops are counted, not listed"
    # sorted by address
    headers = [line[2:] for line in out.splitlines() if line[:2] in ("+ ", "~ ", "» ", "- ")]
    assert headers == sorted(headers)
    assert not ANSI.search(out)


def test_color_only_when_asked(plan: Plan) -> None:
    colored = render(plan, "text", color=True)
    assert "\x1b[32m+\x1b[0m" in colored
    assert "\x1b[33m~\x1b[0m" in colored
    assert "\x1b[36m»\x1b[0m" in colored
    assert "\x1b[31m-\x1b[0m" in colored
    assert ANSI.sub("", re.sub(r"\x1b\[[0-9;]*m", "", colored)) == render(plan, "text")
    assert not ANSI.search(render(plan, "markdown"))
    assert not ANSI.search(render(plan, "json"))


def _noop_plan() -> Plan:
    return Plan(
        changes=[
            Change(
                "network.outbound.rivera",
                ResourceType.OUTBOUND,
                RIVERA,
                Action.NOOP,
                before={"sendingPercentage": 50},
                after={"sendingPercentage": 50},
            )
        ]
    )


def test_no_changes_and_no_drift() -> None:
    assert render(_noop_plan(), "text") == "No changes. Live state matches the configuration.\n"
    assert render(_noop_plan(), "text", drift=True) == (
        "No drift. Live state matches the configuration.\n"
    )
    assert render(_noop_plan(), "markdown").startswith(
        "**No changes. Live state matches the configuration.**\n"
    )


def test_drift_headings(plan: Plan) -> None:
    text = render(plan, "text", drift=True)
    assert "Drift detected: 2 to create, 5 to update, 1 to re-refer, 1 to delete." in text
    assert "Plan:" not in text
    md = render(plan, "markdown", drift=True)
    assert md.startswith("**Drift detected: 2 to create")
    assert "**Plan:" not in md
    assert render(plan, "json", drift=True) == render(plan, "json")


def test_errors_without_changes_are_not_no_changes() -> None:
    plan = _noop_plan()
    plan.errors = build_plan().errors
    out = render(plan, "text")
    assert "No changes" not in out
    assert "Plan: 0 to create, 0 to update, 0 to re-refer, 0 to delete." in out
    assert "No drift" not in render(plan, "text", drift=True)


def test_text_escapes_terminal_control_characters() -> None:
    plan = Plan(
        changes=[
            Change(
                "routing.rules.evil\x1b[31mred",
                ResourceType.ROUTING_RULE,
                "r1",
                Action.UPDATE,
                fields=["priority"],
                before={"priority": 1},
                after={"priority": 2},
            )
        ]
    )
    out = render(plan, "text")
    assert "\x1b" not in out
    assert "evil\\u001b[31mred" in out


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(Plan(), "yaml")
