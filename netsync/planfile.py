"""Saved plans (`plan -o`): the plan JSON plus what apply checks before any write.

A plan file holds no credential and no sensitive value. Live and desired states are kept only as
keyed digests: enough for apply to prove nothing changed (and to name the fields that did), and
useless for reading client data back. A plan read back is a `SavedPlan`: masked, so it can be
shown but never applied; apply re-derives every write from the config and fresh reads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from netsync import __version__
from netsync.compare import FieldRules
from netsync.config.schema import format_checker, load_schema
from netsync.model import Action, Change, Diagnostic, Impact, Location, Plan, Resource, ResourceType
from netsync.pipeline import PlanRun
from netsync.providers import FIELD_RULES
from netsync.render import FORMAT_VERSION, plan_to_json
from netsync.render.impact import impact_from_json

NO_RULES = FieldRules()  # a kind whose vendor declares no rules


class PlanFileError(Exception):
    pass


@dataclass(frozen=True)
class Fingerprint:
    """Keyed digests of one resource: the managed live fields seen (whole and per field) and
    the desired state."""

    live: str | None
    desired: str | None
    fields: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "live_digest": self.live,
            "desired_digest": self.desired,
            "live_fields": self.fields,
        }


@dataclass(frozen=True)
class SavedChange:
    """A change as a plan file holds it: masked, so it can be shown and can name an address,
    but it is not a `Change` and cannot be written (apply re-derives every write from the
    config and fresh reads, and checks it against this)."""

    address: str
    type: ResourceType
    id: str | None
    action: Action
    fields: tuple[str, ...]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    write_only: dict[str, Any]


@dataclass
class SavedPlan:
    changes: list[SavedChange]
    errors: list[Diagnostic]
    warnings: list[Diagnostic]
    requires_force: list[str]
    scope: dict[str, Any] | None
    firm_names: dict[str, str]
    netsync_version: str
    endpoints: dict[str, Any]  # the plan file's `targets`
    config_digest: str
    salt: str
    resources: dict[str, Fingerprint]
    impact: tuple[list[Impact] | None, int] = (None, 0)

    def display(self) -> Plan:
        """The plan as `plan` printed it, for the renderers (masked values only)."""
        return Plan(
            changes=[
                Change(
                    c.address,
                    c.type,
                    c.id,
                    c.action,
                    list(c.fields),
                    c.before,
                    c.after,
                    dict(self.firm_names),
                    dict(c.write_only),
                )
                for c in self.changes
            ],
            errors=list(self.errors),
            warnings=list(self.warnings),
            requires_force=list(self.requires_force),
            scope=self.scope,
            impact=self.impact[0],
            impact_total=self.impact[1],
        )


# What `json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)` builds per call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def digest(key: bytes, salt: str, value: Any) -> str:
    """HMAC of a state, keyed from the config: the salt alone (stored in the file) would let
    anyone holding the plan file test guesses of masked values against the digest."""
    canonical = _CANONICAL.encode(value)
    mac = _salted(key, salt).copy()  # the HMAC of `salt\0`, continued with the state
    mac.update(canonical.encode())
    return mac.hexdigest()


@lru_cache(maxsize=8)
def _salted(key: bytes, salt: str) -> hmac.HMAC:
    """The keyed HMAC fed with `salt\0`, computed once per plan file and copied per digest
    (a plan file holds tens of thousands of digests with one key and one salt)."""
    return hmac.new(key, f"{salt}\0".encode(), hashlib.sha256)


def fingerprint(key: bytes, salt: str, change: Change, desired: Resource | None) -> Fingerprint:
    """What apply compares: the managed live fields the plan saw (`before`, which never holds
    volatile fields such as `updated_at`) in a form where equal-by-the-rules values digest the
    same, and the desired state as the config gives it."""
    rules = FIELD_RULES.get(change.type, NO_RULES)
    live = None
    fields: dict[str, str] = {}
    if change.before is not None and change.action is not Action.CREATE:
        canonical = {name: rules.canonical(name, value) for name, value in change.before.items()}
        live = digest(key, salt, canonical)
        # Per field, with the address, so equal values of two resources cannot be linked.
        fields = {
            name: digest(key, salt, [change.address, name, value])
            for name, value in canonical.items()
        }
    wanted = None
    if desired is not None:
        wanted = digest(key, salt, {**desired.fields, **desired.write_only})
    return Fingerprint(live, wanted, fields)


def plan_document(run: PlanRun, salt: str | None = None) -> dict[str, Any]:
    salt = salt or secrets.token_hex(16)
    document = plan_to_json(run.plan)
    names: dict[str, str] = {}
    resources = {}
    desired = {r.address: r for r in run.desired}
    for change in run.plan.changes:
        names.update(change.labels)
        if change.action is Action.NOOP:
            continue  # apply writes no no-op, so it never checks one: no digest to keep
        found = fingerprint(run.config.digest_key, salt, change, desired.get(change.address))
        resources[change.address] = found.to_json()
    document.update(
        {
            "netsync_version": __version__,
            "targets": run.read.endpoints,
            "config_digest": run.config.digest,
            "firm_names": names,
            "salt": salt,
            "resources": resources,
        }
    )
    return document


def read_plan_file(path: str) -> SavedPlan:
    try:
        document = json.loads(Path(path).read_text())
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise PlanFileError(f"{path}: not a netsync plan file (not JSON)") from None
    version = document.get("format_version") if isinstance(document, dict) else None
    if isinstance(document, dict) and "format_version" in document and version != FORMAT_VERSION:
        raise PlanFileError(
            f"{path}: plan format_version {version!r} is not supported: netsync {__version__} "
            f"reads format {FORMAT_VERSION} (use the netsync version that wrote the file)"
        )
    from jsonschema import Draft202012Validator  # only apply and show read plan files

    validator = Draft202012Validator(
        load_schema("plan.schema.json"), format_checker=format_checker()
    )
    problem = next(iter(validator.iter_errors(document)), None)
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "(top level)"
        raise PlanFileError(f"{path}: not a valid netsync plan file: {where}: {problem.message}")
    resources = {
        address: Fingerprint(
            item["live_digest"], item["desired_digest"], item.get("live_fields", {})
        )
        for address, item in (document.get("resources") or {}).items()
    }
    return SavedPlan(
        changes=[_change(c) for c in document["changes"]],
        errors=[_diagnostic(d) for d in document["errors"]],
        warnings=[_diagnostic(d) for d in document["warnings"]],
        requires_force=list(document.get("requires_force") or []),
        scope=document.get("scope"),
        firm_names=dict(document.get("firm_names") or {}),
        netsync_version=document.get("netsync_version", ""),
        endpoints=document.get("targets") or {},
        config_digest=document.get("config_digest", ""),
        salt=document.get("salt", ""),
        resources=resources,
        impact=impact_from_json(document),
    )


def _change(item: dict[str, Any]) -> SavedChange:
    rtype = ResourceType(item["type"])
    after = item["after"]
    write_only = {}
    if after is not None:  # the document shows what is sent beside `after`: split it again
        write_only = {k: v for k, v in after.items() if k in rtype.kind.write_only}
        after = {k: v for k, v in after.items() if k not in rtype.kind.write_only}
    return SavedChange(
        address=item["address"],
        type=rtype,
        id=item["id"],
        action=Action(item["action"]),
        fields=tuple(item["fields"]),
        before=item["before"],
        after=after,
        write_only=write_only,
    )


def _diagnostic(item: dict[str, Any]) -> Diagnostic:
    location = None
    if item.get("file"):
        location = Location(item["file"], item.get("line") or 0, item.get("column") or 0)
    return Diagnostic(item.get("address"), item["message"], location)
