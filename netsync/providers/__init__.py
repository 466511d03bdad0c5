"""Read live state for a set of desired resources, across every vendor, in two concurrent
phases: account-wide lists first (they replace many single GETs), then one read per resource.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from netsync.http import VendorError, run_parallel
from netsync.model import Diagnostic, Resource, ResourceType
from netsync.providers.base import LiveResource, Provider, ReadResult
from netsync.providers.casexchange import CaseXchange
from netsync.providers.smokeball import Smokeball
from netsync.providers.trackops import Trackops

VENDOR_OF = {
    ResourceType.OUTBOUND: "casexchange",
    ResourceType.INBOUND: "casexchange",
    ResourceType.ROUTING_RULE: "casexchange",
    ResourceType.CASE: "casexchange",
    ResourceType.MATTER: "smokeball",
    ResourceType.CASE_REQUEST: "trackops",
}
FACTORIES: dict[str, Callable[[Mapping[str, Any], Mapping[str, str]], Provider]] = {
    "casexchange": CaseXchange,
    "smokeball": Smokeball,
    "trackops": Trackops,
}
SECTION_OF_VENDOR = {"casexchange": "network", "smokeball": "matters", "trackops": "case_requests"}
Progress = Callable[[int, int], None]


def open_providers(
    settings: Mapping[str, Mapping[str, Any]],
    env: Mapping[str, str],
    vendors: set[str],
) -> dict[str, Provider]:
    return {name: FACTORIES[name](settings[name], env) for name in sorted(vendors)}


def read_live(
    providers: Mapping[str, Provider],
    desired: list[Resource],
    *,
    parallelism: int = 16,
    progress: Progress | None = None,
) -> ReadResult:
    """Read every desired resource's live state; failures become errors on their address."""
    merged = ReadResult()
    failed_vendors: set[str] = set()
    by_vendor: dict[str, list[Resource]] = {}
    for resource in desired:
        by_vendor.setdefault(VENDOR_OF[resource.type], []).append(resource)

    prefetch = [
        (vendor, task)
        for vendor, provider in providers.items()
        for task in provider.prefetch(by_vendor.get(vendor, []))
    ]

    def run_prefetch(item: tuple[str, Callable[[], None]]) -> tuple[str, VendorError | None]:
        vendor, task = item
        try:
            task()
        except VendorError as exc:
            return vendor, exc
        return vendor, None

    for vendor, error in run_parallel(run_prefetch, prefetch, parallelism):
        if error is not None and vendor not in failed_vendors:
            failed_vendors.add(vendor)
            merged.errors.append(Diagnostic(SECTION_OF_VENDOR[vendor], str(error)))

    todo = [r for r in desired if VENDOR_OF[r.type] not in failed_vendors]
    done = 0

    def read_one(resource: Resource) -> tuple[Resource, LiveResource | VendorError]:
        provider = providers[VENDOR_OF[resource.type]]
        try:
            return resource, provider.read(resource)
        except VendorError as exc:
            return resource, exc

    seen_messages: set[str] = set()
    for resource, outcome in run_parallel(read_one, todo, parallelism):
        done += 1
        if progress:
            progress(done, len(todo))
        if isinstance(outcome, VendorError):
            # The same failure (bad key, vendor down) on every resource is reported once.
            message = str(outcome)
            if message not in seen_messages:
                seen_messages.add(message)
                merged.errors.append(Diagnostic(resource.address, message, resource.location))
            continue
        merged.live[resource.address] = outcome

    for provider in providers.values():
        part = provider.result()
        merged.errors.extend(part.errors)
        merged.warnings.extend(part.warnings)
        merged.firm_names.update(part.firm_names)
        merged.pending.extend(part.pending)
        merged.requests += part.requests
        if part.routing_rules is not None:
            merged.routing_rules = part.routing_rules
        if part.targets:
            merged.targets[provider.name] = part.targets
    return merged
