"""The quick start's main job and CLI-wide behaviour (exit codes, help on every command)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from netsync.cli import main


def test_demo_runs_the_main_job_against_the_sandbox_without_credentials(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CASEXCHANGE", "SMOKEBALL", "TRACKOPS", "NETSYNC_"))
    }
    proc = subprocess.run(
        [sys.executable, "-m", "netsync", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,  # works from anywhere, not just the repository root
    )
    assert proc.returncode == 0, proc.stderr
    assert "Config is valid" in proc.stdout
    assert "Plan: 3 to create, 6 to update, 1 to re-refer, 0 to delete." in proc.stdout
    assert "Apply complete: 3 created, 6 updated, 1 re-referred, 0 deleted" in proc.stdout
    assert proc.stdout.endswith("No changes. Live state matches the configuration.\n")
    assert (
        "$ netsync plan" in proc.stderr
        and "Traceback" not in proc.stderr
        and "internal error" not in proc.stderr
    )


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_examples(run_cli, command):
    code, out, _ = run_cli(command, "--help")
    assert code == 0
    assert "Usage: netsync" in out
    if command != "sandbox":
        assert "Examples:" in out


@pytest.mark.parametrize(
    "args",
    [["plan", "--format", "yaml"], ["plan", "--parallelism", "0"], ["nosuchcommand"], ["show"]],
)
def test_usage_errors_exit_1_never_2(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 1
    assert "Traceback" not in err and "internal error" not in err


def test_version(run_cli):
    code, out, _ = run_cli("--version")
    assert code == 0 and out.startswith("netsync, version ")
