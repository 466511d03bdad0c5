"""config -> desired resources -> live read -> plan: the pipeline `plan`, `drift` and `apply`
share. `planning` keeps the providers open inside its block, so apply writes through the same
clients (tokens, rate limits) that read."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace

from netsync.config import Config
from netsync.http import VendorError
from netsync.model import Diagnostic, Plan, ReadResult, Resource, ResourceType
from netsync.planner import PlanInput, make_plan
from netsync.providers import FIELD_RULES, Options, Progress, Provider, open_providers, read_live
from netsync.review import ReviewOptions, review
from netsync.safety import force_reasons
from netsync.scope import Scope

EVERYTHING = Scope()
DEFAULTS = Options()
REVIEW = ReviewOptions()


@dataclass
class PlanRun:
    """One plan and what it was made from; `providers` are open only inside `planning`."""

    config: Config
    scope: Scope
    desired: list[Resource]
    read: ReadResult
    plan: Plan
    providers: dict[str, Provider] = field(default_factory=dict)


def discoverable(config: Config, scope: Scope) -> frozenset[ResourceType]:
    """Kinds whose undeclared live objects this plan looks at: the config uses their section
    (routing rules to prune or report, pending requests for the pending policy) and the scope
    reaches it."""
    return frozenset(
        t
        for t in ResourceType
        if t.kind.discoverable
        and t.section.split(".")[0] in config.sections
        and scope.touches(t.section)
    )


@contextmanager
def planning(
    config: Config,
    env: Mapping[str, str],
    *,
    scope: Scope = EVERYTHING,
    parallelism: int = 16,
    progress: Progress | None = None,
    options: Options = DEFAULTS,
    checks: ReviewOptions = REVIEW,
) -> Iterator[PlanRun]:
    """Read the live state of everything `scope` selects and plan it; inside the block the
    run's providers stay open."""
    desired = [r for r in config.resources if scope.selects(r.address)]
    errors, warnings = scope.check(config.resources)
    discover = discoverable(config, scope)
    vendors = {r.type.vendor for r in desired} | {t.vendor for t in discover}
    checks = replace(checks, firm_profile=config.firm_profile_check)
    if checks.declared_outbound is not None:
        # drift looks at the whole private network only when it looks at the whole section
        whole = "network" in config.sections and scope.covers(ResourceType.OUTBOUND.section)
        outbound = [r for r in config.resources if r.type is ResourceType.OUTBOUND]
        declared = frozenset((r.id or "").lower() for r in outbound) if whole else None
        checks = replace(checks, declared_outbound=declared)
    wanted = checks.enabled and (checks.impact or checks.firm_profile != "off")
    read = ReadResult()
    normalized: dict[str, dict] = {}
    with ExitStack() as stack:
        stack.enter_context(frozen_heap())
        providers: dict[str, Provider] = {}
        if not errors and vendors:
            try:
                providers = stack.enter_context(
                    open_providers(
                        config.providers,
                        env,
                        vendors,
                        replace(
                            options,
                            discover=discover,
                            reference=wanted,
                            profiles=wanted and checks.firm_profile != "off",
                        ),
                    )
                )
            except VendorError as exc:
                errors.append(Diagnostic(None, str(exc)))
        if providers:
            read = read_live(providers, desired, parallelism=parallelism, progress=progress)
            normalized = _normalize(providers, desired, read)
        read.errors[:0] = errors
        read.warnings[:0] = warnings
        plan = make_plan(
            PlanInput(
                desired=desired,
                read=read,
                rules=FIELD_RULES,
                pending_policy=config.pending_policy,
                prune=config.prune,
                discover=discover,
                ignore_rules=config.ignore_rules,
                aliases={firm_id: alias for alias, firm_id in config.firms.items()},
                normalize=lambda r: _managed(r, normalized.get(r.address, r.fields)),
            )
        )
        scope.limit(plan)
        if providers:
            width = providers["casexchange"].width(parallelism) if "casexchange" in providers else 1
            aliases = {firm_id: alias for alias, firm_id in config.firms.items()}
            review(plan, read, desired, providers, checks, width, aliases)
        if plan.scope is not None:
            plan.scope["selected"] = len(desired)  # declared resources the targets selected
        plan.requires_force = force_reasons(
            plan, len(config.resources), config.max_change_percent, config.min_resources
        )
        yield PlanRun(config, scope, desired, read, plan, providers)


def run_plan(
    config: Config,
    env: Mapping[str, str],
    *,
    scope: Scope = EVERYTHING,
    parallelism: int = 16,
    progress: Progress | None = None,
    options: Options = DEFAULTS,
    checks: ReviewOptions = REVIEW,
) -> PlanRun:
    """Read and plan, closing the providers: for `plan` and `drift`, which only read."""
    with planning(
        config,
        env,
        scope=scope,
        parallelism=parallelism,
        progress=progress,
        options=options,
        checks=checks,
    ) as run:
        return replace(run, providers={})


_frozen = 0  # frozen_heap blocks open (the main thread's)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """What exists now lives through the block (the modules, the config, the live state):
    keep it out of the garbage collector's full passes (at 5,000 resources one such pass cost
    0.1 s). Blocks nest: the command's holds everything planning froze until it ends, so
    rendering the plan does not pay for a pass over the reads."""
    global _frozen
    gc.freeze()
    _frozen += 1
    try:
        yield
    finally:
        _frozen -= 1
        if not _frozen:
            gc.unfreeze()


def _managed(resource: Resource, fields: dict) -> dict:
    """The fields a plan compares: ignored ones never take part."""
    return {k: v for k, v in fields.items() if k not in resource.ignored}


def _normalize(
    providers: Mapping[str, Provider], desired: list[Resource], read: ReadResult
) -> dict[str, dict]:
    """Desired fields in the providers' compare vocabulary, while their clients are open."""
    out = {}
    for resource in desired:
        provider = providers.get(resource.type.vendor)
        if provider is None or resource.address not in read.live:
            continue
        try:
            out[resource.address] = provider.normalize_desired(resource)
        except VendorError as exc:
            read.errors.append(Diagnostic(resource.address, str(exc), resource.location))
    return out
