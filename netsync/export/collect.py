"""What `netsync export` reads: every routing rule, the cases, matters and case requests named,
then the relationships of every firm that matters (the private network's, each `--firm`, each
rule's target, each case's receiving firm). Two rounds, because the second round's firms come
from the first round's answers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from netsync.http import VendorError
from netsync.kinds import ResourceType
from netsync.model import Diagnostic, LiveResource, ReadResult, Resource
from netsync.progress import Progress
from netsync.providers import Options, open_providers, read_live
from netsync.providers.casexchange import CaseXchange


@dataclass(frozen=True)
class Selection:
    """What the command line names."""

    firms: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    matters: tuple[str, ...] = ()
    case_requests: tuple[str, ...] = ()
    all_fields: bool = False


@dataclass
class Collected:
    """The live objects to export, by kind, with the firms' names and what went wrong."""

    live: dict[ResourceType, dict[str, LiveResource]] = field(default_factory=dict)
    rules: list[LiveResource] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # firm id -> name
    required: dict[str, list[str]] = field(default_factory=dict)  # firm id -> who needs it
    exported: dict[ResourceType, tuple[str, ...]] = field(default_factory=dict)
    unwritable: dict[ResourceType, frozenset[str]] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    def of(self, rtype: ResourceType) -> dict[str, LiveResource]:
        return self.live.setdefault(rtype, {})


def probe(rtype: ResourceType, key: str, names: Iterable[str] = ()) -> Resource:
    """A resource with no desired values: reading it fetches the live object."""
    return Resource(rtype.address(key), rtype, key, key, dict.fromkeys(names))


def collect(
    settings: Mapping[str, Mapping[str, Any]],
    env: Mapping[str, str],
    selection: Selection,
    options: Options,
    parallelism: int,
) -> Collected:
    """Read everything the export writes; raises VendorError when a vendor cannot be used."""
    out = Collected()
    first = _first_round(selection)
    vendors = {"casexchange"} | {r.type.vendor for r in first}
    discover = frozenset({ResourceType.ROUTING_RULE})
    with open_providers(settings, env, vendors, replace(options, discover=discover)) as providers:
        cx = providers["casexchange"]
        assert isinstance(cx, CaseXchange)
        network = cx.network_firms()
        read = read_live(providers, first, parallelism=parallelism)
        for provider in providers.values():
            out.exported.update(provider.exported)
            out.unwritable.update({t: frozenset(n) for t, (n, _) in provider.unwritable.items()})
    _keep(out, read)
    out.rules = read.discovered.get(ResourceType.ROUTING_RULE, [])
    firms = _firms_needed(out, network, selection)
    second = [probe(ResourceType.OUTBOUND, f) for f in sorted(firms)]
    second += [probe(ResourceType.INBOUND, f.lower()) for f in selection.firms]
    with (
        open_providers(settings, env, {"casexchange"}, options) as providers,
        Progress("Reading firms") as progress,
    ):
        read = read_live(providers, second, parallelism=parallelism, progress=progress)
    _keep(out, read)
    return out


def _first_round(selection: Selection) -> list[Resource]:
    matter_fields = ("referralType",)  # read as its name, as the config declares it
    return (
        [probe(ResourceType.CASE, c.lower()) for c in selection.cases]
        + [probe(ResourceType.MATTER, m.lower(), matter_fields) for m in selection.matters]
        + [probe(ResourceType.CASE_REQUEST, r) for r in selection.case_requests]
    )


def _keep(out: Collected, read: ReadResult) -> None:
    out.errors += read.errors
    out.warnings += read.warnings
    out.names.update(read.firm_names)
    for address, live in read.live.items():
        rtype = next(t for t in ResourceType if address.startswith(t.section + "."))
        out.of(rtype)[address] = live


def _firms_needed(out: Collected, network: list[str], selection: Selection) -> set[str]:
    """Every firm whose outbound relationship is read, and who needs it to exist (a rule or a
    case: without the relationship the config would not validate)."""
    firms = set(network) | {f.lower() for f in selection.firms}
    for rule in out.rules:
        target = rule.fields.get("targetFirmId")
        if isinstance(target, str) and target:
            firms.add(target.lower())
            out.required.setdefault(target.lower(), []).append(rule.address)
    for address, case in out.of(ResourceType.CASE).items():
        firm = case.fields.get("referentFirmId")
        if case.exists and isinstance(firm, str) and firm:
            firms.add(firm.lower())
            out.required.setdefault(firm.lower(), []).append(address)
    return firms


__all__ = ["Collected", "Selection", "VendorError", "collect", "probe"]
