"""The vendor registry, and reading live state across every vendor.

Reading runs in two concurrent phases: account-wide lists first (they replace many single GETs
and discover live objects the config does not declare), then one read per resource.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from netsync.compare import FieldRules
from netsync.http import VendorError
from netsync.kinds import VENDORS, ResourceType
from netsync.model import Diagnostic, LiveResource, ReadResult, Resource
from netsync.parallel import run_parallel
from netsync.providers.answers import SHAPE_ERRORS, shape_error
from netsync.providers.base import Options, Prefetch, Provider
from netsync.providers.casexchange import CaseXchange
from netsync.providers.casexchange.reference import EvaluateRefused
from netsync.providers.smokeball import Smokeball
from netsync.providers.trackops import Trackops

PROVIDERS: dict[str, type[Provider]] = {p.name: p for p in (CaseXchange, Smokeball, Trackops)}
assert tuple(PROVIDERS) == VENDORS, "every vendor of the kinds registry has one provider"
FIELD_RULES: dict[ResourceType, FieldRules] = {
    kind: rules for provider in PROVIDERS.values() for kind, rules in provider.field_rules.items()
}
Progress = Callable[[int, int], None]

__all__ = [
    "EvaluateRefused",
    "FIELD_RULES",
    "PROVIDERS",
    "Options",
    "Progress",
    "Provider",
    "open_providers",
]


def _section_of(vendor: str) -> str:
    """Where a vendor-wide failure is reported: its first config section ("network")."""
    return next(t.section.split(".")[0] for t in ResourceType if t.vendor == vendor)


@contextmanager
def open_providers(
    settings: Mapping[str, Mapping[str, Any]],
    env: Mapping[str, str],
    vendors: set[str],
    options: Options,
) -> Iterator[dict[str, Provider]]:
    """The providers of `vendors`, closed afterwards. A provider that cannot be built (no base
    URL) raises VendorError before any is left open."""
    providers: dict[str, Provider] = {}
    try:
        for name in sorted(vendors):
            providers[name] = PROVIDERS[name](settings[name], env, options)
        yield providers
    finally:
        for provider in providers.values():
            provider.close()


def _prefetch(
    provider: Provider, resources: list[Resource], width: int
) -> tuple[dict[ResourceType, str], list[Diagnostic]]:
    """Run one provider's account-wide reads; the kinds left unread by those that failed,
    with where each failure is reported (one failed list leaves only its own kinds unread; a
    vendor-wide read, all of them), and the failures."""

    def run(task: Prefetch) -> tuple[Prefetch, VendorError | None]:
        try:
            task.run()
        except VendorError as exc:
            return task, exc
        except SHAPE_ERRORS as exc:
            return task, shape_error(provider.label, exc)
        return task, None

    failed: dict[ResourceType, str] = {}
    errors = []
    for task, error in run_parallel(run, provider.prefetch(resources), width):
        if error is None:
            continue
        kinds = set(task.kinds) or {t for t in ResourceType if t.vendor == provider.name}
        if kinds <= set(failed):
            continue  # the same part already failed: one message is enough
        one = next(iter(task.kinds)).section if len(task.kinds) == 1 else None
        where = one or _section_of(provider.name)
        failed.update(dict.fromkeys(kinds - set(failed), where))
        errors.append(Diagnostic(where, str(error)))
    return failed, errors


class _Counter:
    """Progress across vendors read at the same time."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress
        self.lock = threading.Lock()

    def tick(self) -> None:
        if self.progress is None:
            return
        with self.lock:
            self.done += 1
            self.progress(self.done, self.total)


def _read_vendor(
    provider: Provider, resources: list[Resource], width: int, counter: _Counter
) -> ReadResult:
    """One vendor's reads: its lists first, then one read per resource, `width` at a time.
    Every address whose read failed is named; none vanishes from the plan."""
    part = ReadResult()
    failed, part.errors = _prefetch(provider, resources, width)
    todo = []
    for resource in resources:
        if resource.type in failed:
            message = (
                f"not read: {provider.label} could not be read "
                f"(see the error on {failed[resource.type]})"
            )
            part.errors.append(Diagnostic(resource.address, message, resource.location))
            counter.tick()
        else:
            todo.append(resource)

    def read_one(resource: Resource) -> tuple[Resource, LiveResource | VendorError | None]:
        try:
            return resource, provider.read(resource)
        except VendorError as exc:
            return resource, exc
        except SHAPE_ERRORS as exc:
            return resource, shape_error(provider.label, exc)

    first: dict[str, str] = {}  # message -> the address it was reported on in full
    for resource, outcome in run_parallel(read_one, todo, width):
        counter.tick()
        if isinstance(outcome, VendorError):
            # The same failure (bad key, vendor down) on many resources is spelled out once.
            message = str(outcome)
            if message in first:
                message = f"not read: the same failure as {first[message]}"
            else:
                first[message] = resource.address
            part.errors.append(Diagnostic(resource.address, message, resource.location))
        elif outcome is not None:  # None: matched later against a discovered list
            part.live[resource.address] = outcome
    return part


def read_live(
    providers: Mapping[str, Provider],
    desired: list[Resource],
    *,
    parallelism: int = 16,
    progress: Progress | None = None,
) -> ReadResult:
    """Read every desired resource's live state, every vendor at the same time, each within
    its own concurrency and pacing, so one vendor's rate-limit wait never holds up another's
    reads. Failures become errors on their address."""
    by_vendor: dict[str, list[Resource]] = {name: [] for name in providers}
    for resource in desired:
        by_vendor[resource.type.vendor].append(resource)
    counter = _Counter(len(desired), progress)

    def vendor(name: str) -> ReadResult:
        provider = providers[name]
        return _read_vendor(provider, by_vendor[name], provider.width(parallelism), counter)

    merged = ReadResult()
    for provider, part in zip(
        providers.values(), run_parallel(vendor, list(providers), len(providers)), strict=True
    ):
        own = provider.result()
        merged.errors += part.errors + own.errors
        merged.warnings += own.warnings
        merged.live.update(part.live)
        merged.firm_names.update(own.firm_names)
        merged.firm_profiles.update(own.firm_profiles)
        merged.discovered.update(own.discovered)
        merged.requests += own.requests
        if own.endpoints:
            merged.endpoints[provider.name] = own.endpoints
    return merged
