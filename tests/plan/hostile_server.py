"""A hostile vendor for tests: a loopback HTTP server that answers the requests matching a rule
with a scripted raw answer (any status line, headers and bytes, and behaviours no real server
should have: drips, resets, hangs, lies about the length, gzip bombs) and forwards every other
request to a real Sandbox, so one hostile answer can be planted in an otherwise healthy world.

Everything is bounded: it binds 127.0.0.1 on port 0, every loop ends by itself (a byte budget or
a deadline) or when `stop()` sets the stop event, and the threads are daemons.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "te", "trailer"}
MAX_BLOCKING = 15.0  # no behaviour keeps a connection longer than this, whatever the client does


@dataclass
class Seen:
    """The request a rule matched, for answers that echo it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes


# A behaviour writes the whole answer on the raw socket; it gets the handler and the request.
Behaviour = Callable[["_Handler", Seen], None]
Body = bytes | str | Callable[[Seen], bytes | str]


@dataclass
class Rule:
    method: str  # regex on the method
    path: str  # regex searched in the path with its query string
    behaviour: Behaviour
    skip: int = 0  # let this many matching requests through to the sandbox first
    seen: int = 0
    hits: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, method: str, path: str) -> bool:
        if not (re.fullmatch(self.method, method) and re.search(self.path, path)):
            return False
        with self.lock:
            self.seen += 1
            if self.seen <= self.skip:
                return False
            self.hits += 1
            return True


def _bytes(body: Body, seen: Seen) -> bytes:
    value = body(seen) if callable(body) else body
    return value.encode() if isinstance(value, str) else value


def _head(status: int, headers: list[tuple[str, str]], reason: str | None = None) -> bytes:
    reason = reason or http.client.responses.get(status, "Whatever")
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int,
    body: Body = b"",
    content_type: str | None = "application/json",
    headers: list[tuple[str, str]] | None = None,
    length: int | None = None,
) -> Behaviour:
    """A complete answer; `length` lies about the Content-Length when given."""

    def run(handler: _Handler, seen: Seen) -> None:
        payload = _bytes(body, seen)
        head = [("Content-Type", content_type)] if content_type else []
        head += headers or []
        head += [("Content-Length", str(len(payload) if length is None else length))]
        head += [("Connection", "close")]
        handler.raw(_head(status, head) + payload)

    return run


def html(status: int, title: str, extra: str = "") -> Behaviour:
    page = (
        f"<!DOCTYPE html>\n<html><head><title>{status} {title}</title></head>"
        f"<body><center><h1>{status} {title}</h1></center>{extra}<hr><center>nginx</center>"
        "</body></html>\n"
    )
    return answer(status, page, "text/html; charset=utf-8")


def drip(body: bytes, interval: float, status: int = 200) -> Behaviour:
    """A correct answer sent one byte every `interval` seconds (each read on time, the whole
    never)."""

    def run(handler: _Handler, seen: Seen) -> None:
        head = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        handler.raw(_head(status, head))
        deadline = time.monotonic() + MAX_BLOCKING
        for i in range(len(body)):
            if handler.stopping(interval) or time.monotonic() > deadline:
                break
            if not handler.raw(body[i : i + 1]):
                break

    return run


def cut(body: bytes, reset: bool, status: int = 200) -> Behaviour:
    """Announce the whole body, send half of it, then close (FIN) or reset (RST)."""

    def run(handler: _Handler, seen: Seen) -> None:
        head = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        handler.raw(_head(status, head) + body[: len(body) // 2])
        time.sleep(0.05)
        handler.hang_up(reset)

    return run


def reset_before_answer() -> Behaviour:
    def run(handler: _Handler, seen: Seen) -> None:
        handler.hang_up(reset=True)

    return run


def hang(seconds: float = MAX_BLOCKING) -> Behaviour:
    """Read the request, answer nothing until `seconds` pass or the server stops."""

    def run(handler: _Handler, seen: Seen) -> None:
        handler.stopping(min(seconds, MAX_BLOCKING))
        handler.hang_up(reset=False)

    return run


def stream(total: int, chunk: bytes, prefix: bytes = b"", gzip: bool = False) -> Behaviour:
    """A chunked answer of up to `total` bytes (no Content-Length), built from one repeated
    chunk; it stops when the client hangs up. With `gzip` the bytes are a deflate stream whose
    plain text is `total` bytes: a compression bomb."""

    def run(handler: _Handler, seen: Seen) -> None:
        head = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31) if gzip else None
        if compressor:
            head.append(("Content-Encoding", "gzip"))
        if not handler.raw(_head(200, head)):
            return
        sent = 0
        deadline = time.monotonic() + MAX_BLOCKING
        pieces = [prefix] if prefix else []
        while sent < total and time.monotonic() < deadline and not handler.stop.is_set():
            piece = pieces.pop() if pieces else chunk
            sent += len(piece)
            data = compressor.compress(piece) if compressor else piece
            if data and not handler.raw(b"%x\r\n%s\r\n" % (len(data), data)):
                return
        tail = compressor.flush() if compressor else b""
        if tail:
            handler.raw(b"%x\r\n%s\r\n" % (len(tail), tail))
        handler.raw(b"0\r\n\r\n")

    return run


def rewrite(change: Callable[[Any], Any]) -> Behaviour:
    """The sandbox's real answer with its JSON body changed by `change` (which may edit the
    value in place and return None, or return a replacement): one field of a healthy answer
    gone wrong, as in a half-deployed vendor release."""

    def run(handler: _Handler, seen: Seen) -> None:
        status, headers, payload = handler.server.vendor.forward(seen)  # type: ignore[attr-defined]
        value = json.loads(payload)
        changed = change(value)
        body = json.dumps(value if changed is None else changed).encode()
        kept = [(k, v) for k, v in headers if k.lower() != "content-type"]
        answer(status, body, headers=kept)(handler, seen)

    return run


def gzip_garbage() -> Behaviour:
    garbage = b"\x1f\x8b\x08\x00this is not a deflate stream at all" * 4
    return answer(200, garbage, headers=[("Content-Encoding", "gzip")])


class HostileVendor:
    """`HostileVendor(sandbox_url).start()`; `.url` to point netsync at; `.plant(...)` rules;
    `.stop()` (or a `with` block) ends every connection and thread."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rules: list[Rule] = []
        self.stop_event = threading.Event()
        self.forwarded = 0
        self.errors: list[str] = []  # a behaviour that raised: a bug in the test, not netsync
        self.server = _Server(("127.0.0.1", 0), self)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HostileVendor:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.close_connections()
        self.server.server_close()
        self.thread.join(5)

    def __enter__(self) -> HostileVendor:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def plant(self, method: str, path: str, behaviour: Behaviour, skip: int = 0) -> Rule:
        rule = Rule(method, path, behaviour, skip)
        self.rules.append(rule)
        return rule

    def rule_for(self, method: str, path: str) -> Rule | None:
        return next((r for r in self.rules if r.take(method, path)), None)

    def forward(self, seen: Seen) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(*self.upstream, timeout=10)
        try:
            headers = {k: v for k, v in seen.headers.items() if k not in HOP_BY_HOP}
            headers["host"] = f"{self.upstream[0]}:{self.upstream[1]}"
            conn.request(seen.method, seen.path, body=seen.body or None, headers=headers)
            response = conn.getresponse()
            body = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            return response.status, kept, body
        finally:
            conn.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr: tuple[str, int], vendor: HostileVendor) -> None:
        self.vendor = vendor
        self.sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(addr, _Handler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.sockets.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.sockets_lock:
                self.sockets.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Hang-ups are the point of this server: silent."""

    def close_connections(self) -> None:
        with self.sockets_lock:
            for sock in list(self.sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends by itself

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    @property
    def stop(self) -> threading.Event:
        return self.server.vendor.stop_event  # type: ignore[attr-defined]

    def stopping(self, seconds: float) -> bool:
        return self.stop.wait(seconds)

    def raw(self, data: bytes) -> bool:
        """Write bytes; False once the client has gone."""
        try:
            self.wfile.write(data)
            return True
        except OSError:
            self.close_connection = True
            return False

    def hang_up(self, reset: bool) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            if reset:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
            self.connection.close()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        vendor: HostileVendor = self.server.vendor  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if 0 < length <= 10 * 2**20 else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        seen = Seen(self.command, self.path, headers, body)
        rule = vendor.rule_for(self.command, self.path)
        if rule is not None:
            self.close_connection = True
            try:
                rule.behaviour(self, seen)
            except Exception as exc:  # recorded for the test to fail on; the client sees a hang-up
                vendor.errors.append(f"{self.command} {self.path}: {exc!r}")
                self.hang_up(reset=False)
            return
        try:
            status, kept, payload = vendor.forward(seen)
        except OSError:
            self.hang_up(reset=False)
            return
        vendor.forwarded += 1
        head = kept + [("Content-Length", str(len(payload)))]
        self.raw(_head(status, head) + payload)
