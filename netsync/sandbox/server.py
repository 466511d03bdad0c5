"""The Sandbox: one port, routed by path to the three vendors, plus the knobs.

Per request: front door (framing, size, media type, encoding: httpd/intake) -> latency -> rate
limit -> fault (before) -> vendor handler -> fault (after_apply) -> save state if changed ->
record -> send.
"""

from __future__ import annotations

import collections
import contextlib
import json
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from . import casexchange, casexchange_cases, smokeball, trackops
from .faults import FaultSet, load_rules
from .httpd import SandboxHTTPServer, classify
from .limits import RateLimiter
from .redact import redact_entry, redact_world
from .seed import parse_seed
from .util import Request, Response
from .world import World, state_error
from .yamlfile import SeedError, load_data_file

REQUEST_LOG_SIZE = 10_000
ERROR_LOG_SIZE = 100
VENDOR_MODULES = {"casexchange": casexchange, "smokeball": smokeball, "trackops": trackops}


def credential_of(vendor: str, headers: dict[str, str]) -> str:
    """Whose rate-limit bucket a request draws from."""
    if vendor == "casexchange":
        return headers.get("x-api-key") or headers.get("authorization", "")
    if vendor == "smokeball":
        return headers.get("x-api-key", "")
    return headers.get("authorization", "")


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
        io_timeout: float = 60.0,
    ) -> None:
        self.host, self.port = host, port
        self.io_timeout = io_timeout
        self.latency_ms = latency_ms
        self.smokeball_visibility_delay = smokeball_visibility_delay
        self.token_ttl = token_ttl
        self.limiter = RateLimiter(rate_limits)
        self.faults = FaultSet(load_rules(faults))
        self.world = self._build_world(seed, state)
        self._log: collections.deque[dict[str, Any]] = collections.deque(maxlen=REQUEST_LOG_SIZE)
        self._log_lock = threading.Lock()
        self._stats: dict[tuple[str, str, int], int] = {}  # (vendor, method, status) -> count
        self._errors: collections.deque[str] = collections.deque(maxlen=ERROR_LOG_SIZE)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @staticmethod
    def _build_world(seed: Any, state: Any) -> World:
        if state is not None and Path(state).exists():
            return World.load_state(state)
        if isinstance(seed, dict) or seed is None:
            data = parse_seed(seed, "seed")
        else:
            data = parse_seed(load_data_file(seed), str(seed))
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
        self._server = SandboxHTTPServer((self.host, self.port), self)
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

    @property
    def stats(self) -> dict[str, Any]:
        """Every vendor request since start (or the last `clear_stats`), counted per vendor by
        status and by method: unlike the request log, nothing is ever dropped."""
        with self._log_lock:
            counts = dict(self._stats)
        vendors: dict[str, Any] = {}
        for name in VENDOR_MODULES:
            vendors[name] = {"total": 0, "by_status": {}, "by_method": {}}
        for (vendor, method, status), n in sorted(counts.items()):
            entry = vendors.setdefault(vendor, {"total": 0, "by_status": {}, "by_method": {}})
            entry["total"] += n
            entry["by_status"][str(status)] = entry["by_status"].get(str(status), 0) + n
            entry["by_method"][method] = entry["by_method"].get(method, 0) + n
        return {"vendors": vendors, "total": sum(counts.values())}

    def clear_stats(self) -> None:
        with self._log_lock:
            self._stats.clear()

    def set_rate_limits(self, setting: str | dict | None) -> None:
        """Replace the rate limits while serving (windows and buckets start afresh)."""
        self.limiter.replace(setting)

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
        key = (vendor, req.method, status)
        with self._log_lock:
            self._log.append(entry)
            self._stats[key] = self._stats.get(key, 0) + 1

    def add_fault(self, rule: dict[str, Any]) -> dict[str, Any]:
        return self.faults.add(rule)

    # -- dispatch --------------------------------------------------------------------------
    def dispatch(self, req: Request) -> tuple[Response, str]:
        vendor = classify(req.path)
        if vendor == "control":
            return self._guarded("control", req, self._control), vendor
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000.0)
        decision = self.limiter.check(vendor, credential_of(vendor, req.headers))
        public_cx = vendor == "casexchange" and req.path.startswith(casexchange.PUBLIC_PREFIX)
        if decision.allowed:
            resp = self._vendor_response(vendor, req, public_cx)
        else:
            resp = self._rate_limited(vendor, req)
        if (public_cx and self.limiter.enabled) or not decision.allowed:
            resp.headers.update(decision.headers)  # Retry-After only when refused
        return resp, vendor

    def _vendor_response(self, vendor: str, req: Request, public_cx: bool) -> Response:
        """Faults, the vendor handler and the state save, for a request past the rate limit."""
        module = VENDOR_MODULES[vendor]
        rule = self.faults.take(vendor, req.method, req.path)
        if rule and not rule["after_apply"]:
            return self._fault(module, rule, req)
        if public_cx:
            handler = module.handle_public
        elif vendor == "casexchange":
            handler = casexchange_cases.handle_internal
        else:
            handler = module.handle
        resp = self._guarded(vendor, req, lambda r: handler(r, self))
        if rule:
            resp = self._fault(module, rule, req)
        if self.world.dirty:
            try:
                self.world.save()
            except OSError as exc:  # disk full, folder gone: the client learns, we go on
                self.report_error(f"saving {self.world.state_path}", exc, full=False)
                resp = self._internal_error(vendor, req, exc)
        return resp

    def _guarded(self, vendor: str, req: Request, handler: Any) -> Response:
        """Run a handler; a bug answers 500 with one line on stderr, never a hang or traceback."""
        try:
            return handler(req)
        except Exception as exc:  # noqa: BLE001 - any handler bug
            self.report_error(f"answering {req.method} {req.path}", exc)
            return self._internal_error(vendor, req, exc)

    @staticmethod
    def _internal_error(vendor: str, req: Request, exc: BaseException) -> Response:
        if vendor == "control":
            resp = Response(500, {"error": f"sandbox bug: {type(exc).__name__}"})
        else:
            resp = VENDOR_MODULES[vendor].fault_response(500, req.path)
        resp.headers["X-Sandbox-Error"] = type(exc).__name__
        return resp

    # -- internal errors ---------------------------------------------------------------------
    @property
    def errors(self) -> list[str]:
        """Tracebacks of the sandbox's own bugs (500s) so far; tests assert it stays empty."""
        with self._log_lock:
            return list(self._errors)

    def report_error(self, doing: str, exc: BaseException, full: bool = True) -> None:
        """One line on stderr for a person, the whole traceback in `errors` for a test."""
        text = "".join(traceback.format_exception(exc)) if full else f"{exc!r}\n"
        with self._log_lock:
            self._errors.append(text)
        detail = " ".join(str(exc).split())
        line = f"netsync sandbox: error {doing[:200]}: {type(exc).__name__}: {detail[:200]}"
        with contextlib.suppress(OSError, ValueError):
            print(line, file=sys.stderr, flush=True)

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
        if path == "/_sandbox/stats" and req.method == "GET":
            return Response(200, self.stats)
        if path == "/_sandbox/stats" and req.method == "DELETE":
            self.clear_stats()
            return Response(204, None)
        if path == "/_sandbox/rate-limits" and req.method == "GET":
            return Response(200, {"rate_limits": self.limiter.config or "off"})
        if path == "/_sandbox/rate-limits" and req.method == "PUT":
            if not req.raw or req.json_error:
                return Response(400, {"error": 'body must be JSON: "off", "vendor" or a mapping'})
            try:
                self.set_rate_limits(req.body)
            except ValueError as exc:
                return Response(400, {"error": str(exc)})
            return Response(200, {"rate_limits": self.limiter.config or "off"})
        if path == "/_sandbox/state" and req.method == "GET":
            with self.world.lock:  # credentials and the signing secret hidden: no auth here
                return Response(200, redact_world(json.loads(json.dumps(self.world.data))))
        return Response(404, {"error": f"no sandbox control route {req.method} {req.path}"})
