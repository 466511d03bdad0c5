"""Progress on stderr (stdout stays pipeable): only on a terminal, only after a second."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any


class Progress:
    def __init__(self, label: str, *, delay: float = 1.0, stream: Any = None) -> None:
        self.label = label
        self.delay = delay
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.shown = False
        self.finished = False
        self.lock = threading.Lock()
        self._tty: bool | None = None  # asked once: a read ticks thousands of times

    def __enter__(self) -> Progress:
        self.started = time.monotonic()
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._tty is None:
            self._tty = self.stream.isatty()
        if not self._tty or time.monotonic() - self.started < self.delay:
            return
        with self.lock:
            if self.finished:
                return
            self.stream.write(f"\r{self.label}: {done}/{total} resources")
            self.stream.flush()
            self.shown = True

    def finish(self) -> None:
        """Clear the line (once), so what follows starts on a clean line."""
        with self.lock:
            if self.shown and not self.finished:
                self.stream.write("\r\033[K")
                self.stream.flush()
            self.finished = True

    def __exit__(self, *exc: Any) -> None:
        self.finish()
