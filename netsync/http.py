"""The one HTTP layer every provider uses: timeouts, client-side rate limits, retries that honour
the vendor's Retry-After / X-RateLimit-Reset, and redaction of credentials in every message.

Retries are our own ~40 lines rather than a library: the wait must come from the vendor's headers
first and capped exponential backoff with jitter only otherwise, which a generic library needs the
same amount of custom code for.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

log = logging.getLogger("netsync.http")
T = TypeVar("T")
R = TypeVar("R")

RETRY_STATUSES = {429, 502, 503, 504}
IDEMPOTENT = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}


class Secrets:
    """Every credential value seen this run, so no message can leak one."""

    _values: set[str] = set()
    _lock = threading.Lock()

    @classmethod
    def add(cls, value: str | None) -> None:
        if value and len(value) >= 4:
            with cls._lock:
                cls._values.add(value)

    @classmethod
    def redact(cls, text: str) -> str:
        for value in sorted(cls._values, key=len, reverse=True):
            text = text.replace(value, "***")
        return text


class VendorError(Exception):
    """A vendor call that failed for good; the message is safe to print."""

    def __init__(
        self,
        vendor: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(Secrets.redact(f"{vendor}: {message}"))
        self.vendor = vendor
        self.status = status
        self.code = code


class TokenBucket:
    """Client-side rate limit: `rate` requests per second with bursts of `burst`."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = max(1.0, burst if burst is not None else rate)
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


def retry_after(response: httpx.Response, now: float | None = None) -> float | None:
    """Seconds the vendor asked us to wait, from Retry-After or X-RateLimit-Reset (Unix time)."""
    now = time.time() if now is None else now
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    reset = response.headers.get("X-RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return None
    return None


AuthHook = Callable[[dict[str, str]], None]


@dataclass
class VendorClient:
    """One vendor's HTTP client. Auth is a hook that fills headers, so token renewal stays in
    the provider that knows the vendor's login flow."""

    vendor: str
    base_url: str
    timeout: float = 30.0
    rate_limit: TokenBucket | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    auth: AuthHook | None = None
    transport: httpx.BaseTransport | None = None
    max_connections: int = 64
    concurrency: int | None = None  # the provider's `concurrency` setting: requests in flight
    _client: httpx.Client | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: threading.BoundedSemaphore | None = None

    def __post_init__(self) -> None:
        if self.concurrency:
            self._in_flight = threading.BoundedSemaphore(self.concurrency)
            self.max_connections = min(self.max_connections, self.concurrency)

    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                limits = httpx.Limits(
                    max_connections=self.max_connections,
                    max_keepalive_connections=self.max_connections,
                )
                self._client = httpx.Client(
                    timeout=self.timeout, limits=limits, transport=self.transport
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        auth: AuthHook | None | bool = True,
        retry: bool | None = None,
    ) -> httpx.Response:
        """Send one request; retries only what is safe to repeat (GET/PUT/DELETE by default).

        Returns the final response whatever its status (providers decide what a 404 means);
        raises VendorError when the vendor could not be reached at all.
        """
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        retry = method.upper() in IDEMPOTENT if retry is None else retry
        attempts = self.retry.attempts if retry else 1
        response: httpx.Response | None = None
        for attempt in range(attempts):
            send_headers = dict(headers or {})
            hook = self.auth if auth is True else (auth or None)
            if hook:
                hook(send_headers)
            if self.rate_limit:
                self.rate_limit.acquire()
            try:
                with self._in_flight or nullcontext():
                    response = self.client.request(
                        method, url, json=json, params=params, headers=send_headers, data=data
                    )
            except httpx.HTTPError as exc:
                reason = _describe_transport_error(exc)
                if attempt + 1 >= attempts:
                    raise VendorError(
                        self.vendor, f"{method} {_show(url)} failed: {reason}"
                    ) from None
                delay = self.retry.backoff(attempt)
                log.warning(
                    Secrets.redact(f"{self.vendor}: {method} {_show(url)}: {reason}; retrying")
                )
                self.retry.sleep(delay)
                continue
            if response.status_code not in RETRY_STATUSES or attempt + 1 >= attempts:
                return response
            delay = retry_after(response)
            if delay is None:
                delay = self.retry.backoff(attempt)
            delay = min(delay, self.retry.max_delay)
            log.info(
                "%s: %s on %s %s; retry in %.1fs",
                self.vendor,
                response.status_code,
                method,
                _show(url),
                delay,
            )
            self.retry.sleep(delay)
        assert response is not None
        return response


def _show(url: str) -> str:
    """A URL safe for messages: no query string (it could carry an identifier of a client)."""
    return Secrets.redact(url.split("?", 1)[0])


def _describe_transport_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect (is the URL right and the service reachable?)"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return type(exc).__name__


def run_parallel(fn: Callable[[T], R], items: Iterable[T], parallelism: int) -> Iterator[R]:
    """Apply `fn` to every item with at most `parallelism` in flight; results in input order.

    The single code path for serial (parallelism 1) and concurrent work.
    """
    items = list(items)
    if parallelism <= 1 or len(items) <= 1:
        yield from (fn(item) for item in items)
        return
    with ThreadPoolExecutor(max_workers=min(parallelism, len(items))) as pool:
        yield from pool.map(fn, items)
