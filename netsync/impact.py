"""Where new cases go: CaseXchange's routing model evaluated locally, on the live rules and on
the live rules with the plan's rule changes applied, so a reviewer sees which case profiles
move to which firm (SPEC 6).

Pure: no I/O and no vendor module. The vendor's documented model is small: active rules in
ascending `priority`, every condition must hold, operators `eq` and `in` on `caseType` and
`jurisdiction`. Anything else is not guessed at: a rule netsync cannot evaluate makes the
profiles it could match `unknown`, and two matching rules at one priority are `ambiguous`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from netsync.compare import equal
from netsync.kinds import Action, split_address
from netsync.model import Change, Impact, LiveResource, ResourceType, Routed

AXES = ("caseType", "jurisdiction")
AXIS_INDEX = {axis: n for n, axis in enumerate(AXES)}  # where a profile holds each axis
OPERATORS = ("eq", "in")
ANY = None  # the "(any other)" value of an axis: one no condition names
ANY_LABEL = "(any other)"

# A profile: (case type, jurisdiction), each canonical or ANY.
Profile = tuple[str | None, str | None]
# Canonical form of a value on an axis (case type ids and names resolve to one name).
Canonical = Callable[[str, str], str]


def as_written(axis: str, value: str) -> str:
    return value


@dataclass(frozen=True)
class Rule:
    """A routing rule as the evaluator sees it. `id` is None for a rule the plan creates."""

    id: str | None
    name: str
    conditions: tuple[Any, ...]
    target: str | None
    priority: Any
    active: bool

    @classmethod
    def of(cls, name: str, rule_id: str | None, fields: Mapping[str, Any]) -> Rule:
        conditions = fields.get("conditions")
        return cls(
            id=rule_id,
            name=name,
            conditions=tuple(conditions) if isinstance(conditions, list) else (None,),
            target=fields.get("targetFirmId"),
            priority=fields.get("priority"),
            active=fields.get("isActive") is True,
        )

    @property
    def identity(self) -> str:
        return (self.id or "").lower() or f"new:{self.name}"


def live_rules(discovered: Iterable[LiveResource]) -> list[Rule]:
    return [Rule.of(str(r.key), r.id, r.fields) for r in discovered]


def desired_rules(live: list[Rule], changes: Iterable[Change]) -> list[Rule]:
    """The live rules with this plan's rule changes applied: updates merge the declared fields
    over the live rule (undeclared ones keep their live value), creates add, deletes remove."""
    by_id = {rule.identity: rule for rule in live}
    for change in changes:
        if change.type is not ResourceType.ROUTING_RULE or change.action is Action.NOOP:
            continue
        key = (change.id or "").lower()
        name = split_address(change.address)[1]
        if change.action is Action.DELETE:
            by_id.pop(key, None)
            continue
        old = by_id.get(key) if key else None
        fields: dict[str, Any] = {"isActive": True}  # the vendor's documented create default
        if old is not None:
            fields = {
                "conditions": list(old.conditions),
                "targetFirmId": old.target,
                "priority": old.priority,
                "isActive": old.active,
            }
        fields.update(change.after or {})
        rule = Rule.of(name, old.id if old else None, fields)
        by_id[rule.identity] = rule
    return list(by_id.values())


def _condition(condition: Any, canonical: Canonical) -> tuple[str, frozenset[str]] | None:
    """(axis, the canonical values it accepts), or None when netsync cannot evaluate it."""
    if not isinstance(condition, Mapping):
        return None
    axis, operator, value = (condition.get(k) for k in ("field", "operator", "value"))
    if axis not in AXES or operator not in OPERATORS:
        return None
    if operator == "eq" and isinstance(value, str):
        return axis, frozenset({canonical(axis, value)})
    if operator == "in" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return axis, frozenset(canonical(axis, v) for v in value)
    return None


@dataclass(frozen=True)
class Compiled:
    """A rule with its conditions resolved once; a condition netsync cannot evaluate is None."""

    rule: Rule
    tests: tuple[tuple[str, frozenset[str]] | None, ...]
    problem: str | None  # why the rule may match profiles netsync cannot name

    def matches(self, profile: Profile) -> bool | None:
        """True or False, or None when netsync cannot tell (a condition it cannot evaluate
        and none of the others already fails)."""
        unsure = False
        for test in self.tests:
            if test is None:
                unsure = True
                continue
            value = profile[AXIS_INDEX[test[0]]]
            if value is ANY or value not in test[1]:
                return False
        return None if unsure else True


@dataclass(frozen=True)
class Side:
    """One side's active rules: grouped by priority, ascending, and those without a usable
    priority (which could come before any group)."""

    groups: tuple[tuple[Compiled, ...], ...]
    floating: tuple[Compiled, ...]

    def all(self) -> Iterable[Compiled]:
        for group in self.groups:
            yield from group
        yield from self.floating


def compile_rules(rules: Iterable[Rule], canonical: Canonical) -> Side:
    ranked, floating = [], []
    for rule in rules:
        if not rule.active:
            continue
        tests = tuple(_condition(c, canonical) for c in rule.conditions)
        if not _is_priority(rule.priority):
            problem = f"rule {rule.name!r} has no priority (the vendor's default is undocumented)"
            floating.append(Compiled(rule, tests, problem))
            continue
        bad = [c for c, t in zip(rule.conditions, tests, strict=True) if t is None]
        problem = None
        if bad:
            problem = f"rule {rule.name!r}: netsync cannot evaluate the condition {bad[0]!r}"
        ranked.append(Compiled(rule, tests, problem))
    ranked.sort(key=lambda c: c.rule.priority)
    groups = tuple(tuple(g) for _, g in groupby(ranked, key=lambda c: c.rule.priority))
    return Side(groups, tuple(floating))


def _is_priority(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def route(side: Side, profile: Profile, firm: Callable[[str | None], str | None]) -> Routed | None:
    """Where a new case of `profile` goes: the first priority group with a match decides; a rule
    netsync cannot place or evaluate that could match makes the answer unknown."""
    for compiled in side.floating:
        if compiled.matches(profile) is not False:
            return Routed("unknown", detail=compiled.problem, rules=(compiled.rule.name,))
    for group in side.groups:
        answers = [(c, c.matches(profile)) for c in group]
        unsure = [c for c, answer in answers if answer is None]
        if unsure:
            return Routed("unknown", detail=unsure[0].problem, rules=(unsure[0].rule.name,))
        hits = [c.rule for c, answer in answers if answer]
        if len(hits) == 1:
            rule = hits[0]
            return Routed("routed", rule.id, rule.name, rule.target, firm(rule.target))
        if hits:
            names = tuple(sorted(rule.name for rule in hits))
            detail = f"tie at priority {hits[0].priority}: {', '.join(names)}"
            return Routed("ambiguous", detail=detail, rules=names)
    return None


def named_values(side: Side) -> dict[str, set[str]]:
    """The values each axis's conditions name."""
    named: dict[str, set[str]] = {axis: set() for axis in AXES}
    for compiled in side.all():
        for test in compiled.tests:
            if test is not None:
                named[test[0]] |= test[1]
    return named


def profiles(*sides: Side) -> list[Profile]:
    """Every named case type crossed with every named jurisdiction, plus "(any other)" on each
    axis, ordered by case type then jurisdiction ("(any other)" last)."""
    named: dict[str, set[str]] = {axis: set() for axis in AXES}
    for side in sides:
        for axis, values in named_values(side).items():
            named[axis] |= values
    case_types = [*sorted(named["caseType"]), ANY]
    jurisdictions = [*sorted(named["jurisdiction"]), ANY]
    return [(c, j) for c in case_types for j in jurisdictions]


def _same(a: Routed | None, b: Routed | None) -> bool:
    if a is None or b is None:
        return a is b
    if a.status != b.status:
        return False
    if a.status != "routed":
        return a.detail == b.detail
    same_rule = (
        equal(a.rule_id, b.rule_id) if a.rule_id and b.rule_id else a.rule_name == b.rule_name
    )
    return same_rule and equal(a.firm_id, b.firm_id)


@dataclass
class Evaluation:
    """Both sides of every profile; `moved` lists those whose rule or firm changes."""

    profiles: list[Profile]
    before: dict[Profile, Routed | None]
    after: dict[Profile, Routed | None]

    @property
    def moved(self) -> list[Profile]:
        return [p for p in self.profiles if not _same(self.before[p], self.after[p])]

    def problems(self) -> list[Routed]:
        """The ties and unknowns among the moved profiles, once each."""
        seen: dict[str | None, Routed] = {}
        for profile in self.moved:
            for routed in (self.before[profile], self.after[profile]):
                if routed is not None and routed.status != "routed":
                    seen.setdefault(routed.detail, routed)
        return list(seen.values())


def evaluate(
    live: list[Rule],
    desired: list[Rule],
    canonical: Canonical = as_written,
    firm: Callable[[str | None], str | None] = lambda firm_id: None,
) -> Evaluation:
    before_groups = compile_rules(live, canonical)
    after_groups = compile_rules(desired, canonical)
    every = profiles(before_groups, after_groups)
    return Evaluation(
        every,
        {p: route(before_groups, p, firm) for p in every},
        {p: route(after_groups, p, firm) for p in every},
    )


def impact_items(
    evaluation: Evaluation, verified: Mapping[Profile, tuple[bool, str | None]]
) -> list[Impact]:
    """The moved profiles as plan items, with what the vendor's check said of each."""
    items = []
    for profile in evaluation.moved:
        ok, note = verified.get(profile, (False, None))
        items.append(
            Impact(
                profile[0],
                profile[1],
                evaluation.before[profile],
                evaluation.after[profile],
                verified=ok,
                note=note,
            )
        )
    return items
