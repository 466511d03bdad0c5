"""The wire: a stdlib ThreadingHTTPServer whose every answer, even to a broken request, is JSON
in the vendor's own shape, and which never prints a traceback.

One daemon thread per connection, HTTP/1.1 keep-alive; a latency sleep blocks only its own
connection. A client that goes away mid-answer is normal and silent; a bug in a handler is one
line on stderr (and a 500 to the client), kept whole in `Sandbox.errors` for tests.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .intake import BodyError, declared_length, parse_body, read_body, refusal
from .util import Request, Response

DRAIN_SECONDS = 2.0  # how long a refused client may keep sending before we hang up
DRAIN_READ_TIMEOUT = 0.25


def classify(path: str) -> str:
    """Which vendor a path belongs to (the paths do not overlap)."""
    if path.startswith("/_sandbox/") or path == "/_sandbox":
        return "control"
    if path.startswith("/api/v1/case/requests"):
        return "trackops"
    if path.startswith("/api/public/v1") or path.startswith("/api/v1/"):
        return "casexchange"
    return "smokeball"


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the stdlib default of 5 drops bursts of concurrent connects

    def __init__(self, addr: tuple[str, int], sandbox: Any) -> None:
        self.sandbox = sandbox
        self.open_sockets: set[socket.socket] = set()
        self.sock_lock = threading.Lock()
        super().__init__(addr, _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.sock_lock:
            self.open_sockets.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.sock_lock:
                self.open_sockets.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Instead of socketserver's traceback: silence for hang-ups, one line for bugs."""
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError) or exc is None:
            return  # the client reset, closed or stalled: nobody is left to answer
        self.sandbox.report_error("serving a request", exc)

    def close_connections(self) -> None:
        with self.sock_lock:
            socks = list(self.open_sockets)
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "netsync-sandbox/1"
    disable_nagle_algorithm = True  # headers and body go in two writes: avoid 40 ms stalls

    def setup(self) -> None:
        # Bounds a silent or trickling client (and an idle keep-alive connection).
        self.timeout = self.server.sandbox.io_timeout  # type: ignore[attr-defined]
        super().setup()

    def __getattr__(self, name: str) -> Any:
        """Every method token (OPTIONS, TRACE, FOO...) is routed: the vendor answers it."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the request log is the record."""

    def _request(self) -> Request:
        sb = self.server.sandbox  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or f"{sb.host}:{sb.port}"
        return Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            base_url=f"http://{host}",
        )

    def _serve(self) -> None:
        sb = self.server.sandbox  # type: ignore[attr-defined]
        req = self._request()
        vendor = classify(req.path)
        try:
            req.raw = read_body(self.rfile, declared_length(self.headers))
            ctype = req.headers.get("content-type", "")
            req.body, req.json_error = parse_body(req.raw, vendor, req.path, ctype)
        except BodyError as exc:
            req.body = req.raw.decode("utf-8", "replace") if req.raw else None
            self._refuse(exc, vendor, req)
            return
        except TimeoutError:
            late = BodyError(408, "Request body not received in time", close=True)
            self._refuse(late, vendor, req)
            return
        started = time.monotonic()
        resp, vendor = sb.dispatch(req)
        if vendor != "control":
            sb.record(vendor, req, resp.status, started, time.monotonic())
        self._send(resp)

    def _refuse(self, exc: BodyError, vendor: str, req: Request, drain: bool = True) -> None:
        """Answer a request the front door will not take; end the connection if need be."""
        sb = self.server.sandbox  # type: ignore[attr-defined]
        resp = refusal(vendor, req.path, exc.status, exc.message)
        if vendor != "control":
            now = time.monotonic()
            sb.record(vendor, req, resp.status, now, now)
        if exc.close:
            self.close_connection = True
            resp.headers["Connection"] = "close"
        self._send(resp)
        if exc.close and drain:
            self._discard_input(exc.drain)

    def _discard_input(self, expected: int) -> None:
        """Read and drop what the client is still sending, for a bounded time.

        Closing a socket with unread input makes the kernel send a reset, which can destroy
        our answer before the client reads it -- and clients such as httpx read only after
        sending their whole body. So: flush, stop writing, swallow input, then close.
        """
        with contextlib.suppress(OSError):
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(DRAIN_READ_TIMEOUT)
            left = max(expected, 64 * 1024)
            deadline = time.monotonic() + DRAIN_SECONDS
            while left > 0 and time.monotonic() < deadline:
                chunk = self.rfile.read1(min(65536, left))  # type: ignore[attr-defined]
                if not chunk:
                    break
                left -= len(chunk)

    def handle_expect_100(self) -> bool:
        """Refuse an oversized or unframed body before inviting the client to send it."""
        try:
            declared_length(self.headers)
        except BodyError as exc:
            self._refuse(exc, classify(urlsplit(self.path).path), self._request(), drain=False)
            return False
        return super().handle_expect_100()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The stdlib's own refusals (bad request line, 414, 431...) in the vendor's shape."""
        words = (getattr(self, "requestline", "") or "").split()
        path = urlsplit(words[1]).path if len(words) >= 2 else ""
        vendor = classify(path) if path.startswith("/") else "control"
        text = message or self.responses.get(code, ("Error",))[0]
        resp = refusal(vendor, path, code, text)
        self.close_connection = True
        resp.headers["Connection"] = "close"
        self._send(resp, head=bool(words) and words[0] == "HEAD")

    def _send(self, resp: Response, head: bool | None = None) -> None:
        if resp.body is None:
            payload = b""
        elif isinstance(resp.body, str | bytes):
            payload = resp.body.encode() if isinstance(resp.body, str) else resp.body
        else:
            payload = json.dumps(resp.body).encode()
        self.send_response(resp.status)
        if payload:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if head is None:
            head = self.command == "HEAD"
        if payload and not head:
            self.wfile.write(payload)
