"""The README's Walkthrough, run step by step exactly as written.

The shell commands of the Walkthrough section's `sh` block run one at a time, in a temporary
directory holding a copy of `examples/` (as a clone would), through bash, with the environment
carried from step to step as one shell session would carry it. Only two things are substituted:
the sandbox port (a free one instead of 8900) and the `netsync` executable (this interpreter's,
first on PATH). Every step has a timeout; the sandbox is stopped whatever happens.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
README_PORT = "8900"
STEP_TIMEOUT = 120.0


@dataclass
class Step:
    """What one walkthrough step must do: its command (a regex), exit code and key output."""

    command: str
    code: int = 0
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    check: Callable[[Path], str | None] | None = None  # a problem with the files, or None


def _sandbox_env_written(folder: Path) -> str | None:
    text = (folder / "sandbox.env").read_text() if (folder / "sandbox.env").exists() else ""
    return None if "NETSYNC_CASEXCHANGE_URL" in text else "sandbox.env holds no export lines"


def _export_written(folder: Path) -> str | None:
    names = sorted(p.name for p in (folder / "mynet").glob("*.yaml"))
    expected = [
        "case_requests.yaml",
        "cases.yaml",
        "firms.yaml",
        "matters.yaml",
        "network.yaml",
        "providers.yaml",
        "routing.yaml",
    ]
    return None if names == expected else f"mynet/ holds {names}"


CLEAN = "No changes. Live state matches the configuration."
EXPECTED = [
    Step(
        r"^netsync sandbox --port \d+ --seed examples/quickstart/sandbox/seed\.yaml > sandbox\.env"
    ),
    Step(r"^until grep -q \S+ sandbox\.env", check=_sandbox_env_written),
    Step(r"^source sandbox\.env$"),
    Step(
        r"^netsync apply -c examples/quickstart --auto-approve --force$",
        stdout=["Apply complete: 3 created, 6 updated, 1 re-referred, 0 deleted"],
    ),
    Step(
        r"^netsync export -c examples/quickstart -o mynet/$",
        stderr=["Exported 5 resources to mynet/."],
        check=_export_written,
    ),
    Step(r"^netsync plan -c mynet --detailed-exitcode$", stdout=[CLEAN]),
    Step(r"^sed -i\.bak 's/sendingPercentage: 25/sendingPercentage: 20/' mynet/network\.yaml$"),
    Step(
        r"^netsync plan -c mynet$",
        stdout=[
            "~ network.outbound.caldwell",
            "sendingPercentage: 25 → 20",
            "Plan: 0 to create, 1 to update, 0 to re-refer, 0 to delete.",
        ],
    ),
    Step(
        r"^netsync apply -c mynet --auto-approve$",
        stdout=["Apply complete: 0 created, 1 updated, 0 re-referred, 0 deleted"],
    ),
    Step(r"^netsync plan -c mynet --detailed-exitcode$", stdout=[CLEAN]),
    Step(r"^sed -i\.bak 's/value: NV/value: CA/' mynet/routing\.yaml$"),
    Step(
        r"^netsync plan -c mynet$",
        stdout=[
            "~ routing.rules.NV Product Liability to Rivera",
            '{"field": "jurisdiction", "operator": "eq", "value": "NV"}] → ',
            '{"field": "jurisdiction", "operator": "eq", "value": "CA"}]',
            "Plan: 0 to create, 1 to update, 0 to re-refer, 0 to delete.",
        ],
    ),
    Step(
        r"^netsync apply -c mynet --auto-approve$",
        stdout=["Apply complete: 0 created, 1 updated, 0 re-referred, 0 deleted"],
    ),
    Step(
        r"^curl .* -X POST \S*/api/public/v1/network/outbound/c3d4e5f6-7890-1abc-def2-34567890abcd"
    ),
    Step(
        r"^netsync drift -c mynet$",
        code=2,
        stdout=[
            "~ network.outbound.rivera",
            "daysForInvestigating: 60 → 30",
            "Drift detected: 0 to create, 1 to update, 0 to re-refer, 0 to delete.",
        ],
    ),
    Step(r'^kill "\$\(cat sandbox\.pid\)"$'),
]
RULE_PLAN = 11  # the plan after the routing-rule change: where routing impact must show


def walkthrough_commands(text: str) -> list[str]:
    """The commands of the `sh` blocks under `## Walkthrough`, comments and blank lines left
    out, `\\`-continued lines joined."""
    section = text.split("\n## Walkthrough\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", section, re.M | re.S)
    commands: list[str] = []
    pending = ""
    for line in (line for block in blocks for line in block.splitlines()):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        commands.append(pending + stripped)
        pending = ""
    assert not pending, "the walkthrough ends in a continued line"
    return commands


COMMANDS = walkthrough_commands(README.read_text(encoding="utf-8"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def substitute(command: str, port: int) -> str:
    """The one change made to a step: the sandbox's port."""
    return command.replace(f"--port {README_PORT}", f"--port {port}")


def clean_environment(bin_dir: Path) -> dict[str, str]:
    """This process's environment without any vendor credentials or URLs (the walkthrough's
    own `source sandbox.env` must provide them), with this interpreter's `netsync` first."""
    dropped = ("NETSYNC_", "CASEXCHANGE_", "SMOKEBALL_", "TRACKOPS_", "GITHUB_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUTF8"] = "1"  # `→` whatever the locale
    env["NO_COLOR"] = "1"
    return env


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie left to a parent that never reaps it does not)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.is_dir():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def is_sandbox(pid: int) -> bool:
    """Whether `pid` is a `netsync sandbox` (never signal a process that merely reused an id)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return alive(pid)  # no /proc: trust the id we recorded
    return b"sandbox" in command and any(b"netsync" in part for part in command)


def sandboxes_in_group(group: int) -> list[int]:
    """The sandbox processes left in a process group we started."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and is_sandbox(int(stat.parent.name)):
            found.append(int(stat.parent.name))
    return found


def stop(pid: int) -> None:
    """SIGTERM, then SIGKILL after 10 s, to a sandbox we started."""
    if not (alive(pid) and is_sandbox(pid)):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@dataclass
class Result:
    command: str
    code: int | None
    stdout: str
    stderr: str
    problems: list[str] = field(default_factory=list)  # against EXPECTED, found during the run


@dataclass
class Walk:
    port: int
    results: list[Result]


@pytest.fixture(scope="module")
def walkthrough(tmp_path_factory: pytest.TempPathFactory) -> Walk:
    """Every step's result, in order; the run stops at the first step that does not do what
    EXPECTED says (later steps are then missing)."""
    for tool in ("bash", "curl", "sed", "grep"):
        if shutil.which(tool) is None:
            pytest.skip(f"the walkthrough needs {tool}")
    work = tmp_path_factory.mktemp("walkthrough")
    shutil.copytree(REPO / "examples", work / "examples")
    bin_dir = tmp_path_factory.mktemp("bin")
    wrapper = bin_dir / "netsync"
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m netsync "$@"\n')
    wrapper.chmod(0o755)
    env = clean_environment(bin_dir)
    state = work.parent / f"{work.name}.session"  # the shell session's exports between steps
    port = free_port()
    results: list[Result] = []
    groups: list[int] = []  # every step's process group: a background sandbox stays in one
    try:
        for index, command in enumerate(COMMANDS):
            command = substitute(command, port)
            script = (
                f"if [ -f {shlex.quote(str(state))} ]; then . {shlex.quote(str(state))}; fi\n"
                f"{command}\n__status=$?\nexport -p > {shlex.quote(str(state))}\nexit $__status\n"
            )
            out, err = work.parent / f"step{index}.out", work.parent / f"step{index}.err"
            with out.open("w") as stdout, err.open("w") as stderr:
                proc = subprocess.Popen(
                    ["bash", "-c", script],
                    cwd=work,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=stdout,
                    stderr=stderr,
                    start_new_session=True,  # its own process group, ours to stop
                )
                groups.append(proc.pid)
                try:
                    code: int | None = proc.wait(timeout=STEP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(proc.pid, signal.SIGKILL)  # the step's group; bash still leads it
                    proc.wait(timeout=10)
                    code = None
            result = Result(command, code, out.read_text(), err.read_text())
            results.append(result)
            if index >= len(EXPECTED):
                result.problems = ["a step the test does not expect"]
            else:
                result.problems = problems(EXPECTED[index], result, work)
            if result.problems:
                break
    finally:
        pid_file = work / "sandbox.pid"
        if pid_file.exists() and pid_file.read_text().strip().isdigit():
            stop(int(pid_file.read_text().strip()))
        for group in groups:  # a sandbox whose pid file was never written
            for pid in sandboxes_in_group(group):
                stop(pid)
    return Walk(port, results)


def problems(step: Step, result: Result, folder: Path) -> list[str]:
    found = []
    if not re.search(step.command, result.command):
        found.append(f"the README step {result.command!r} is not {step.command!r}")
    if result.code != step.code:
        found.append(f"exit code {result.code}, expected {step.code}")
    found += [f"stdout lacks {text!r}" for text in step.stdout if text not in result.stdout]
    found += [f"stderr lacks {text!r}" for text in step.stderr if text not in result.stderr]
    if step.check is not None and (problem := step.check(folder)):
        found.append(problem)
    return found


def test_the_walkthrough_has_the_expected_steps():
    assert len(COMMANDS) == len(EXPECTED), "\n".join(COMMANDS)
    for command, step in zip(COMMANDS, EXPECTED, strict=True):
        assert re.search(step.command, command), (command, step.command)
    assert sum(README_PORT in c for c in COMMANDS) == 1, "only the sandbox names the port"


@pytest.mark.parametrize(
    "index",
    range(len(EXPECTED)),
    ids=[f"{i:02d}-{s.command[1:30]}" for i, s in enumerate(EXPECTED)],
)
def test_step(walkthrough: Walk, index: int):
    results = walkthrough.results
    if index >= len(results):
        pytest.fail(f"not run: step {len(results) - 1} ({results[-1].command!r}) failed first")
    result = results[index]
    detail = f"\n--- stdout\n{result.stdout[-3000:]}\n--- stderr\n{result.stderr[-3000:]}"
    assert result.problems == [], f"{result.command}: {'; '.join(result.problems)}{detail}"


def test_the_rule_change_shows_its_routing_impact(walkthrough: Walk):
    assert len(walkthrough.results) > RULE_PLAN, "the walkthrough stopped before the rule change"
    out = walkthrough.results[RULE_PLAN].stdout
    assert "Routing impact: 2 case profiles (case type / jurisdiction) routed differently:" in out
    assert (
        "Product Liability / CA: NV Product Liability to Rivera → Rivera Injury Law "
        "(was not auto-routed) [verified]"
    ) in out
    assert (
        "Product Liability / NV: (no rule: not auto-routed) "
        "(was Rivera Injury Law, rule NV Product Liability to Rivera) [verified]"
    ) in out


def test_the_sandbox_is_stopped_at_the_end(walkthrough: Walk):
    assert len(walkthrough.results) == len(EXPECTED), "the walkthrough did not reach its end"
    with socket.socket() as probe:
        probe.settimeout(2)
        assert probe.connect_ex(("127.0.0.1", walkthrough.port)) != 0, "the sandbox still serves"
