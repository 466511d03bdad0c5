"""The vendor registry, and reading live state across every vendor.

Reading runs in two concurrent phases: account-wide lists first (they replace many single GETs
and discover live objects the config does not declare), then one read per resource.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from netsync.compare import FieldRules
from netsync.http import VendorError, run_parallel
from netsync.kinds import VENDORS, ResourceType
from netsync.model import Diagnostic, LiveResource, ReadResult, Resource
from netsync.providers.answers import SHAPE_ERRORS, shape_error
from netsync.providers.base import Options, Prefetch, Provider
from netsync.providers.casexchange import CaseXchange
from netsync.providers.smokeball import Smokeball
from netsync.providers.trackops import Trackops

PROVIDERS: dict[str, type[Provider]] = {p.name: p for p in (CaseXchange, Smokeball, Trackops)}
assert tuple(PROVIDERS) == VENDORS, "every vendor of the kinds registry has one provider"
FIELD_RULES: dict[ResourceType, FieldRules] = {
    kind: rules for provider in PROVIDERS.values() for kind, rules in provider.field_rules.items()
}
Progress = Callable[[int, int], None]

__all__ = ["FIELD_RULES", "PROVIDERS", "Options", "Progress", "Provider", "open_providers"]


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
    providers: Mapping[str, Provider],
    desired: list[Resource],
    merged: ReadResult,
    parallelism: int,
) -> dict[ResourceType, str]:
    """Run every provider's account-wide reads; the kinds left unread by those that failed,
    with where the failure is reported (one failed list leaves only its own kinds unread; a
    vendor-wide read, all of them)."""
    by_vendor: dict[str, list[Resource]] = {}
    for resource in desired:
        by_vendor.setdefault(resource.type.vendor, []).append(resource)
    tasks = [
        (vendor, task)
        for vendor, provider in providers.items()
        for task in provider.prefetch(by_vendor.get(vendor, []))
    ]

    def run(item: tuple[str, Prefetch]) -> tuple[str, Prefetch, VendorError | None]:
        vendor, task = item
        try:
            task.run()
        except VendorError as exc:
            return vendor, task, exc
        except SHAPE_ERRORS as exc:
            return vendor, task, shape_error(providers[vendor].label, exc)
        return vendor, task, None

    failed: dict[ResourceType, str] = {}
    for vendor, task, error in run_parallel(run, tasks, parallelism):
        if error is None:
            continue
        kinds = set(task.kinds) or {t for t in ResourceType if t.vendor == vendor}
        if kinds <= set(failed):
            continue  # the same part already failed: one message is enough
        where = next(iter(task.kinds)).section if len(task.kinds) == 1 else _section_of(vendor)
        failed.update(dict.fromkeys(kinds - set(failed), where))
        merged.errors.append(Diagnostic(where, str(error)))
    return failed


def read_live(
    providers: Mapping[str, Provider],
    desired: list[Resource],
    *,
    parallelism: int = 16,
    progress: Progress | None = None,
) -> ReadResult:
    """Read every desired resource's live state; failures become errors on their address."""
    merged = ReadResult()
    failed = _prefetch(providers, desired, merged, parallelism)
    todo = []
    for resource in desired:  # every address whose read failed is named, none vanishes
        if resource.type in failed:
            label = providers[resource.type.vendor].label
            message = (
                f"not read: {label} could not be read (see the error on {failed[resource.type]})"
            )
            merged.errors.append(Diagnostic(resource.address, message, resource.location))
        else:
            todo.append(resource)

    def read_one(resource: Resource) -> tuple[Resource, LiveResource | VendorError | None]:
        provider = providers[resource.type.vendor]
        try:
            return resource, provider.read(resource)
        except VendorError as exc:
            return resource, exc
        except SHAPE_ERRORS as exc:
            return resource, shape_error(provider.label, exc)

    first: dict[str, str] = {}  # message -> the address it was reported on in full
    for done, (resource, outcome) in enumerate(run_parallel(read_one, todo, parallelism), 1):
        if progress:
            progress(done, len(todo))
        if isinstance(outcome, VendorError):
            # The same failure (bad key, vendor down) on many resources is spelled out once.
            message = str(outcome)
            if message in first:
                message = f"not read: the same failure as {first[message]}"
            else:
                first[message] = resource.address
            merged.errors.append(Diagnostic(resource.address, message, resource.location))
            continue
        if outcome is not None:  # None: matched later against a discovered list
            merged.live[resource.address] = outcome

    for provider in providers.values():
        part = provider.result()
        merged.errors.extend(part.errors)
        merged.warnings.extend(part.warnings)
        merged.firm_names.update(part.firm_names)
        merged.discovered.update(part.discovered)
        merged.requests += part.requests
        if part.endpoints:
            merged.endpoints[provider.name] = part.endpoints
    return merged
