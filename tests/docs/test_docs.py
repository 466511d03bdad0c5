"""The user documentation stands on its own and stays true.

- No page a user reads points at the internal contract (`../shared`, `/work/shared`, `SPEC.md`).
- Every relative link, and every backticked repository path (`examples/quickstart/`,
  `schemas/plan.schema.json`), names something that exists in the repository.
- The README's quick start runs: its demo command, as `python -m netsync demo`, exits 0 and ends
  with a clean re-plan.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
FORBIDDEN = ("../shared", "/work/shared", "SPEC.md")

# Where a backticked path may start: the repository's own top-level folders.
TOP_LEVEL = sorted(
    p.name
    for p in REPO.iterdir()
    if p.is_dir()
    and p.name not in {".git", ".venv", ".hypothesis", ".ruff_cache", ".import_linter_cache"}
    and not p.name.startswith(".pytest")
    and not p.name.endswith(".egg-info")
)

FENCE = re.compile(r"^(```|~~~)[^\n]*\n.*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.M)
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
REPO_PATH = re.compile(r"^(?:\./)?(?:" + "|".join(map(re.escape, TOP_LEVEL)) + r")/")
PLACEHOLDER = re.compile(r"[<>{}*…$|\[\]=]|\.\.\.")


def user_pages() -> list[Path]:
    """README.md, every docs/*.md and every README.md under examples/."""
    pages = [README, *sorted((REPO / "docs").glob("*.md"))]
    pages += sorted((REPO / "examples").rglob("README.md"))
    return [p for p in pages if p.is_file()]


PAGES = user_pages()
IDS = [p.relative_to(REPO).as_posix() for p in PAGES]


def prose(text: str) -> str:
    """The page without fenced code blocks (their contents are not links)."""
    return FENCE.sub("", text)


def link_targets(text: str) -> list[str]:
    body = prose(text)
    return INLINE_LINK.findall(body) + REFERENCE_LINK.findall(body)


def is_external(target: str) -> bool:
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) is not None  # http:, https:, mailto:


def broken_links(text: str, folder: Path, root: Path = REPO) -> list[str]:
    """Local link targets of `text` (a page in `folder`) that do not exist under `root`."""
    problems = []
    for target in link_targets(text):
        if is_external(target) or target.startswith("#"):
            continue
        path = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if not path:
            continue
        resolved = (root / path.lstrip("/")) if path.startswith("/") else folder / path
        try:
            resolved.resolve().relative_to(root.resolve())
        except ValueError:
            problems.append(f"{target}: points outside the repository")
            continue
        if not resolved.exists():
            problems.append(f"{target}: no such file or directory")
    return problems


def repo_paths(text: str) -> list[str]:
    """Backticked tokens that name a repository path (`examples/quickstart/`, or one word of a
    command such as `netsync plan -c examples/quickstart`)."""
    found = []
    for span in CODE_SPAN.findall(prose(text)):
        for token in span.split():
            token = token.strip("\"'(),;:")
            token = token.rstrip(".")
            if REPO_PATH.match(token) and not PLACEHOLDER.search(token):
                found.append(token)
    return found


def missing_paths(page: Path) -> list[str]:
    return [p for p in repo_paths(page.read_text(encoding="utf-8")) if not (REPO / p).exists()]


# --- the checker checks what it should --------------------------------------------------------


def test_the_pages_are_found():
    names = set(IDS)
    assert {"README.md", "docs/configuration.md", "docs/commands.md"} <= names
    assert {"docs/plan-json.md", "docs/report-json.md", "docs/vendors.md"} <= names
    assert {"docs/README.md", "examples/README.md"} <= names


def test_link_and_path_extraction(tmp_path):
    text = (
        "See [the guide](commands.md#exit-codes), [web](https://example.com/x.md), "
        '[top](#top), ![img](missing.png "title"), [up](../../outside.md) and [ref][r].\n\n'
        "[r]: nowhere.md\n\n"
        "Run `netsync plan -c examples/quickstart` with `schemas/plan.schema.json`, "
        "`network/` (a user folder), `netsync/schemas/*.json` (a pattern) and "
        "`examples/nothing-here/`.\n\n"
        "```sh\nnetsync validate -c docs/not-checked.yaml [x](nope.md)\n```\n"
    )
    assert link_targets(text) == [
        "commands.md#exit-codes",
        "https://example.com/x.md",
        "#top",
        "missing.png",
        "../../outside.md",
        "nowhere.md",
    ]
    assert repo_paths(text) == [
        "examples/quickstart",
        "schemas/plan.schema.json",
        "examples/nothing-here/",
    ]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "commands.md").write_text("# Commands\n")
    assert broken_links(text, tmp_path / "docs", root=tmp_path) == [
        "missing.png: no such file or directory",
        "../../outside.md: points outside the repository",
        "nowhere.md: no such file or directory",
    ]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_pointer_to_the_internal_contract(page: Path):
    lines = page.read_text(encoding="utf-8").splitlines()
    found = [
        f"line {n}: {word}" for n, line in enumerate(lines, 1) for word in FORBIDDEN if word in line
    ]
    assert found == [], f"{page.relative_to(REPO)} points at the internal contract"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_links_resolve(page: Path):
    broken = broken_links(page.read_text(encoding="utf-8"), page.parent)
    assert not broken, f"broken links in {page.relative_to(REPO)}:\n" + "\n".join(broken)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_backticked_repository_paths_exist(page: Path):
    missing = missing_paths(page)
    assert not missing, f"missing paths in {page.relative_to(REPO)}:\n" + "\n".join(missing)


def test_the_docs_index_lists_every_page():
    index = (REPO / "docs" / "README.md").read_text(encoding="utf-8")
    linked = {Path(t.split("#", 1)[0]).name for t in link_targets(index)}
    pages = {p.name for p in (REPO / "docs").glob("*.md")} - {"README.md"}
    assert pages <= linked, f"docs/README.md does not link {sorted(pages - linked)}"


# --- the quick start runs ----------------------------------------------------------------------

DEMO = "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/netsync demo"
TESTS = "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest"


def quick_start_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", section, re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_the_quick_start_shows_the_commands_this_test_runs():
    # Each command must have an equivalent below; a new one needs one here first.
    assert quick_start_commands() == [DEMO, TESTS]


def test_the_quick_start_demo_runs_and_replans_clean():
    """The demo command without the venv it creates: `python -m netsync demo` in this
    interpreter (the test command, `pytest`, is this suite itself)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("NETSYNC_", "CASEXCHANGE_", "SMOKEBALL_", "TRACKOPS_", "GITHUB_"))
    }
    env["PYTHONUTF8"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "netsync", "demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    steps = re.findall(r"^\$ netsync (\w+)", done.stderr, re.M)
    assert steps == ["validate", "plan", "apply", "plan"], done.stderr[-3000:]
    assert "Apply complete:" in done.stdout
    last = [line for line in done.stdout.splitlines() if line.strip()][-1]
    assert last == "No changes. Live state matches the configuration.", done.stdout[-3000:]
