"""SPEC 1 safety: when `apply` needs `--force`. Pure, so `plan` can say it before `apply` asks.

Two reasons: too large a share of the declared resources changes at once, or a change is
destructive whatever the share (a routing rule deleted, an inbound relationship set inactive or
a pending request declined, a matter marked Deleted or Cancelled).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from netsync.model import Action, Change, Plan, ResourceType


def _inbound(change: Change) -> str | None:
    before, after = change.before or {}, change.after or {}
    if after.get("status") != "inactive" or before.get("status") == "inactive":
        return None
    if before.get("status") == "pending":
        return "declines a pending request to send us referrals"
    return "sets an inbound relationship inactive"


def _matter(change: Change) -> str | None:
    status = (change.after or {}).get("status")
    if "status" in change.fields and status in ("Deleted", "Cancelled"):
        return f"marks a matter {status}"
    return None


def _rule(change: Change) -> str | None:
    return "deletes a routing rule" if change.action is Action.DELETE else None


DESTRUCTIVE: dict[ResourceType, Callable[[Change], str | None]] = {
    ResourceType.INBOUND: _inbound,
    ResourceType.MATTER: _matter,
    ResourceType.ROUTING_RULE: _rule,
}


def share_reason(
    changing: int, declared: int, max_change_percent: float, min_resources: int
) -> str | None:
    """Too large a share of the declared resources changes at once (checked only when at
    least `min_resources` are declared, whatever --target selects)."""
    if not declared or declared < min_resources:
        return None
    share = Decimal(changing) * 100 / Decimal(declared)
    if share <= Decimal(str(max_change_percent)):
        return None
    return (
        f"{changing} of {declared} declared resources change ({share:.0f} %), "
        f"more than settings.safety.max_change_percent ({max_change_percent} %)"
    )


def destructive_reasons(changes: list[Change]) -> list[str]:
    """The changes that need --force whatever the share."""
    reasons = []
    for change in changes:
        check = DESTRUCTIVE.get(change.type)
        why = check(change) if check and change.action is not Action.NOOP else None
        if why:
            reasons.append(f"{change.address} {why}")
    return reasons


def force_reasons(
    plan: Plan, declared: int, max_change_percent: float, min_resources: int
) -> list[str]:
    """Why apply will need --force; empty when it will not."""
    changing = [c for c in plan.changes if c.action is not Action.NOOP]
    share = share_reason(len(changing), declared, max_change_percent, min_resources)
    return ([share] if share else []) + destructive_reasons(changing)
