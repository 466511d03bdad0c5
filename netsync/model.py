"""The core nouns every stage shares: where a value came from, a resource (desired or live), a
change, a plan.

Data flows one way: config -> desired `Resource`s; providers -> `LiveResource`s in a
`ReadResult`; planner -> `Plan` of `Change`s; renderers and the applier only read a `Plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from netsync.kinds import Action, ResourceType

__all__ = [
    "Action",
    "Change",
    "Diagnostic",
    "FirmProfile",
    "Impact",
    "LiveResource",
    "Location",
    "Outcome",
    "Plan",
    "ReadResult",
    "Resource",
    "ResourceType",
    "Routed",
]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a config file, 1-based, so every error can point at the line."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass
class Resource:
    """One managed object: desired (from config) or live (from a provider).

    `fields` holds only managed fields, in the vendor's write names, with firm aliases already
    resolved to ids. `id` is the vendor id when known (a routing rule or Trackops record may
    have none until it is created).
    """

    address: str
    type: ResourceType
    key: str
    id: str | None
    fields: dict[str, Any]
    location: Location | None = None
    field_locations: dict[str, Location] = field(default_factory=dict)
    # Fields sent with a write but never compared (a re-referral's `notes`).
    write_only: dict[str, Any] = field(default_factory=dict)
    # Fields neither compared, shown nor written (ignore_fields, per kind or per resource).
    ignored: frozenset[str] = frozenset()

    def field_location(self, name: str) -> Location | None:
        return self.field_locations.get(name.split(".")[0], self.location)


@dataclass(frozen=True)
class Diagnostic:
    """An error or warning, with the config place when one is known."""

    address: str | None
    message: str
    location: Location | None = None

    def to_json(self) -> dict[str, Any]:
        loc = self.location
        return {
            "address": self.address,
            "message": self.message,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
        }

    def __str__(self) -> str:
        parts = []
        if self.location:
            parts.append(str(self.location))
        if self.address:
            parts.append(self.address)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass
class LiveResource:
    """One resource as the vendor has it now, normalised by its provider to the config's field
    names, so the planner never sees a vendor's envelopes or Link objects."""

    address: str
    exists: bool
    id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    # The name or key a live-only object is known by (a routing rule's name, a firm id).
    key: str | None = None
    # Inbound relationship: pending | active | inactive; case: the case status.
    status: str | None = None
    # Why the vendor cannot change this resource now (a case status it will not re-refer).
    blocked: str | None = None
    # How many records carry the key (Trackops references: more than one is a plan error).
    matches: int = 1
    # Outbound: waiting for the other firm to accept.
    awaiting_acceptance: bool = False
    # What the vendor says about the object beyond its managed fields, for checks (a case's
    # `caseType` and `jurisdiction`); never compared.
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FirmProfile:
    """What a firm says it takes: jurisdictions and case types as the vendor lists them."""

    jurisdictions: tuple[str, ...] = ()
    case_types: tuple[str, ...] = ()


@dataclass
class ReadResult:
    """Everything the providers read: per-address live state plus account-wide facts."""

    live: dict[str, LiveResource] = field(default_factory=dict)
    # Live objects of discoverable kinds, declared or not (every routing rule, every pending
    # request); a kind missing here was not read.
    discovered: dict[ResourceType, list[LiveResource]] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    firm_names: dict[str, str] = field(default_factory=dict)  # firm id (lower) -> name
    firm_profiles: dict[str, FirmProfile] = field(default_factory=dict)  # firm id (lower)
    # Per vendor: where it was read (base URL without userinfo; CaseXchange: the key's firm).
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: int = 0


@dataclass
class Change:
    """What the plan does to one address. `before`/`after` hold managed fields only;
    `write_only` holds what is sent with the write but never compared (a re-referral's notes)."""

    address: str
    type: ResourceType
    id: str | None
    action: Action
    fields: list[str] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    # Names shown beside ids by renderers (firm id -> firm name); never compared.
    labels: dict[str, str] = field(default_factory=dict)
    write_only: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Routed:
    """Where a new case of one profile goes on one side of the plan: to a rule's firm, or
    nowhere netsync can name (`ambiguous`: a tie; `unknown`: a condition it cannot evaluate)."""

    status: str  # routed | ambiguous | unknown
    rule_id: str | None = None  # None for a rule the plan creates
    rule_name: str | None = None
    firm_id: str | None = None
    firm_name: str | None = None
    detail: str | None = None  # "tie at priority 2: A, B"
    rules: tuple[str, ...] = ()  # the names of the rules a tie or an unknown is about
    # False when our outbound request to the firm is not accepted yet (`inNetwork: false`).
    in_network: bool = True


@dataclass(frozen=True)
class Impact:
    """One case profile whose rule or firm the plan changes. An axis of None is "(any other)":
    a value no condition names. A side of None: no rule routes the profile (not auto-routed)."""

    case_type: str | None
    jurisdiction: str | None
    before: Routed | None
    after: Routed | None
    verified: bool = False
    note: str | None = None


class Outcome(StrEnum):
    """What apply did with one change (SPEC 3)."""

    APPLIED = "applied"
    UNCONFIRMED = "unconfirmed"  # accepted (Smokeball 202), not visible within confirm_timeout
    ALREADY_APPLIED = "already_applied"
    FAILED = "failed"
    NOT_ATTEMPTED = "not_attempted"


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    # Why `apply` will need --force (SPEC 1 safety); empty when it will not.
    requires_force: list[str] = field(default_factory=list)
    # What the plan was limited to ({"targets": [...]}); None for a whole plan.
    scope: dict[str, Any] | None = None
    # Live objects the config's sections cover but do not declare (routing rules without
    # prune): not changed by apply, but drift from git.
    unmanaged: list[Change] = field(default_factory=list)
    # Routing impact (SPEC 6): None when not computed; `impact_total` counts the profiles that
    # move, of which `impact` holds the first (a bounded list).
    impact: list[Impact] | None = None
    impact_total: int = 0

    def summary(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)
