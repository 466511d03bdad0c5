"""Apply order as a dependency graph (SPEC 3), as data: which changes must finish first.

- an outbound create or an inbound accept before any rule or re-referral targeting that firm;
- creates and updates of a kind before its deletes (prune): a replacement rule exists before the
  rule it replaces goes;
- rule priority changes ordered so that no two active rules tie where that can be avoided;
- outbound updates that lower `sendingPercentage` before those that raise it (the shares must
  stay within 100 % at every step).

Many-to-many orderings go through a barrier (a node that writes nothing), so the graph stays
linear in the number of changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from netsync.model import Action, Change, ResourceType

PERCENTAGE = "sendingPercentage"


@dataclass
class Graph:
    deps: dict[str, set[str]] = field(default_factory=dict)  # address -> what runs first
    barriers: set[str] = field(default_factory=set)  # nodes that write nothing

    def barrier(self, name: str, before: list[str], after: list[str]) -> None:
        if not before or not after:
            return
        self.barriers.add(name)
        self.deps[name] = set(before)
        for address in after:
            self.deps[address].add(name)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _accepts(change: Change) -> bool:
    before, after = change.before or {}, change.after or {}
    return before.get("status") == "pending" and after.get("status") == "active"


def order(changes: list[Change]) -> Graph:
    graph = Graph({c.address: set() for c in changes})
    firms: dict[str, list[str]] = {}  # firm id -> the changes that make the relationship exist
    for change in changes:
        outbound_create = change.type is ResourceType.OUTBOUND and change.action is Action.CREATE
        if outbound_create or (change.type is ResourceType.INBOUND and _accepts(change)):
            firms.setdefault(str(change.id).lower(), []).append(change.address)
    for change in changes:
        name = change.type.kind.firm_field
        firm = (change.after or {}).get(name) if name else None
        if isinstance(firm, str):
            graph.deps[change.address].update(firms.get(firm.lower(), []))
    for rtype in ResourceType:
        deletes = [c.address for c in changes if c.type is rtype and c.action is Action.DELETE]
        others = [c.address for c in changes if c.type is rtype and c.action is not Action.DELETE]
        graph.barrier(f"(before {rtype.section} deletes)", others, deletes)
    _percentages(graph, [c for c in changes if c.type is ResourceType.OUTBOUND])
    _priorities(graph, [c for c in changes if c.type is ResourceType.ROUTING_RULE])
    return graph


def _percentages(graph: Graph, changes: list[Change]) -> None:
    lowering, raising = [], []
    for change in changes:
        old = _number((change.before or {}).get(PERCENTAGE)) or Decimal(0)
        new = _number((change.after or {}).get(PERCENTAGE))
        if change.action is Action.UPDATE and PERCENTAGE not in change.fields:
            continue
        if new is None:
            continue
        if new < old:
            lowering.append(change.address)
        elif new > old:
            raising.append(change.address)
    graph.barrier("(lower sendingPercentage first)", lowering, raising)


def _priorities(graph: Graph, changes: list[Change]) -> None:
    """A rule moving to priority p waits for the rule leaving p, unless that closes a cycle
    (two rules swapping priorities tie for a moment whatever the order)."""
    leaving: dict[Any, list[str]] = {}
    for change in changes:
        before, after = change.before or {}, change.after or {}
        old = before.get("priority")
        moves = after.get("priority", old) != old or after.get("isActive", True) is False
        if change.action is not Action.CREATE and old is not None and moves:
            leaving.setdefault(old, []).append(change.address)
    for change in changes:
        before, after = change.before or {}, change.after or {}
        if change.action is Action.DELETE or after.get("isActive", True) is False:
            continue
        target = after.get("priority", before.get("priority"))
        activated = before.get("isActive") is False and after.get("isActive") is True
        if target is None or (target == before.get("priority") and not activated):
            continue
        for other in leaving.get(target, []):
            if other != change.address and not _reaches(graph, other, change.address):
                graph.deps[change.address].add(other)


def _reaches(graph: Graph, start: str, goal: str) -> bool:
    """Whether `start` already (transitively) waits for `goal`."""
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(graph.deps.get(node, ()))
    return False
