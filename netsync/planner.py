"""Desired resources + live state -> a Plan of typed changes (SPEC sections 2 and 4).

Pure: no I/O. Vendor vocabulary was normalised by the providers; the rules here are the
SPEC's rules about what each difference means (update, re-refer, create, delete, error).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from netsync.compare import changed_fields, changed_subfields, equal
from netsync.model import Action, Change, Diagnostic, Plan, Resource, ResourceType
from netsync.providers.base import LiveResource, ReadResult
from netsync.providers.trackops import CREATE_ONLY_FIELDS, WHOLE_OBJECT_FIELDS

REREFERABLE = ("rejected", "withdrawn")


@dataclass
class PlanInput:
    desired: list[Resource]
    read: ReadResult
    pending_policy: str = "report"
    prune: bool = False
    manage_rules: bool = False  # routing declared: undeclared live rules are reported or pruned
    aliases: dict[str, str] = field(default_factory=dict)  # firm id -> alias
    normalize: Callable[[Resource], dict[str, Any]] = lambda r: dict(r.fields)


class Planner:
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

    def label(self, firm_id: Any) -> str | None:
        if not isinstance(firm_id, str):
            return None
        key = firm_id.lower()
        return self.given.read.firm_names.get(key) or self.given.aliases.get(key)

    def labels(self, *firm_ids: Any) -> dict[str, str]:
        return {f: name for f in firm_ids if (name := self.label(f))}

    def add(
        self,
        resource: Resource,
        action: Action,
        *,
        fields: list[str] | None = None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        resource_id: str | None = None,
        labels: dict[str, str] | None = None,
        address: str | None = None,
    ) -> None:
        self.plan.changes.append(
            Change(
                address=address or resource.address,
                type=resource.type,
                id=resource_id if resource_id is not None else resource.id,
                action=action,
                fields=fields or [],
                before=before,
                after=after,
                labels=labels or {},
            )
        )

    def compare(self, resource: Resource, desired: dict, live: LiveResource, **extra: Any) -> None:
        before = {name: live.fields.get(name) for name in desired}
        changed = changed_fields(desired, live.fields)
        self.add(
            resource,
            Action.UPDATE if changed else Action.NOOP,
            fields=changed,
            before=before,
            after=dict(desired),
            resource_id=live.id or resource.id,
            **extra,
        )

    # --- per type ---------------------------------------------------------------------------

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
        wanted = desired.get("referentFirmId")
        if not live.exists:
            self.error(resource, "case not found in CaseXchange sent cases")
            return
        current = live.fields.get("referentFirmId")
        if current is None:
            self.error(
                resource,
                f"the case has never been referred (status {live.status!r}): "
                "netsync only re-refers cases",
                "referentFirmId",
            )
            return
        labels = self.labels(current, wanted)
        if equal("referentFirmId", wanted, current):
            self.add(
                resource,
                Action.NOOP,
                before={"referentFirmId": current},
                after={"referentFirmId": wanted},
                labels=labels,
            )
            return
        if live.status not in REREFERABLE:
            self.error(
                resource,
                f"the case is {live.status!r}: CaseXchange re-refers only rejected or "
                "withdrawn cases",
                "referentFirmId",
            )
            return
        self.add(
            resource,
            Action.REREFER,
            fields=["referentFirmId"],
            before={"referentFirmId": current},
            after={"referentFirmId": wanted, **resource.write_only},
            labels=labels,
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
            self.add(resource, Action.CREATE, after=desired)
            return
        changed: list[str] = []
        before: dict[str, Any] = {}
        for name, value in desired.items():
            current = live.fields.get(name)
            if name in WHOLE_OBJECT_FIELDS and isinstance(value, dict):
                current = current if isinstance(current, dict) else {}
                before[name] = {key: current.get(key) for key in value}
                changed += changed_subfields(name, value, current)
            elif name == "custom_fields":
                before[name], paths = _custom_fields(value, current)
                changed += paths
            elif name in CREATE_ONLY_FIELDS:
                before[name] = current
                if not equal(name, value, current):
                    self.warn(
                        resource,
                        f"{name} differs from the live record, but Trackops cannot change it "
                        "after creation",
                    )
            else:
                before[name] = current
                if not equal(name, value, current):
                    changed.append(name)
        self.add(
            resource,
            Action.UPDATE if changed else Action.NOOP,
            fields=sorted(changed),
            before=before,
            after=dict(desired),
            resource_id=live.id,
        )

    # --- routing rules: matched by name against one live list ------------------------------

    def routing_rules(self, resources: list[Resource]) -> None:
        live_rules = self.given.read.routing_rules or []
        by_name: dict[str, list[dict[str, Any]]] = {}
        for rule in live_rules:
            by_name.setdefault(rule.get("name") or "", []).append(rule)
        matched: set[str] = set()
        for resource in resources:
            desired = self.given.normalize(resource)
            if resource.id:
                candidates = [r for r in live_rules if equal("id", resource.id, r.get("id"))]
                if not candidates:
                    self.error(resource, f"no live routing rule has the pinned id {resource.id}")
                    continue
            else:
                candidates = by_name.get(resource.key, [])
            if len(candidates) > 1:
                self.error(
                    resource,
                    f"{len(candidates)} live routing rules are named {resource.key!r}: "
                    "pin one with id:",
                )
                matched.update(r.get("id") for r in candidates)
                continue
            labels = self.labels(desired.get("targetFirmId"))
            if not candidates:
                self.add(resource, Action.CREATE, after=desired, labels=labels)
                continue
            rule = candidates[0]
            matched.add(rule.get("id"))
            fields = dict(rule["fields"])
            clash = [r for r in by_name.get(resource.key, []) if r.get("id") != rule.get("id")]
            if clash:
                self.error(
                    resource,
                    f"renaming live rule {rule.get('name')!r} to {resource.key!r} would clash "
                    f"with live rule {clash[0].get('id')} of that name: rename or delete it first",
                )
                matched.update(r.get("id") for r in clash)
                continue
            if rule.get("name") != resource.key:  # pinned by id, renamed in the config
                desired = {"name": resource.key, **desired}
                fields["name"] = rule.get("name")
            labels.update(self.labels(fields.get("targetFirmId")))
            live = LiveResource(resource.address, True, rule.get("id"), fields)
            self.compare(resource, desired, live, labels=labels)
        if self.given.manage_rules:
            self._undeclared_rules(live_rules, matched)

    def _undeclared_rules(self, live_rules: list[dict[str, Any]], matched: set[Any]) -> None:
        for rule in live_rules:
            if rule.get("id") in matched:
                continue
            address = f"routing.rules.{rule.get('name')}"
            if not self.given.prune:
                self.warn(
                    None,
                    "live routing rule is not declared (routing.prune: true would delete it)",
                    address,
                )
                continue
            self.plan.changes.append(
                Change(
                    address=address,
                    type=ResourceType.ROUTING_RULE,
                    id=rule.get("id"),
                    action=Action.DELETE,
                    before=dict(rule["fields"]),
                    after=None,
                    labels=self.labels(rule["fields"].get("targetFirmId")),
                )
            )

    # --- pending inbound requests nobody declared -----------------------------------------

    def pending_requests(self, declared_inbound: set[str]) -> None:
        policy = self.given.pending_policy
        for request in self.given.read.pending:
            firm_id = (request.get("firmId") or "").lower()
            if request.get("direction") != "inbound" or firm_id in declared_inbound:
                continue
            address = f"network.inbound.{firm_id}"
            name = request.get("firmName") or firm_id
            if policy == "report":
                self.warn(
                    None, f"undeclared pending request from {name} to send us referrals", address
                )
            elif policy in ("accept", "decline"):
                status = "active" if policy == "accept" else "inactive"
                self.plan.changes.append(
                    Change(
                        address=address,
                        type=ResourceType.INBOUND,
                        id=firm_id,
                        action=Action.UPDATE,
                        fields=["status"],
                        before={"status": "pending"},
                        after={"status": status},
                        labels={firm_id: name},
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
        if (rules or self.given.manage_rules) and self.given.read.routing_rules is not None:
            self.routing_rules(rules)
        inbound = {r.id for r in self.given.desired if r.type is ResourceType.INBOUND}
        self.pending_requests({i for i in inbound if i})
        self.plan.changes.sort(key=lambda c: c.address)
        self.plan.errors.sort(key=_diagnostic_order)
        self.plan.warnings.sort(key=_diagnostic_order)
        return self.plan


def _custom_fields(desired: Any, live: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """Custom fields are matched by id: (live values of the declared ids, changed paths)."""
    live_by_id = {
        str(item.get("id")): item.get("value") for item in (live or []) if isinstance(item, dict)
    }
    before, changed = [], []
    for item in desired or []:
        key = str(item.get("id"))
        before.append({"id": item.get("id"), "value": live_by_id.get(key)})
        if not equal("value", item.get("value"), live_by_id.get(key)):
            changed.append(f"custom_fields.{key}")
    return before, changed


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
