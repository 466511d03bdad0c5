"""The local routing evaluator and the firm-profile checks, rule by rule (SPEC 6). Pure: no
sandbox; the end-to-end behaviour over HTTP is in tests/plan/test_routing_impact.py."""

from __future__ import annotations

from netsync import impact
from netsync.firm_checks import CaseTypes, mismatches, rule_mismatches
from netsync.impact import ANY, Rule, evaluate
from netsync.kinds import Action
from netsync.model import Change, FirmProfile, ResourceType

RIVERA, CALDWELL, HAWKINS = "c3d4e5f6-aaaa", "b2c3d4e5-bbbb", "d4e5f6a7-cccc"
NAMES = {RIVERA: "Rivera", CALDWELL: "Caldwell", HAWKINS: "Hawkins"}


def cond(axis: str, op: str, value):
    return {"field": axis, "operator": op, "value": value}


def rule(name, target, priority, *conditions, active=True, rule_id=None):
    return Rule(rule_id or f"id-{name}", name, tuple(conditions), target, priority, active)


def where(rules, case_type, jurisdiction):
    side = impact.compile_rules(rules, impact.as_written)
    return impact.route(side, (case_type, jurisdiction), NAMES.get)


PI_NY = rule(
    "PI NY",
    RIVERA,
    1,
    cond("caseType", "in", ["Personal Injury"]),
    cond("jurisdiction", "eq", "NY"),
)
NY_ANY = rule("NY catch-all", CALDWELL, 5, cond("jurisdiction", "eq", "NY"))


def test_lowest_priority_number_wins_and_every_condition_must_hold():
    routed = where([NY_ANY, PI_NY], "Personal Injury", "NY")
    assert (routed.status, routed.rule_name, routed.firm_id, routed.firm_name) == (
        "routed", "PI NY", RIVERA, "Rivera",
    )  # fmt: skip
    assert where([NY_ANY, PI_NY], "Immigration", "NY").rule_name == "NY catch-all"
    assert where([NY_ANY, PI_NY], "Personal Injury", "CA") is None  # not auto-routed
    assert where([NY_ANY, PI_NY], "Personal Injury", ANY) is None  # (any other) matches no eq


def test_inactive_rules_take_no_part():
    off = rule("PI NY", RIVERA, 1, cond("jurisdiction", "eq", "NY"), active=False)
    assert where([off, NY_ANY], "Personal Injury", "NY").rule_name == "NY catch-all"


def test_a_tie_at_one_priority_is_ambiguous_never_resolved():
    other = rule("Also NY", HAWKINS, 5, cond("jurisdiction", "in", ["NY", "NJ"]))
    routed = where([NY_ANY, other], "Immigration", "NY")
    assert routed.status == "ambiguous"
    assert routed.detail == "tie at priority 5: Also NY, NY catch-all"
    assert routed.rules == ("Also NY", "NY catch-all")
    assert where([NY_ANY, other], "Immigration", "NJ").rule_name == "Also NY"


def test_an_operator_netsync_cannot_evaluate_makes_only_the_profiles_it_could_match_unknown():
    odd = rule(
        "Big NY", HAWKINS, 1, cond("jurisdiction", "eq", "NY"), cond("county", "eq", "Kings")
    )
    assert where([odd, NY_ANY], "Immigration", "NY").status == "unknown"
    assert "county" in where([odd, NY_ANY], "Immigration", "NY").detail
    assert where([odd, NY_ANY], "Immigration", "CA") is None  # its NY condition already fails
    gt = rule("gt", HAWKINS, 1, cond("caseType", "gt", "A"))
    assert where([gt], "Immigration", "CA").status == "unknown"


def test_a_rule_without_a_priority_makes_what_it_could_match_unknown_wherever_it_would_sort():
    floating = rule("No prio", HAWKINS, None, cond("jurisdiction", "eq", "NY"))
    assert where([PI_NY, floating], "Personal Injury", "NY").status == "unknown"
    assert where([PI_NY, floating], "Personal Injury", "CA") is None


def test_profiles_cross_the_named_values_with_any_other_ordered_by_case_type_then_place():
    side = impact.compile_rules([PI_NY, NY_ANY], impact.as_written)
    assert impact.profiles(side) == [
        ("Personal Injury", "NY"), ("Personal Injury", ANY), (ANY, "NY"), (ANY, ANY),
    ]  # fmt: skip


def change(name, action, rule_id=None, **after):
    return Change(
        f"routing.rules.{name}",
        ResourceType.ROUTING_RULE,
        rule_id,
        action,
        list(after),
        None,
        after,
    )


def test_the_desired_side_is_the_live_rules_with_the_plans_rule_changes_applied():
    live = [PI_NY, NY_ANY]
    changes = [
        change("PI NY", Action.UPDATE, PI_NY.id, targetFirmId=HAWKINS),  # priority stays live
        change("NY catch-all", Action.DELETE, NY_ANY.id),
        change("New", Action.CREATE, None, conditions=[cond("jurisdiction", "eq", "CA")],
               targetFirmId=CALDWELL, priority=2),
        change("Untouched", Action.NOOP, "id-x", targetFirmId=RIVERA),
    ]  # fmt: skip
    wanted = {r.name: r for r in impact.desired_rules(live, changes)}
    assert set(wanted) == {"PI NY", "New"}
    assert (wanted["PI NY"].target, wanted["PI NY"].priority) == (HAWKINS, 1)
    assert wanted["PI NY"].id == PI_NY.id
    assert wanted["New"].id is None and wanted["New"].active  # the vendor's create default


def test_moved_lists_profiles_whose_rule_or_firm_changes_and_a_rename_moves_nothing():
    retarget = [change("PI NY", Action.UPDATE, PI_NY.id, targetFirmId=HAWKINS)]
    ev = evaluate([PI_NY, NY_ANY], impact.desired_rules([PI_NY, NY_ANY], retarget))
    assert ev.moved == [("Personal Injury", "NY")]
    assert ev.after[("Personal Injury", "NY")].firm_id == HAWKINS
    renamed = [change("PI New York", Action.UPDATE, PI_NY.id, priority=1)]
    assert evaluate([PI_NY], impact.desired_rules([PI_NY], renamed)).moved == []
    priority = [change("NY catch-all", Action.UPDATE, NY_ANY.id, priority=0)]
    moved = evaluate([PI_NY, NY_ANY], impact.desired_rules([PI_NY, NY_ANY], priority)).moved
    assert moved == [("Personal Injury", "NY")]


def test_case_types_by_id_name_or_display_name_are_one_profile():
    names = CaseTypes([{"id": "ct-1", "name": "Personal Injury", "displayName": "PI"}])
    by_id = rule("by id", RIVERA, 1, cond("caseType", "eq", "ct-1"))
    by_name = rule("by name", HAWKINS, 2, cond("caseType", "in", ["personal injury"]))
    ev = evaluate([by_id, by_name], [by_id, by_name], names.canonical)
    assert [p for p in ev.profiles if p[0] is not ANY] == [("Personal Injury", ANY)]
    assert ev.before[("Personal Injury", ANY)].rule_name == "by id"


def test_firm_profile_checks_name_what_the_firm_does_not_list_and_skip_unresolvable_types():
    names = CaseTypes(
        [{"id": "ct-1", "name": "Personal Injury"}, {"id": "ct-2", "name": "Immigration"}]
    )
    firm = FirmProfile(("CA", "NV"), ("Personal Injury",))
    conditions = [cond("caseType", "in", ["ct-1", "Immigration", "Space Law"]),
                  cond("jurisdiction", "in", ["ca", "NY"])]  # fmt: skip
    assert rule_mismatches(conditions, firm, names) == [
        "jurisdiction 'NY'",
        "case type 'Immigration'",
    ]
    assert mismatches(["Personal Injury"], ["NV"], firm, names) == []
    assert mismatches(["Space Law"], [], firm, names) == []  # cannot check: not a warning
    assert mismatches([], ["TX"], FirmProfile((), ()), names) == ["jurisdiction 'TX'"]
