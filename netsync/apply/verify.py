"""What apply checks before its first write (SPEC 2 and 3); any problem refuses the whole apply.

- a plan file: the config digest and the targets it was made against; then, for every change
  that is not a no-op, the fresh read: live as the plan saw it -> write; live already as desired
  -> `already_applied`; otherwise refuse, naming the address and the fields that moved; and the
  desired state must be the one reviewed (a `${VAR}` may resolve differently now);
- credentials: every planned write against its credential's tier (the providers say);
- safety: `--force` for a large share or a destructive change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from netsync.model import Action, Change, Diagnostic, Resource, ResourceType
from netsync.pipeline import PlanRun
from netsync.planfile import Fingerprint, SavedChange, SavedPlan, fingerprint


@dataclass
class Decision:
    """The changes to write and the addresses already applied; refusals stop everything."""

    write: list[Change] = field(default_factory=list)
    already: list[tuple[str, Action]] = field(default_factory=list)  # (address, planned action)
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
    for planned in saved.changes:
        if planned.action is Action.NOOP:
            continue
        now = fresh.get(planned.address)
        if now is None:
            _gone(planned, run, decision)
        elif now.action is Action.NOOP:
            decision.already.append((planned.address, planned.action))
        else:
            problem = _moved(saved, planned, now, run, desired.get(planned.address))
            if problem:
                decision.refusals.append(Diagnostic(planned.address, problem))
            else:
                decision.write.append(now)
    return decision


def _gone(planned: SavedChange, run: PlanRun, decision: Decision) -> None:
    """A planned change the fresh plan no longer has at its address."""
    if planned.action is Action.DELETE:
        rules = run.read.discovered.get(ResourceType.ROUTING_RULE, [])
        renamed = next((r for r in rules if str(r.id).lower() == str(planned.id).lower()), None)
        if renamed is None:
            decision.already.append((planned.address, planned.action))  # the rule is gone
            return
        message = f"the rule was renamed to {renamed.key!r} since the plan was made"
    elif planned.type is ResourceType.INBOUND and (planned.before or {}).get("status") == "pending":
        # network.pending: accept|decline, and the request has been answered since.
        decision.already.append((planned.address, planned.action))
        return
    else:
        message = "it is no longer in the plan (the live object changed or went away)"
    decision.refusals.append(Diagnostic(planned.address, f"{message}: run netsync plan again"))


def _moved(
    saved: SavedPlan, planned: SavedChange, now: Change, run: PlanRun, desired: Resource | None
) -> str | None:
    """Why the fresh change is not the planned one, or None when it is."""
    seen = saved.resources.get(planned.address)
    if seen is None:
        return "the plan file holds no digest for this address: run netsync plan again"
    found = fingerprint(run.config.digest_key, saved.salt, now, desired)
    if found.desired != seen.desired:
        return (
            "the desired state differs from the reviewed plan (an interpolated ${VAR} "
            "resolves differently now?): run netsync plan again"
        )
    if now.action is planned.action and found.live == seen.live:
        return None
    if seen.live is not None and found.live is None:
        return "it was removed since the plan was made: run netsync plan again"
    if seen.live is None and found.live is not None:
        return "it was created by someone else since the plan was made: run netsync plan again"
    names = sorted(n for n in set(seen.fields) | set(found.fields) if _differs(seen, found, n))
    what = ", ".join(names) if names else "its live state"
    return f"{what} changed since the plan was made: run netsync plan again"


def _differs(seen: Fingerprint, found: Fingerprint, name: str) -> bool:
    return seen.fields.get(name) != found.fields.get(name)


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
