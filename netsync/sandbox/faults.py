"""Deterministic fault injection: the first N matching requests answer an error.

`after_apply: true` performs the write first and then answers the error, which is how a client's
"re-read before retrying a non-idempotent write" logic gets tested.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from .yamlfile import SeedError, load_yaml_file

VENDORS = ("casexchange", "smokeball", "trackops")
RULE_KEYS = {"vendor", "method", "path", "status", "count", "after_apply", "retry_after"}


def parse_rule(raw: Any, where: str = "fault") -> dict[str, Any]:
    """Validate one rule dict; raises SeedError with `where` in the message."""
    if not isinstance(raw, dict):
        raise SeedError(f"{where}: must be a mapping")
    for key in raw:
        if key not in RULE_KEYS:
            raise SeedError(f"{where}.{key}: unknown key")
    vendor = raw.get("vendor")
    if vendor is not None and vendor not in VENDORS:
        raise SeedError(f"{where}.vendor: must be one of {', '.join(VENDORS)}")
    method = raw.get("method")
    if method is not None and not isinstance(method, str):
        raise SeedError(f"{where}.method: must be a string")
    path = raw.get("path", ".*")
    try:
        pattern = re.compile(path)
    except (re.error, TypeError) as exc:
        raise SeedError(f"{where}.path: not a regular expression: {exc}") from None
    status = raw.get("status", 503)
    if not isinstance(status, int) or isinstance(status, bool) or not 400 <= status <= 599:
        raise SeedError(f"{where}.status: must be an HTTP error status 400-599")
    count = raw.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise SeedError(f"{where}.count: must be an integer >= 1")
    after = raw.get("after_apply", False)
    if not isinstance(after, bool):
        raise SeedError(f"{where}.after_apply: must be true or false")
    retry_after = raw.get("retry_after")
    if retry_after is not None and (
        not isinstance(retry_after, int | float) or isinstance(retry_after, bool) or retry_after < 0
    ):
        raise SeedError(f"{where}.retry_after: must be a number of seconds >= 0")
    return {
        "vendor": vendor,
        "method": method.upper() if method else None,
        "path": path,
        "status": status,
        "count": count,
        "after_apply": after,
        "retry_after": retry_after,
        "_re": pattern,
    }


def load_rules(source: str | Path | list | None) -> list[dict[str, Any]]:
    """Rules from a YAML file (`faults: [...]` or a bare list) or a list of dicts."""
    if source is None:
        return []
    if isinstance(source, list):
        return [parse_rule(r, f"faults[{i}]") for i, r in enumerate(source)]
    raw = load_yaml_file(source)
    if isinstance(raw, dict) and set(raw) == {"faults"}:
        raw = raw["faults"]
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise SeedError(f"{source}: expected a list of fault rules under `faults:`")
    return [parse_rule(r, f"{source}: faults[{i}]") for i, r in enumerate(raw)]


class FaultSet:
    """Thread-safe rule list; each rule fires on the first `count` matching requests."""

    def __init__(self, rules: list[dict[str, Any]]) -> None:
        self._rules = list(rules)
        self._lock = threading.Lock()

    def add(self, raw: dict[str, Any]) -> dict[str, Any]:
        rule = parse_rule(raw)
        with self._lock:
            self._rules.append(rule)
        return public(rule)

    def take(self, vendor: str, method: str, path: str) -> dict[str, Any] | None:
        with self._lock:
            for rule in self._rules:
                if rule["count"] <= 0:
                    continue
                if rule["vendor"] and rule["vendor"] != vendor:
                    continue
                if rule["method"] and rule["method"] != method:
                    continue
                if not rule["_re"].search(path):
                    continue
                rule["count"] -= 1
                return public(rule)
        return None

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [public(r) for r in self._rules]


def public(rule: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in rule.items() if not k.startswith("_")}
