"""The template every vendor provider fills in (octoDNS's provider base, for referral networks).

Read side: `prefetch` (account-wide lists that replace many single GETs), `read` (one resource,
normalised to the config's vocabulary), `normalize_desired`, `result`.
Write side: `prepare` (the vendor call for a change, built from a read taken just before it),
`took_effect` (a re-read that tells whether a change shows), `check_credentials` (refuse writes
the credentials cannot make, before any write). `apply` runs the SPEC 2 retry rules over them
once for every vendor.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from netsync.compare import FieldRules
from netsync.http import (
    SYSTEM_CLOCK,
    Attempts,
    Clock,
    Credential,
    RetryPolicy,
    Secrets,
    TokenBucket,
    VendorClient,
    VendorError,
)
from netsync.model import Change, Diagnostic, LiveResource, Outcome, ReadResult, Resource
from netsync.model import ResourceType as Kind
from netsync.parallel import run_parallel
from netsync.providers.answers import (
    HINTS,
    SHAPE_ERRORS,
    absent,
    describe_page,
    fail,
    is_json,
    shape_error,
)

CONFIRM_POLL = 1.0  # seconds between re-reads while a Smokeball-style write becomes visible
STILL_WAITING_EVERY = 10.0
MAX_SENDS = 3  # a non-idempotent write is sent at most this often, each after a re-read


PER_RESOURCE_SWITCH = "NETSYNC_PER_RESOURCE_READS"  # internal: the benchmark's peer mode


@dataclass(frozen=True)
class Options:
    """How providers run, as opposed to what they talk to (the config's settings)."""

    @classmethod
    def of(cls, env: Mapping[str, str], *, parallelism: int, max_wait: float) -> Options:
        """The run's options; `NETSYNC_PER_RESOURCE_READS=1` (an internal switch) reads one
        GET per resource, as a per-resource tool would, for the benchmark's comparison."""
        per_resource = env.get(PER_RESOURCE_SWITCH) == "1"
        return cls(parallelism=parallelism, max_wait=max_wait, per_resource=per_resource)

    discover: frozenset[Kind] = frozenset()  # read every live object of these kinds
    parallelism: int = 16  # requests in flight per vendor unless its `concurrency` says
    per_resource: bool = False  # one GET per resource, never a list (the benchmark's peer)
    clock: Clock = SYSTEM_CLOCK
    transport: httpx.BaseTransport | None = None  # tests: httpx.MockTransport
    max_wait: float = 120.0  # --max-wait
    # The plan's review (routing impact, firm-profile checks) will run: its reads may start
    # while the plan reads (case types, whether a firm to create exists, what a re-referred
    # case is); `profiles`: the firm-profile checks are on, so the receiving firms' profiles
    # are needed too.
    reference: bool = False
    profiles: bool = False


@dataclass(frozen=True)
class Prefetch:
    """An account-wide read (a list that replaces many single GETs, or discovers undeclared
    objects). When it fails, only `kinds` are left unread; no kinds means the whole vendor."""

    run: Callable[[], None]
    kinds: frozenset[Kind] = frozenset()


@dataclass(frozen=True)
class Write:
    """One vendor call that makes a change, in the vendor's own vocabulary."""

    method: str
    path: str
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotent: bool = True  # safe to send again: PUT, the outbound upsert, DELETE
    credential: Credential | bool = True  # True: the provider's default credential
    confirm: bool = False  # accepted now, visible later (Smokeball 202): re-read until it shows
    verify: bool = False  # re-read once after success (a re-refer may answer 200 or 201)
    gone_ok: bool = False  # a 404 means the work is done (DELETE)
    request_id: str | None = None  # an id we send (Smokeball RequestId), for the report


@dataclass
class WriteResult:
    outcome: Outcome
    method: str | None = None
    path: str | None = None
    status: int | None = None
    attempts: int = 0
    request_id: str | None = None
    message: str | None = None


class MissingCredential(VendorError):
    pass


def require_env(vendor: str, env: Mapping[str, str], variable: str | None, what: str) -> str:
    value = env.get(variable or "", "")
    if not value:
        raise MissingCredential(vendor, f"{what} is not set: export {variable}")
    Secrets.add(value)
    return value


def make_client(
    vendor: str,
    settings: Mapping[str, Any],
    options: Options,
    *,
    default_rate: float | None,
    burst: float | None,
) -> VendorClient:
    rate = settings.get("rate_limit", default_rate)
    # One request of the vendor's burst stays in reserve: requests leave here exactly paced,
    # but network jitter can bring two of them closer together by the time they arrive.
    reserve = max(1.0, (burst if burst is not None else rate or 1) - 1)
    bucket = TokenBucket(rate, reserve, clock=options.clock) if rate else None
    base_url = settings.get("base_url")
    if not base_url:
        raise VendorError(vendor, "no base_url configured")
    for url in (base_url, settings.get("auth_url")):  # user:password@ in a URL is a credential
        parts = urlsplit(url or "")
        Secrets.add(parts.password)
    return VendorClient(
        vendor=vendor,
        base_url=base_url,
        timeout=float(settings.get("timeout") or 30),
        rate_limit=bucket,
        retry=RetryPolicy(max_wait=options.max_wait),
        # Requests in flight at this vendor, reads of every kind and the review's alike.
        concurrency=settings.get("concurrency") or options.parallelism,
        pool=settings.get("concurrency") or options.parallelism,
        clock=options.clock,
        transport=options.transport,
    )


class Once:
    """Compute a value once even when many threads ask at the same time."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._done = False
        self._value: Any = None

    def get(self) -> Any:
        if self._done:  # computed: no lock, so thousands of reads never queue on it
            return self._value
        with self._lock:
            if not self._done:
                self._value = self._compute()
                self._done = True
            return self._value


PAGING_THRESHOLD = 5  # a handful of resources: single GETs, never a page of the account
PAGE_READS = 8  # list pages read at the same time

PageReader = Callable[[int], tuple[list[dict[str, Any]], int]]


def every_page(read_page: PageReader) -> list[dict[str, Any]]:
    """Every item of a paged list: page 0 tells how many pages there are, the rest are read at
    the same time (the client's limits still pace them), kept in page order."""
    first, pages = read_page(0)
    items = list(first)
    rest = range(1, pages)
    for more, _ in run_parallel(read_page, rest, max(1, min(len(rest), PAGE_READS))):
        items.extend(more)
    return items


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
    # The other pages are read at the same time (the client's own limits still pace them) and
    # kept in page order, as one after the other would.
    rest = range(1, pages)
    for items, _ in run_parallel(read_page, rest, min(len(rest), PAGE_READS)):
        for item in items:
            keep(item)


class Provider:
    """One vendor: reads, normalising, the write vocabulary, and whether a write took effect.

    Subclasses set `name`, `label` and `field_rules`, build `self.client` in their constructor
    and fill in the hooks below.
    """

    name: ClassVar[str] = ""  # registry key and settings section: "casexchange"
    label: ClassVar[str] = ""  # as users know it: "CaseXchange"
    field_rules: ClassVar[Mapping[Kind, FieldRules]] = {}
    defaults: ClassVar[Mapping[str, Any]] = {}  # settings a config may leave out
    url_variables: ClassVar[Mapping[str, str]] = {}  # setting -> variable that replaces it
    base_url_example: ClassVar[str | None] = None  # for "needs a base_url" (no default URL)
    # Reference reads a plan's review uses (CaseXchange: case types, firm profiles, routing
    # evaluation); None for a vendor without any.
    reference: Any = None
    hints: ClassVar[Mapping[int, str]] = HINTS  # the usual cause of a status, for messages
    # Fields of a kind the vendor's writes cannot change, and why: never managed.
    unwritable: ClassVar[Mapping[Kind, tuple[tuple[str, ...], str]]] = {}
    # The fields `netsync export` writes of a kind unless --all-fields (default: all of them).
    exported: ClassVar[Mapping[Kind, tuple[str, ...]]] = {}
    client: VendorClient

    @classmethod
    def settle(cls, settings: dict[str, Any]) -> dict[str, Any]:
        """Settings derived from others (Smokeball's URLs from its region)."""
        return settings

    def __init__(
        self, settings: Mapping[str, Any], env: Mapping[str, str], options: Options
    ) -> None:
        self.settings = settings
        self.env = env
        self.options = options
        self._result = ReadResult()
        self._lock = threading.Lock()

    # --- read side ---------------------------------------------------------------------------

    def prefetch(self, desired: list[Resource]) -> list[Prefetch]:
        """Account-wide reads to run first (lists that replace many single GETs)."""
        return []

    def width(self, parallelism: int) -> int:
        """Reads of this vendor in flight at once: its `concurrency`, else `--parallelism`."""
        return int(self.settings.get("concurrency") or parallelism)

    def lists(self) -> bool:
        """Whether list reads may replace single GETs (not in the per-resource mode)."""
        return not self.options.per_resource

    def read(self, resource: Resource) -> LiveResource:
        raise NotImplementedError

    def normalize_desired(self, resource: Resource) -> dict[str, Any]:
        """Desired fields in the vocabulary live fields are compared in."""
        return dict(resource.fields)

    def result(self) -> ReadResult:
        return self._result

    def counted(self) -> None:
        with self._lock:
            self._result.requests += 1

    def close(self) -> None:
        self.client.close()

    # --- write side --------------------------------------------------------------------------

    def check_credentials(self, changes: list[Change]) -> list[Diagnostic]:
        """Writes these credentials cannot make, found before any write (key tiers)."""
        return []

    def prepare(self, change: Change) -> Write:
        """The call that makes `change`, built from a read taken just before it."""
        raise NotImplementedError

    def took_effect(self, change: Change) -> bool:
        """Re-read: whether the live state now shows `change`."""
        raise NotImplementedError

    def request_id(self, response: httpx.Response) -> str | None:
        """The vendor's id of the call, for the report."""
        return None

    def confirm_timeout(self) -> float:
        return 0.0

    def apply(self, change: Change, progress: Callable[[str], None]) -> WriteResult:
        """Make one change with SPEC 2's rules: a write that is not safe to repeat is sent
        again only after a re-read shows it did not take effect; accepted-later writes are
        re-read until they show or `confirm_timeout` passes."""
        try:
            write = self.prepare(change)
        except VendorError as exc:
            return WriteResult(Outcome.FAILED, message=str(exc))
        except SHAPE_ERRORS as exc:
            return WriteResult(Outcome.FAILED, message=str(shape_error(self.label, exc)))
        result = WriteResult(Outcome.FAILED, write.method, write.path, request_id=write.request_id)
        attempts = Attempts()
        ambiguous = False
        try:
            for send in range(MAX_SENDS):
                if send:
                    self.client.clock.sleep(self.client.retry.backoff(send))
                outcome = self._send(change, write, result, attempts, ambiguous, progress)
                if outcome is not None:
                    result.outcome = outcome
                    return result
                ambiguous = True  # may have reached the vendor; a re-read said it did not
            result.message = (
                f"{self.label}: {write.method} {write.path}: no answer after {MAX_SENDS} "
                "sends, and a re-read shows the change did not take effect"
            )
            return result
        except VendorError as exc:
            result.message = str(exc)
            result.status = exc.status if exc.status is not None else result.status
            return result
        except SHAPE_ERRORS as exc:
            result.message = str(shape_error(self.label, exc))
            return result
        finally:
            result.attempts = attempts.count

    def _send(
        self,
        change: Change,
        write: Write,
        result: WriteResult,
        attempts: Attempts,
        ambiguous: bool,
        progress: Callable[[str], None],
    ) -> Outcome | None:
        """One send; the outcome, or None when it may have reached the vendor but a re-read
        shows it did not take effect (so it is safe to send again)."""
        try:
            response = self.client.request(
                write.method,
                write.path,
                json=write.body,
                headers=write.headers,
                credential=write.credential,
                idempotent=write.idempotent,
                attempts=attempts,
            )
        except VendorError as exc:
            if not exc.maybe_applied:
                raise
            return self._reread(change, result, exc.reason)
        result.status = response.status_code
        result.request_id = result.request_id or self.request_id(response)
        if response.is_success and response.content and not is_json(response):
            # A page from a proxy or a wrong base URL, not the vendor's answer: the write may
            # or may not have reached the vendor.
            what = f"answered {response.status_code} with {describe_page(response)}, not its JSON"
            if write.idempotent:
                where = f"{write.method} {write.path}"
                raise VendorError(self.label, f"{where}: {what}: is the base URL right?")
            return self._reread(change, result, what)
        if response.is_success:
            if write.confirm:
                return self._confirm(change, result, progress)
            if write.verify:
                return self._verify(change, result, response.status_code)
            return Outcome.APPLIED
        if write.gone_ok and absent(response):  # sent before: an earlier send did it
            again = ambiguous or attempts.count > 1
            return Outcome.APPLIED if again else Outcome.ALREADY_APPLIED
        if not write.idempotent and response.status_code >= 500:
            return self._reread(change, result, f"answered {response.status_code}")
        if ambiguous and self.took_effect(change):
            return Outcome.ALREADY_APPLIED  # e.g. 409 conflict: an earlier send did take effect
        raise fail(self.label, write.method, write.path, response, self.hints)

    def _reread(self, change: Change, result: WriteResult, what: str) -> Outcome | None:
        """After a send that may have reached the vendor: APPLIED when a re-read shows the
        change, None (safe to send again) when it shows it did not take effect."""
        try:
            took = self.took_effect(change)
        except VendorError as exc:
            raise VendorError(
                self.label,
                f"{what}; the write may have reached {self.label} and the re-read that would "
                f"tell failed ({exc}): run netsync plan to see where it stands",
                maybe_applied=True,
            ) from None
        if took:
            result.message = f"{what}, but a re-read shows the change took effect"
            return Outcome.APPLIED
        return None

    def _verify(self, change: Change, result: WriteResult, status: int) -> Outcome:
        """One re-read after an accepted write (a re-referral answers 200 or 201 either way)."""
        try:
            if self.took_effect(change):
                return Outcome.APPLIED
            result.message = f"answered {status}, but a re-read does not show the change"
        except VendorError as exc:
            result.message = f"answered {status}; the re-read that would confirm it failed: {exc}"
        return Outcome.UNCONFIRMED

    def _confirm(
        self, change: Change, result: WriteResult, progress: Callable[[str], None]
    ) -> Outcome:
        """Re-read until an accepted write shows, up to `confirm_timeout`; a re-read that fails
        is tried again (the write was accepted: it is unconfirmed, never failed)."""
        clock = self.client.clock
        started = clock.monotonic()
        next_note = STILL_WAITING_EVERY
        while True:
            try:
                if self.took_effect(change):
                    return Outcome.APPLIED
            except VendorError as exc:
                result.message = f"accepted; re-reading it failed: {exc}"
            waited = clock.monotonic() - started
            if waited >= self.confirm_timeout():
                return Outcome.UNCONFIRMED
            if waited >= next_note:
                progress(f"still waiting ({int(waited)} s)")
                next_note += STILL_WAITING_EVERY
            clock.sleep(min(CONFIRM_POLL, self.confirm_timeout() - waited))
