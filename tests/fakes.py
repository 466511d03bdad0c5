"""Test doubles shared by the unit tests of timing rules."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from netsync.http import Clock

WALL = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()


class FakeClock(Clock):
    """Time stands still until someone sleeps (or `advance` is called); every sleep is
    recorded, so tests assert exact waits without waiting."""

    def __init__(self, wall: float = WALL) -> None:
        self.mono = 1000.0
        self.wall = wall
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return self.mono

    def time(self) -> float:
        return self.wall

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            # A real sleep always takes some time: without a floor, a rounding-sized wait of
            # the token bucket would leave a float clock (e.g. at 1000.0) where it was.
            self.advance(max(seconds, 1e-6))

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds
