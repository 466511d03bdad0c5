"""Child processes of the benchmark: the sandbox server and measured netsync runs.

Every process is started in its own session (so Ctrl-C reaches only the harness, which then
stops them itself) and remembered until it has been reaped; `stop_all()` ends whatever is left,
one process at a time by its id. Linux only: CPU comes from wait4 and /proc, peak memory from
the child's own VmHWM.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LIVE: dict[int, subprocess.Popen] = {}
_LOCK = threading.Lock()
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Runs netsync's own entry point (as `python -m netsync` does), then writes the process's peak
# resident set size (VmHWM, kB) to the file named by the first argument: at the end, or just
# before netsync's os._exit (netsync.cli.run ends the process without the interpreter's exit).
# ru_maxrss from wait4 would be wrong: on Linux a child inherits the parent's high-water mark
# across exec.
WRAPPER = r"""
import os, runpy, sys
out = sys.argv.pop(1)
def write_peak():
    try:
        with open("/proc/self/status") as status:
            peak = next((ln.split()[1] for ln in status if ln.startswith("VmHWM:")), "")
        with open(out, "w") as fh:
            fh.write(peak)
    except OSError:
        pass
exit_now = os._exit
def exit_after_peak(code):
    write_peak()
    exit_now(code)
os._exit = exit_after_peak
try:
    runpy.run_module("netsync", run_name="__main__", alter_sys=True)
finally:
    write_peak()
"""


def _start(argv: list[str], **kwargs: Any) -> subprocess.Popen:
    proc = subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL, **kwargs)
    with _LOCK:
        _LIVE[proc.pid] = proc
    return proc


def _forget(proc: subprocess.Popen) -> None:
    with _LOCK:
        _LIVE.pop(proc.pid, None)


def stop_all() -> None:
    """Terminate every child still running (each by its own id), then kill the stubborn."""
    with _LOCK:
        procs = list(_LIVE.values())
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 10
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        _forget(proc)


def proc_cpu_seconds(pid: int) -> float | None:
    """User + system CPU a live process has used so far (/proc/PID/stat fields 14 and 15)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class Finished:
    code: int | None  # None: killed after the timeout
    wall: float
    cpu: float
    rss_mb: float | None
    stdout: Path
    stderr: Path

    def tail(self, lines: int = 3) -> str:
        text = [ln for ln in self.stderr.read_text(errors="replace").splitlines() if ln.strip()]
        return " | ".join(text[-lines:])

    def last_stdout_line(self) -> str:
        text = self.stdout.read_text(errors="replace").strip().splitlines()
        return text[-1] if text else ""


def run_netsync(
    args: list[str], env: dict[str, str], cwd: Path, logs: Path, name: str, timeout: float
) -> Finished:
    """Run `netsync ARGS` as a child and measure it: wall time from start to exit, CPU from
    wait4, peak RSS from the wrapper."""
    stdout, stderr, peak = logs / f"{name}.out", logs / f"{name}.err", logs / f"{name}.rss"
    peak.unlink(missing_ok=True)
    argv = [sys.executable, "-c", WRAPPER, str(peak), *args]
    done = threading.Event()
    result: dict[str, Any] = {}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        started = time.perf_counter()
        proc = _start(argv, stdout=out, stderr=err, env=env, cwd=cwd)

        def reap() -> None:
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except ChildProcessError:  # reaped by stop_all() after Ctrl-C
                status, usage = 0, None
            result["wall"] = time.perf_counter() - started
            result["status"], result["usage"] = status, usage
            done.set()

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        timed_out = not done.wait(timeout)
        if timed_out:
            os.kill(proc.pid, signal.SIGTERM)
            if not done.wait(10):
                os.kill(proc.pid, signal.SIGKILL)
            done.wait()
    proc.returncode = os.waitstatus_to_exitcode(result["status"])  # reaped by wait4 above
    _forget(proc)
    usage = result["usage"]
    cpu = usage.ru_utime + usage.ru_stime if usage is not None else float("nan")
    try:
        rss = int(peak.read_text().strip()) / 1024
    except (OSError, ValueError):
        rss = None
    return Finished(
        code=None if timed_out else proc.returncode,
        wall=result["wall"],
        cpu=cpu,
        rss_mb=rss,
        stdout=stdout,
        stderr=stderr,
    )


class Sandbox:
    """`python -m netsync sandbox` in its own process on 127.0.0.1, any free port."""

    EXPORTS = 10  # the export lines it prints once it listens

    def __init__(
        self, seed: Path, latency_ms: float, rate_limits: str, logs: Path, name: str
    ) -> None:
        self.name = name
        self.env: dict[str, str] = {}
        self.cpu_total: float | None = None
        self.stderr_path = logs / f"sandbox-{name}.err"
        argv = [
            sys.executable, "-m", "netsync", "sandbox", "--seed", str(seed), "--host",
            "127.0.0.1", "--port", "0", "--latency-ms", str(latency_ms), "--rate-limits",
            rate_limits,
        ]  # fmt: skip
        self._err = self.stderr_path.open("wb")
        self.proc = _start(argv, stdout=subprocess.PIPE, stderr=self._err, text=True)
        self.started = time.perf_counter()
        self._wait_for_exports(timeout=180)
        self.url = self.env["NETSYNC_CASEXCHANGE_URL"]
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def _wait_for_exports(self, timeout: float) -> None:
        ready = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                parts = shlex.split(line)
                if len(parts) == 2 and parts[0] == "export" and "=" in parts[1]:
                    key, value = parts[1].split("=", 1)
                    self.env[key] = value
                    if len(self.env) >= self.EXPORTS:
                        break
            ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(timeout) or len(self.env) < self.EXPORTS:
            self.stop()
            tail = self.stderr_path.read_text(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"sandbox {self.name} did not start: {' | '.join(tail)}")

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with self._opener.open(req, timeout=30) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def stats(self) -> dict[str, Any]:
        return self._call("GET", "/_sandbox/stats")["vendors"]

    def set_rate_limits(self, setting: Any) -> None:
        self._call("PUT", "/_sandbox/rate-limits", setting)

    def cpu(self) -> float | None:
        return proc_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        """SIGTERM (the sandbox stops cleanly, exit 0); its total CPU from wait4."""
        if self.proc.returncode is None:
            self.proc.terminate()
        deadline = time.monotonic() + 15
        try:
            while True:
                pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
                if pid:
                    self.proc.returncode = os.waitstatus_to_exitcode(status)
                    self.cpu_total = usage.ru_utime + usage.ru_stime
                    break
                if time.monotonic() > deadline:
                    self.proc.kill()
                    deadline = float("inf")
                time.sleep(0.05)
        except ChildProcessError:  # already reaped
            pass
        _forget(self.proc)
        self._err.close()
