"""Where a config comes from (SPEC 3): `-c -` reads standard input, no `-c` finds `netsync.yaml`
or `netsync.yml`, and a path that cannot be read is a clear error naming it, never an internal
error."""

from __future__ import annotations

import errno
import io
import os
import pathlib
from pathlib import Path

import pytest

from netsync.config import ConfigError, load_config

OK = "version: 1\n"


def errors_of(path: Path | str | None, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, {}, **kwargs)
    return [str(d) for d in info.value.diagnostics]


def test_default_finds_netsync_yml_as_well_as_netsync_yaml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "netsync.yml").write_text(OK)
    assert [str(p) for p in load_config(None, {}).files] == ["netsync.yml"]
    (tmp_path / "netsync.yml").unlink()
    (tmp_path / "netsync.yaml").write_text(OK)
    assert [str(p) for p in load_config(None, {}).files] == ["netsync.yaml"]


def test_default_with_both_files_is_an_error_naming_both(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "netsync.yaml").write_text(OK)
    (tmp_path / "netsync.yml").write_text(OK)
    assert errors_of(None) == [
        "netsync.yaml and netsync.yml are both in the working directory: keep one, "
        "or choose with -c PATH"
    ]


def test_default_with_neither_file_says_how_to_choose(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert errors_of(None) == [
        "no netsync.yaml or netsync.yml in the working directory (use -c PATH)"
    ]


def test_default_errors_are_located_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "netsync.yml").write_text("version: 1\nnetwork:\n  pending: maybe\n")
    (message,) = errors_of(None)
    assert message.startswith("netsync.yml:3:12: network.pending: ")


def test_stdin_errors_are_located_as_stdin():
    stream = io.StringIO("version: 1\nversion: 1\n")  # a text stream works as well as bytes
    assert errors_of("-", stdin=stream) == [
        "<stdin>:2:1: version: duplicate key 'version' (first defined at line 1)"
    ]


def test_stdin_config_loads_like_a_file():
    config = load_config("-", {}, stdin=io.BytesIO(OK.encode()))
    assert [str(p) for p in config.files] == ["<stdin>"]


def test_validate_reads_stdin_through_the_cli(run_cli):
    code, out, err = run_cli("validate", "-c", "-", input="version: 1\nfirms: {1x: y}\n")
    assert code == 1 and out == ""
    assert err.startswith("<stdin>:2:9: firms.1x: invalid alias '1x'")


def _deny(monkeypatch, method: str, denied: Path) -> None:
    """Make `Path.<method>` fail with EACCES for `denied`: tests run as root, where chmod 000
    does not stop a read."""
    original = getattr(pathlib.Path, method)

    def guarded(self, *args, **kwargs):
        if Path(self) == denied:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, method, guarded)


def test_unreadable_file_in_a_directory_is_named(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text(OK)
    (tmp_path / "b.yaml").write_text("network: {}\n")
    _deny(monkeypatch, "open", tmp_path / "b.yaml")
    assert errors_of(tmp_path) == [
        f"{tmp_path}/b.yaml:1:1: cannot read: permission denied "
        "(check the permissions of the file and its directories)"
    ]


def test_unreadable_directory_is_named(tmp_path, monkeypatch):
    _deny(monkeypatch, "iterdir", tmp_path)
    assert errors_of(tmp_path) == [
        f"{tmp_path}: cannot list the directory: permission denied "
        "(check the permissions of the file and its directories)"
    ]


def test_path_under_an_unsearchable_directory_is_named(tmp_path, monkeypatch):
    _deny(monkeypatch, "stat", tmp_path / "c.yaml")
    (message,) = errors_of(tmp_path / "c.yaml")
    assert message.startswith(f"{tmp_path}/c.yaml: cannot read: permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode_exits_1_through_the_cli(tmp_path, run_cli):
    path = tmp_path / "c.yaml"
    path.write_text(OK)
    path.chmod(0)
    try:
        code, _, err = run_cli("validate", "-c", str(path))
    finally:
        path.chmod(0o644)
    assert code == 1 and "permission denied" in err and "internal error" not in err


def test_cli_reports_an_unreadable_directory_without_traceback(tmp_path, monkeypatch, run_cli):
    (tmp_path / "a.yaml").write_text(OK)
    _deny(monkeypatch, "iterdir", tmp_path)
    code, out, err = run_cli("validate", "-c", str(tmp_path))
    assert code == 1 and out == ""
    assert err.startswith(f"{tmp_path}: cannot list the directory: permission denied")
    assert "Traceback" not in err and "internal error" not in err
