"""What apply checks before its first write (SPEC 2 and 3); any problem refuses the whole apply.

- a plan file: the config digest and the targets it was made against; then, for every change
  that is not a no-op, the fresh read: live as the plan saw it -> write; live already as desired
  -> `already_applied`; otherwise refuse, naming the address and the fields that moved;
- credentials: every planned write against its credential's tier (the providers say);
- safety: `--force` for a large share or a destructive change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netsync.model import Action, Change, Diagnostic
from netsync.pipeline import PlanRun
from netsync.planfile import Fingerprint, SavedPlan, fingerprint


@dataclass
class Decision:
    """The changes to write and the ones already applied; refusals stop everything."""

    write: list[Change] = field(default_factory=list)
    already: list[Change] = field(default_factory=list)
    refusals: list[Diagnostic] = field(default_factory=list)


def decide_fresh(run: PlanRun) -> Decision:
    """A plan made just now: every change is written."""
    return Decision(write=[c for c in run.plan.changes if c.action is not Action.NOOP])


def decide_saved(saved: SavedPlan, run: PlanRun) -> Decision:
    """A plan file against a fresh plan of the same addresses."""
    decision = Decision()
    if saved.config_digest != run.config.digest:
        decision.refusals.append(
            Diagnostic(
                None,
                "the config differs from the one the plan was made from "
                "(config digest changed): run netsync plan again",
            )
        )
        return decision
    decision.refusals += _endpoint_changes(saved.endpoints, run.read.endpoints)
    fresh = {c.address: c for c in run.plan.changes}
    desired = {r.address: r for r in run.desired}
    key = run.config.digest_key
    for planned in saved.plan.changes:
        if planned.action is Action.NOOP:
            continue
        now = fresh.get(planned.address)
        if now is None:
            if planned.action is Action.DELETE:
                decision.already.append(planned)  # the rule is gone already
            else:
                decision.refusals.append(
                    Diagnostic(planned.address, "no longer planned: the live object is gone")
                )
            continue
        if now.action is Action.NOOP:
            decision.already.append(planned)
            continue
        seen = saved.resources.get(planned.address)
        found = fingerprint(key, saved.salt, now, desired.get(planned.address))
        if seen is not None and now.action is planned.action and found.live == seen.live:
            decision.write.append(now)
            continue
        decision.refusals.append(Diagnostic(planned.address, _moved(seen, found, now)))
    return decision


def _moved(seen: Fingerprint | None, found: Fingerprint, now: Change) -> str:
    """Which live fields moved since the plan was made."""
    if seen is None:
        return "the plan file holds no digest for this address: run netsync plan again"
    names = sorted(
        name
        for name in set(seen.fields) | set(found.fields)
        if seen.fields.get(name) != found.fields.get(name)
    )
    if not names and seen.live is None and found.live is not None:
        return "it was created by someone else since the plan was made"
    if not names and found.live is None and seen.live is not None:
        return "it was removed since the plan was made"
    what = ", ".join(names) if names else "its live state"
    return f"{what} changed since the plan was made: run netsync plan again"


def _endpoint_changes(saved: dict, now: dict) -> list[Diagnostic]:
    problems = []
    for vendor in sorted(set(saved) | set(now)):
        before, after = saved.get(vendor) or {}, now.get(vendor) or {}
        if before.get("base_url") != after.get("base_url") and vendor in now:
            problems.append(
                Diagnostic(
                    None,
                    f"the plan was made against {vendor} at {before.get('base_url')}, "
                    f"this apply points at {after.get('base_url')}",
                )
            )
        firm_before, firm_after = _firm(before), _firm(after)
        if vendor in now and (firm_before or firm_after) and firm_before != firm_after:
            problems.append(
                Diagnostic(
                    None,
                    f"the plan was made with a {vendor} key of firm {firm_before}, this apply "
                    f"uses a key of firm {firm_after}",
                )
            )
    return problems


def _firm(endpoint: dict) -> str | None:
    firm = endpoint.get("firm")
    return firm.get("id") if isinstance(firm, dict) else firm
