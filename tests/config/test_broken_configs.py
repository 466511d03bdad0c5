"""Every file (or folder) under tests/configs/broken is one broken config. Its first line says
what `netsync validate` must report: `# expect: [FILE:]LINE: ADDRESS: message-fragment`
(ADDRESS `-` when the error has none). Each must exit 1, name file and line, and never trace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BROKEN = Path(__file__).resolve().parent.parent / "configs" / "broken"
# Files that cannot carry a comment line.
SPECIAL = {"04_binary.yaml": (None, 1, "-", "not UTF-8 text")}


def expectation(case: Path) -> tuple[str | None, int, str, str]:
    if case.name in SPECIAL:
        return SPECIAL[case.name]
    first = sorted(case.iterdir())[0] if case.is_dir() else case
    header = first.read_text().splitlines()[0]
    match = re.fullmatch(
        r"# expect: (?:(?P<file>[\w.]+):)?(?P<line>\d+): (?P<addr>[^:]+): (?P<msg>.+)", header
    )
    assert match, f"{first}: bad expectation header {header!r}"
    return match["file"], int(match["line"]), match["addr"], match["msg"]


CASES = sorted(BROKEN.iterdir())


def test_there_are_at_least_25_distinct_broken_configs():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_broken_config_is_reported_at_its_line(case: Path, run_cli, monkeypatch):
    monkeypatch.delenv("NETSYNC_TRACKOPS_URL", raising=False)
    monkeypatch.delenv("NETSYNC_TEST_SURELY_UNSET", raising=False)
    file, line, address, message = expectation(case)
    code, out, err = run_cli("validate", "-c", str(case))
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
