"""Keep-alive connections for `VendorClient`: httpx's send path, without its per-request weight.

httpx's `Client.send` -> `HTTPTransport` -> `httpcore.ConnectionPool` costs several times the
HTTP/1.1 exchange itself for each small GET, and at thousands of reads per plan that cost is
most of a plan's CPU (the pool scans and polls every idle connection under one lock, twice per
request). `Connections` sends a request that `httpx.Client.build_request` made on an
`httpcore.HTTPConnection` of its own stack of idle ones, so the bytes sent, the HTTP/1.1 parsing
(h11), the exceptions and the response are httpx's own. It only takes requests whose
`httpx.Client.send` would do nothing more (`lean`): no proxy from the environment, no
credentials in the URL. What else `send` does is done here as it does it: cookies are kept,
the answer is logged on the `httpx` logger, and a redirect with an unusable `Location` is
refused with the same error.
"""

from __future__ import annotations

import logging
import ssl
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

log = logging.getLogger("httpx")
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept, as httpx's default `Limits`
TLS = (b"https", b"wss")  # the schemes httpcore wraps in TLS

# httpcore's exceptions -> httpx's, the most specific match winning (as httpx maps them).
_ERRORS: dict[type[Exception], type[httpx.HTTPError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}


def _mapped(exc: Exception, request: httpx.Request) -> httpx.HTTPError | None:
    """The httpx exception for an httpcore one; None for any other exception."""
    found: type[httpx.HTTPError] | None = None
    for source, target in _ERRORS.items():
        if isinstance(exc, source) and (found is None or issubclass(target, found)):
            found = target
    if found is None:
        return None
    mapped = found(str(exc))
    if isinstance(mapped, httpx.RequestError):
        mapped.request = request
    return mapped


def env_proxies() -> bool:
    """Whether the environment names a proxy (httpx's `trust_env` would route through it)."""
    found = urllib.request.getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


def lean(request: httpx.Request) -> bool:
    """Whether `httpx.Client.send` would add nothing to the request (no URL credentials: they
    would become Basic auth)."""
    return not request.url.userinfo


@dataclass(frozen=True)
class _Held:
    """A connection in use, with the origin whose idle stack it goes back to."""

    origin: tuple[bytes, bytes, int]  # (scheme, host, port): httpcore's Origin is unhashable
    connection: httpcore.HTTPConnection


class _Body(httpx.SyncByteStream):
    """The answer's bytes; closing it hands a reusable connection back to the stack."""

    def __init__(
        self, stream: Any, owner: Connections, held: _Held, request: httpx.Request
    ) -> None:
        self._stream = stream
        self._owner = owner
        self._held = held
        self._request = request
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except Exception as exc:
            mapped = _mapped(exc, self._request)
            if mapped is None:
                raise
            raise mapped from exc

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._stream.close()
        finally:
            self._owner.release(self._held)


class Connections:
    """Idle keep-alive connections per origin, at most `keep` of them in all."""

    def __init__(self, client: httpx.Client, keep: int) -> None:
        self._client = client
        self._keep = keep
        self._idle: dict[tuple[bytes, bytes, int], list[httpcore.HTTPConnection]] = {}
        self._count = 0
        self._lock = threading.Lock()
        self._closed = False
        self._ssl: ssl.SSLContext | None = None

    def send(self, request: httpx.Request) -> httpx.Response:
        """`httpx.Client.send(request, stream=True)` for a `lean` request."""
        if self._closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        url = request.url
        _check_scheme(request)
        sent = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        held = self._take(sent.url.origin)
        try:
            answer = held.connection.handle_request(sent)
        except Exception as exc:
            held.connection.close()
            mapped = _mapped(exc, request)
            if mapped is None:
                raise
            raise mapped from exc
        response = httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream, self, held, request),
            extensions=answer.extensions,
            request=request,
        )
        if "set-cookie" in response.headers or "set-cookie2" in response.headers:
            self._client.cookies.extract_cookies(response)
        if log.isEnabledFor(logging.INFO):
            log.info(
                'HTTP Request: %s %s "%s %d %s"',
                request.method,
                request.url,
                response.http_version,
                response.status_code,
                response.reason_phrase,
            )
        if response.has_redirect_location:
            try:
                _redirect_url(request, response)
            except BaseException:
                response.close()
                raise
        return response

    def _take(self, origin: httpcore.Origin) -> _Held:
        """An idle connection to `origin` that is still open, else a new one."""
        key = (origin.scheme, origin.host, origin.port)
        while True:
            with self._lock:
                idle = self._idle.get(key)
                connection = idle.pop() if idle else None
                if connection is not None:
                    self._count -= 1
            if connection is None:
                connection = httpcore.HTTPConnection(
                    origin=origin,
                    ssl_context=self._ssl_context() if origin.scheme in TLS else None,
                    keepalive_expiry=KEEPALIVE_EXPIRY,
                )
                return _Held(key, connection)
            if not connection.has_expired():
                return _Held(key, connection)
            connection.close()

    def _ssl_context(self) -> ssl.SSLContext:
        """What httpx's default transport verifies with (certifi, or SSL_CERT_FILE/DIR)."""
        with self._lock:
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context(verify=True, trust_env=True)
            return self._ssl

    def release(self, held: _Held) -> None:
        """Keep a connection whose answer was read whole; close any other (one the server has
        closed since is found out when it is taken again)."""
        connection = held.connection
        if connection.is_idle():
            with self._lock:
                if not self._closed and self._count < self._keep:
                    self._idle.setdefault(held.origin, []).append(connection)
                    self._count += 1
                    return
        connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [c for stack in self._idle.values() for c in stack]
            self._idle.clear()
            self._count = 0
        for connection in idle:
            connection.close()


def _check_scheme(request: httpx.Request) -> None:
    """httpcore's refusal of a URL it cannot connect to, before any connection is taken."""
    scheme = request.url.raw_scheme.decode()
    if scheme == "":
        raise httpx.UnsupportedProtocol(
            "Request URL is missing an 'http://' or 'https://' protocol.", request=request
        )
    if scheme not in ("http", "https", "ws", "wss"):
        raise httpx.UnsupportedProtocol(
            f"Request URL has an unsupported protocol '{scheme}://'.", request=request
        )


def _redirect_url(request: httpx.Request, response: httpx.Response) -> httpx.URL:
    """What httpx works out of a redirect even when it does not follow it: a `Location` it
    cannot read as a URL is a protocol error."""
    try:
        url = httpx.URL(response.headers["Location"])
    except httpx.InvalidURL as exc:
        raise httpx.RemoteProtocolError(
            f"Invalid URL in location header: {exc}.", request=request
        ) from None
    if url.scheme and not url.host:
        url = url.copy_with(host=request.url.host)
    if url.is_relative_url:
        url = request.url.join(url)
    if request.url.fragment and not url.fragment:
        url = url.copy_with(fragment=request.url.fragment)
    return url
