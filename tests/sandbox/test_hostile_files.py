"""Bad seed, fault and state files are one line naming the file and exit 1, never an internal
error; a --host that is not loopback is warned about (issue 9, "Sandbox")."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from netsync.sandbox import Sandbox, SeedError
from netsync.sandbox.cli import exposure_warning, is_loopback
from netsync.sandbox.cli import sandbox as sandbox_cmd
from netsync.sandbox.server import Sandbox as ServerSandbox

from ._support import RIVERA, cx_headers

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
BOMB = (
    "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n"
              for i in range(8))
    + "routing_rules: [{name: r, targetFirmId: c3d4e5f6-7890-1abc-def2-34567890abcd,"
    " conditions: [{value: *i}]}]\n"
)  # fmt: skip
YAML_CASES = {
    "binary": (PNG, r"not a UTF-8 text file \(byte 0x89 at offset 0\)"),
    "latin-1": ("firms: []\n# café\n".encode("latin-1"), "not a UTF-8 text file"),
    "control characters": (b"firms: [\x00]\n", "invalid YAML: unacceptable character"),
    "deep nesting": (b"[" * 1000 + b"]" * 1000, "invalid YAML: nested too deeply"),
    "alias bomb": (BOMB.encode(), "too large once aliases are expanded"),
    "alias inside itself": (b"a: &a [*a]\n", "an alias inside itself"),
}


def _one_line_error(result, path) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(path) in lines[0], result.output
    return lines[0]


@pytest.mark.parametrize("kind", sorted(YAML_CASES))
@pytest.mark.parametrize("option", ["--seed", "--faults"])
def test_bad_yaml_files_are_one_line_errors(tmp_path, kind, option):
    content, pattern = YAML_CASES[kind]
    f = tmp_path / "file.yaml"
    f.write_bytes(content)
    with pytest.raises(SeedError, match=pattern):
        Sandbox(**{option[2:]: f})
    line = _one_line_error(CliRunner().invoke(sandbox_cmd, [option, str(f), "--port", "0"]), f)
    assert line.startswith(f"Error: {f}")


STATE_CASES = {
    "binary": (PNG, "not a UTF-8 text file"),
    "not json": (b"{nope", "cannot load sandbox state"),
    "deep json": (b"[" * 100_000 + b"]" * 100_000, "cannot load sandbox state: nested too deeply"),
    "wrong version": (b'{"version": 7}', "not a sandbox state file"),
    "wrong type": (b'{"version": 1, "credentials": "x"}', "credentials must be a JSON object"),
    "wrong creds": (
        b'{"version": 1, "credentials": {"trackops": {"users": 5}}}',
        "credentials.trackops.users must be a JSON array",
    ),
    "wrong list": (b'{"version": 1, "matters": []}', "matters must be a JSON object"),
}


@pytest.mark.parametrize("kind", sorted(STATE_CASES))
def test_bad_state_files_are_one_line_errors(tmp_path, kind):
    content, pattern = STATE_CASES[kind]
    f = tmp_path / "state.json"
    f.write_bytes(content)
    with pytest.raises(SeedError, match=pattern):
        Sandbox(state=f)
    _one_line_error(CliRunner().invoke(sandbox_cmd, ["--state", str(f), "--port", "0"]), f)
    assert f.read_bytes() == content  # a state file we cannot read is never overwritten


def test_a_good_state_file_still_loads(tmp_path):
    f = tmp_path / "state.json"
    with Sandbox(state=f) as sb:
        secret = sb.world.jwt_secret
    assert json.loads(f.read_text())["jwt_secret"] == secret  # the file keeps the real secret
    with Sandbox(state=f) as sb:
        assert sb.world.jwt_secret == secret


@pytest.mark.parametrize(
    "host,loopback",
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("", False),
        ("::", False),
        ("192.168.1.20", False),
        ("sandbox.example.com", False),
    ],
)
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback
    assert (exposure_warning(host) is None) is loopback


def test_non_loopback_host_warns_on_stderr(monkeypatch):
    """Checked without binding anything but loopback: start() is made to fail."""

    def refuse(self):
        raise OSError(99, "Cannot assign requested address")

    monkeypatch.setattr(ServerSandbox, "start", refuse)
    r = CliRunner().invoke(sandbox_cmd, ["--host", "0.0.0.0", "--port", "0"])
    assert r.exit_code == 1
    assert "warning: --host 0.0.0.0 is not a loopback address" in r.output
    assert "default credentials are public" in r.output
    r = CliRunner().invoke(sandbox_cmd, ["--host", "127.0.0.1", "--port", "0"])
    assert "warning" not in r.output


def test_a_state_file_that_cannot_be_written_is_a_500_and_one_line(tmp_path, monkeypatch, capfd):
    with Sandbox(state=tmp_path / "state.json") as sb:

        def disk_full(payload: str) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(sb.world, "_write", disk_full)
        with httpx.Client(base_url=sb.url) as c:
            r = c.post(f"/api/public/v1/network/outbound/{RIVERA}", headers=cx_headers())
        assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
        assert r.headers["X-Sandbox-Error"] == "OSError"
        monkeypatch.undo()  # let stop() save
    err = capfd.readouterr().err
    assert "Traceback" not in err
    assert "netsync sandbox: error saving " in err and "No space left on device" in err
