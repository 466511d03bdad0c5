"""Shared fixtures: a real Sandbox on a loopback port (port 0), stopped after each test."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netsync.sandbox import Sandbox  # noqa: E402

from ._support import QUICKSTART_SEED  # noqa: E402


@pytest.fixture
def sb():
    """The quickstart world, fresh for every test."""
    with Sandbox(seed=QUICKSTART_SEED) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb):
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        yield c
