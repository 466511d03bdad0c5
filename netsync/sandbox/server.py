"""The HTTP server: one port, routed by path to the three vendors, plus the knobs.

stdlib ThreadingHTTPServer, one daemon thread per connection, HTTP/1.1 keep-alive; a latency
sleep blocks only its own connection. Per request: latency -> rate limit -> fault (before) ->
vendor handler -> fault (after_apply) -> save state if changed -> record -> send.
"""

from __future__ import annotations

import collections
import contextlib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from . import casexchange, casexchange_cases, smokeball, trackops
from .faults import FaultSet, load_rules
from .limits import RateLimiter
from .seed import SeedError, load_yaml_file, parse_seed
from .util import Request, Response
from .world import World, state_error

REQUEST_LOG_SIZE = 10_000
VENDOR_MODULES = {"casexchange": casexchange, "smokeball": smokeball, "trackops": trackops}


def classify(path: str) -> str:
    """Which vendor a path belongs to (the paths do not overlap)."""
    if path.startswith("/_sandbox/") or path == "/_sandbox":
        return "control"
    if path.startswith("/api/v1/case/requests"):
        return "trackops"
    if path.startswith("/api/public/v1") or path.startswith("/api/v1/"):
        return "casexchange"
    return "smokeball"


def credential_of(vendor: str, headers: dict[str, str]) -> str:
    """Whose rate-limit bucket a request draws from."""
    if vendor == "casexchange":
        return headers.get("x-api-key") or headers.get("authorization", "")
    if vendor == "smokeball":
        return headers.get("x-api-key", "")
    return headers.get("authorization", "")


# -- redaction of the request log served over HTTP (GET /_sandbox/requests) ----------------
REDACTED = "***"
SECRET_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "cookie")
# Requests whose bodies carry passwords, client secrets or refresh tokens.
SECRET_BODY_PATHS = ("/oauth2/token", "/api/v1/auth/login", "/api/v1/auth/refresh-session")
# Body fields that identify rather than authenticate; every other field's value is hidden.
PUBLIC_BODY_FIELDS = frozenset({"grant_type", "client_id", "email", "username", "scope"})
_KEY_PREFIX = re.compile(r"[A-Za-z]+_[A-Za-z]+_")  # cxp_ro_, cxp_std_, cxp_full_


def redact_header(name: str, value: str) -> str:
    """Hide a credential but keep what kind it is: `Bearer ***`, `cxp_full_***`, `sid=***`."""
    if name == "cookie":
        names = [part.split("=", 1)[0].strip() for part in value.split(";") if part.strip()]
        return "; ".join(f"{n}={REDACTED}" for n in names)
    if name in ("authorization", "proxy-authorization"):
        scheme, sep, _ = value.strip().partition(" ")
        return f"{scheme} {REDACTED}" if sep else REDACTED
    m = _KEY_PREFIX.match(value)
    return f"{m.group(0)}{REDACTED}" if m else REDACTED


def redact_body(body: Any) -> Any:
    """A login/token body with every value but the identifying ones replaced by `***`."""
    if isinstance(body, dict):
        return {k: v if k in PUBLIC_BODY_FIELDS else REDACTED for k, v in body.items()}
    if isinstance(body, str):
        pairs = parse_qsl(body, keep_blank_values=True)
        if not pairs:
            return REDACTED
        return urlencode(
            [(k, v if k in PUBLIC_BODY_FIELDS else REDACTED) for k, v in pairs], safe="*"
        )
    return REDACTED if body is not None else None


def redact_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A request-log entry safe to serve over HTTP (the in-process `Sandbox.requests` is not)."""
    out = dict(entry)
    out["headers"] = {
        k: redact_header(k, v) if k in SECRET_HEADERS else v for k, v in entry["headers"].items()
    }
    if entry["path"].rstrip("/") in SECRET_BODY_PATHS:
        out["body"] = redact_body(entry["body"])
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # the stdlib default of 5 drops bursts of concurrent connects

    def __init__(self, addr: tuple[str, int], sandbox: Sandbox) -> None:
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

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Quiet: the request log is the record."""

    def _serve(self) -> None:
        sb: Sandbox = self.server.sandbox  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        body: Any = None
        json_error = False
        if raw:
            text = raw.decode("utf-8", "replace")
            try:
                body = json.loads(text)
            except ValueError:
                body, json_error = text, "form-urlencoded" not in headers.get("content-type", "")
        host = self.headers.get("Host") or f"{sb.host}:{sb.port}"
        req = Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers=headers,
            raw=raw,
            body=body,
            json_error=json_error,
            base_url=f"http://{host}",
        )
        started = time.monotonic()
        resp, vendor = sb.dispatch(req)
        if vendor != "control":
            sb.record(vendor, req, resp.status, started, time.monotonic())
        self._send(resp)

    def _send(self, resp: Response) -> None:
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
        if payload and self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve


class Sandbox:
    """A running emulator of CaseXchange, Smokeball and Trackops on one loopback port."""

    def __init__(
        self,
        seed: str | Path | dict | None = None,
        state: str | Path | None = None,
        latency_ms: float = 0,
        rate_limits: str | dict | None = "off",
        faults: str | Path | list | None = None,
        smokeball_visibility_delay: float = 0.0,
        token_ttl: float = 900,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host, self.port = host, port
        self.latency_ms = latency_ms
        self.smokeball_visibility_delay = smokeball_visibility_delay
        self.token_ttl = token_ttl
        self.limiter = RateLimiter(rate_limits)
        self.faults = FaultSet(load_rules(faults))
        self.world = self._build_world(seed, state)
        self._log: collections.deque[dict[str, Any]] = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def _build_world(seed: Any, state: Any) -> World:
        if state is not None and Path(state).exists():
            return World.load_state(state)
        if isinstance(seed, dict) or seed is None:
            data = parse_seed(seed, "seed")
        else:
            data = parse_seed(load_yaml_file(seed), str(seed))
        world = World(data, state)
        if state is not None:
            try:
                world.save()
            except OSError as exc:
                raise SeedError(state_error(state, exc)) from None
        return world

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        if self.world.dirty:
            self.world.save()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables pointing netsync at this sandbox with default credentials."""
        creds = self.world.data["credentials"]
        cx, sbk, to = creds["casexchange"], creds["smokeball"], creds["trackops"]
        full = [k for k in cx["api_keys"] if k.startswith("cxp_full_")] or cx["api_keys"]
        user = (to["users"] or [{"username": "", "token": ""}])[0]
        return {
            "NETSYNC_CASEXCHANGE_URL": self.url,
            "NETSYNC_SMOKEBALL_URL": self.url,
            "NETSYNC_SMOKEBALL_AUTH_URL": self.url,
            "NETSYNC_TRACKOPS_URL": self.url,
            "CASEXCHANGE_API_KEY": (full or [""])[0],
            "CASEXCHANGE_TOKEN": (cx["tokens"] or [""])[0],
            "SMOKEBALL_API_KEY": (sbk["api_keys"] or [""])[0],
            "SMOKEBALL_TOKEN": (sbk["tokens"] or [""])[0],
            "TRACKOPS_USERNAME": user["username"],
            "TRACKOPS_API_TOKEN": user["token"],
        }

    # -- request log and faults ------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        with self._log_lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._log_lock:
            self._log.clear()

    def record(
        self, vendor: str, req: Request, status: int, started: float = 0.0, finished: float = 0.0
    ) -> None:
        """Log one request; `started`/`finished` (monotonic) let tests measure concurrency."""
        entry = {
            "started": started,
            "finished": finished,
            "vendor": vendor,
            "method": req.method,
            "path": req.path,
            "query": dict(req.query),
            "headers": dict(req.headers),
            "body": req.body,
            "status": status,
        }
        with self._log_lock:
            self._log.append(entry)

    def add_fault(self, rule: dict[str, Any]) -> dict[str, Any]:
        return self.faults.add(rule)

    # -- dispatch --------------------------------------------------------------------------
    def dispatch(self, req: Request) -> tuple[Response, str]:
        vendor = classify(req.path)
        if vendor == "control":
            return self._control(req), vendor
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        module = VENDOR_MODULES[vendor]
        decision = self.limiter.check(vendor, credential_of(vendor, req.headers))
        public_cx = vendor == "casexchange" and req.path.startswith(casexchange.PUBLIC_PREFIX)
        if not decision.allowed:
            resp = self._rate_limited(vendor, req)
        else:
            rule = self.faults.take(vendor, req.method, req.path)
            if rule and not rule["after_apply"]:
                resp = self._fault(module, rule, req)
            else:
                try:
                    resp = module.handle_public(req, self) if public_cx else (
                        casexchange_cases.handle_internal(req, self) if vendor == "casexchange"
                        else module.handle(req, self)
                    )  # fmt: skip
                except Exception as exc:  # noqa: BLE001 - a bug must answer 500, not hang
                    resp = module.fault_response(500, req.path)
                    resp.headers["X-Sandbox-Error"] = type(exc).__name__
                if rule:
                    resp = self._fault(module, rule, req)
                if self.world.dirty:
                    self.world.save()
        if (public_cx and self.limiter.enabled) or not decision.allowed:
            resp.headers.update(decision.headers)  # Retry-After only when refused
        return resp, vendor

    def _rate_limited(self, vendor: str, req: Request) -> Response:
        if vendor == "casexchange":
            if req.path.startswith(casexchange.PUBLIC_PREFIX):
                return casexchange.err(429, "rate_limited", "Rate limit exceeded for this API key")
            return casexchange.internal_err(429, "rate_limited", "Rate limit exceeded")
        if vendor == "smokeball":
            return smokeball.problem(429, "Rate limit exceeded")
        return trackops.errors(429, "Rate limit exceeded")

    @staticmethod
    def _fault(module: Any, rule: dict[str, Any], req: Request) -> Response:
        resp = module.fault_response(rule["status"], req.path)
        if rule.get("retry_after") is not None:
            resp.headers["Retry-After"] = str(int(rule["retry_after"]))
        return resp

    def _control(self, req: Request) -> Response:
        path = req.path.rstrip("/")
        if path == "/_sandbox/faults" and req.method == "POST":
            try:
                rule = self.add_fault(req.body if isinstance(req.body, dict) else {"x": 1})
            except SeedError as exc:
                return Response(400, {"error": str(exc)})
            return Response(201, {"rule": rule})
        if path == "/_sandbox/faults" and req.method == "GET":
            return Response(200, {"faults": self.faults.list()})
        if path == "/_sandbox/requests" and req.method == "GET":
            return Response(200, {"requests": [redact_entry(e) for e in self.requests]})
        if path == "/_sandbox/requests" and req.method == "DELETE":
            self.clear_requests()
            return Response(204, None)
        if path == "/_sandbox/state" and req.method == "GET":
            with self.world.lock:
                return Response(200, json.loads(json.dumps(self.world.data)))
        return Response(404, {"error": f"no sandbox control route {req.method} {req.path}"})
