"""The core nouns every stage shares: where a value came from, a resource, a change, a plan.

Data flows one way: config -> desired `Resource`s; provider -> live `Resource`s;
planner -> `Plan` of `Change`s; renderers and the applier only read a `Plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, order=True)
class Location:
    """A place in a config file, 1-based, so every error can point at the line."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class ResourceType(StrEnum):
    OUTBOUND = "casexchange_outbound"
    INBOUND = "casexchange_inbound"
    ROUTING_RULE = "casexchange_routing_rule"
    CASE = "casexchange_case"
    MATTER = "smokeball_matter"
    CASE_REQUEST = "trackops_case_request"


# Config section (dotted) -> resource type, in the order SPEC section 1 lists them.
SECTION_TYPES: dict[str, ResourceType] = {
    "network.outbound": ResourceType.OUTBOUND,
    "network.inbound": ResourceType.INBOUND,
    "routing.rules": ResourceType.ROUTING_RULE,
    "cases": ResourceType.CASE,
    "matters": ResourceType.MATTER,
    "case_requests": ResourceType.CASE_REQUEST,
}


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REREFER = "re-refer"
    DELETE = "delete"
    NOOP = "no-op"


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
class Change:
    """What the plan does to one address. `before`/`after` hold managed fields only."""

    address: str
    type: ResourceType
    id: str | None
    action: Action
    fields: list[str] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    # Names shown beside ids by renderers (firm id -> firm name); never compared.
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {action.value: 0 for action in Action}
        for change in self.changes:
            counts[change.action.value] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(c.action is not Action.NOOP for c in self.changes)
