"""Every file (or folder) under tests/configs/broken and tests/configs/hostile is one broken
config. Its first line says what `netsync validate` must report:
`# expect: [FILE:]LINE: ADDRESS: message-fragment` (ADDRESS `-` when the error has none); a file
that cannot carry a comment (UTF-16, zero bytes) has it in `NAME.expect` beside it instead. An
optional `# secret: VALUE` line names a credential the file plants, which no output may repeat.

Each must exit 1, name file and line, never trace, never say "internal error", and never echo a
credential: neither the planted ones nor the environment's, which the run sets to known values.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netsync.config import limits

CONFIGS = Path(__file__).resolve().parent.parent / "configs"
BROKEN = CONFIGS / "broken"
HOSTILE = CONFIGS / "hostile"
# Files that cannot carry a comment line.
SPECIAL = {"04_binary.yaml": (None, 1, "-", "not UTF-8 text")}
SIDECAR = ".expect"
# The environment every case runs with: credentials that must never show, and values the
# interpolation cases use.
ENV = {
    "CASEXCHANGE_API_KEY": "cxp_std_SECRETcorpus4f9a2b",
    "CASEXCHANGE_TOKEN": "tokSECRETcorpus77aa",
    "SMOKEBALL_CLIENT_SECRET": "sbSECRETcorpus991",
    "TRACKOPS_API_TOKEN": "trkSECRETcorpus123",
    "PCT": "50",
    "EMPTY": "",
    "NAN_VALUE": ".nan",
    "CTRL_VALUE": "a\x07b",
    "HUGE_NUMBER": "9" * 200,
}
SECRETS = [value for name, value in ENV.items() if "SECRET" in value]
CREDENTIAL_SHAPE = re.compile(r"cxp_(?:ro|std|full)_\w+", re.IGNORECASE)
HEADER = re.compile(r"# expect: (?:(?P<file>[\w.]+):)?(?P<line>\d+): (?P<addr>[^:]+): (?P<msg>.+)")


def header_lines(case: Path) -> list[str]:
    """The first lines of a case's expectation: its sidecar, or its (first) file's comments."""
    sidecar = case.with_name(case.name + SIDECAR)
    first = sidecar if sidecar.exists() else (sorted(case.iterdir())[0] if case.is_dir() else case)
    raw = first.read_bytes().removeprefix(b"\xef\xbb\xbf")
    return [line.decode("ascii", "replace") for line in raw.splitlines()[:2]]


def expectation(case: Path) -> tuple[str | None, int, str, str]:
    if case.name in SPECIAL:
        return SPECIAL[case.name]
    header = header_lines(case)[0]
    match = HEADER.fullmatch(header)
    assert match, f"{case}: bad expectation header {header!r}"
    return match["file"], int(match["line"]), match["addr"], match["msg"]


def planted_secret(case: Path) -> str | None:
    if case.name in SPECIAL:
        return None
    lines = header_lines(case)
    if len(lines) > 1 and lines[1].startswith("# secret: "):
        return lines[1].removeprefix("# secret: ")
    return None


def cases(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.endswith(SIDECAR))


CASES = cases(BROKEN) + cases(HOSTILE)


def test_there_are_at_least_100_distinct_broken_or_hostile_configs():
    assert len(CASES) >= 100
    assert len(cases(HOSTILE)) >= 100


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_broken_config_is_reported_at_its_line(case: Path, run_cli, monkeypatch):
    monkeypatch.delenv("NETSYNC_TRACKOPS_URL", raising=False)
    monkeypatch.delenv("NETSYNC_TEST_SURELY_UNSET", raising=False)
    file, line, address, message = expectation(case)
    if "larger than 250,000 values" in message:
        # The alias bombs of the corpus were written for a budget of 250,000 values; the
        # mechanism is the same at any budget (test_limits.py checks the real one).
        monkeypatch.setattr(limits, "MAX_VALUES", 250_000)
    code, out, err = run_cli("validate", "-c", str(case), env=ENV)
    assert code == 1
    assert "Traceback" not in err + out and "internal error" not in err + out
    target = str(case / file) if file else (str(case) if case.is_file() else None)
    file_part = re.escape(target) if target else re.escape(str(case)) + r"/[\w.]+"
    addr_part = "" if address == "-" else re.escape(address) + ": "
    pattern = rf"^{file_part}:{line}:\d+: {addr_part}.*{re.escape(message)}"
    assert re.search(pattern, err, re.MULTILINE), f"expected /{pattern}/ in:\n{err}"
    assert re.search(r"^\d+ errors? in config\.$", err, re.MULTILINE)
    assert out == ""
    assert "5551234567" not in err  # client personal data is never echoed back
    for secret in [*SECRETS, planted_secret(case)]:
        assert not secret or secret not in err, f"{secret!r} echoed:\n{err}"
    assert not CREDENTIAL_SHAPE.search(err), err
    assert len(err) < 20_000  # a hostile value is described, never printed whole


def test_empty_sections_are_empty_not_errors(run_cli):
    case = next(c for c in CASES if "empty_sections_are_empty" in c.name)
    code, _, err = run_cli("validate", "-c", str(case), env=ENV)
    assert (code, err.splitlines()[-1]) == (1, "1 error in config.")
