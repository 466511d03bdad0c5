"""Desired resources + live state -> a Plan of typed changes (SPEC sections 2 and 4).

Pure: no I/O, and no vendor module. What differs between vendors arrives as data: live state
normalised by the providers, each kind's `FieldRules`, and `LiveResource.blocked` where a vendor
cannot make a change. The rules here are the SPEC's rules about what each difference means
(update, re-refer, create, delete, error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from netsync.compare import FieldRules, equal
from netsync.kinds import LABELS
from netsync.model import (
    Action,
    Change,
    Diagnostic,
    LiveResource,
    Plan,
    ReadResult,
    Resource,
    ResourceType,
)

NO_RULES = FieldRules()


@dataclass
class PlanInput:
    desired: list[Resource]
    read: ReadResult
    rules: Mapping[ResourceType, FieldRules] = field(default_factory=dict)
    pending_policy: str = "report"
    prune: bool = False
    # Kinds whose undeclared live objects are planned (prune, the pending policy).
    discover: frozenset[ResourceType] = frozenset()
    ignore_rules: frozenset[str] = frozenset()  # routing.ignore: undeclared rules left alone
    aliases: dict[str, str] = field(default_factory=dict)  # firm id -> alias
    normalize: Callable[[Resource], dict[str, Any]] = lambda r: dict(r.fields)


class Planner:
    """Plans one run: a handler per kind turns (desired, live) into a `Change` or a diagnostic;
    routing rules and pending requests also look at live objects nobody declared."""

    def __init__(self, given: PlanInput) -> None:
        self.given = given
        self.plan = Plan(errors=list(given.read.errors), warnings=list(given.read.warnings))

    # --- helpers --------------------------------------------------------------------------

    def error(self, resource: Resource, message: str, field_name: str | None = None) -> None:
        location = resource.field_location(field_name) if field_name else resource.location
        self.plan.errors.append(Diagnostic(resource.address, message, location))

    def warn(self, resource: Resource | None, message: str, address: str | None = None) -> None:
        self.plan.warnings.append(
            Diagnostic(
                resource.address if resource else address,
                message,
                resource.location if resource else None,
            )
        )

    def labels(self, *firm_ids: Any) -> dict[str, str]:
        """Names shown beside firm ids: the config's alias, else the vendor's firm name. The
        alias first, so a label never depends on what else this run happened to read (a
        create, a --target plan) and reads as the YAML under review does."""
        names = {}
        for firm_id in firm_ids:
            if isinstance(firm_id, str):
                key = firm_id.lower()
                name = self.given.aliases.get(key) or self.given.read.firm_names.get(key)
                if name:
                    names[firm_id] = name
        return names

    def rules(self, rtype: ResourceType) -> FieldRules:
        return self.given.rules.get(rtype, NO_RULES)

    def add(self, resource: Resource, action: Action, **values: Any) -> None:
        assert action is Action.NOOP or action in resource.type.kind.actions, (resource, action)
        values.setdefault("id", resource.id)
        self.plan.changes.append(
            Change(address=resource.address, type=resource.type, action=action, **values)
        )

    def compare(self, resource: Resource, desired: dict, live: LiveResource, **extra: Any) -> None:
        diff = self.rules(resource.type).diff(desired, live.fields)
        for name in diff.fixed:
            self.warn(
                resource,
                f"{name} differs from the live record, but {LABELS[resource.type.vendor]} "
                "cannot change it after creation",
            )
        self.add(
            resource,
            Action.UPDATE if diff.changed else Action.NOOP,
            fields=diff.changed,
            before=diff.before,
            after=dict(desired),
            id=live.id or resource.id,
            **extra,
        )

    # --- per kind ---------------------------------------------------------------------------

    def outbound(self, resource: Resource, desired: dict, live: LiveResource) -> None:
        labels = self.labels(resource.id)
        if not live.exists:
            self.add(resource, Action.CREATE, after=desired, labels=labels)
            return
        if live.awaiting_acceptance:
            self.warn(
                resource,
                "the firm has not accepted our request yet: the relationship is updated, "
                "never created again",
            )
        self.compare(resource, desired, live, labels=labels)

    def inbound(self, resource: Resource, desired: dict, live: LiveResource) -> None:
        labels = self.labels(resource.id)
        if live.status == "pending" and "status" not in desired:
            self.error(
                resource,
                "this firm has a pending request to send us referrals: declare status: active "
                "(accept) or status: inactive (decline)",
            )
            return
        if not live.exists:
            if desired.get("status") == "inactive":
                self.add(resource, Action.NOOP, before=None, after=desired, labels=labels)
                return
            self.error(
                resource,
                "no inbound relationship or pending request from this firm: it must ask to "
                "send us referrals before it can be managed",
            )
            return
        self.compare(resource, desired, live, labels=labels)

    def case(self, resource: Resource, desired: dict, live: LiveResource) -> None:
        if not live.exists:
            self.error(resource, "case not found in CaseXchange sent cases")
            return
        wanted = desired.get("referentFirmId")
        current = live.fields.get("referentFirmId")
        values = {
            "before": {"referentFirmId": current},
            "labels": self.labels(current, wanted),
        }
        if equal(wanted, current):
            self.add(resource, Action.NOOP, after={"referentFirmId": wanted}, **values)
        elif live.blocked:
            self.error(resource, live.blocked, "referentFirmId")
        else:
            self.add(
                resource,
                Action.REREFER,
                fields=["referentFirmId"],
                after={"referentFirmId": wanted},
                write_only=dict(resource.write_only),
                **values,
            )

    def matter(self, resource: Resource, desired: dict, live: LiveResource) -> None:
        if not live.exists:
            self.error(resource, "matter not found in Smokeball (netsync does not create matters)")
            return
        self.compare(resource, desired, live)

    def case_request(self, resource: Resource, desired: dict, live: LiveResource) -> None:
        if live.matches > 1:
            self.error(
                resource,
                f"{live.matches} Trackops case requests have reference_value_1 "
                f"{resource.key!r}: netsync needs exactly one",
            )
            return
        if not live.exists:
            missing = [n for n in resource.type.kind.create_requires if n not in resource.fields]
            if missing:
                self.error(
                    resource,
                    f"no {LABELS[resource.type.vendor]} case request has this reference, and "
                    f"creating one needs {' and '.join(missing)}: declare them, or check the "
                    "reference",
                )
                return
            self.add(resource, Action.CREATE, after=desired)
            return
        self.compare(resource, desired, live)

    # --- routing rules: matched by name (or a pinned id) against one live list ---------------

    def routing_rules(self, resources: list[Resource], live_rules: list[LiveResource]) -> None:
        by_name: dict[str, list[LiveResource]] = {}
        by_id: dict[str, LiveResource] = {}
        for rule in live_rules:
            by_name.setdefault(rule.key or "", []).append(rule)
            by_id[str(rule.id).lower()] = rule
        found: dict[str, list[LiveResource]] = {}
        for resource in resources:
            if resource.id:
                pinned = by_id.get(resource.id.lower())
                if pinned is None:
                    self.error(resource, f"no live routing rule has the pinned id {resource.id}")
                    continue
                found[resource.address] = [pinned]
            else:
                found[resource.address] = by_name.get(resource.key, [])
        claims = self._claims(resources, found)
        matched: set[Any] = set()
        for resource in resources:
            if resource.address not in found or resource.address in claims:
                continue
            desired = self.given.normalize(resource)
            candidates = found[resource.address]
            if len(candidates) > 1:
                self.error(
                    resource,
                    f"{len(candidates)} live routing rules are named {resource.key!r}: "
                    "pin one with id:",
                )
                matched.update(r.id for r in candidates)
                continue
            labels = self.labels(desired.get("targetFirmId"))
            if not candidates:
                self.add(resource, Action.CREATE, after=desired, labels=labels)
                continue
            rule = candidates[0]
            matched.add(rule.id)
            clash = [r for r in by_name.get(resource.key, []) if r.id != rule.id]
            if clash:
                self.error(
                    resource,
                    f"renaming live rule {rule.key!r} to {resource.key!r} would clash "
                    f"with live rule {clash[0].id} of that name: rename or delete it first",
                )
                matched.update(r.id for r in clash)
                continue
            fields = dict(rule.fields)
            if rule.key != resource.key:  # pinned by id, renamed in the config
                desired = {"name": resource.key, **desired}
                fields["name"] = rule.key
            labels.update(self.labels(fields.get("targetFirmId")))
            live = LiveResource(resource.address, True, rule.id, fields)
            self.compare(resource, desired, live, labels=labels)
        matched.update(rule.id for rules in claims.values() for rule in rules)
        if ResourceType.ROUTING_RULE in self.given.discover:
            self._undeclared_rules([r for r in live_rules if r.id not in matched])

    def _claims(
        self, resources: list[Resource], found: dict[str, list[LiveResource]]
    ) -> dict[str, list[LiveResource]]:
        """Declared rules that would take the same live rule (one by name, one pinned by id):
        a plan error on each, never two changes to one rule."""
        by_rule: dict[Any, list[Resource]] = {}
        for resource in resources:
            candidates = found.get(resource.address, [])
            if len(candidates) == 1:
                by_rule.setdefault(candidates[0].id, []).append(resource)
        claims: dict[str, list[LiveResource]] = {}
        for rule_id, rivals in by_rule.items():
            if len(rivals) < 2:
                continue
            names = " and ".join(r.address for r in rivals)
            for resource in rivals:
                self.error(
                    resource,
                    f"live routing rule {rule_id} is matched by {names}: keep one of them "
                    "(a pinned id: and a name can point at the same rule)",
                )
                claims[resource.address] = found[resource.address]
        return claims

    def _undeclared_rules(self, rules: list[LiveResource]) -> None:
        """Live rules nobody declared: deleted under prune; otherwise unmanaged (a warning
        in the plan, drift for `netsync drift`); rules named in routing.ignore are left out."""
        by_name: dict[str, list[LiveResource]] = {}
        for rule in rules:
            if (rule.key or "") not in self.given.ignore_rules:
                by_name.setdefault(rule.key or "", []).append(rule)
        for name, same in by_name.items():
            address = ResourceType.ROUTING_RULE.address(name)
            if len(same) > 1:
                if self.given.prune:
                    self.plan.errors.append(
                        Diagnostic(
                            address,
                            f"{len(same)} undeclared live routing rules are named {name!r}: "
                            "prune cannot delete them by one address; rename or delete one "
                            "in the CaseXchange portal, or declare one pinned with id:",
                        )
                    )
                else:
                    self.warn(
                        None,
                        f"{len(same)} live routing rules of this name are not declared "
                        "(routing.prune: true would delete them)",
                        address,
                    )
                    self.plan.unmanaged += [self._unmanaged(address, rule) for rule in same]
                continue
            rule = same[0]
            if not self.given.prune:
                self.warn(
                    None,
                    "live routing rule is not declared (routing.prune: true would delete it)",
                    address,
                )
                self.plan.unmanaged.append(self._unmanaged(address, rule))
                continue
            self.plan.changes.append(
                Change(
                    address=address,
                    type=ResourceType.ROUTING_RULE,
                    id=rule.id,
                    action=Action.DELETE,
                    before=dict(rule.fields),
                    after=None,
                    labels=self.labels(rule.fields.get("targetFirmId")),
                )
            )

    def _unmanaged(self, address: str, rule: LiveResource) -> Change:
        return Change(
            address=address,
            type=ResourceType.ROUTING_RULE,
            id=rule.id,
            action=Action.NOOP,
            before=dict(rule.fields),
            labels=self.labels(rule.fields.get("targetFirmId")),
        )

    # --- pending inbound requests nobody declared -----------------------------------------

    def pending_requests(self, requests: list[LiveResource], declared: set[str]) -> None:
        policy = self.given.pending_policy
        for request in requests:
            if request.id in declared:
                continue
            firm_id = request.id or ""
            labels = self.labels(firm_id)
            if policy == "report":
                name = labels.get(firm_id, firm_id)
                self.warn(
                    None,
                    f"undeclared pending request from {name} to send us referrals",
                    request.address,
                )
            elif policy in ("accept", "decline"):
                status = "active" if policy == "accept" else "inactive"
                self.plan.changes.append(
                    Change(
                        address=request.address,
                        type=ResourceType.INBOUND,
                        id=firm_id,
                        action=Action.UPDATE,
                        fields=["status"],
                        before={"status": "pending"},
                        after={"status": status},
                        labels=labels,
                    )
                )

    def run(self) -> Plan:
        handlers = {
            ResourceType.OUTBOUND: self.outbound,
            ResourceType.INBOUND: self.inbound,
            ResourceType.CASE: self.case,
            ResourceType.MATTER: self.matter,
            ResourceType.CASE_REQUEST: self.case_request,
        }
        discovered = self.given.read.discovered
        failed = {d.address for d in self.plan.errors}
        rules = []
        for resource in self.given.desired:
            if resource.type is ResourceType.ROUTING_RULE:
                rules.append(resource)
                continue
            live = self.given.read.live.get(resource.address)
            if live is None or resource.address in failed:
                continue  # its read failed: the read error is already in the plan
            handlers[resource.type](resource, self.given.normalize(resource), live)
        if ResourceType.ROUTING_RULE in discovered:
            self.routing_rules(rules, discovered[ResourceType.ROUTING_RULE])
        if ResourceType.INBOUND in discovered and ResourceType.INBOUND in self.given.discover:
            inbound = {r.id for r in self.given.desired if r.type is ResourceType.INBOUND}
            self.pending_requests(discovered[ResourceType.INBOUND], {i for i in inbound if i})
        self.plan.changes.sort(key=lambda c: c.address)
        self.plan.unmanaged.sort(key=lambda c: (c.address, str(c.id)))
        self.plan.errors.sort(key=_diagnostic_order)
        self.plan.warnings.sort(key=_diagnostic_order)
        return self.plan


def _diagnostic_order(d: Diagnostic) -> tuple:
    loc = d.location
    return (
        loc is None,
        loc.file if loc else "",
        loc.line if loc else 0,
        d.address or "",
        d.message,
    )


def make_plan(given: PlanInput) -> Plan:
    return Planner(given).run()
