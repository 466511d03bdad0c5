"""What every vendor provider gives the planner: live resources in the config's vocabulary.

A provider owns its vendor's quirks (envelopes, Link objects, auth flows, paging); the planner
only ever sees `LiveResource`s keyed by address and plain dicts of fields.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from netsync.http import RetryPolicy, Secrets, TokenBucket, VendorClient, VendorError
from netsync.model import Diagnostic, Resource


@dataclass
class LiveResource:
    """One resource as the vendor has it now, normalised to the config's field names."""

    address: str
    exists: bool
    id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    # Inbound relationship: pending | active | inactive; case: the case status.
    status: str | None = None
    # Firm id -> firm name, for renderers.
    labels: dict[str, str] = field(default_factory=dict)
    # Trackops: how many records carry the reference (more than one is a plan error).
    matches: int = 1
    # Outbound: waiting for the other firm to accept.
    awaiting_acceptance: bool = False


@dataclass
class ReadResult:
    """Everything one provider read: per-address live state plus account-wide facts."""

    live: dict[str, LiveResource] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    # CaseXchange: every live routing rule and every pending request (for prune and policies).
    routing_rules: list[dict[str, Any]] | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    firm_names: dict[str, str] = field(default_factory=dict)
    targets: dict[str, Any] = field(default_factory=dict)
    requests: int = 0


class MissingCredential(VendorError):
    pass


def require_env(vendor: str, env: Mapping[str, str], variable: str | None, what: str) -> str:
    value = env.get(variable or "", "")
    if not value:
        raise MissingCredential(vendor, f"{what} is not set: export {variable}")
    Secrets.add(value)
    return value


def error_detail(response: httpx.Response) -> tuple[str | None, str]:
    """(code, message) from any of the three vendors' error bodies."""
    try:
        body = response.json()
    except ValueError:
        return None, (response.text or response.reason_phrase)[:200]
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):  # CaseXchange envelope
            return error.get("code"), str(error.get("message", ""))
        if "title" in body or "detail" in body:  # Smokeball RFC 7807 problem details
            return None, str(body.get("detail") or body.get("title"))
        if isinstance(body.get("errors"), list):  # Trackops (undocumented; sandbox shape)
            return None, "; ".join(str(e) for e in body["errors"])
        if body.get("message"):
            return None, str(body["message"])
    return None, response.text[:200]


def fail(vendor: str, method: str, path: str, response: httpx.Response) -> VendorError:
    code, message = error_detail(response)
    label = f"{response.status_code} {code}" if code else str(response.status_code)
    hint = ""
    if response.status_code == 401:
        hint = " (check the credentials in the environment)"
    elif response.status_code == 403:
        hint = " (the credential lacks the permission for this call)"
    return VendorError(
        vendor,
        f"{method} {path.split('?')[0]}: {label}: {message}{hint}",
        status=response.status_code,
        code=code,
    )


def make_client(
    vendor: str, settings: Mapping[str, Any], *, default_rate: float | None, burst: float | None
) -> VendorClient:
    rate = settings.get("rate_limit", default_rate)
    bucket = TokenBucket(rate, burst if burst is not None else rate) if rate else None
    base_url = settings.get("base_url")
    if not base_url:
        raise VendorError(vendor, "no base_url configured")
    return VendorClient(
        vendor=vendor,
        base_url=base_url,
        timeout=float(settings.get("timeout") or 30),
        rate_limit=bucket,
        retry=RetryPolicy(),
        concurrency=settings.get("concurrency"),
    )


class Once:
    """Compute a value once even when many reader threads ask at the same time."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._done = False
        self._value: Any = None

    def get(self) -> Any:
        with self._lock:
            if not self._done:
                self._value = self._compute()
                self._done = True
            return self._value


PAGING_THRESHOLD = 5  # a handful of resources: single GETs, never a page of the account

PageReader = Callable[[int], tuple[list[dict[str, Any]], int]]


def list_if_cheaper(
    read_page: PageReader, wanted: set[str], keep: Callable[[dict[str, Any]], None]
) -> None:
    """Read a vendor's list pages instead of single GETs only when that is fewer requests.

    `read_page(i)` returns (items of page i, total pages). Page 0 is a probe: it tells the
    account's size. The rest are read only if they are fewer than the single GETs still
    needed, so a handful of resources never pages through a whole account.
    """
    if len(wanted) < PAGING_THRESHOLD:
        return
    items, pages = read_page(0)
    found = set()
    for item in items:
        keep(item)
        found.add(str(item.get("id", "")).lower())
    if pages - 1 > len(wanted - found):
        return
    for page in range(1, pages):
        for item in read_page(page)[0]:
            keep(item)


class Provider:
    """Interface of one vendor's provider (read side)."""

    name: str = ""

    def prefetch(self, desired: list[Resource]) -> list[Callable[[], None]]:
        """Account-wide reads to run first (lists that replace many single GETs)."""
        return []

    def read(self, resource: Resource) -> LiveResource:
        raise NotImplementedError

    def normalize_desired(self, resource: Resource) -> dict[str, Any]:
        """Desired fields in the vocabulary live fields are compared in."""
        return dict(resource.fields)

    def result(self) -> ReadResult:
        raise NotImplementedError

    def close(self) -> None:
        pass
