"""The in-memory world every vendor module reads and writes, and its persistence.

All state is plain JSON-able dicts and lists (see docs/sandbox.md, "The world object"), so a
state file is just `json.dumps(world.data)` and tests can inspect or poke any part directly.
One re-entrant lock serialises handlers; latency sleeps happen outside it.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import defaults
from .util import loads_strict
from .yamlfile import SeedError, decode_utf8

STATE_VERSION = 1


def empty_world_data() -> dict[str, Any]:
    """World data with the defaults filled in and nothing seeded."""
    return {
        "version": STATE_VERSION,
        "me": copy.deepcopy(defaults.DEFAULT_ME),
        "firms": {},
        "outbound": {},
        "inbound": {},
        "pending": [],
        "routing_rules": [],
        "hidden_routing_rules": [],  # seeded `hidden: true`: evaluated, never listed
        "cases": {},
        "matters": {},
        "matter_updates": [],
        "referral_types": [
            {**t, "custom": False} for t in copy.deepcopy(defaults.BUILTIN_REFERRAL_TYPES)
        ],
        "case_types": copy.deepcopy(defaults.BUILTIN_CASE_TYPES),
        "case_requests": [],
        "credentials": copy.deepcopy(defaults.DEFAULT_CREDENTIALS),
        "jwt_secret": secrets.token_hex(16),
    }


def state_error(path: str | Path, exc: OSError) -> str:
    """The one-line message for a state file that cannot be read or written."""
    return f"{path}: cannot read/write state: {exc.strerror or exc}"


class World:
    """Live state of the three vendors plus the session tokens they issued.

    `data` is persisted; `sessions` (issued refresh/OAuth tokens) lives in memory only.
    """

    def __init__(self, data: dict[str, Any], state_path: str | Path | None = None) -> None:
        self.data = data
        self.state_path = Path(state_path) if state_path else None
        self.lock = threading.RLock()
        self.sessions: dict[str, dict[str, float]] = {
            "casexchange_refresh": {},  # refresh token -> expiry (epoch s)
            "smokeball_access": {},  # issued OAuth access token -> expiry
        }
        self.dirty = False
        # Persistence ordering (see save()): snapshots are numbered under `lock`; the file is
        # written under `_save_lock`, never nested inside `lock`, so neither can deadlock.
        self._save_lock = threading.Lock()
        self._snapshot_version = 0
        self._written_version = 0

    # -- convenient views ---------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        data = self.__dict__.get("data")
        if data is not None and name in data:
            return data[name]
        raise AttributeError(name)

    def firm(self, firm_id: str) -> dict | None:
        firm_id = firm_id.lower()
        if firm_id == self.data["me"]["id"]:
            return self.data["me"]
        return self.data["firms"].get(firm_id)

    def mark_dirty(self) -> None:
        """Called by handlers after a mutation; the server saves once the request is done."""
        self.dirty = True

    # -- Smokeball eventual consistency ------------------------------------------------
    def settle_matters(self, now: float | None = None) -> None:
        """Promote accepted matter writes whose visibility time has come."""
        now = time.time() if now is None else now
        pending = self.data["matter_updates"]
        due = [u for u in pending if u["visibleAt"] <= now]
        if not due:
            return
        for u in due:
            self.data["matters"][u["matterId"]] = u["matter"]
        self.data["matter_updates"] = [u for u in pending if u["visibleAt"] > now]
        self.mark_dirty()

    def latest_matter(self, matter_id: str) -> dict | None:
        """The newest accepted version (visible or not): the base a later PUT builds on."""
        for u in reversed(self.data["matter_updates"]):
            if u["matterId"] == matter_id:
                return u["matter"]
        return self.data["matters"].get(matter_id)

    # -- persistence ---------------------------------------------------------------------
    def save(self) -> None:
        """Write the state file atomically (temp file in the same folder, then rename).

        Safe to call from many threads at once: each snapshot gets a version number under the
        world lock, and the write + rename happen under a separate save lock that skips any
        snapshot older than the one already on disk, so an older world never lands last.
        """
        if self.state_path is None:
            self.dirty = False
            return
        with self.lock:
            payload = json.dumps(self.data, indent=1, sort_keys=True)
            self._snapshot_version += 1
            version = self._snapshot_version
            self.dirty = False
        with self._save_lock:
            if version <= self._written_version:
                return  # a newer snapshot is already on disk
            try:
                self._write(payload)
            except BaseException:
                self.dirty = True  # let a later save retry (no world lock: see __init__)
                raise
            self._written_version = version

    def _write(self, payload: str) -> None:
        assert self.state_path is not None
        folder = self.state_path.parent  # never created: a typo must not grow a directory tree
        fd, tmp = tempfile.mkstemp(prefix=".sandbox-state-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
            os.replace(tmp, self.state_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load_state(cls, path: str | Path) -> World:
        """Read a state file written by save(); a broken one is a SeedError naming it."""
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise SeedError(state_error(p, exc)) from None
        text = decode_utf8(raw, p)
        try:
            data = loads_strict(text)  # a NaN in the file would be echoed as invalid JSON
        except ValueError as exc:
            raise SeedError(f"{p}: cannot load sandbox state: {exc}") from None
        except RecursionError:
            raise SeedError(f"{p}: cannot load sandbox state: nested too deeply") from None
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise SeedError(f"{p}: not a sandbox state file (version {STATE_VERSION})")
        base = empty_world_data()
        problem = state_shape_problem(data, base)
        if problem:
            raise SeedError(f"{p}: not a sandbox state file: {problem}")
        base.update(data)
        return cls(base, p)


def state_shape_problem(data: dict[str, Any], base: dict[str, Any]) -> str | None:
    """First top-level key whose JSON type differs from a fresh world's, or None.

    A hand-edited state file with, say, `"credentials": "x"` must fail at start with its name,
    not as a 500 on every request later. Only the top two levels are checked.
    """
    for key, value in data.items():
        if key in base and type(value) is not type(base[key]):
            return f"{key} must be a JSON {_json_type(base[key])}"
    creds = data.get("credentials", base["credentials"])
    for vendor, wanted in base["credentials"].items():
        have = creds.get(vendor, wanted)
        if not isinstance(have, dict):
            return f"credentials.{vendor} must be a JSON object"
        for name in wanted:
            if not isinstance(have.get(name, []), list):
                return f"credentials.{vendor}.{name} must be a JSON array"
    return None


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", int: "number"}.get(type(value), "value")
