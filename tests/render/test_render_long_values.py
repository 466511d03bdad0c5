"""One huge live value (a vendor may store megabytes in a free-text field) cannot flood a
terminal or a pull-request comment; the JSON document keeps it whole."""

from __future__ import annotations

import json

from netsync.model import Action, Change, Plan, ResourceType
from netsync.render import render

HUGE = "x" * 3_000_000


def plan_with_huge_value() -> Plan:
    change = Change(
        "matters.9a1b2c3d-0000-4000-8000-000000000001",
        ResourceType.MATTER,
        "9a1b2c3d-0000-4000-8000-000000000001",
        Action.UPDATE,
        fields=["description"],
        before={"description": HUGE},
        after={"description": "short"},
    )
    return Plan(changes=[change])


def test_text_cuts_a_huge_value_and_names_its_size():
    """The text plan shows the start of the value and how long it is, not 3 MB."""
    out = render(plan_with_huge_value(), "text")
    assert len(out) < 5_000
    assert "(3,000,002 characters; --format json shows it whole)" in out


def test_markdown_stays_small_too():
    """The markdown plan stays far under the comment limit."""
    assert len(render(plan_with_huge_value(), "markdown")) < 10_000


def test_json_keeps_the_value_whole():
    """Pipelines get every character."""
    document = json.loads(render(plan_with_huge_value(), "json"))
    assert document["changes"][0]["before"]["description"] == HUGE
