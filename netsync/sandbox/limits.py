"""Rate limiting as the vendors describe it, so clients can prove they back off correctly.

CaseXchange documents a per-key window with X-RateLimit-Limit/-Remaining/-Reset (reset a Unix
time); Smokeball and Trackops are modelled as token buckets answering 429 with Retry-After.

A setting is "off", "vendor" (the vendors' own limits) or a mapping of vendor -> settings laid
over the vendor's own (`{"casexchange": {"limit": 10, "window": 2}}`), where a vendor given as
"off" (or null) is not limited at all and "vendor" keeps its own limits.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from . import defaults


@dataclass
class Decision:
    allowed: bool
    headers: dict[str, str]


class _Window:
    """Fixed window: `limit` requests per `window` seconds, reset at a known Unix time."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = int(limit), float(window)
        self.start, self.count = time.time(), 0

    def take(self) -> Decision:
        now = time.time()
        if now >= self.start + self.window:
            self.start, self.count = now, 0
        reset = str(math.ceil(self.start + self.window))
        allowed = self.count < self.limit
        if allowed:
            self.count += 1
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "X-RateLimit-Reset": reset,
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, math.ceil(self.start + self.window - now)))
        return Decision(allowed, headers)


class _Bucket:
    """Token bucket: `rate` tokens a second, at most `burst` saved up."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = float(rate), float(burst)
        self.tokens, self.stamp = self.burst, time.monotonic()

    def take(self) -> Decision:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return Decision(True, {})
        wait = (1 - self.tokens) / self.rate if self.rate > 0 else 60
        return Decision(False, {"Retry-After": str(max(1, math.ceil(wait)))})


SETTING_KEYS = {"limit", "window", "rate", "burst"}


def limits_config(setting: Any) -> dict[str, dict[str, float]] | None:
    """A rate-limit setting as {vendor: settings} (None: no limits); ValueError if malformed."""
    if setting in (None, "off", False):
        return None
    vendor_limits = {k: dict(v) for k, v in defaults.VENDOR_RATE_LIMITS.items()}
    if setting == "vendor":
        return vendor_limits
    if not isinstance(setting, dict):
        raise ValueError(f"rate_limits must be 'off', 'vendor' or a mapping, not {setting!r}")
    config = vendor_limits
    for vendor, override in setting.items():
        if vendor not in defaults.VENDOR_RATE_LIMITS:
            raise ValueError(f"rate_limits: unknown vendor {vendor!r}")
        if override in (None, "off", False):
            config.pop(vendor, None)
        elif override == "vendor":
            continue
        elif isinstance(override, dict):
            for key, value in override.items():
                if key not in SETTING_KEYS:
                    raise ValueError(f"rate_limits: {vendor}.{key}: unknown setting")
                number = isinstance(value, int | float) and not isinstance(value, bool)
                if not number or not 0 < value < math.inf:
                    raise ValueError(f"rate_limits: {vendor}.{key}: must be a number above 0")
            config[vendor].update(override)
        else:
            raise ValueError(
                f"rate_limits: {vendor}: must be off, vendor or a mapping of "
                f"{', '.join(sorted(SETTING_KEYS))}"
            )
    return config


class RateLimiter:
    """Per vendor and per credential limits; `config` None means limits are off."""

    def __init__(self, setting: str | dict[str, Any] | None) -> None:
        self.config: dict[str, dict[str, float]] | None = limits_config(setting)
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str], _Window | _Bucket] = {}

    def replace(self, setting: str | dict[str, Any] | None) -> None:
        """New limits from now on (every window and bucket starts afresh); ValueError if bad."""
        config = limits_config(setting)
        with self._lock:
            self.config = config
            self._state = {}

    @property
    def enabled(self) -> bool:
        return self.config is not None

    def check(self, vendor: str, credential: str) -> Decision:
        with self._lock:
            if self.config is None or vendor not in self.config:
                return Decision(True, {})
            cfg = self.config[vendor]
            key = (vendor, credential)
            limiter = self._state.get(key)
            if limiter is None:
                if "limit" in cfg:
                    limiter = _Window(int(cfg["limit"]), cfg.get("window", 60))
                else:
                    limiter = _Bucket(cfg.get("rate", 1), cfg.get("burst", cfg.get("rate", 1)))
                self._state[key] = limiter
            return limiter.take()
