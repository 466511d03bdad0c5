"""Shared fixtures: a real sandbox on 127.0.0.1 and the real CLI, in-process, pointed at it.
Tests talk real HTTP to the sandbox; nothing here mocks a transport."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import CREDENTIAL_VARS, quickstart_seed

from netsync.cli import main
from netsync.sandbox import Sandbox

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


@pytest.fixture
def run_cli():
    """Invoke the real CLI in-process; returns (exit_code, stdout, stderr)."""
    from netsync.cli import main

    def invoke(*args: str, env: dict[str, str] | None = None, input: str | None = None):
        runner = CliRunner()
        result = runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return invoke


@pytest.fixture
def sandbox() -> Callable[..., Sandbox]:
    """Start sandboxes on demand (seed dict or path); all are stopped after the test."""
    started: list[Sandbox] = []

    def start(seed: Any = None, **knobs: Any) -> Sandbox:
        sb = Sandbox(seed=quickstart_seed() if seed is None else seed, **knobs).start()
        started.append(sb)
        return sb

    yield start
    for sb in started:
        sb.stop()


@pytest.fixture
def netsync(monkeypatch) -> Iterator[Callable[..., tuple[int, str, str]]]:
    """Run the real CLI in-process against a sandbox: netsync(sb, *args, env={...})."""
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("NETSYNC_") and name.endswith("_URL"):
            monkeypatch.delenv(name, raising=False)

    def run(sb: Sandbox | None, *args: str, env: dict[str, str | None] | None = None):
        full_env: dict[str, str | None] = dict(sb.env()) if sb else {}
        full_env.update(env or {})
        result = CliRunner().invoke(main, list(args), env=full_env, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    yield run


@pytest.fixture(autouse=True)
def _outside_github_actions(monkeypatch):
    """The suite may itself run in GitHub Actions: no test sees the runner's GITHUB_ACTIONS,
    GITHUB_WORKSPACE or GITHUB_STEP_SUMMARY (they add annotations on stderr) unless it sets them."""
    for name in ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "GITHUB_STEP_SUMMARY"):
        monkeypatch.delenv(name, raising=False)
