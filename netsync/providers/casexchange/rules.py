"""CaseXchange routing rules: one list read, POST to create (not safe to repeat), PUT the whole
rule to update (undeclared `priority`/`isActive` come from a fresh read of the list), DELETE.

There is no single-rule GET: every re-read is the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netsync.compare import equal
from netsync.http import VendorError
from netsync.kinds import Action, split_address
from netsync.model import Change, LiveResource, Resource, ResourceType
from netsync.providers.base import Prefetch, Write

if TYPE_CHECKING:
    from netsync.providers.casexchange import CaseXchange

PATH = "/api/public/v1/routing/rules"
RULE_FIELDS = ("conditions", "targetFirmId", "priority", "isActive")


class Rules:
    def __init__(self, cx: CaseXchange) -> None:
        self.cx = cx

    def prefetch(self, desired: list[Resource]) -> list[Prefetch]:
        if desired or self.cx.discovers(ResourceType.ROUTING_RULE):
            return [Prefetch(self._read_rules, frozenset({ResourceType.ROUTING_RULE}))]
        return []

    def _list(self) -> list[dict[str, Any]]:
        """The rule list, every rule checked against the documented shape: apply PUTs whole
        rules built from it, so a malformed one must stop here, not be written back."""
        rules = self.cx.get("/routing/rules", want=list)
        for rule in rules:
            problem = _malformed(rule)
            if problem:
                name = rule.get("name") if isinstance(rule, dict) else None
                raise VendorError(
                    self.cx.label,
                    f"GET {PATH}: 200: unexpected answer: rule {name!r}: {problem}",
                )
        return rules

    def _read_rules(self) -> None:
        rules = [
            LiveResource(
                ResourceType.ROUTING_RULE.address(str(rule.get("name"))),
                exists=True,
                id=rule.get("id"),
                key=rule.get("name"),
                fields={name: rule.get(name) for name in RULE_FIELDS},
            )
            for rule in self._list()
        ]
        self.cx.result().discovered[ResourceType.ROUTING_RULE] = rules

    def read(self, resource: Resource) -> None:
        """Rules are matched by the planner against the one list (no request per rule)."""
        return None

    # --- writes -------------------------------------------------------------------------------

    def _live(self, rule_id: str | None) -> dict[str, Any] | None:
        return next((r for r in self._list() if equal(rule_id, r.get("id"))), None)

    def prepare(self, change: Change) -> Write:
        after = change.after or {}
        if change.action is Action.CREATE:
            name = split_address(change.address)[1]
            body = {"name": name, **after}
            return Write("POST", PATH, body=body, idempotent=False)
        path = f"{PATH}/{change.id}"
        if change.action is Action.DELETE:
            return Write("DELETE", path, gone_ok=True)
        live = self._live(change.id)
        if live is None:
            raise VendorError(self.cx.label, f"routing rule {change.id} no longer exists")
        whole = {name: live.get(name) for name in ("name", *RULE_FIELDS)}
        whole.update({name: after.get(name) for name in change.fields})
        return Write("PUT", path, body={k: v for k, v in whole.items() if v is not None})

    def took_effect(self, change: Change) -> bool:
        if change.action is Action.CREATE:
            name = split_address(change.address)[1]
            return any(rule.get("name") == name for rule in self._list())
        live = self._live(change.id)
        if change.action is Action.DELETE:
            return live is None
        after = change.after or {}
        rules = self.cx.field_rules[ResourceType.ROUTING_RULE]
        return live is not None and all(
            rules.equal(name, after.get(name), live.get(name)) for name in change.fields
        )


def _malformed(rule: Any) -> str | None:
    """What is wrong with a rule's shape (the vendor's RoutingRule), or None."""
    if not isinstance(rule, dict):
        return "not an object"
    expected = {
        "id": (str,),
        "name": (str,),
        "conditions": (list,),
        "targetFirmId": (str,),
        "priority": (int, float, type(None)),  # 2 and 2.0 are one number
        "isActive": (bool, type(None)),
    }
    for name, types in expected.items():
        value = rule.get(name)
        whole = not isinstance(value, float) or value.is_integer()
        if not isinstance(value, types) or (int in types and isinstance(value, bool)) or not whole:
            return f"{name} is {type(value).__name__}, not {' or '.join(t.__name__ for t in types)}"
    if not all(isinstance(c, dict) for c in rule["conditions"]):
        return "conditions is not a list of objects"
    return None
