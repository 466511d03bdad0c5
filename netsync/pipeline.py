"""config -> desired resources -> live read -> plan: the pipeline `plan` and `drift` share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from netsync.config import Config
from netsync.http import VendorError
from netsync.model import Diagnostic, Plan, Resource
from netsync.planner import PlanInput, make_plan
from netsync.providers import VENDOR_OF, Progress, open_providers, read_live
from netsync.providers.base import ReadResult
from netsync.targets import is_known_target, matches, select


@dataclass
class PlanRun:
    config: Config
    desired: list[Resource]
    read: ReadResult
    plan: Plan


def run_plan(
    config: Config,
    env: Mapping[str, str],
    *,
    targets: Sequence[str] = (),
    parallelism: int = 16,
    progress: Progress | None = None,
) -> PlanRun:
    chosen = select((r.address for r in config.resources), targets)
    desired = [r for r in config.resources if r.address in chosen]
    manage_rules = "routing" in config.sections and _targeted("routing.rules", targets)
    manage_pending = "network" in config.sections and _targeted("network.inbound", targets)
    errors, warnings = _check_targets(config, targets)
    vendors = {VENDOR_OF[r.type] for r in desired}
    if manage_rules or manage_pending:
        vendors.add("casexchange")
    read = ReadResult()
    normalized: dict[str, dict] = {}
    if not errors and vendors:
        try:
            providers = open_providers(config.providers, env, vendors)
        except VendorError as exc:
            errors.append(Diagnostic(None, str(exc)))
            providers = {}
        try:
            if "casexchange" in providers:
                providers["casexchange"].want_rules = manage_rules  # type: ignore[attr-defined]
                providers["casexchange"].want_pending = manage_pending  # type: ignore[attr-defined]
            if providers:
                read = read_live(providers, desired, parallelism=parallelism, progress=progress)
                normalized = _normalize(providers, desired, read)
        finally:
            for provider in providers.values():
                provider.close()
    read.errors[:0] = errors
    read.warnings[:0] = warnings
    aliases = {firm_id: alias for alias, firm_id in config.firms.items()}
    plan = make_plan(
        PlanInput(
            desired=desired,
            read=read,
            pending_policy=config.pending_policy,
            prune=config.prune,
            manage_rules=manage_rules,
            aliases=aliases,
            normalize=lambda r: normalized.get(r.address, dict(r.fields)),
        )
    )
    if targets:  # deletes and pending-policy updates exist only for matching addresses
        plan.changes = [c for c in plan.changes if any(matches(c.address, t) for t in targets)]
        plan.warnings = [
            w
            for w in plan.warnings
            if w.address is None or any(matches(w.address, t) for t in targets)
        ]
    return PlanRun(config, desired, read, plan)


def _targeted(section: str, targets: Sequence[str]) -> bool:
    """Whether section-wide facts (undeclared rules, pending requests) are in scope."""
    return not targets or any(matches(f"{section}.*", t) for t in targets)


def _check_targets(config: Config, targets: Sequence[str]) -> tuple[list, list]:
    errors, warnings = [], []
    for target in targets:
        if not is_known_target(target):
            errors.append(Diagnostic(None, f"--target {target} is not an address"))
        elif not any(matches(r.address, target) for r in config.resources) and not (
            _targeted("routing.rules", [target]) or _targeted("network.inbound", [target])
        ):  # rules and pending requests can match live-only addresses
            warnings.append(Diagnostic(None, f"--target {target} matches no declared resource"))
    return errors, warnings


def _normalize(providers: Mapping, desired: list[Resource], read: ReadResult) -> dict[str, dict]:
    """Desired fields in the providers' compare vocabulary, while their clients are open."""
    out = {}
    for resource in desired:
        provider = providers.get(VENDOR_OF[resource.type])
        if provider is None or resource.address not in read.live:
            continue
        try:
            out[resource.address] = provider.normalize_desired(resource)
        except VendorError as exc:
            read.errors.append(Diagnostic(resource.address, str(exc), resource.location))
    return out
