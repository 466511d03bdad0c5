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
    warnings = [
        Diagnostic(None, f"--target {t} matches no declared resource")
        for t in targets
        if not any(matches(r.address, t) for r in config.resources) and not manage_rules
    ]
    errors = [
        Diagnostic(None, f"--target {t} is not an address")
        for t in targets
        if not is_known_target(t)
    ]
    vendors = {VENDOR_OF[r.type] for r in desired}
    if manage_rules or manage_pending:
        vendors.add("casexchange")
    read = ReadResult()
    providers: dict = {}
    if not errors and vendors:
        try:
            providers = open_providers(config.providers, env, vendors)
        except VendorError as exc:
            errors.append(Diagnostic(None, str(exc)))
        if "casexchange" in providers:
            providers["casexchange"].want_rules = manage_rules  # type: ignore[attr-defined]
            providers["casexchange"].want_pending = manage_pending  # type: ignore[attr-defined]
        try:
            if providers:
                read = read_live(providers, desired, parallelism=parallelism, progress=progress)
        finally:
            for provider in providers.values():
                provider.close()

    def normalize(resource: Resource) -> dict:
        provider = providers.get(VENDOR_OF[resource.type])
        return provider.normalize_desired(resource) if provider else dict(resource.fields)

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
            normalize=normalize,
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
