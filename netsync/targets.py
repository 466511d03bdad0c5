"""`--target ADDR`: whole-segment prefixes of addresses.

Resource keys may contain dots (a routing rule named "N.Y. Injury"), so an address is split into
its section and its key rather than at every dot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from netsync.model import SECTION_TYPES

_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def split_address(address: str) -> tuple[str, str | None]:
    """("network.outbound", "rivera") for "network.outbound.rivera"; ("network", None) too."""
    for section in sorted(SECTION_TYPES, key=len, reverse=True):
        if address == section:
            return section, None
        if address.startswith(section + "."):
            return section, address[len(section) + 1 :]
    return address, None


def _same_key(a: str, b: str) -> bool:
    """Ids compare case-insensitively (SPEC 2); names (rules, references) exactly."""
    if _UUID.match(a) and _UUID.match(b):
        return a.lower() == b.lower()
    return a == b


def matches(address: str, target: str) -> bool:
    section, key = split_address(address)
    target_section, target_key = split_address(target)
    if target_key is not None:
        return section == target_section and key is not None and _same_key(key, target_key)
    return section == target or section.startswith(target + ".")


def select(addresses: Iterable[str], targets: Sequence[str]) -> set[str]:
    addresses = list(addresses)
    if not targets:
        return set(addresses)
    return {a for a in addresses if any(matches(a, t) for t in targets)}


def is_known_target(target: str) -> bool:
    section, key = split_address(target)
    if key is not None:
        return key != ""  # `network.outbound.` names no resource
    return any(s == target or s.startswith(target + ".") for s in SECTION_TYPES)
