"""Golden files: compare output with a committed file; NETSYNC_UPDATE_GOLDEN=1 rewrites it.

A rewrite fails the test that made it, so a run with the variable set can never pass by
construction; rerun without it to check (`.ci/run` unsets it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def check_golden(path: Path, actual: str) -> None:
    expected = path.read_text(encoding="utf-8") if path.exists() else None
    if os.environ.get("NETSYNC_UPDATE_GOLDEN") == "1" and actual != expected:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8", newline="")
        pytest.fail(f"rewrote {path.name}; rerun without NETSYNC_UPDATE_GOLDEN to check it")
    assert expected is not None, f"missing golden file {path}; run with NETSYNC_UPDATE_GOLDEN=1"
    assert actual == expected, f"{path.name} differs from golden; NETSYNC_UPDATE_GOLDEN=1 to accept"
