"""Keep-alive connections for `VendorClient`: httpx's answers, without its per-request weight.

httpx's `Client.send` -> `HTTPTransport` -> `httpcore` -> h11 costs about 0.5 ms of CPU for
each small GET on loopback, several times the exchange itself; at thousands of reads per plan
that is most of a plan's CPU and, with the GIL, of its time. `Connections` sends a request that
`httpx.Client.build_request` made on a stdlib `http.client` connection of its own stack of idle
ones (about 0.15 ms), and answers with an `httpx.Response` carrying the same status, headers
and body; httpx still decodes the body, and every failure is raised as the httpx exception
`send` raises, with httpcore's words. It only takes requests whose `httpx.Client.send` would
do nothing more (`lean`): no proxy from the environment, no credentials in the URL. What else
`send` does is done here as it does it: cookies are kept, the answer is logged on the `httpx`
logger, and a redirect with an unusable `Location` is refused with the same error. What h11
checks on the wire (request headers, the answer's head) is in wire.py.
"""

from __future__ import annotations

import http.client
import logging
import select
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

from netsync.wire import Answer, check_header

log = logging.getLogger("httpx")
KEEPALIVE_EXPIRY = 5.0  # seconds an idle connection is kept, as httpx's default `Limits`
CHUNK = 65_536  # the most one read of an answer's body asks for
TLS = ("https", "wss")  # the schemes httpx connects to over TLS
VERSIONS = {10: b"HTTP/1.0", 11: b"HTTP/1.1"}


@dataclass
class _Held:
    """A connection, the origin whose idle stack it goes back to, and since when it is idle."""

    origin: tuple[str, str, int]
    connection: http.client.HTTPConnection
    idle_since: float = field(default_factory=time.monotonic)


class Deferred(httpx.BaseTransport):
    """httpx's default transport, made on first use. `Connections` sends nearly every request,
    and making one costs about 25 ms of CPU (certificates loaded, httpcore imported) per
    vendor, on the critical path at the start of every plan."""

    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._made: httpx.HTTPTransport | None = None
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            if self._made is None:
                self._made = httpx.HTTPTransport(limits=self._limits)
        return self._made.handle_request(request)

    def close(self) -> None:
        if self._made is not None:
            self._made.close()


def env_proxies() -> bool:
    """Whether the environment names a proxy (httpx's `trust_env` would route through it)."""
    found = urllib.request.getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


def lean(request: httpx.Request) -> bool:
    """Whether `httpx.Client.send` would add nothing to the request (no URL credentials: they
    would become Basic auth)."""
    return not request.url.userinfo


def _failure(exc: BaseException, request: httpx.Request, stage: str) -> httpx.TransportError | None:
    """The httpx exception (httpcore's words) for a failure at `stage` (connect or read);
    None for an exception that is not a transport failure."""
    kinds: dict[str, tuple[type[httpx.TransportError], type[httpx.TransportError]]] = {
        "connect": (httpx.ConnectTimeout, httpx.ConnectError),
        "read": (httpx.ReadTimeout, httpx.ReadError),
    }
    timeout, error = kinds[stage]
    mapped: httpx.TransportError
    if isinstance(exc, TimeoutError):
        mapped = timeout(str(exc) or "timed out")
    elif isinstance(exc, http.client.RemoteDisconnected):
        mapped = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    elif isinstance(exc, http.client.IncompleteRead):
        mapped = httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body (incomplete chunked read)"
        )
    elif isinstance(exc, http.client.HTTPException):
        mapped = httpx.RemoteProtocolError(str(exc) or type(exc).__name__)
    elif isinstance(exc, OSError):  # refused, reset, unreachable, TLS, name resolution
        mapped = error(str(exc))
    else:
        return None
    mapped.request = request
    return mapped


class _Body(httpx.SyncByteStream):
    """The answer's bytes as they arrive; closing it hands a reusable connection back."""

    def __init__(
        self,
        answer: http.client.HTTPResponse,
        owner: Connections,
        held: _Held,
        request: httpx.Request,
    ) -> None:
        self._answer = answer
        self._owner = owner
        self._held = held
        self._request = request
        self._expected = answer.length  # Content-Length, None when chunked or until close
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        received = 0
        while True:
            try:
                chunk = self._answer.read1(CHUNK)
            except Exception as exc:
                mapped = _failure(exc, self._request, "read")
                if mapped is None:
                    raise
                self._held.connection.close()
                raise mapped from exc
            if not chunk:
                break
            received += len(chunk)
            yield chunk
        if self._expected is not None and self._answer.length:  # bytes still owed
            self._held.connection.close()
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body (received "
                f"{received} bytes, expected {self._expected})",
                request=self._request,
            )
        self._answer.read()  # b"": marks the answer read whole, which read1 never does

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        whole = self._answer.isclosed()  # every byte of the answer read
        reusable = whole and not self._answer.will_close
        self._answer.close()
        self._owner.release(self._held, reusable)


class Connections:
    """Idle keep-alive connections per origin, at most `keep` of them in all."""

    def __init__(self, client: httpx.Client, keep: int) -> None:
        self._client = client
        self._keep = keep
        self._idle: dict[tuple[str, str, int], list[_Held]] = {}
        self._count = 0
        self._lock = threading.Lock()
        self._closed = False
        self._ssl: ssl.SSLContext | None = None

    def send(self, request: httpx.Request) -> httpx.Response:
        """`httpx.Client.send(request, stream=True)` for a `lean` request."""
        if self._closed:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        _check_scheme(request)
        for name, value in request.headers.raw:
            check_header(name, value)
        timeouts = request.extensions.get("timeout") or {}
        held = self._take(request, timeouts.get("connect"))
        connection = held.connection
        try:
            answer = self._exchange(connection, request, timeouts)
        except Exception:
            connection.close()
            raise
        reason = (answer.reason or "").encode("latin-1", "replace")  # the vendor's bytes
        response = httpx.Response(
            answer.status,
            # the vendor's bytes as they came, which httpx decodes as it would have
            headers=answer.msg.raw,
            stream=_Body(answer, self, held, request),
            extensions={"http_version": VERSIONS.get(answer.version, b"HTTP/1.1"),
                        "reason_phrase": reason},
            request=request,
        )  # fmt: skip
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

    def _exchange(
        self, connection: http.client.HTTPConnection, request: httpx.Request, timeouts: dict
    ) -> http.client.HTTPResponse:
        """Send the request and read the answer's head. A failure while sending is set aside
        while an answer may still come (a server may refuse a body early and say why), as
        httpcore does."""
        failed: httpx.TransportError | None = None
        try:
            connection.sock.settimeout(timeouts.get("write"))  # type: ignore[union-attr]
            connection.putrequest(
                request.method,
                request.url.raw_path.decode("ascii"),
                skip_host=True,
                skip_accept_encoding=True,
            )
            for name, value in request.headers.raw:
                connection.putheader(name, value)
            connection.endheaders(request.read() or None)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(str(exc) or "timed out", request=request) from exc
        except OSError as exc:
            failed = httpx.WriteError(str(exc), request=request)
        try:
            connection.sock.settimeout(timeouts.get("read"))  # type: ignore[union-attr]
            return connection.getresponse()
        except Exception as exc:
            if failed is not None:
                raise failed from exc
            mapped = _failure(exc, request, "read")
            if mapped is None:
                raise
            raise mapped from exc

    def _take(self, request: httpx.Request, connect_timeout: float | None) -> _Held:
        """An idle connection to the request's origin that is still open, else a new one."""
        url = request.url
        host = url.raw_host.decode("ascii")  # IDNA 2008 as httpx encodes it, not the socket's
        key = (url.scheme, host, url.port or (443 if url.scheme in TLS else 80))
        while True:
            with self._lock:
                idle = self._idle.get(key)
                held = idle.pop() if idle else None
                if held is not None:
                    self._count -= 1
            if held is None:
                return _Held(key, self._connect(key, request, connect_timeout))
            if time.monotonic() - held.idle_since < KEEPALIVE_EXPIRY and _open(held.connection):
                return held
            held.connection.close()

    def _connect(
        self, key: tuple[str, str, int], request: httpx.Request, timeout: float | None
    ) -> http.client.HTTPConnection:
        scheme, host, port = key
        connection: http.client.HTTPConnection
        if scheme in TLS:
            context = self._ssl_context()
            connection = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.response_class = Answer
        try:
            connection.connect()  # with TCP_NODELAY, as httpcore
        except Exception as exc:
            connection.close()
            mapped = _failure(exc, request, "connect")
            if mapped is None:
                raise
            raise mapped from exc
        return connection

    def _ssl_context(self) -> ssl.SSLContext:
        """What httpx's default transport verifies with (certifi, or SSL_CERT_FILE/DIR)."""
        with self._lock:
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context(verify=True, trust_env=True)
                self._ssl.set_alpn_protocols(["http/1.1"])  # as httpcore offers it
            return self._ssl

    def release(self, held: _Held, reusable: bool) -> None:
        """Keep a connection whose answer was read whole (and that the server keeps open);
        close any other."""
        if reusable and held.connection.sock is not None:
            held.idle_since = time.monotonic()
            with self._lock:
                if not self._closed and self._count < self._keep:
                    self._idle.setdefault(held.origin, []).append(held)
                    self._count += 1
                    return
        held.connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [held for stack in self._idle.values() for held in stack]
            self._idle.clear()
            self._count = 0
        for held in idle:
            held.connection.close()


def _open(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection can take a request: a socket with something to read while
    no request is out has been closed by the server (or holds bytes nobody asked for)."""
    sock = connection.sock
    if sock is None:
        return False
    poller = select.poll()  # select() cannot watch a socket numbered 1024 or more
    try:
        poller.register(sock, select.POLLIN)
        return not poller.poll(0)
    except (OSError, ValueError):
        return False


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
