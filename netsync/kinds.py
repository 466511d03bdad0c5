"""The registry of resource kinds: each kind is declared once, here, and every list of sections,
types, address forms or vendors elsewhere is derived from it.

A kind says where it lives in the config (`section`), which vendor holds it, how its config key
reads (a firm, a name, an id, a reference), which actions it supports, and the few SPEC-level
facts that are about the kind rather than the vendor (which field names a firm, which fields are
sent but never compared, whether live objects exist that the config does not declare).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REREFER = "re-refer"
    DELETE = "delete"
    NOOP = "no-op"


class KeyForm(StrEnum):
    """How a resource's config key reads, which decides how it is matched and resolved."""

    FIRM = "firm"  # a firm alias or a CaseXchange firm id; the id is the resource id
    NAME = "name"  # a name, matched exactly (an optional `id:` pins the vendor object)
    UUID = "uuid"  # the vendor's id, matched case-insensitively
    REFERENCE = "reference"  # a vendor reference value, matched exactly; the id is learned live


@dataclass(frozen=True)
class Kind:
    section: str
    vendor: str
    key: KeyForm
    actions: frozenset[Action]
    nouns: tuple[str, str]  # singular, plural: "3 routing rules"
    firm_field: str | None = None  # a field holding a firm id (aliases resolved in config)
    write_only: frozenset[str] = frozenset()  # sent with a write, never compared
    discoverable: bool = False  # live objects the config does not declare matter (prune, policy)
    # Needed to create, not to manage: an exported record leaves them out (personal data).
    create_requires: tuple[str, ...] = ()


class ResourceType(StrEnum):
    """The six kinds of SPEC section 4, each with its `Kind` (`ResourceType.OUTBOUND.kind`)."""

    kind: Kind

    OUTBOUND = (
        "casexchange_outbound",
        Kind(
            "network.outbound",
            "casexchange",
            KeyForm.FIRM,
            frozenset({Action.CREATE, Action.UPDATE}),
            ("outbound relationship", "outbound relationships"),
        ),
    )
    INBOUND = (
        "casexchange_inbound",
        Kind(
            "network.inbound",
            "casexchange",
            KeyForm.FIRM,
            frozenset({Action.UPDATE}),
            ("inbound relationship", "inbound relationships"),
            discoverable=True,  # pending requests nobody declared: network.pending policy
        ),
    )
    ROUTING_RULE = (
        "casexchange_routing_rule",
        Kind(
            "routing.rules",
            "casexchange",
            KeyForm.NAME,
            frozenset({Action.CREATE, Action.UPDATE, Action.DELETE}),
            ("routing rule", "routing rules"),
            firm_field="targetFirmId",
            discoverable=True,  # live rules nobody declared: routing.prune
        ),
    )
    CASE = (
        "casexchange_case",
        Kind(
            "cases",
            "casexchange",
            KeyForm.UUID,
            frozenset({Action.REREFER}),
            ("case", "cases"),
            firm_field="referentFirmId",
            write_only=frozenset({"notes"}),
        ),
    )
    MATTER = (
        "smokeball_matter",
        Kind(
            "matters", "smokeball", KeyForm.UUID, frozenset({Action.UPDATE}), ("matter", "matters")
        ),
    )
    CASE_REQUEST = (
        "trackops_case_request",
        Kind(
            "case_requests",
            "trackops",
            KeyForm.REFERENCE,
            frozenset({Action.CREATE, Action.UPDATE}),
            ("case request", "case requests"),
            create_requires=("client", "contact"),
        ),
    )

    def __new__(cls, value: str, kind: Kind) -> ResourceType:
        member = str.__new__(cls, value)
        member._value_ = value
        member.kind = kind
        return member

    @property
    def section(self) -> str:
        return self.kind.section

    @property
    def vendor(self) -> str:
        return self.kind.vendor

    def address(self, key: str) -> str:
        return f"{self.kind.section}.{key}"


# Section (dotted) -> kind, in the order the config lists them.
SECTIONS: dict[str, ResourceType] = {t.section: t for t in ResourceType}
VENDORS: tuple[str, ...] = tuple(dict.fromkeys(t.vendor for t in ResourceType))
LABELS = {"casexchange": "CaseXchange", "smokeball": "Smokeball", "trackops": "Trackops"}

# \Z, not $: `$` also matches before a final newline
UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\Z")


def split_address(address: str) -> tuple[str, str | None]:
    """("network.outbound", "rivera") for "network.outbound.rivera"; ("network", None) too.

    Keys may contain dots (a rule named "N.Y. Injury"), so an address is split into its section
    and its key rather than at every dot.
    """
    for section in sorted(SECTIONS, key=len, reverse=True):
        if address == section:
            return section, None
        if address.startswith(section + "."):
            return section, address[len(section) + 1 :]
    return address, None


def normal_key(rtype: ResourceType, key: str) -> str:
    """A key as resources are matched by it: ids case-insensitively (SPEC 2), names and
    references exactly; a firm key may be an alias (exact) or an id."""
    if rtype.kind.key in (KeyForm.UUID, KeyForm.FIRM) and UUID_PATTERN.match(key):
        return key.lower()
    return key
