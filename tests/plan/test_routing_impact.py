"""Routing impact and firm-profile checks end to end (SPEC 6): the real CLI against the sandbox
over loopback HTTP, in text, markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

ME = "a1b2c3d4-5678-9abc-def0-1234567890ab"
RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"  # CA, NV; Personal Injury, Product Liability
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"  # CA; Medical Malpractice
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"  # NY, NJ, CT; Medical Malpractice, ...
NAKAMURA = "f6a7b8c9-0123-4def-5678-90abcdef0123"  # has not accepted our request
ALIASES = {"rivera": RIVERA, "caldwell": CALDWELL, "hawkins": HAWKINS, "nakamura": NAKAMURA}
PI_NY_ID = "e4a71c9f-2b38-4d06-a9f1-7c8e350d12ab"
NY_ALL_ID = "f5b82daf-3c49-4e17-baf2-8d9f461e23bc"


def pi_ny(**over: Any) -> dict[str, Any]:
    return {
        "conditions": [
            {"field": "caseType", "operator": "in", "value": ["Personal Injury"]},
            {"field": "jurisdiction", "operator": "eq", "value": "NY"},
        ],
        "targetFirmId": "hawkins",
        "priority": 1,
        "isActive": True,
        **over,
    }


def ny_all(**over: Any) -> dict[str, Any]:
    return {
        "conditions": [{"field": "jurisdiction", "operator": "eq", "value": "NY"}],
        "targetFirmId": "rivera",
        "priority": 5,
        "isActive": True,
        **over,
    }


def live(rule_id: str, name: str, body: dict[str, Any], created: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "name": name,
        **{**body, "targetFirmId": ALIASES[body["targetFirmId"]]},
        "createdAt": created,
        "updatedAt": created,
    }


def seed(*, catch_all: bool = True, hidden: list[dict] | None = None, **extra: Any) -> dict:
    rules = [live(PI_NY_ID, "PI NY", pi_ny(), "2025-01-01T00:00:00.000Z")]
    if catch_all:
        rules.append(live(NY_ALL_ID, "NY catch-all", ny_all(), "2025-01-02T00:00:00.000Z"))
    world: dict[str, Any] = {
        "me": {"id": ME, "name": "Acme Law Group"},
        "outbound": {
            firm: {"inNetwork": firm != NAKAMURA, "sendingPercentage": 10}
            for firm in (RIVERA, CALDWELL, HAWKINS, NAKAMURA)
        },
        "pending": [{"firmId": NAKAMURA, "direction": "outbound"}],
        "routing_rules": rules + (hidden or []),
        **extra,
    }
    return world


def write_config(
    root: Path, rules: dict[str, Any], *, checks: str = "off", extra: str = ""
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "netsync.yaml").write_text(
        "version: 1\n"
        f"settings:\n  checks:\n    firm_profile: {checks}\n"
        "firms:\n" + "".join(f"  {a}: {i}\n" for a, i in ALIASES.items())
        + "network:\n  outbound:\n" + "".join(f"    {a}: {{}}\n" for a in ALIASES)
        + extra
    )  # fmt: skip
    (root / "routing.yaml").write_text(yaml.safe_dump({"routing": {"rules": rules}}))
    return root


def plan(netsync, sb, config: Path, *args: str, fmt: str = "json"):
    code, out, err = netsync(sb, "plan", "-c", str(config), "--format", fmt, *args)
    return code, (json.loads(out) if fmt == "json" else out), err


def evaluate_calls(sb) -> list[dict]:
    return [r for r in sb.requests if r["path"] == "/api/public/v1/routing/evaluate"]


def impact_of(doc: dict) -> dict[tuple, dict]:
    return {(i["profile"]["caseType"], i["profile"]["jurisdiction"]): i for i in doc["impact"]}


def test_a_retarget_shows_the_profile_moving_in_text_markdown_and_json(sandbox, netsync, tmp_path):
    sb = sandbox(seed())
    config = write_config(
        tmp_path / "c", {"PI NY": pi_ny(targetFirmId="caldwell"), "NY catch-all": ny_all()}
    )
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    moved = impact_of(doc)
    assert list(moved) == [("Personal Injury", "NY")]
    item = moved[("Personal Injury", "NY")]
    assert item["before"] == {
        "ruleId": PI_NY_ID, "ruleName": "PI NY", "firmId": HAWKINS,
        "firmName": "Hawkins & Pratt LLP", "status": "routed",
    }  # fmt: skip
    assert (item["after"]["firmId"], item["after"]["firmName"]) == (
        CALDWELL,
        "Caldwell Medical Law",
    )
    assert item["verified"] is True and item["note"] is None
    _, text, _ = plan(netsync, sb, config, fmt="text")
    assert (
        "    Personal Injury / NY: PI NY → Caldwell Medical Law "
        "(was Hawkins & Pratt LLP, rule PI NY) [verified]\n"
    ) in text
    assert "Routing impact: 1 case profile (case type / jurisdiction) routed differently:" in text
    _, md, _ = plan(netsync, sb, config, fmt="markdown")
    assert "| Case type | Jurisdiction | After apply | Today | Verified |" in md
    assert (
        "| Personal Injury | NY | PI NY → Caldwell Medical Law | "
        "was Hawkins &amp; Pratt LLP, rule PI NY | yes |"
    ) in md


def test_a_priority_change_moves_only_the_profiles_the_other_rule_now_wins(
    sandbox, netsync, tmp_path
):
    sb = sandbox(seed())
    config = write_config(tmp_path / "c", {"PI NY": pi_ny(), "NY catch-all": ny_all(priority=0)})
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    item = impact_of(doc)[("Personal Injury", "NY")]
    assert (item["before"]["ruleName"], item["after"]["ruleName"]) == ("PI NY", "NY catch-all")
    assert list(impact_of(doc)) == [("Personal Injury", "NY")]  # (any other) / NY: unchanged
    _, text, _ = plan(netsync, sb, config, fmt="text")
    assert (
        "Personal Injury / NY: NY catch-all → Rivera Injury Law "
        "(was Hawkins & Pratt LLP, rule PI NY)" in text
    )


def test_a_new_jurisdiction_only_catch_all_routes_what_was_not_auto_routed(
    sandbox, netsync, tmp_path
):
    sb = sandbox(seed(catch_all=False))
    ca_all = {
        **ny_all(),
        "conditions": [{"field": "jurisdiction", "operator": "eq", "value": "CA"}],
        "priority": 9,
    }
    config = write_config(tmp_path / "c", {"PI NY": pi_ny(), "CA catch-all": ca_all})
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    moved = impact_of(doc)
    assert list(moved) == [("Personal Injury", "CA"), (None, "CA")]  # ordered; null: (any other)
    for item in moved.values():
        assert item["before"] is None
        assert (item["after"]["ruleId"], item["after"]["ruleName"]) == (None, "CA catch-all")
    _, text, _ = plan(netsync, sb, config, fmt="text")
    assert (
        "(any other) / CA: CA catch-all → Rivera Injury Law (was not auto-routed) [verified]"
        in text
    )
    _, md, _ = plan(netsync, sb, config, fmt="markdown")
    assert (
        "| (any other) | CA | CA catch-all → Rivera Injury Law | was not auto-routed | yes |" in md
    )


def test_a_deactivated_rule_leaves_its_profile_not_auto_routed(sandbox, netsync, tmp_path):
    sb = sandbox(seed(catch_all=False))
    config = write_config(tmp_path / "c", {"PI NY": pi_ny(isActive=False)})
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    item = impact_of(doc)[("Personal Injury", "NY")]
    assert item["after"] is None and item["before"]["ruleName"] == "PI NY"
    _, text, _ = plan(netsync, sb, config, fmt="text")
    assert (
        "Personal Injury / NY: (no rule: not auto-routed) (was Hawkins & Pratt LLP, rule PI NY)"
        in text
    )
    _, md, _ = plan(netsync, sb, config, fmt="markdown")
    assert (
        "| Personal Injury | NY | (no rule: not auto-routed) | "
        "was Hawkins &amp; Pratt LLP, rule PI NY | yes |" in md
    )


def test_a_tie_at_one_priority_is_shown_ambiguous_with_a_warning(sandbox, netsync, tmp_path):
    sb = sandbox(seed(catch_all=False))
    rules = {"PI NY": pi_ny(), "Also PI NY": pi_ny(targetFirmId="rivera")}
    config = write_config(tmp_path / "c", rules)
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    after = impact_of(doc)[("Personal Injury", "NY")]["after"]
    assert (
        after["status"] == "ambiguous" and after["detail"] == "tie at priority 1: Also PI NY, PI NY"
    )
    assert after["ruleId"] is None and after["firmId"] is None
    warning = next(w for w in doc["warnings"] if "tie at priority 1" in w["message"])
    assert warning["address"] == "routing.rules.Also PI NY"
    assert warning["file"].endswith("routing.yaml") and warning["line"] == 3
    _, text, _ = plan(netsync, sb, config, fmt="text")
    assert (
        "Personal Injury / NY: ambiguous (tie at priority 1: Also PI NY, PI NY) (was Hawkins"
        in text
    )
    _, md, _ = plan(netsync, sb, config, fmt="markdown")
    assert "| Personal Injury | NY | ambiguous (tie at priority 1: Also PI NY, PI NY) |" in md


def test_a_target_that_has_not_accepted_our_request_is_named_as_such(sandbox, netsync, tmp_path):
    sb = sandbox(seed(catch_all=False))
    config = write_config(tmp_path / "c", {"PI NY": pi_ny(targetFirmId="nakamura")})
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    after = impact_of(doc)[("Personal Injury", "NY")]["after"]
    assert after["firmId"] == NAKAMURA and after["inNetwork"] is False
    assert "inNetwork" not in impact_of(doc)[("Personal Injury", "NY")]["before"]
    _, text, _ = plan(netsync, sb, config, fmt="text")
    assert (
        "Personal Injury / NY: PI NY → Nakamura & Chen Immigration Law (has not accepted our "
        "request yet) (was Hawkins & Pratt LLP, rule PI NY)"
    ) in text
    _, md, _ = plan(netsync, sb, config, fmt="markdown")
    assert "PI NY → Nakamura &amp; Chen Immigration Law (has not accepted our request yet)" in md


def test_the_vendor_disagreeing_marks_the_profile_unverified_and_warns(sandbox, netsync, tmp_path):
    hidden = live(
        "0d0d0d0d-1111-4222-8333-944455556666",
        "Secret",
        pi_ny(priority=0),
        "2025-01-03T00:00:00.000Z",
    )
    sb = sandbox(seed(hidden=[{**hidden, "hidden": True}]))
    config = write_config(
        tmp_path / "c", {"PI NY": pi_ny(targetFirmId="caldwell"), "NY catch-all": ny_all()}
    )
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    item = impact_of(doc)[("Personal Injury", "NY")]
    assert item["verified"] is False
    assert "CaseXchange routes this profile to rule 'Secret' today" in item["note"]
    assert any(
        w["message"].startswith("routing impact: Personal Injury / NY: CaseXchange routes")
        for w in doc["warnings"]
    )
    _, text, _ = plan(netsync, sb, config, fmt="text")
    assert "(was Hawkins & Pratt LLP, rule PI NY) [unverified]" in text


def test_a_403_from_evaluate_leaves_every_profile_unverified_and_the_plan_goes_on(
    sandbox, netsync, tmp_path
):
    faults = [{"vendor": "casexchange", "path": "/routing/evaluate", "status": 403, "count": 1000}]
    sb = sandbox(seed(), faults=faults)
    config = write_config(
        tmp_path / "c", {"PI NY": pi_ny(targetFirmId="caldwell"), "NY catch-all": ny_all()}
    )
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    assert [i["verified"] for i in doc["impact"]] == [False]
    assert doc["impact"][0]["note"] == "not verified: CaseXchange refused to evaluate (403)"
    assert sum("refused GET /routing/evaluate (403)" in w["message"] for w in doc["warnings"]) == 1


def test_the_impact_limit_bounds_the_calls_and_checks_moved_profiles_first(
    sandbox, netsync, tmp_path
):
    sb = sandbox(seed())
    config = write_config(
        tmp_path / "c", {"PI NY": pi_ny(targetFirmId="caldwell"), "NY catch-all": ny_all()}
    )
    code, doc, err = plan(netsync, sb, config, "--impact-limit", "1")
    assert code == 0, err
    calls = evaluate_calls(sb)
    assert [(c["query"]["caseType"], c["query"]["jurisdiction"]) for c in calls] == [
        ("Personal Injury", "NY")
    ]
    assert doc["impact"][0]["verified"] is True
    sb.requests.clear()
    code, doc, err = plan(netsync, sb, config)
    assert code == 0, err
    asked = {(c["query"]["caseType"], c["query"]["jurisdiction"]) for c in evaluate_calls(sb)}
    # every profile: named values crossed, "(any other)" asked as a value no condition names
    assert asked == {("Personal Injury", "NY"), ("Personal Injury", "AK"),
                     (asked_other(asked), "NY"), (asked_other(asked), "AK")}  # fmt: skip


def asked_other(asked: set[tuple[str, str]]) -> str:
    return next(c for c, _ in asked if c != "Personal Injury")


def test_no_impact_and_plans_without_rule_changes_make_no_evaluate_request(
    sandbox, netsync, tmp_path
):
    sb = sandbox(seed())
    changed = write_config(
        tmp_path / "a", {"PI NY": pi_ny(targetFirmId="caldwell"), "NY catch-all": ny_all()}
    )
    code, doc, err = plan(netsync, sb, changed, "--no-impact")
    assert code == 0, err
    assert "impact" not in doc and not evaluate_calls(sb)
    assert any(c["action"] == "update" for c in doc["changes"])
    same = write_config(tmp_path / "b", {"PI NY": pi_ny(), "NY catch-all": ny_all()})
    code, doc, err = plan(netsync, sb, same)
    assert code == 0, err
    assert "impact" not in doc and not evaluate_calls(sb)
    _, text, _ = plan(netsync, sb, same, fmt="text")
    assert "Routing impact" not in text


CASE_ID = "3c90c3cc-0d44-4b50-8888-8dd25736052a"


def case_seed() -> dict:
    world = seed()
    world["cases"] = [
        {
            "id": CASE_ID,
            "caseType": "Medical Malpractice",
            "jurisdiction": "NY",
            "referrals": [{"referentFirmId": HAWKINS, "status": "rejected",
                           "createdAt": "2026-01-01T00:00:00.000Z"}],
        }
    ]  # fmt: skip
    return world


@pytest.mark.parametrize("mode", ["warn", "error"])
def test_firm_profile_checks_fire_at_the_rule_and_case_lines(sandbox, netsync, tmp_path, mode):
    sb = sandbox(case_seed())
    cases = f"cases:\n  {CASE_ID}:\n    referentFirmId: rivera\n"
    config = write_config(
        tmp_path / "c", {"PI NY": pi_ny(targetFirmId="caldwell")}, checks=mode, extra=cases
    )
    code, doc, err = plan(netsync, sb, config, "--no-impact")
    found = doc["errors"] if mode == "error" else doc["warnings"]
    rule = next(d for d in found if d["address"] == "routing.rules.PI NY")
    assert rule["message"].startswith(
        "Caldwell Medical Law, which this rule sends cases to, does not"
    )
    assert "jurisdiction 'NY' or case type 'Personal Injury'" in rule["message"]
    assert (Path(rule["file"]).name, rule["line"]) == ("routing.yaml", 3)
    case = next(d for d in found if d["address"] == f"cases.{CASE_ID}")
    assert (
        "Rivera Injury Law, to which this case is re-referred, does not list "
        "jurisdiction 'NY' or case type 'Medical Malpractice'" in case["message"]
    )
    assert (Path(case["file"]).name, case["line"]) == (
        "netsync.yaml",
        17,
    )  # the case key: 5 settings lines, 5 firms, 6 network, `cases:`
    assert code == (1 if mode == "error" else 0), err
    if mode == "error":
        assert "routing.yaml:3:5: routing.rules.PI NY: Caldwell Medical Law" in err


def test_firm_profile_checks_off_say_nothing_but_a_firm_not_on_the_platform_is_an_error(
    sandbox, netsync, tmp_path
):
    sb = sandbox(case_seed())
    ghost = "00000000-0000-4000-8000-00000000dead"
    config = write_config(
        tmp_path / "c", {"PI NY": pi_ny(targetFirmId="caldwell")}, checks="off",
        extra=f"    {ghost}: {{sendingPercentage: 5}}\n",
    )  # fmt: skip
    code, doc, err = plan(netsync, sb, config, "--no-impact")
    assert code == 1
    assert [d["address"] for d in doc["errors"]] == [f"network.outbound.{ghost}"]
    assert "is not on CaseXchange" in doc["errors"][0]["message"]
    assert not any("does not list" in w["message"] for w in doc["warnings"])


def test_a_plan_file_keeps_the_impact_for_show_and_the_schema(sandbox, netsync, tmp_path):
    from jsonschema import Draft202012Validator

    from netsync.config.schema import load_schema

    sb = sandbox(seed())
    config = write_config(
        tmp_path / "c", {"PI NY": pi_ny(targetFirmId="caldwell"), "NY catch-all": ny_all()}
    )
    saved = tmp_path / "plan.json"
    code, doc, err = plan(netsync, sb, config, "-o", str(saved))
    assert code == 0, err
    Draft202012Validator(load_schema("plan.schema.json")).validate(doc)
    assert json.loads(saved.read_text())["impact"] == doc["impact"]
    code, shown, err = netsync(None, "show", str(saved))
    assert code == 0, err
    assert "Personal Injury / NY: PI NY → Caldwell Medical Law (was Hawkins" in shown
    code, shown, err = netsync(None, "show", str(saved), "--format", "json")
    assert json.loads(shown)["impact"] == doc["impact"]


def test_a_tie_today_is_not_sent_to_the_vendor_and_resolving_it_shows(sandbox, netsync, tmp_path):
    world = seed(catch_all=False)
    also = live("0e0e0e0e-1111-4222-8333-944455556666", "Also PI NY", pi_ny(targetFirmId="rivera"),
                "2025-01-05T00:00:00.000Z")  # fmt: skip
    world["routing_rules"].append(also)
    sb = sandbox(world)
    rules = {"PI NY": pi_ny(), "Also PI NY": pi_ny(targetFirmId="rivera", isActive=False)}
    code, doc, err = plan(netsync, sb, write_config(tmp_path / "c", rules))
    assert code == 0, err
    item = impact_of(doc)[("Personal Injury", "NY")]
    assert item["before"]["status"] == "ambiguous" and item["after"]["ruleName"] == "PI NY"
    assert (item["verified"], item["note"]) == (False, "not verified: ambiguous today")
    asked = {(c["query"]["caseType"], c["query"]["jurisdiction"]) for c in evaluate_calls(sb)}
    assert ("Personal Injury", "NY") not in asked and asked  # the other profiles were asked
    assert not any("CaseXchange routes" in w["message"] for w in doc["warnings"])
