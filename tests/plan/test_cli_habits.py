"""The small CLI habits of SPEC §3 (issue 9): options every command takes, verbose logging,
Ctrl-C, output that cannot be encoded or written, what `-o` writes over, machine formats on an
invalid config, `--target` that selects nothing, future plan formats, `@mentions` in markdown,
and where the config comes from (`netsync.yml`, `-c -`).

Things CliRunner cannot show (the real stdout encoding, signals, /dev/full, a closed pipe, a
terminal) run `python -m netsync` as a subprocess pointed at the sandbox through `sb.env()`.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import signal
import stat
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from support import CREDENTIAL_VARS, QUICKSTART, converged_seed, quickstart_seed, write_config

from netsync.cli import main

RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
SANDBOX_CREDENTIALS = ("cxp_full_sandbox", "sandbox-token", "sandbox-key")


def child_env(sb=None, **extra: str) -> dict[str, str]:
    """The environment of a `python -m netsync` child: this one without credentials or
    NETSYNC_*_URL variables, plus the sandbox's, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CREDENTIAL_VARS and not (k.startswith("NETSYNC_") and k.endswith("_URL"))
    }
    env.pop("NO_COLOR", None)
    if sb is not None:
        env.update(sb.env())
    env.update(extra)
    return env


def netsync_child(*args: str) -> list[str]:
    return [sys.executable, "-m", "netsync", *args]


def no_crash(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr
    assert "internal error" not in stderr, stderr
    assert "Exception ignored" not in stderr, stderr


# --------------------------------------------------------------------------------------------
# --no-color, -v/--verbose and --version on every command


ALL_COMMANDS = ("validate", "plan", "drift", "show", "apply", "demo", "sandbox", "export")


def test_every_command_is_registered():
    """Guards the list below: a command added to the CLI must get the common options too."""
    assert set(main.commands) == set(ALL_COMMANDS)


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_every_command_takes_version(run_cli, command):
    """`netsync <cmd> --version` prints the version on every command (SPEC §3)."""
    code, out, err = run_cli(command, "--version")
    assert code == 0, err
    assert out.startswith("netsync, version "), out


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_every_command_takes_no_color_and_verbose(run_cli, command):
    """`--no-color` and `-v/--verbose` parse on every command (validate and sandbox refused
    `--no-color` before issue 9) and are listed in its help."""
    for flags in (["--no-color"], ["-v"], ["--verbose"], ["--no-color", "-v"]):
        code, out, err = run_cli(command, *flags, "--help")
        assert code == 0, (flags, err)
        assert "No such option" not in err
    assert "--no-color" in out and "--verbose" in out and "--version" in out


def test_no_color_and_verbose_in_real_runs(netsync, sandbox, tmp_path):
    """The common flags work in real runs of the reading commands and apply, not only with
    --help: validate, plan (-o), show, drift and apply each accept `--no-color -v`."""
    sb = sandbox(converged_seed())
    q = str(QUICKSTART)
    planfile = str(tmp_path / "p.plan")
    code, out, err = netsync(None, "validate", "--no-color", "-v", "-c", q)
    assert code == 0 and "Config is valid" in out, err
    code, out, err = netsync(sb, "plan", "--no-color", "-v", "-c", q, "-o", planfile)
    assert code == 0 and "No changes." in out, err
    code, out, err = netsync(sb, "show", "--no-color", "-v", planfile)
    assert code == 0 and "No changes." in out, err
    code, out, err = netsync(sb, "drift", "--no-color", "-v", "-c", q)
    assert code == 0 and "No drift" in out, err
    code, out, err = netsync(sb, "apply", "--no-color", "-v", "-c", q, "--auto-approve")
    assert code == 0, err
    code, out, err = netsync(sb, "export", "--no-color", "-v")
    assert code == 0 and "Exported" in err and "No such option" not in err, err


def test_sandbox_command_runs_with_no_color_and_verbose():
    """`netsync sandbox --no-color -v --port 0` starts (banner on stderr, exports on stdout)
    and stops with exit 0 on SIGTERM."""
    proc = subprocess.Popen(
        netsync_child("sandbox", "--no-color", "-v", "--port", "0"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        exports = [proc.stdout.readline() for _ in range(10)]  # the server is up
        assert all(line.startswith("export ") for line in exports), exports
        assert exports[-1].startswith("export TRACKOPS_API_TOKEN="), exports
        time.sleep(0.5)  # the SIGTERM handler is installed just after the last export line
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "listening on http://127.0.0.1:" in err
    no_crash(err)


def test_no_color_turns_colour_off_on_a_terminal(sandbox, tmp_path):
    """On a terminal the plan is coloured; `--no-color` turns every ANSI sequence off (run in a
    pty, since only a terminal gets colour at all)."""
    sb = sandbox()

    def on_tty(*flags: str) -> str:
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            netsync_child("plan", *flags, "-c", str(QUICKSTART)),
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=subprocess.PIPE,
            env=child_env(sb, TERM="xterm", COLUMNS="200"),
        )
        os.close(slave)
        chunks = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        os.close(master)
        proc.wait(timeout=30)
        assert proc.returncode == 0, proc.stderr.read()
        return b"".join(chunks).decode("utf-8", "replace")

    coloured = on_tty()
    assert "\x1b[" in coloured  # otherwise the next check proves nothing
    plain = on_tty("--no-color")
    assert "Plan: 3 to create" in plain
    assert "\x1b[" not in plain


# --------------------------------------------------------------------------------------------
# -v logs requests, without credentials


def test_verbose_logs_each_request_without_credentials(netsync, sandbox):
    """`plan -v` logs one "netsync: ..." line per HTTP request on stderr, naming the vendor,
    the method and the URL without its query string, and no credential in any form."""
    sb = sandbox()
    code, out, err = netsync(sb, "plan", "-v", "-c", str(QUICKSTART))
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("netsync: ")]
    requests = [line for line in lines if re.search(r"\b(GET|POST|PUT|DELETE)\b", line)]
    assert requests, f"no request logged with -v:\n{err}"
    for vendor, path in (
        ("CaseXchange", "/api/public/v1/routing/rules"),
        ("Smokeball", "/matters/9a1b2c3d-0000-4000-8000-000000000001"),
        ("Trackops", "/api/v1/case/requests"),
    ):
        assert any(vendor in line and "GET" in line and path in line for line in requests), (
            vendor,
            err,
        )
    # One line per request: at least as many as the sandbox received.
    assert len(requests) >= len(sb.requests)
    assert not any("?" in line for line in requests), err  # no query string (client refs)
    assert "reference_value_1=" not in err
    for secret in SANDBOX_CREDENTIALS:
        assert secret not in err


# --------------------------------------------------------------------------------------------
# Ctrl-C, encodings, unwritable output


def test_ctrl_c_during_plan_exits_130_without_traceback(sandbox):
    """SIGINT while plan waits for slow vendor answers: exit 130, "Interrupted.", no
    traceback."""
    sb = sandbox(latency_ms=2000)
    proc = subprocess.Popen(
        netsync_child("plan", "-c", str(QUICKSTART)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(sb),
    )
    try:
        deadline = time.monotonic() + 20
        while not sb.requests and time.monotonic() < deadline:  # reading has started
            time.sleep(0.05)
        assert sb.requests, "plan never reached the sandbox"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, (out, err)
    assert "Interrupted." in err
    no_crash(err)
    assert "KeyboardInterrupt" not in err


def test_output_encoding_without_arrow_prints_ascii_stand_ins(sandbox):
    """A cp1252 stdout (Windows runners) cannot encode `→`: plan prints `->` instead of
    crashing with UnicodeEncodeError."""
    sb = sandbox()
    proc = subprocess.run(
        netsync_child("plan", "-c", str(QUICKSTART)),
        capture_output=True,
        env=child_env(sb, PYTHONIOENCODING="cp1252"),
        timeout=60,
    )
    err = proc.stderr.decode("cp1252", "replace")
    assert proc.returncode == 0, err
    assert "UnicodeEncodeError" not in err
    no_crash(err)
    out = proc.stdout.decode("cp1252")
    assert "sendingPercentage: 33.5 -> 50" in out
    assert "→" not in out
    assert "Plan: 3 to create, 6 to update, 1 to re-refer, 0 to delete." in out


def test_disk_full_on_stdout_is_one_clear_line():
    """stdout on /dev/full: exit 1 and "netsync: cannot write the output: No space left on
    device" on stderr, no traceback."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            netsync_child("validate", "-c", str(QUICKSTART)),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=child_env(),
            timeout=60,
        )
    assert proc.returncode == 1, proc.stderr
    assert "netsync: cannot write the output: No space left on device" in proc.stderr
    no_crash(proc.stderr)


def test_closed_pipe_on_stdout_exits_1_quietly(sandbox):
    """`netsync plan | head -c 1`: the reader has gone; exit 1, no traceback, no "Exception
    ignored" at interpreter exit."""
    sb = sandbox()
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(
        netsync_child("plan", "-c", str(QUICKSTART)),
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        env=child_env(sb),
    )
    os.close(write_end)
    os.close(read_end)  # before the child (still importing) writes anything
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1, err
    no_crash(err)
    assert "BrokenPipeError" not in err


# --------------------------------------------------------------------------------------------
# -o PATH writes a regular file, atomically, and nothing else


def test_plan_o_refuses_a_symlink_and_leaves_link_and_target(netsync, sandbox, tmp_path):
    """`-o` never writes through a symlink: exit 1 "cannot write", link and target intact."""
    sb = sandbox()
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    link = tmp_path / "release.plan"
    link.symlink_to(target)
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(link))
    assert code == 1, err
    assert "cannot write" in err and "Saved" not in err
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "keep me\n"


def test_plan_o_refuses_a_fifo_without_blocking(netsync, sandbox, tmp_path):
    """`-o` never opens or replaces a FIFO: exit 1 "cannot write", the FIFO is still there.
    A non-blocking reader is held open so a wrong open() for writing cannot hang the test."""
    sb = sandbox()
    fifo = tmp_path / "release.plan"
    os.mkfifo(fifo)
    guard = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(fifo))
        written = b""
        with contextlib.suppress(BlockingIOError):
            written = os.read(guard, 65536)
    finally:
        os.close(guard)
    assert code == 1, err
    assert "cannot write" in err and "Saved" not in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert written == b""


def test_plan_o_refuses_a_directory(netsync, sandbox, tmp_path):
    """`-o DIR`: exit 1 "cannot write", the directory and its content are untouched."""
    sb = sandbox()
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "inside.txt").write_text("x")
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(folder))
    assert code == 1, err
    assert "cannot write" in err and "Saved" not in err
    assert folder.is_dir() and sorted(p.name for p in folder.iterdir()) == ["inside.txt"]


def test_plan_o_in_a_missing_directory_creates_nothing(netsync, sandbox, tmp_path):
    """`-o missing/dir/release.plan`: exit 1 "cannot write"; no directory is created."""
    sb = sandbox()
    path = tmp_path / "missing" / "dir" / "release.plan"
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(path))
    assert code == 1, err
    assert "cannot write" in err and "Saved" not in err
    assert not (tmp_path / "missing").exists()


def test_plan_o_replaces_a_regular_file_atomically(netsync, sandbox, tmp_path):
    """A regular file at the `-o` path is replaced by rename, not rewritten in place: a hard
    link to the old file keeps the old bytes, the new file is the plan, no temp file is left."""
    sb = sandbox()
    path = tmp_path / "release.plan"
    path.write_text("old plan\n")
    other = tmp_path / "hardlink.plan"
    os.link(path, other)
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(path))
    assert code == 0, err
    assert "Saved the plan" in err
    document = json.loads(path.read_text())
    assert document["format_version"] == "1" and document["changes"]
    assert other.read_text() == "old plan\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hardlink.plan", "release.plan"]


def test_plan_with_errors_removes_an_earlier_plan_file(netsync, sandbox, tmp_path):
    """A plan with errors (invalid config, or a failed read) leaves no plan file behind: the
    earlier regular file at the `-o` path is removed, and stderr says so."""
    sb = sandbox()
    bad = write_config(tmp_path, "version: 1\nnetwork:\n  outbound:\n    nobody: {}\n")
    path = tmp_path / "release.plan"
    path.write_text("stale plan\n")
    code, out, err = netsync(sb, "plan", "-c", str(bad), "-o", str(path))
    assert code == 1, err
    assert not path.exists()
    assert "Removed the earlier plan file" in err and str(path) in err

    path.write_text("stale plan\n")
    sb.add_fault({"vendor": "smokeball", "method": "GET", "path": "^/matters", "status": 400})
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(path))
    assert code == 1, err
    assert not path.exists()
    assert "Removed the earlier plan file" in err


def test_plan_with_errors_never_removes_a_symlink(netsync, sandbox, tmp_path):
    """The stale-file removal touches only a regular file: a symlink at the `-o` path, and what
    it points at, survive a plan with errors."""
    sb = sandbox()
    bad = write_config(tmp_path, "version: 1\nnetwork:\n  outbound:\n    nobody: {}\n")
    target = tmp_path / "precious.txt"
    target.write_text("precious\n")
    link = tmp_path / "release.plan"
    link.symlink_to(target)
    code, out, err = netsync(sb, "plan", "-c", str(bad), "-o", str(link))
    assert code == 1, err
    assert link.is_symlink() and target.read_text() == "precious\n"
    assert "Removed" not in err


# --------------------------------------------------------------------------------------------
# Machine formats on an invalid config


BAD_CONFIG = """\
version: 1
firms:
  rivera: c3d4e5f6-7890-1abc-def2-34567890abcd
network:
  outbound:
    rivera:
      sendingPercentage: lots
"""


def test_plan_json_on_an_invalid_config_is_a_document_with_errors(netsync, tmp_path):
    """`plan --format json` on an invalid config prints the plan document on stdout with the
    errors (file, line, column) and no changes, exit 1."""
    path = write_config(tmp_path, BAD_CONFIG)
    code, out, err = netsync(None, "plan", "-c", str(path), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["changes"] == []
    [error] = document["errors"]
    assert error["file"] == str(path)
    assert (error["line"], error["column"]) == (7, 26)
    assert "sendingPercentage" in error["message"]
    assert f"{path}:7:26:" in err


def test_plan_markdown_on_an_invalid_config_lists_the_errors(netsync, tmp_path):
    """`plan --format markdown` on an invalid config prints a markdown document with the
    errors section, exit 1."""
    path = write_config(tmp_path, BAD_CONFIG)
    code, out, err = netsync(None, "plan", "-c", str(path), "--format", "markdown")
    assert code == 1
    assert "#### Errors (1)" in out
    # the path is markdown-escaped (`_` -> `\\_`); the location and message are not
    assert ":7:26: network.outbound.rivera: sendingPercentage" in out
    assert "netsync.yaml:7:26:" in out


def test_plan_text_on_an_invalid_config_prints_errors_on_stderr_only(netsync, tmp_path):
    """Text format keeps stdout empty on an invalid config: errors go to stderr only."""
    path = write_config(tmp_path, BAD_CONFIG)
    code, out, err = netsync(None, "plan", "-c", str(path))
    assert code == 1
    assert out == ""
    assert f"{path}:7:26: network.outbound.rivera: sendingPercentage" in err


def test_validate_json_document(netsync, tmp_path):
    """`validate --format json` prints {"format_version": "1", "valid": ..., "errors": [...]},
    for a valid and an invalid config alike."""
    code, out, _ = netsync(None, "validate", "-c", str(QUICKSTART), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["format_version"] == "1"
    assert document["valid"] is True and document["errors"] == []

    path = write_config(tmp_path, BAD_CONFIG)
    code, out, _ = netsync(None, "validate", "-c", str(path), "--format", "json")
    assert code == 1
    document = json.loads(out)
    assert document["format_version"] == "1" and document["valid"] is False
    [error] = document["errors"]
    assert (error["file"], error["line"], error["column"]) == (str(path), 7, 26)


# --------------------------------------------------------------------------------------------
# --target


def test_bad_target_is_a_usage_error(netsync, sandbox):
    """A `--target` that is not an address exits 1 saying so, and prints no plan summary that
    could read as a result."""
    sb = sandbox()
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--target", "network..outbound")
    assert code == 1
    assert "is not an address" in err
    assert "No changes" not in out


def test_target_selecting_nothing_says_so(netsync, sandbox):
    """A valid `--target` that selects no resource: exit 0 and "Nothing selected: ...", never
    the "Live state matches the configuration" line (text and markdown)."""
    sb = sandbox()
    target = "cases.00000000-0000-4000-8000-000000000000"
    code, out, err = netsync(sb, "plan", "-c", str(QUICKSTART), "--target", target)
    assert code == 0, err
    assert "Nothing selected: no resource matches the --target given." in out
    assert "No changes. Live state matches the configuration." not in out
    code, out, err = netsync(
        sb, "plan", "-c", str(QUICKSTART), "--target", target, "--format", "markdown"
    )
    assert code == 0, err
    assert "Nothing selected" in out and "Live state matches" not in out
    code, out, err = netsync(sb, "drift", "-c", str(QUICKSTART), "--target", target)
    assert code == 0, err
    assert "Nothing selected" in out and "Live state matches" not in out


# --------------------------------------------------------------------------------------------
# show of a future plan format


def test_show_names_an_unsupported_format_version(netsync, sandbox, tmp_path):
    """`show` of a plan file with format_version "2" exits 1 naming the unsupported version,
    not a schema complaint about missing keys."""
    sb = sandbox()
    path = tmp_path / "release.plan"
    code, _, err = netsync(sb, "plan", "-c", str(QUICKSTART), "-o", str(path))
    assert code == 0, err
    document = json.loads(path.read_text())
    document["format_version"] = "2"
    del document["changes"]  # a future format may have renamed anything
    path.write_text(json.dumps(document))
    code, out, err = netsync(None, "show", str(path))
    assert code == 1
    assert "format_version '2' is not supported" in err
    assert "required property" not in err


# --------------------------------------------------------------------------------------------
# @mentions in markdown


MENTION_CONFIG = """\
version: 1
firms:
  rivera: c3d4e5f6-7890-1abc-def2-34567890abcd
network:
  outbound:
    rivera:
      referralInstructions: "ping @alice and @acme/intake"
"""


def test_markdown_never_mentions_anyone(netsync, sandbox, tmp_path):
    """A `@word` in user content (config or live value) never reaches a pull-request comment
    as a mention: plan, drift and show markdown put a word joiner (`&#8288;`) after the `@`."""
    seed = quickstart_seed()
    seed["outbound"][RIVERA]["referralInstructions"] = "cc @carol before sending"
    sb = sandbox(seed)
    path = write_config(tmp_path, MENTION_CONFIG)
    planfile = tmp_path / "release.plan"
    code, plan_md, err = netsync(
        sb, "plan", "-c", str(path), "--format", "markdown", "-o", str(planfile)
    )
    assert code == 0, err
    code, drift_md, err = netsync(sb, "drift", "-c", str(path), "--format", "markdown")
    assert code == 2, err
    code, show_md, err = netsync(None, "show", str(planfile), "--format", "markdown")
    assert code == 0, err
    for document in (plan_md, drift_md, show_md):
        assert "@&#8288;alice" in document and "@&#8288;carol" in document
        assert re.search(r"@(?!&#8288;)\w", document) is None, document


# --------------------------------------------------------------------------------------------
# Where the config comes from


SMALL_CONFIG = """\
version: 1
firms:
  rivera: c3d4e5f6-7890-1abc-def2-34567890abcd
network:
  outbound:
    rivera:
      sendingPercentage: 50
"""


def test_netsync_yml_is_found_by_default(run_cli, tmp_path, monkeypatch):
    """Without -c, `netsync.yml` in the working directory is the config."""
    write_config(tmp_path, SMALL_CONFIG, "netsync.yml")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("validate")
    assert code == 0, err
    assert "Config is valid: 1 outbound relationship" in out


def test_netsync_yaml_and_yml_together_are_an_error(run_cli, tmp_path, monkeypatch):
    """Both `netsync.yaml` and `netsync.yml` present without -c: exit 1 naming both (SPEC §3),
    rather than silently picking one."""
    write_config(tmp_path, SMALL_CONFIG, "netsync.yml")
    write_config(tmp_path, SMALL_CONFIG, "netsync.yaml")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("validate")
    assert code == 1
    assert "netsync.yaml" in err and "netsync.yml" in err


def test_config_from_stdin(run_cli):
    """`-c -` reads the config from stdin; its errors are located at `<stdin>:line:col`."""
    code, out, err = run_cli("validate", "-c", "-", input=SMALL_CONFIG)
    assert code == 0, err
    assert "Config is valid" in out
    code, out, err = run_cli("validate", "-c", "-", input=SMALL_CONFIG.replace("50", "lots"))
    assert code == 1
    assert "<stdin>:7:26: network.outbound.rivera: sendingPercentage" in err


def test_plan_from_stdin(netsync, sandbox):
    """`plan -c -` plans the config read from stdin against the live state."""
    sb = sandbox()
    result = CliRunner().invoke(
        main, ["plan", "-c", "-"], env=sb.env(), input=SMALL_CONFIG, catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    assert "sendingPercentage: 33.5 → 50" in result.stdout


def test_apply_from_stdin_needs_auto_approve(netsync, sandbox):
    """`apply -c -` without --auto-approve is refused (stdin is the config, so it cannot be the
    answer to the prompt): exit 1, no write reaches the vendor."""
    sb = sandbox()
    result = CliRunner().invoke(
        main, ["apply", "-c", "-"], env=sb.env(), input=SMALL_CONFIG, catch_exceptions=False
    )
    assert result.exit_code == 1
    assert "--auto-approve" in result.stderr
    assert [r for r in sb.requests if r["method"] != "GET"] == []

    result = CliRunner().invoke(
        main,
        ["apply", "-c", "-", "--auto-approve"],
        env=sb.env(),
        input=SMALL_CONFIG,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert sb.world.outbound[RIVERA]["relationship"]["sendingPercentage"] == 50


# --------------------------------------------------------------------------------------------
# the program ends at once after the command (netsync.cli.run): nothing written is lost


def test_the_program_flushes_what_was_written_and_keeps_the_exit_code(tmp_path):
    """`run` ends the process with os._exit, past the interpreter's own flush: text written
    without a flush (here before the command; click flushes only the stream it writes to)
    still arrives, and the command's exit code is the process's."""
    script = (
        "import sys; from netsync.cli import run; sys.stdout.write('written early'); "
        f"sys.argv = ['netsync', 'validate', '-c', {str(tmp_path / 'missing')!r}]; run()"
    )
    env = child_env()
    env.pop("PYTHONUNBUFFERED", None)  # stdout to a pipe is then block-buffered
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 1
    assert done.stdout == "written early"
    assert "missing" in done.stderr
    no_crash(done.stderr)
