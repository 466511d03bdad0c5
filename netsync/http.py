"""The one HTTP layer every provider uses: timeouts, client-side rate limits, a per-vendor cap on
requests in flight, retries that honour the vendor's Retry-After / X-RateLimit-Reset, credentials
that renew themselves, and redaction of credentials in every message.

Retries are our own code rather than a library: the wait must come from the vendor's headers
first and capped exponential backoff with jitter only otherwise, and whether a request may be
sent again depends on the write (SPEC 2), not on the HTTP method.

Time comes from a `Clock`, so every timing rule is unit-tested with a fake clock and fake sleep.
"""

from __future__ import annotations

import base64
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from netsync.connections import Connections, Deferred, env_proxies, lean

log = logging.getLogger("netsync.http")

RATE_LIMITED = 429
TRANSIENT = {502, 503, 504}  # retried when the request is safe to repeat


class Clock:
    """Monotonic time, wall time and sleep; tests pass a fake one."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


SYSTEM_CLOCK = Clock()


class Secrets:
    """Every credential value seen this run, so no message can leak one, in any encoding."""

    _values: set[str] = set()
    _lock = threading.Lock()

    @classmethod
    def add(cls, value: str | None) -> None:
        if not value or len(value) < 4:
            return
        forms = {value, quote(value, safe=""), base64.b64encode(value.encode()).decode()}
        with cls._lock:
            cls._values.update(f for f in forms if len(f) >= 4)

    @classmethod
    def redact(cls, text: str) -> str:
        for value in sorted(cls._values, key=len, reverse=True):
            text = text.replace(value, "***")
        return text


class VendorError(Exception):
    """A vendor call that failed for good; the message is safe to print.

    `maybe_applied` is true when a write that is not safe to repeat may have reached the vendor
    (a timeout or reset after sending): only a re-read can tell whether it took effect.
    """

    def __init__(
        self,
        vendor: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        maybe_applied: bool = False,
    ) -> None:
        super().__init__(Secrets.redact(f"{vendor}: {message}"))
        self.reason = Secrets.redact(message)  # the message without the vendor's name
        self.vendor = vendor
        self.status = status
        self.code = code
        self.maybe_applied = maybe_applied


class TokenBucket:
    """Client-side rate limit: `rate` requests per second with bursts of `burst`."""

    def __init__(self, rate: float, burst: float | None = None, clock: Clock = SYSTEM_CLOCK):
        self.rate = rate
        self.capacity = max(1.0, burst if burst is not None else rate)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock.monotonic()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self.lock:
                now = self.clock.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = max((1 - self.tokens) / self.rate, 1e-3)
            self.clock.sleep(wait)


class WindowPacer:
    """Pacing from a vendor's `X-RateLimit-Limit/-Remaining/-Reset` answers (a fixed window
    per key): spend what the window has left, counting requests still in flight, then wait for
    its reset. A 429 becomes the exception, not the signal. A window that ends further away
    than --max-wait is the vendor refusing for that long: requests fail at once, saying when."""

    def __init__(self, vendor: str, clock: Clock = SYSTEM_CLOCK, max_wait: float = 120.0):
        self.vendor = vendor
        self.clock = clock
        self.max_wait = max_wait  # a window that ends later than this is a vendor's refusal
        self.lock = threading.Lock()
        self.limit: int | None = None
        self.remaining: int | None = None  # None: nothing known, send freely
        self.reset: float | None = None  # Unix time the window ends
        self.in_flight = 0
        self.answered = False  # the first answer tells whether (and how) the vendor paces

    def acquire(self) -> None:
        while True:
            with self.lock:
                now = self.clock.time()
                if self.reset is not None and now >= self.reset:  # a new window
                    self.remaining, self.reset = self.limit, None
                probing = not self.answered and self.in_flight > 0
                free = self.remaining is None or self.remaining - self.in_flight > 0
                if free and not probing:
                    self.in_flight += 1
                    return
                wait = self.reset - now if self.reset is not None and not probing else 0.01
                if wait > self.max_wait:
                    when = datetime.fromtimestamp(now + wait, UTC)
                    raise VendorError(
                        self.vendor,
                        f"the rate-limit window ends in {wait:.0f} s, more than --max-wait "
                        f"{self.max_wait:.0f} s; retry after {when:%Y-%m-%d %H:%M:%S} UTC",
                        status=RATE_LIMITED,
                    )
            self.clock.sleep(min(max(wait, 0.01), 60.0))

    def release(self, response: httpx.Response | None) -> None:
        with self.lock:
            self.in_flight -= 1
            if response is None:
                return
            self.answered = True
            limit = _header_number(response, "X-RateLimit-Limit")
            remaining = _header_number(response, "X-RateLimit-Remaining")
            reset = _header_number(response, "X-RateLimit-Reset")
            if response.status_code == RATE_LIMITED and remaining is None and reset is not None:
                remaining = 0  # refused until the reset it names
            if remaining is None:
                return
            self.limit = int(limit) if limit is not None else self.limit
            newer = reset is not None and (self.reset is None or reset > self.reset)
            if newer or self.remaining is None:
                self.remaining, self.reset = int(remaining), reset
            else:  # answers of one window arrive in any order: the lowest count is the truth
                self.remaining = min(self.remaining, int(remaining))


def _header_number(response: httpx.Response, name: str) -> float | None:
    try:
        return float(response.headers[name])
    except (KeyError, ValueError):
        return None


@dataclass
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.25
    max_delay: float = 30.0  # our own backoff never waits longer than this
    max_wait: float = 120.0  # `--max-wait`: the longest wait a vendor may demand on a 429
    jitter: Callable[[float, float], float] = random.uniform

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * 2**attempt)
        return self.jitter(ceiling / 2, ceiling)


def retry_after(response: httpx.Response, now: float) -> float | None:
    """Seconds the vendor asked us to wait, from Retry-After or X-RateLimit-Reset (Unix time)."""
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


class Credential:
    """Fills a request's auth headers; may renew itself when the vendor says it expired."""

    def apply(self, headers: dict[str, str]) -> None:
        raise NotImplementedError

    def renew(self, response: httpx.Response, used: Mapping[str, str]) -> bool:
        """After a 401: True when the credential was renewed and the request may be resent."""
        return False


class Headers(Credential):
    """Static headers computed on first use (so a missing variable fails the first request)."""

    def __init__(self, make: Callable[[], Mapping[str, str]]) -> None:
        self._make = make

    def apply(self, headers: dict[str, str]) -> None:
        headers.update(self._make())


@dataclass
class Attempts:
    """How many times a call was sent, for apply reports."""

    count: int = 0


# A request failed before any byte reached the vendor: always safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
MAX_ANSWER = 32 * 1024 * 1024  # bytes: a vendor answer larger than this is refused, unread
DROPPED = (b"content-encoding", b"content-length", b"transfer-encoding")  # of a decoded body


class AnswerTooLarge(httpx.DecodingError):
    """The vendor's answer is larger than MAX_ANSWER: refused before it fills the memory."""


class AnswerTooSlow(httpx.ReadTimeout):
    """The answer kept trickling in past the timeout (each chunk on time, the whole not)."""


@dataclass
class VendorClient:
    """One vendor's HTTP client. Credentials are objects that fill headers and renew
    themselves, so each vendor's login flow stays in its provider."""

    vendor: str
    base_url: str
    timeout: float = 30.0
    rate_limit: TokenBucket | None = None
    pacer: WindowPacer | None = None  # pacing from the vendor's rate-limit headers
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    credential: Credential | None = None
    transport: httpx.BaseTransport | None = None
    concurrency: int | None = None  # requests in flight at most (`concurrency`, else parallelism)
    pool: int = 16  # connections kept alive: as many as requests in flight, no more to scan
    clock: Clock = SYSTEM_CLOCK
    _client: httpx.Client | None = None
    _connections: Connections | None = None  # keep-alive connections of the lean send path
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _in_flight: threading.BoundedSemaphore | None = None

    def __post_init__(self) -> None:
        if self.concurrency:
            self._in_flight = threading.BoundedSemaphore(self.concurrency)

    @property
    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                # The semaphore is the one cap on requests in flight; the pool only keeps
                # connections alive for reuse, sized to what is in flight.
                limits = httpx.Limits(max_connections=None, max_keepalive_connections=self.pool)
                lean_path = self.transport is None and not env_proxies()
                transport = Deferred(limits) if lean_path else self.transport
                self._client = httpx.Client(
                    timeout=self.timeout, limits=limits, transport=transport
                )
                if lean_path:
                    self._connections = Connections(self._client, self.pool)
            return self._client

    def close(self) -> None:
        if self._connections is not None:
            self._connections.close()
        if self._client is not None:
            self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        credential: Credential | None | bool = True,
        idempotent: bool = True,
        attempts: Attempts | None = None,
    ) -> httpx.Response:
        """Send one request and return the final response whatever its status (providers
        decide what a 404 means); raises VendorError when no usable answer came.

        Rate limits (429) and failures before sending are retried for every request. 502, 503,
        504 and failures after sending are retried only when `idempotent`; otherwise the 5xx
        response is returned, or VendorError(maybe_applied=True) raised, for the caller to
        re-read before it sends again.
        """
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        auth = self.credential if credential is True else (credential or None)
        payload = {"json": json, "content": content, "params": params, "data": data}
        renewed = False
        attempt = 0
        while True:
            sent_headers = dict(headers or {})
            if auth is not None:
                auth.apply(sent_headers)
            try:
                response = self._send(method, url, sent_headers, payload, attempts)
            except httpx.HTTPError as exc:
                attempt += 1
                self._transport_failure(exc, method, url, attempt, idempotent)
                continue
            expired = response.status_code == 401 and auth is not None and not renewed
            if expired and auth.renew(response, sent_headers):
                renewed = True
                continue
            retryable = response.status_code == RATE_LIMITED or (
                idempotent and response.status_code in TRANSIENT
            )
            attempt += 1
            if not retryable or attempt >= self.retry.attempts:
                return response
            self._wait(response, method, url, attempt)

    def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        payload: dict[str, Any],
        attempts: Attempts | None,
    ) -> httpx.Response:
        """One send, paced by the rate limit and within the cap on requests in flight."""
        if self.rate_limit:
            self.rate_limit.acquire()
        if attempts is not None:
            attempts.count += 1
        with self._in_flight or nullcontext():
            request = self.client.build_request(method, url, headers=headers, **payload)
            started = self.clock.monotonic()
            if self.pacer:
                self.pacer.acquire()
            response = None
            try:
                response = self._dispatch(request)
                try:
                    content = self._read(response)
                finally:
                    response.close()
            finally:
                if self.pacer:
                    self.pacer.release(response)
        if log.isEnabledFor(logging.DEBUG):
            elapsed = (self.clock.monotonic() - started) * 1000
            log.debug(
                "%s: %s %s -> %s (%.0f ms)",
                self.vendor,
                method,
                _show(url),
                response.status_code,
                elapsed,
            )
        # The body is decoded already: drop the headers that described its transfer encoding.
        kept = [
            (name, value) for name, value in response.headers.raw if name.lower() not in DROPPED
        ]
        return httpx.Response(response.status_code, headers=kept, content=content, request=request)

    def _dispatch(self, request: httpx.Request) -> httpx.Response:
        """`httpx.Client.send(request, stream=True)`, on the lean path when it is the same."""
        if self._connections is not None and lean(request):
            return self._connections.send(request)
        return self.client.send(request, stream=True)

    def _read(self, response: httpx.Response) -> bytes:
        """The whole body, bounded in size and in total time (a slow drip of small chunks
        would never trip a per-read timeout)."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER:
            raise AnswerTooLarge(f"{int(declared)} bytes")
        deadline = self.clock.monotonic() + self.timeout
        body = bytearray()
        for chunk in _chunks(response):
            body += chunk
            if len(body) > MAX_ANSWER:
                raise AnswerTooLarge(f"more than {MAX_ANSWER} bytes")
            if self.clock.monotonic() > deadline:
                raise AnswerTooSlow(f"still arriving after {self.timeout:g} s")
        return bytes(body)

    def _transport_failure(
        self, exc: httpx.HTTPError, method: str, url: str, attempt: int, idempotent: bool
    ) -> None:
        """Sleep before the next attempt, or raise when there is none: attempts are used up,
        or the request may have reached the vendor and is not safe to repeat."""
        reason = _describe_transport_error(exc)
        unsent = isinstance(exc, _NOT_SENT)
        final = isinstance(exc, AnswerTooLarge)  # it would be as large again
        if final or attempt >= self.retry.attempts or not (unsent or idempotent):
            raise VendorError(
                self.vendor,
                f"{method} {_show(url)} failed: {reason}",
                maybe_applied=not unsent and not idempotent,
            ) from None
        log.warning(Secrets.redact(f"{self.vendor}: {method} {_show(url)}: {reason}"))
        self.clock.sleep(self.retry.backoff(attempt - 1))

    def _wait(self, response: httpx.Response, method: str, url: str, attempt: int) -> None:
        demanded = retry_after(response, self.clock.time())
        if demanded is not None and demanded > self.retry.max_wait:
            when = datetime.fromtimestamp(self.clock.time() + demanded, UTC)
            raise VendorError(
                self.vendor,
                f"{method} {_show(url)}: {response.status_code}: the vendor asks to wait "
                f"{demanded:.0f} s, more than --max-wait {self.retry.max_wait:.0f} s; "
                f"retry after {when:%Y-%m-%d %H:%M:%S} UTC",
                status=response.status_code,
            )
        delay = demanded if demanded is not None else self.retry.backoff(attempt - 1)
        log.info(
            "%s: %s on %s %s; retry in %.1fs",
            self.vendor,
            response.status_code,
            method,
            _show(url),
            delay,
        )
        self.clock.sleep(delay)


def _chunks(response: httpx.Response) -> Iterator[bytes]:
    """The body's bytes as `iter_bytes` gives them. Without a Content-Encoding there is nothing
    to decode, so they come straight from the stream, past httpx's decoder and chunker."""
    if "Content-Encoding" in response.headers:
        return response.iter_bytes()
    return (chunk for chunk in response.stream if chunk)  # type: ignore[union-attr]


def public_url(url: str) -> str:
    """A URL without userinfo (`user:password@`), fit for plan files and messages."""
    parsed = urlsplit(url)
    if "@" not in parsed.netloc:
        return url
    return urlunsplit(parsed._replace(netloc=parsed.netloc.rsplit("@", 1)[1]))


def _show(url: str) -> str:
    """A URL safe for messages: no query string (it could carry an identifier of a client)."""
    return Secrets.redact(public_url(url.split("?", 1)[0]))


def _describe_transport_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect (is the URL right and the service reachable?)"
    if isinstance(exc, AnswerTooLarge):
        return f"the answer is too large ({exc}; netsync reads at most {MAX_ANSWER // 2**20} MB)"
    if isinstance(exc, AnswerTooSlow):
        return f"the answer is too slow ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ReadError | httpx.WriteError | httpx.RemoteProtocolError):
        return f"the connection broke mid-answer ({type(exc).__name__})"
    return type(exc).__name__
