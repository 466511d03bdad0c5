"""After the diff, what a reviewer of a routing change needs (SPEC 6): the routing impact (which
case profiles move to which rule and firm), checked against CaseXchange's own evaluation, and
the firm-profile checks (does the receiving firm take that case type in that jurisdiction).

This stage orchestrates; the evaluator (`impact`) and the checks (`firm_checks`) are pure, and
CaseXchange's reads live in its provider. Every read here is a GET with the plan's key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from netsync import impact
from netsync.compare import equal
from netsync.firm_checks import CaseTypes, describe, mismatches, rule_mismatches
from netsync.http import VendorError
from netsync.kinds import Action, ResourceType
from netsync.model import Diagnostic, FirmProfile, Plan, ReadResult, Resource
from netsync.parallel import run_parallel
from netsync.providers import EvaluateRefused, Provider

IMPACT_KEPT = 1_000  # impact items a plan holds; more are counted (`impact_truncated`)
# Asked for an "(any other)" jurisdiction: the first US state or territory no condition names.
_CODES = (
    "AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE "
    "NH NJ NM NV NY OH OK OR PA PR RI SC SD TN TX UT VA VT WA WI WV WY"
)
JURISDICTIONS = tuple(_CODES.split())

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ReviewOptions:
    impact: bool = True  # --no-impact turns it off
    impact_limit: int = 50  # --impact-limit: calls to /routing/evaluate at most
    firm_profile: str = "warn"  # settings.checks.firm_profile: warn | error | off
    # False: no review at all (apply of a plan file: the reviewed plan already had it).
    enabled: bool = True
    # drift: the private network's firms the config does not declare are warnings; the ids
    # `network.outbound` declares (None: not looked at).
    declared_outbound: frozenset[str] | None = None


class Review:
    def __init__(
        self,
        plan: Plan,
        read: ReadResult,
        desired: list[Resource],
        cx: Provider,
        options: ReviewOptions,
        width: int,
        aliases: Mapping[str, str],
    ) -> None:
        self.plan, self.read, self.desired, self.cx = plan, read, desired, cx
        self.aliases = aliases
        self.reference: Any = cx.reference
        self.options, self.width = options, width
        self._case_types: CaseTypes | None = None
        self.located = {r.address: r for r in desired}

    def parallel(self, fn: Callable[[T], R], items: Iterable[T]) -> list[tuple[T, R | VendorError]]:
        """`fn` over `items`, `width` at a time; a vendor failure is returned, not raised."""

        def one(item: T) -> tuple[T, R | VendorError]:
            try:
                return item, fn(item)
            except VendorError as exc:
                return item, exc

        return list(run_parallel(one, list(items), self.width))

    def case_types(self) -> CaseTypes:
        if self._case_types is None:
            try:
                self._case_types = CaseTypes(self.reference.case_types.get())
            except VendorError as exc:
                self.plan.warnings.append(
                    Diagnostic(None, f"case types could not be read ({exc}): compared as written")
                )
                self._case_types = CaseTypes(None)
        return self._case_types

    def warn(self, address: str | None, message: str, error: bool = False) -> None:
        resource = self.located.get(address or "")
        found = Diagnostic(address, message, resource.location if resource else None)
        (self.plan.errors if error else self.plan.warnings).append(found)

    # --- routing impact -----------------------------------------------------------------------

    def routing_impact(self) -> None:
        changes = [
            c
            for c in self.plan.changes
            if c.type is ResourceType.ROUTING_RULE and c.action is not Action.NOOP
        ]
        live = self.read.discovered.get(ResourceType.ROUTING_RULE)
        if not self.options.impact or not changes or live is None:
            return
        names = self.case_types()
        before = impact.live_rules(live)
        after = impact.desired_rules(before, changes)
        evaluation = impact.evaluate(before, after, names.canonical, self.firm_name)
        verified = self.verify(evaluation, names)
        self.mark_pending(evaluation)
        items = impact.impact_items(evaluation, verified)
        self.plan.impact = items[:IMPACT_KEPT]
        self.plan.impact_total = len(items)
        for routed in evaluation.problems():
            address = ResourceType.ROUTING_RULE.address(routed.rules[0]) if routed.rules else None
            why = (
                "the vendor's choice between rules at one priority is not documented"
                if routed.status == "ambiguous"
                else "the profiles it could match are shown unknown"
            )
            self.warn(address, f"routing impact: {routed.detail}: {why}")

    def mark_pending(self, evaluation: impact.Evaluation) -> None:
        """Sides that route to a firm whose acceptance of our outbound request is pending."""
        pending = {
            (live.id or "").lower()
            for live in self.read.live.values()
            if live.awaiting_acceptance and live.id
        }
        for side in (evaluation.before, evaluation.after):
            for profile, routed in side.items():
                if routed is not None and (routed.firm_id or "").lower() in pending:
                    side[profile] = replace(routed, in_network=False)

    def firm_name(self, firm_id: str | None) -> str | None:
        """The vendor's name for a firm, from the plan's reads or this stage's own."""
        if not isinstance(firm_id, str):
            return None
        key = firm_id.lower()
        names = (self.read.firm_names, self.cx.result().firm_names, self.aliases)
        return next((found[key] for found in names if key in found), None)

    def verify(
        self, evaluation: impact.Evaluation, names: CaseTypes
    ) -> dict[impact.Profile, tuple[bool, str | None]]:
        """Ask CaseXchange how it routes each profile today, moved ones first, up to the limit,
        and compare its rule with the local evaluation of the live rules."""
        moved = evaluation.moved
        order = moved + [p for p in evaluation.profiles if p not in set(moved)]
        named = {
            "caseType": {p[0] for p in evaluation.profiles if p[0] is not impact.ANY},
            "jurisdiction": {p[1] for p in evaluation.profiles if p[1] is not impact.ANY},
        }
        other_type = next((n for n in sorted(names.names()) if n not in named["caseType"]), None)
        other_place = next((j for j in JURISDICTIONS if j not in named["jurisdiction"]), None)
        notes: dict[impact.Profile, tuple[bool, str | None]] = {}
        asks = []
        for profile in order:
            today = evaluation.before[profile]
            if today is not None and today.status != "routed":
                notes[profile] = (False, f"not verified: {today.status} today")
                continue
            case_type = other_type if profile[0] is impact.ANY else profile[0]
            place = other_place if profile[1] is impact.ANY else profile[1]
            if case_type is None or place is None:
                notes[profile] = (False, "not verified: no value to ask CaseXchange for")
            elif len(asks) >= self.options.impact_limit:
                notes[profile] = (
                    False,
                    f"not verified: --impact-limit {self.options.impact_limit} reached",
                )
            else:
                asks.append((profile, case_type, place))
        answers = self.parallel(lambda ask: self.reference.evaluate(ask[1], ask[2]), asks)
        refused = any(isinstance(answer, EvaluateRefused) for _, answer in answers)
        failed = next((a for _, a in answers if isinstance(a, VendorError)), None)
        if refused:
            self.warn(
                None,
                "routing impact not verified: CaseXchange refused GET /routing/evaluate (403) "
                "for this key",
            )
        elif failed is not None:
            self.warn(None, f"routing impact: some profiles not verified: {failed}")
        for (profile, _, _), answer in answers:
            notes[profile] = self._judge(profile, evaluation.before[profile], answer, refused)
        return notes

    def _judge(
        self, profile: impact.Profile, today: Any, answer: Any, refused: bool
    ) -> tuple[bool, str | None]:
        if refused:
            return False, "not verified: CaseXchange refused to evaluate (403)"
        if isinstance(answer, VendorError):
            return False, "not verified: CaseXchange answered an error"
        ours = today.rule_id if today is not None else None
        theirs = answer[0] if answer else None
        if equal(ours, theirs):
            return True, None
        vendor = f"rule {answer[1] or answer[0]!r}" if answer else "no rule"
        mine = f"rule {today.rule_name!r}" if today is not None else "no rule"
        note = (
            f"CaseXchange routes this profile to {vendor} today, netsync's reading of the live "
            f"rules says {mine} (the vendor may hold rules netsync cannot see)"
        )
        self.warn(None, f"routing impact: {label(profile)}: {note}")
        return False, note

    # --- drift: the private network beyond the config -----------------------------------------

    def undeclared_outbound(self, declared: frozenset[str]) -> None:
        """Firms we send referrals to that `network.outbound` does not declare: warnings, not
        drift (netsync has no way to remove a relationship, so git cannot own them all)."""
        try:
            firms = self.cx.network_firms()  # type: ignore[attr-defined]
        except VendorError as exc:
            self.warn(None, f"the private network could not be listed: {exc}")
            return
        for firm_id in sorted(set(firms) - declared):
            name = self.firm_name(firm_id)
            who = f"{name} ({firm_id})" if name else firm_id
            self.warn(
                ResourceType.OUTBOUND.address(firm_id),
                f"{who} is in the private network but not declared under network.outbound: "
                "its relationship is managed in the CaseXchange portal, not in git",
            )

    # --- firm-profile checks --------------------------------------------------------------------

    def firm_checks(self) -> None:
        creates = [
            c
            for c in self.plan.changes
            if c.type is ResourceType.OUTBOUND and c.action is Action.CREATE and c.id
        ]
        for change, found in self.parallel(lambda c: self.reference.on_platform(c.id), creates):
            if isinstance(found, VendorError):
                self.warn(change.address, f"could not check that the firm exists: {found}")
            elif found is False:
                self.warn(
                    change.address,
                    f"firm {change.id} is not on CaseXchange (GET /firms/{change.id}: 404): "
                    "check the firm id",
                    error=True,
                )
        if self.options.firm_profile == "off":
            return
        rules = [r for r in self.desired if r.type is ResourceType.ROUTING_RULE]
        rerefers = [c for c in self.plan.changes if c.action is Action.REREFER and c.id]
        targets = {r.fields.get("targetFirmId") for r in rules}
        targets |= {(c.after or {}).get("referentFirmId") for c in rerefers}
        firms = [t for t in targets if isinstance(t, str)]
        if not firms:
            return
        read = self.parallel(self.reference.firm_profile, firms)
        failed = next((found for _, found in read if isinstance(found, VendorError)), None)
        if failed is not None:
            self.warn(None, f"some firm profiles could not be read, so not checked: {failed}")
        profiles = {f.lower(): p for f, p in read if isinstance(p, FirmProfile)}
        names = self.case_types()
        for rule in rules:
            target = str(rule.fields.get("targetFirmId") or "")
            profile = profiles.get(target.lower())
            if profile is not None:
                problems = rule_mismatches(rule.fields.get("conditions"), profile, names)
                self._report(
                    rule.address, target, problems, profile, "which this rule sends cases to"
                )
        facts = {
            change.address: found
            for change, found in self.parallel(lambda c: self.reference.case_facts(c.id), rerefers)
        }
        for change in rerefers:
            target = str((change.after or {}).get("referentFirmId") or "")
            profile, known = profiles.get(target.lower()), facts.get(change.address)
            if profile is None or not isinstance(known, dict):
                continue
            case_types = [known["caseType"]] if isinstance(known.get("caseType"), str) else []
            places = [known["jurisdiction"]] if isinstance(known.get("jurisdiction"), str) else []
            problems = mismatches(case_types, places, profile, names)
            self._report(
                change.address, target, problems, profile, "to which this case is re-referred"
            )

    def _report(
        self, address: str, firm_id: str, problems: list[str], profile: FirmProfile, what: str
    ) -> None:
        if problems:
            firm = self.firm_name(firm_id) or firm_id
            message = describe(f"{firm}, {what},", problems, profile)
            self.warn(address, message, error=self.options.firm_profile == "error")


def label(profile: impact.Profile) -> str:
    return " / ".join(impact.ANY_LABEL if v is impact.ANY else v for v in profile)


def review(
    plan: Plan,
    read: ReadResult,
    desired: list[Resource],
    providers: Mapping[str, Provider],
    options: ReviewOptions,
    width: int,
    aliases: Mapping[str, str],
) -> None:
    """Add the routing impact and the firm-profile findings to `plan`; `aliases` (firm id ->
    alias) name firms the vendor's reads did not."""
    cx = providers.get("casexchange")
    if cx is None or not options.enabled or "casexchange" not in read.endpoints:
        return  # no CaseXchange, or it could not even say whose key this is: reported already
    stage = Review(plan, read, desired, cx, options, width, aliases)
    stage.firm_checks()  # first: it names the firms a plan creates, which impact shows
    stage.routing_impact()
    if options.declared_outbound is not None:
        stage.undeclared_outbound(options.declared_outbound)
