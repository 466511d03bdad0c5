"""Hostile configs too big to commit, and the promise behind the limits: `netsync validate` of any
config under 200 MB ends within 10 s in bounded memory, with a clear error and exit 1.

The slow cases run `python -m netsync validate` in a child process with its address space capped
at 1 GB (RLIMIT_AS) and a 10 s timeout, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import io
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from netsync.config import ConfigError, load_config
from netsync.config.limits import MAX_STRING, MAX_VALUES

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
MEMORY_CAP = 1 << 30
BOMB = (
    Path(__file__).resolve().parent.parent / "configs" / "hostile" / "101_alias_bomb_lists_9x9.yaml"
)


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def validate_capped(path: Path | str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """`python -m netsync validate -c PATH` with 1 GB of address space and 10 s."""
    return subprocess.run(
        [sys.executable, "-m", "netsync", "validate", "-c", str(path)],
        input=stdin,
        capture_output=True,
        timeout=10,
        preexec_fn=_cap_memory,
    )


def assert_clean_failure(proc: subprocess.CompletedProcess, *parts: str) -> str:
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "internal error" not in err
    for part in parts:
        assert part in err, err
    return err


def errors_of(path: Path | str, **kwargs) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(path, {}, **kwargs)
    return [str(d) for d in info.value.diagnostics]


def write_large_yaml(path: Path, size: int) -> None:
    """A YAML file of `size` bytes that is all comments after the version line: cheap to write,
    and only a size check (not a parser) can refuse it quickly."""
    line = b"# " + b"x" * 1021 + b"\n"
    with path.open("wb") as out:
        out.write(b"version: 1\n")
        for _ in range(size // len(line)):
            out.write(line)


def test_alias_bomb_fails_fast_in_bounded_memory():
    err = assert_clean_failure(validate_capped(BOMB), f"larger than {MAX_VALUES:,} values")
    assert f"{BOMB}:9:8: g[0]: alias *f" in err


def test_a_200_mb_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    write_large_yaml(path, 200_000_000)
    err = assert_clean_failure(validate_capped(path), "more than the limit of 10 MB")
    assert err.startswith(f"{path}:1:1: the file is 200 MB")


def test_a_dense_file_under_the_size_limit_stops_at_the_value_budget(tmp_path):
    path = tmp_path / "dense.yaml"
    path.write_text("version: 1\nx: [" + ",".join(["1"] * 4_900_000) + "]\n")
    assert_clean_failure(validate_capped(path), f"more than {MAX_VALUES:,} values")


def test_stdin_larger_than_a_config_file_is_refused(tmp_path):
    big = b"version: 1\n" + b"#" * 12_000_000 + b"\n"
    err = assert_clean_failure(validate_capped("-", stdin=big), "<stdin>:1:1: the input is more")
    assert "10 MB" in err


def test_files_adding_up_past_the_total_limit_are_refused(tmp_path):
    for name in ("a.yaml", "b.yaml", "c.yaml"):
        write_large_yaml(tmp_path / name, 8_000_000)
    (message,) = errors_of(tmp_path)
    assert message.startswith(f"{tmp_path}: the config files add up to 24")
    assert "more than the limit of 20 MB for all files together" in message


def test_a_directory_of_too_many_files_is_refused(tmp_path):
    for i in range(1001):
        (tmp_path / f"f{i:04}.yaml").write_text("")
    (message,) = errors_of(tmp_path)
    assert "1,001 *.yaml/*.yml files, more than the limit of 1,000" in message


def test_a_value_longer_than_the_string_limit_is_refused_without_echo(tmp_path):
    path = tmp_path / "c.yaml"
    text = "y" * (MAX_STRING + 1)
    path.write_text(
        f"version: 1\nnetwork:\n  outbound:\n    {RIVERA}:\n      description: {text}\n"
    )
    (message,) = errors_of(path)
    assert message == (
        f"{path}:5:20: network.outbound.{RIVERA}: description: a value longer than "
        f"{MAX_STRING:,} characters"
    )


def test_a_60_mb_string_is_refused_by_size(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"version: 1\nnotes: " + b"z" * 60_000_000 + b"\n")
    (message,) = errors_of(path)
    assert "the file is 60 MB, more than the limit of 10 MB" in message


def test_an_interpolated_value_is_bounded_too(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("version: 1\nproviders:\n  trackops:\n    base_url: ${BIG}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, {"BIG": "h" * (MAX_STRING + 1)})
    (message,) = [str(d) for d in info.value.diagnostics]
    assert message.endswith("the value from ${BIG} is longer than 100,000 characters")


def test_stdin_within_limits_reads_one_document():
    stream = io.BytesIO(b"version: 1\nnetwork:\n  pending: maybe\n")
    assert errors_of("-", stdin=stream) == [
        '<stdin>:3:12: network.pending: "maybe" is not one of "report", "ignore", "accept", '
        '"decline"'
    ]
