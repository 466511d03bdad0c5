"""Markdown escaping of user content, and the PR-comment size limit."""

from __future__ import annotations

from netsync.model import Action, Change, Diagnostic, Plan, ResourceType
from netsync.render import MARKDOWN_LIMIT, render

EVIL = "Evil | <script>alert(1)</script> *bold* _it_ `code` [link](http://x) & more\nsecond line"


def _evil_plan() -> Plan:
    return Plan(
        changes=[
            Change(
                f"routing.rules.{EVIL}",
                ResourceType.ROUTING_RULE,
                "r1",
                Action.UPDATE,
                fields=["description"],
                before={"description": "old"},
                after={"description": EVIL},
            )
        ],
        warnings=[Diagnostic(f"routing.rules.{EVIL}", EVIL)],
    )


def test_markdown_escapes_user_content() -> None:
    out = render(_evil_plan(), "markdown")
    assert "<script>" not in out and "</script>" not in out
    assert "&lt;script&gt;" in out
    assert "Evil \\| " in out
    assert "\\*bold\\*" in out and "\\_it\\_" in out and "\\`code\\`" in out
    assert "\\[link\\](http://x)" in out
    assert "&amp; more" in out
    # No table row is split by user content: every row of the changes table has 5 cells.
    rows = [line for line in out.splitlines() if line.startswith("| `~` |")]
    assert len(rows) == 1
    assert rows[0].replace("\\|", "").count("|") == 6
    # Newlines inside a cell or list item become <br>, never a new line.
    assert "more<br>second line" in out
    assert "\nsecond line" not in out
    # Inside <summary> (HTML), markdown escapes would show literally: entities are used.
    summary = next(line for line in out.splitlines() if line.startswith("<details>"))
    assert "&#124;" in summary and "&#42;bold&#42;" in summary and "\\" not in summary


def _huge_plan(n: int) -> Plan:
    changes = [
        Change(
            f"routing.rules.rule-{i:05d}",
            ResourceType.ROUTING_RULE,
            f"id-{i}",
            Action.UPDATE,
            fields=["priority", "description"],
            before={"priority": i, "description": "x" * 40},
            after={"priority": i + 1, "description": "y" * 40},
        )
        for i in range(n)
    ]
    return Plan(changes=changes, warnings=[Diagnostic("routing.rules.rule-00000", "late")])


def test_markdown_truncates_under_limit_with_note() -> None:
    n = 5000
    out = render(_huge_plan(n), "markdown")
    assert len(out) < MARKDOWN_LIMIT == 65_000
    assert "**Plan: 0 to create, 5000 to update, 0 to re-refer, 0 to delete.**" in out
    assert "Output truncated" in out
    kept = out.count("<details>")
    assert 0 <= kept < n
    omitted = n - kept
    assert f"details of {omitted} resources" in out
    assert "--format json" in out and "plan file" in out
    # Dropped from the end: the first resources survive, the last do not.
    assert "routing.rules.rule-00000" in out
    assert "rule-04999" not in out
    assert out.count("<details>") == out.count("</details>")


def test_markdown_just_over_limit_drops_only_details() -> None:
    plan = _huge_plan(120)
    full = render(plan, "markdown", drift=False)
    assert "Output truncated" not in full
    from netsync.render.markdown import render_markdown

    limit = len(full) - 100
    out = render_markdown(plan, limit=limit)
    assert len(out) < limit
    assert "Output truncated" in out
    assert "table rows" not in out, "the table survives; only detail blocks are dropped"
    assert out.count("| `~` |") == 120
    assert "#### Warnings (1)" in out


def test_small_plan_is_not_truncated() -> None:
    out = render(_huge_plan(3), "markdown")
    assert "truncated" not in out
    assert out.count("<details>") == 3
