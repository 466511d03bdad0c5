"""Seed validation and the `netsync sandbox` click command."""

from __future__ import annotations

import os
import signal
import threading
import time

import click
import httpx
import pytest
from click.testing import CliRunner

from netsync.sandbox import Sandbox, SeedError
from netsync.sandbox.cli import sandbox as sandbox_cmd

from ._support import HAWKINS, QUICKSTART_SEED, RIVERA, cx_headers


def test_no_seed_has_builtin_firms_and_nothing_else():
    with Sandbox() as sb, httpx.Client(base_url=sb.url) as c:
        assert (
            c.get(f"/api/public/v1/network/outbound/{RIVERA}", headers=cx_headers()).status_code
            == 404
        )
        assert c.get("/api/public/v1/routing/rules", headers=cx_headers()).json()["data"] == []
        assert c.get("/api/public/v1/network/pending", headers=cx_headers()).json()["data"] == []
        r = c.post(f"/api/public/v1/network/outbound/{HAWKINS}", headers=cx_headers())
        assert r.json()["data"]["firmName"] == "Hawkins & Pratt LLP"


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("outbound:\n  nope: {}\n", r"outbound\.nope: must be a UUID"),
        ("outbound:\n  00000000-0000-4000-8000-000000000000: {}\n", "not in the firm directory"),
        (f"outbound:\n  {RIVERA}: {{sendingPercentage: 150}}\n", r"sendingPercentage"),
        ("colour: red\n", r"colour: unknown key"),
        (
            "cases:\n  - id: 3c90c3cc-0d44-4b50-8888-8dd25736052a\n    referrals:\n"
            f"      - {{referentFirmId: {RIVERA}, status: lost,"
            " createdAt: '2026-01-01T00:00:00Z'}\n",
            r"cases\[0\]\.referrals\[0\]\.status",
        ),
        (
            "matters:\n  - {id: 9a1b2c3d-0000-4000-8000-000000000001, referrer: x}\n",
            r"matters\[0\]\.referrer: unknown matter field",
        ),
        ("case_requests:\n  - {case_type_id: 1}\n", r"case_requests\[0\]"),
        ("me: {id: 1\n", r"seed.yaml:\d+: invalid YAML"),
        ("firms: []\nfirms: []\n", r"seed.yaml:2: invalid YAML: duplicate key"),
    ],
)
def test_bad_seed_names_file_and_key(tmp_path, text, pattern):
    f = tmp_path / "seed.yaml"
    f.write_text(text)
    with pytest.raises(SeedError, match=pattern) as info:
        Sandbox(seed=f)
    assert str(f) in str(info.value)


def test_cli_help_and_usage_error_exit_1():
    runner = CliRunner()
    r = runner.invoke(sandbox_cmd, ["--help"])
    assert r.exit_code == 0
    for opt in (
        "--host",
        "--port",
        "--seed",
        "--state",
        "--latency-ms",
        "--rate-limits",
        "--faults",
        "--smokeball-delay",
    ):
        assert opt in r.output
    r = runner.invoke(sandbox_cmd, ["--rate-limits", "sometimes"])
    assert r.exit_code == 1
    r = runner.invoke(sandbox_cmd, ["--no-such-option"])
    assert r.exit_code == 1
    r = runner.invoke(sandbox_cmd, ["--port", "http"])
    assert r.exit_code == 1


def test_cli_usage_error_exit_1_when_mounted_in_a_group():
    @click.group()
    def main() -> None:
        pass

    main.add_command(sandbox_cmd)
    r = CliRunner().invoke(main, ["sandbox", "--rate-limits", "sometimes"])
    assert r.exit_code == 1
    assert "sometimes" in r.output
    assert CliRunner().invoke(main, ["sandbox", "--help"]).exit_code == 0


def test_cli_bad_seed_is_one_line_error_exit_1(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("outbound:\n  nope: {}\n")
    r = CliRunner().invoke(sandbox_cmd, ["--seed", str(f), "--port", "0"])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(f) in lines[0] and "outbound.nope" in lines[0]


def test_cli_serves_prints_exports_and_stops_cleanly():
    """Run the command in-process; SIGTERM (like Ctrl-C) makes it stop and exit 0."""
    runner = CliRunner()
    result: dict = {}

    def run() -> None:
        result["r"] = runner.invoke(sandbox_cmd, ["--seed", str(QUICKSTART_SEED), "--port", "0"])

    # Signal handlers can only be installed from the main thread, so run the server there and
    # send SIGTERM from a helper thread once it is up.
    def stopper() -> None:
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stopper, daemon=True).start()
    run()
    r = result["r"]
    assert r.exit_code == 0, r.output
    assert "export NETSYNC_CASEXCHANGE_URL=http://127.0.0.1:" in r.output
    assert "export CASEXCHANGE_API_KEY=cxp_full_sandbox" in r.output
    assert "export TRACKOPS_USERNAME=sandbox" in r.output


def test_cli_unwritable_state_file_is_a_state_error_not_a_bind_error(tmp_path):
    bad = "/proc/nonexistent/x.json"
    r = CliRunner().invoke(sandbox_cmd, ["--port", "0", "--state", bad])
    assert r.exit_code == 1
    assert "Traceback" not in r.output and "cannot listen" not in r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"{bad}: cannot read/write state: " in lines[0]


def test_cli_port_in_use_is_a_bind_error():
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = CliRunner().invoke(sandbox_cmd, ["--port", str(port)])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"cannot listen on 127.0.0.1:{port}: " in lines[0]
