"""Shared fixtures. Tests talk real HTTP to the sandbox; nothing here mocks a transport."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

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
