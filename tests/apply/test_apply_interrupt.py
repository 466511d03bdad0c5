"""Ctrl-C during `netsync apply` (SPEC 3): the first stops new writes and lets in-flight ones
finish, a second abandons them; either way the report is written and the exit code is 130.

netsync runs as a real process (`python -m netsync`) so SIGINT is delivered as a terminal
would; the sandbox runs in this process and holds every write for WRITE_DELAY seconds (reads
stay fast), so writes are observably in flight when the signal arrives."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from jsonschema import Draft202012Validator
from support import CREDENTIAL_VARS, QUICKSTART

from netsync.config.schema import format_checker, load_schema

LATENCY_MS = 250  # read phase test: every request is slow
WRITE_DELAY = 0.8  # write phase tests: only writes are slow
PARALLELISM = 4
ADDRESSES = {
    "case_requests.ABC123-ClaimNumber",
    "case_requests.XYZ789-ClaimNumber",
    "cases.3c90c3cc-0d44-4b50-8888-8dd25736052a",
    "matters.9a1b2c3d-0000-4000-8000-000000000001",
    "network.inbound.hawkins",
    "network.inbound.whitfield",
    "network.outbound.caldwell",
    "network.outbound.rivera",
    "routing.rules.Auto-route NY Personal Injury",
    "routing.rules.NV Product Liability to Rivera",
}
STARTS = ("creating…", "updating…", "re-referring…", "deleting…")


class Apply:
    """`netsync apply -c QUICKSTART --auto-approve --force` as a process; stderr collected
    line by line as it comes."""

    def __init__(self, sb, report: Path):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in CREDENTIAL_VARS and not (k.startswith("NETSYNC_") and k.endswith("_URL"))
        }
        env.update(sb.env())
        self.lines: list[str] = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "netsync", "apply", "-c", str(QUICKSTART), "--auto-approve",
             "--force", "--parallelism", str(PARALLELISM), "--report", str(report)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self.cond:
                self.lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def wait_line(self, predicate, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = next((x for x in self.lines if predicate(x)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                assert left > 0, f"no such stderr line; got {self.lines}"
                assert self.proc.poll() is None or self.reader.is_alive(), self.lines
                self.cond.wait(min(left, 0.05))

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self, timeout: float = 20.0) -> tuple[int, str, str]:
        out = self.proc.stdout.read()
        code = self.proc.wait(timeout)
        self.reader.join(5)
        return code, out, "\n".join(self.lines)

    def started_before(self, marker: str) -> set[str]:
        """Addresses whose start line came before the line starting with `marker`."""
        started = set()
        for line in self.lines:
            if line.startswith(marker):
                break
            address, _, rest = line.partition(": ")
            if rest in STARTS:
                started.add(address)
        return started


def slow_writes(sb, delay: float = WRITE_DELAY):
    """Hold every vendor write (not reads, not control calls) for `delay` seconds."""
    dispatch = sb.dispatch

    def slow(req):
        if req.method != "GET" and not req.path.startswith("/_sandbox"):
            time.sleep(delay)
        return dispatch(req)

    sb.dispatch = slow
    return sb


def validate_report(path: Path) -> dict:
    assert path.is_file(), "no report written"
    document = json.loads(path.read_text())
    Draft202012Validator(
        load_schema("report.schema.json"), format_checker=format_checker()
    ).validate(document)
    return document


def writes(sb) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in sb.requests if r["method"] != "GET"]


def test_first_ctrl_c_finishes_in_flight_writes_and_starts_no_more(sandbox, tmp_path):
    """One SIGINT after the first write starts: exit 130, no traceback; the writes in flight
    finish (applied, with their HTTP status), every later write is not_attempted ("apply was
    interrupted"); the report is written, valid, result "aborted"."""
    sb = slow_writes(sandbox())
    report = tmp_path / "report.json"
    run = Apply(sb, report)
    run.wait_line(lambda x: x.endswith(STARTS))
    time.sleep(0.05)  # let the executor hand out the first batch and wait on it
    run.interrupt()
    code, out, err = run.finish()

    assert code == 130, err
    assert "Traceback" not in err
    assert (
        f"Interrupted: finishing {PARALLELISM} write(s) in flight (Ctrl-C again to abandon them)"
        in err.splitlines()
    )
    in_flight = run.started_before("Interrupted:")
    assert len(in_flight) == PARALLELISM, err
    document = validate_report(report)
    assert document["result"] == "aborted"
    items = {i["address"]: i for i in document["items"]}
    assert set(items) == ADDRESSES
    for address, item in items.items():
        if address in in_flight:
            assert item["outcome"] == "applied", item
            assert item["status"] in (200, 201, 202) and item["attempts"] >= 1
            assert item["started"] and item["ended"]
        else:
            assert item["outcome"] == "not_attempted", item
            assert item["message"] == "not attempted: apply was interrupted"
            assert item["attempts"] == 0 and item["method"] is None
    assert len(writes(sb)) == PARALLELISM  # nothing was sent after the Ctrl-C
    assert out.splitlines()[-1] == (
        f"Apply failed (interrupted): {PARALLELISM} applied, 0 unconfirmed, 0 already applied, "
        f"0 failed, {len(ADDRESSES) - PARALLELISM} not attempted."
    )


def test_second_ctrl_c_abandons_in_flight_writes(sandbox, tmp_path):
    """A second SIGINT while writes are in flight abandons them: still exit 130 and a valid
    report ("aborted"); each abandoned write is failed with a message saying it may have taken
    effect; the writes never started are not_attempted."""
    sb = slow_writes(sandbox())
    report = tmp_path / "report.json"
    run = Apply(sb, report)
    run.wait_line(lambda x: x.endswith(STARTS))
    time.sleep(0.05)
    run.interrupt()
    run.wait_line(lambda x: x.startswith("Interrupted: finishing"))
    time.sleep(0.2)  # well inside the write delay: the writes are still in flight
    run.interrupt()
    second = time.monotonic()
    code, out, err = run.finish()
    exited_after = time.monotonic() - second

    assert code == 130, err
    assert "Traceback" not in err
    print(f"exited {exited_after:.2f} s after the second Ctrl-C")
    # abandoned, not waited for: the held writes had at least 0.5 s to go
    assert exited_after < WRITE_DELAY - 0.3, exited_after
    in_flight = run.started_before("Interrupted:")
    assert len(in_flight) == PARALLELISM, err
    document = validate_report(report)
    assert document["result"] == "aborted"
    items = {i["address"]: i for i in document["items"]}
    assert set(items) == ADDRESSES
    for address, item in items.items():
        if address in in_flight:
            assert item["outcome"] == "failed", item
            assert "may or may not have taken effect" in item["message"]
        else:
            assert item["outcome"] == "not_attempted", item
            assert item["message"] == "not attempted: apply was interrupted"
    assert out.splitlines()[-1] == (
        f"Apply failed (interrupted): 0 applied, 0 unconfirmed, 0 already applied, "
        f"{PARALLELISM} failed, {len(ADDRESSES) - PARALLELISM} not attempted."
    )


def test_ctrl_c_while_reading_exits_130_with_zero_writes(sandbox, tmp_path):
    """SIGINT during the read phase, before any write: exit 130, "Interrupted before any
    write.", no traceback, zero writes, and the report is written with result "aborted"."""
    sb = sandbox(latency_ms=LATENCY_MS)
    report = tmp_path / "report.json"
    run = Apply(sb, report)
    deadline = time.monotonic() + 15
    while not sb.requests:  # the first read has been answered: reading is under way
        assert time.monotonic() < deadline, "netsync never read anything"
        time.sleep(0.01)
    run.interrupt()
    code, out, err = run.finish()

    assert code == 130, err
    assert "Traceback" not in err
    assert "Interrupted before any write." in err.splitlines()
    assert not any(x.endswith(STARTS) for x in err.splitlines())
    time.sleep(LATENCY_MS / 1000 + 0.1)  # any request still at the sandbox is now logged
    assert writes(sb) == []
    document = validate_report(report)
    assert document["result"] == "aborted"
    assert all(i["outcome"] == "not_attempted" for i in document["items"])
