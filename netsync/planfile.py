"""Saved plans (`plan -o`): the plan JSON plus what apply checks before any write.

A plan file holds no credential and no sensitive value. Live and desired states are kept only as
salted digests: enough for apply to prove nothing changed, useless for reading client data back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from netsync import __version__
from netsync.config.schema import format_checker, load_schema
from netsync.model import Action, Change, Diagnostic, Location, Plan, ResourceType
from netsync.pipeline import PlanRun
from netsync.render import plan_to_json


class PlanFileError(Exception):
    pass


def digest(key: bytes, salt: str, value: Any) -> str:
    """HMAC of a state, keyed from the config: the salt alone (stored in the file) would let
    anyone holding the plan file test guesses of masked values against the digest."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key, f"{salt}\0{canonical}".encode(), hashlib.sha256).hexdigest()


def plan_document(run: PlanRun, salt: str | None = None) -> dict[str, Any]:
    salt = salt or secrets.token_hex(16)
    key = run.config.digest_key
    document = plan_to_json(run.plan)
    desired = {r.address: {**r.fields, **r.write_only} for r in run.desired}
    resources = {}
    names: dict[str, str] = {}
    for change in run.plan.changes:
        live = run.read.live.get(change.address)
        live_fields = live.fields if live is not None and live.exists else None
        if change.action is Action.DELETE:
            live_fields = change.before
        wanted = desired.get(change.address)
        resources[change.address] = {
            "live_digest": digest(key, salt, live_fields) if live_fields is not None else None,
            "desired_digest": digest(key, salt, wanted) if wanted is not None else None,
        }
        names.update(change.labels)
    document.update(
        {
            "netsync_version": __version__,
            "targets": run.read.targets,
            "config_digest": run.config.digest,
            "firm_names": names,
            "salt": salt,
            "resources": resources,
        }
    )
    return document


def write_plan_file(path: str, run: PlanRun) -> Path:
    """Write atomically (temp file + rename): a half-written plan must never be applied."""
    target = Path(path)
    payload = json.dumps(plan_document(run), indent=2) + "\n"
    fd, temp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(payload)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def read_plan_file(path: str) -> Plan:
    try:
        document = json.loads(Path(path).read_text())
    except OSError as exc:
        raise PlanFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise PlanFileError(f"{path}: not a netsync plan file (not JSON)") from None
    validator = Draft202012Validator(
        load_schema("plan.schema.json"), format_checker=format_checker()
    )
    problem = next(iter(validator.iter_errors(document)), None)
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "(top level)"
        raise PlanFileError(f"{path}: not a valid netsync plan file: {where}: {problem.message}")
    names = document.get("firm_names", {})
    return Plan(
        changes=[
            Change(
                address=c["address"],
                type=ResourceType(c["type"]),
                id=c["id"],
                action=Action(c["action"]),
                fields=c["fields"],
                before=c["before"],
                after=c["after"],
                labels=names,
            )
            for c in document["changes"]
        ],
        errors=[_diagnostic(d) for d in document["errors"]],
        warnings=[_diagnostic(d) for d in document["warnings"]],
    )


def _diagnostic(item: dict[str, Any]) -> Diagnostic:
    location = None
    if item.get("file"):
        location = Location(item["file"], item.get("line") or 0, item.get("column") or 0)
    return Diagnostic(item.get("address"), item["message"], location)
