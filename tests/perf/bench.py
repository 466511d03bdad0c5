"""netsync at scale against the sandbox (issue 10): wall time against the physical bound, CPU,
memory, requests and 429s for five runs, and one machine-readable last line.

    python tests/perf/bench.py                  # all five runs at the default size (~15 min)
    python tests/perf/bench.py --quick          # a small run that checks the harness (< 1 min)
    python tests/perf/bench.py --runs plan,peer --scale 10 --growth

How every number is computed: tests/perf/README.md. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from procs import Finished, Sandbox, run_netsync, stop_all  # noqa: E402
from workload import CONFIG_VALUE_LIMIT, Minimum, Workload  # noqa: E402

VENDORS = ("casexchange", "smokeball", "trackops")
LABELS = {"casexchange": "CaseXchange", "smokeball": "Smokeball", "trackops": "Trackops"}
RUNS = ("plan", "peer", "apply", "ratelimited", "scoped")
NUMBER = {name: i + 1 for i, name in enumerate(RUNS)}
PARALLELISM = 16  # netsync's default --parallelism
PEER_PARALLELISM = 10
# Requests per second each vendor allows (sandbox --rate-limits vendor, docs/sandbox.md).
VENDOR_RATES = {"casexchange": 100 / 60, "smokeball": 5.0, "trackops": 2.0}
# --quick shrinks CaseXchange's window (100 per 60 s) to 10 per 2 s so the pacing is exercised
# within seconds; the other two vendors keep their own limits.
QUICK_CX_WINDOW = {"limit": 10, "window": 2}
SUMMARY = re.compile(r"^Plan: \d+ to create, \d+ to update, \d+ to re-refer, \d+ to delete\.$")
CREDENTIAL_PREFIXES = ("NETSYNC_", "CASEXCHANGE_", "SMOKEBALL_", "TRACKOPS_")


@dataclass
class Result:
    """One run: what it cost and the bound it is measured against."""

    run: str
    scale: float
    resources: int
    minimum: dict[str, Minimum]
    rates: dict[str, float]  # vendor -> requests/s where a rate limit applies
    concurrency: int
    latency: float
    status: str = "not run"  # ok | FAILED: why | WRONG: why
    wall: float = math.nan
    cpu: float = math.nan
    rss_mb: float | None = None
    sandbox_cpu: float | None = None
    requests: dict[str, int] = field(default_factory=dict)
    status_429: dict[str, int] = field(default_factory=dict)
    methods: dict[str, dict[str, int]] = field(default_factory=dict)  # vendor -> method -> n
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def vendor_bound(self, vendor: str) -> float:
        """max(min requests x latency / concurrency, min requests / rate limit); the rate
        term per rate-limit bucket (CaseXchange's Bearer token has its own window)."""
        need = self.minimum[vendor]
        latency = need.total * self.latency / self.concurrency
        rate = self.rates.get(vendor)
        limited = max((n / rate for n in need.buckets.values()), default=0.0) if rate else 0.0
        return max(latency, limited)

    @property
    def bound(self) -> float:
        return max(self.vendor_bound(v) for v in VENDORS)

    @property
    def ratio(self) -> float:
        return self.wall / self.bound if self.bound > 0 else math.nan

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def total_429(self) -> int:
        return sum(self.status_429.values())

    @property
    def cpu_ms_per_resource(self) -> float:
        return self.cpu * 1000 / self.resources


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.latency = args.latency_ms / 1000
        self.warnings: list[str] = []
        self.quick = args.quick
        self.vendor_limits: Any = {"casexchange": QUICK_CX_WINDOW} if args.quick else "vendor"
        self.vendor_rates = dict(VENDOR_RATES)
        if args.quick:
            self.vendor_rates["casexchange"] = QUICK_CX_WINDOW["limit"] / QUICK_CX_WINDOW["window"]
        # Runs 1, 2 and 5 (and the plan file for 3): CaseXchange unlimited, the others paced.
        self.read_limits = {"casexchange": "off"}
        self.read_rates = {k: v for k, v in self.vendor_rates.items() if k != "casexchange"}

    # --- helpers ------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    def write_config(self, workload: Workload, folder: Path, scoped: bool = False) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in workload.files(scoped_change=scoped).items():
            (folder / name).write_text(text)
        return folder

    def write_json(self, name: str, value: Any) -> Path:
        path = self.work / name
        path.write_text(json.dumps(value))
        return path

    def start_sandbox(self, workload: Workload, name: str, limits: Any) -> Sandbox:
        seed = self.write_json(f"seed-{name}.json", workload.seed)
        limits_arg = limits if isinstance(limits, str) else str(self.write_json(
            f"limits-{name}.json", limits
        ))  # fmt: skip
        started = time.perf_counter()
        sandbox = Sandbox(seed, self.args.latency_ms, limits_arg, self.logs, name)
        self.say(f"sandbox {name}: {sandbox.url} ({time.perf_counter() - started:.1f} s to start)")
        return sandbox

    def child_env(self, sandbox: Sandbox, peer: bool = False) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(CREDENTIAL_PREFIXES)}
        env.update(sandbox.env)
        env.update(NO_COLOR="1", NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
        if peer:
            env["NETSYNC_PER_RESOURCE_READS"] = "1"
        return env

    def measure(
        self,
        result: Result,
        sandbox: Sandbox,
        args: list[str],
        env: dict[str, str],
        cwd: Path,
        name: str,
    ) -> Finished:
        """Run netsync once; the request counts and the sandbox's CPU are the deltas over it."""
        self.say(f"run {NUMBER[result.run]} {result.run}: netsync {' '.join(args)}")
        before, cpu_before = self.stats(sandbox), sandbox.cpu()
        done = run_netsync(args, env, cwd, self.logs, name, self.args.timeout)
        after, cpu_after = self.stats(sandbox), sandbox.cpu()
        for vendor in VENDORS:
            a, b = after.get(vendor, {}), before.get(vendor, {})
            result.requests[vendor] = a.get("total", 0) - b.get("total", 0)
            got = a.get("by_status", {}).get("429", 0) - b.get("by_status", {}).get("429", 0)
            result.status_429[vendor] = got
            before_methods = b.get("by_method", {})
            result.methods[vendor] = {
                method: n - before_methods.get(method, 0)
                for method, n in sorted(a.get("by_method", {}).items())
                if n - before_methods.get(method, 0)
            }
        if cpu_before is not None and cpu_after is not None:
            result.sandbox_cpu = cpu_after - cpu_before
        result.wall, result.cpu, result.rss_mb = done.wall, done.cpu, done.rss_mb
        if not before or not after:
            result.status = "FAILED: the sandbox's /_sandbox/stats did not answer"
        elif done.code is None:
            result.status = f"FAILED: timed out after {self.args.timeout:.0f} s"
        elif done.code != 0:
            result.status = f"FAILED: exit {done.code}: {done.tail() or '(no stderr)'}"
        else:
            result.status = "ok"
        self.say(
            f"  {result.status[:200]}; {done.wall:.1f} s, {result.total_requests} requests, "
            f"{result.total_429} 429s"
        )
        return done

    def stats(self, sandbox: Sandbox) -> dict[str, Any]:
        try:
            return sandbox.stats()
        except (OSError, ValueError, KeyError) as exc:
            self.say(f"  sandbox {sandbox.name}: /_sandbox/stats failed: {exc}")
            return {}

    def check_plan(self, result: Result, done: Finished, expected: str) -> None:
        if not result.ok:
            return
        lines = done.stdout.read_text(errors="replace").splitlines()
        summary = next((ln.strip() for ln in lines if SUMMARY.match(ln.strip())), None)
        if summary != expected:
            result.status = f"WRONG: plan says {summary!r}, expected {expected!r}"

    def failed(self, run: str, workload: Workload, why: str) -> Result:
        result = self.new_result(run, workload, minimum=workload.plan_minimum(), rates={})
        result.status = f"FAILED: {why}"
        return result

    def new_result(self, run: str, workload: Workload, **kw: Any) -> Result:
        kw.setdefault("concurrency", PARALLELISM)
        kw.setdefault("latency", self.latency)
        return Result(run=run, scale=workload.scale, resources=workload.resources, **kw)

    # --- the runs -----------------------------------------------------------------------------

    def run_all(self, scale: float, fields: str) -> dict[str, Result]:
        wanted = self.args.runs
        workload = Workload(scale, fields)
        self.say(
            f"workload x{scale:g}: {workload.resources} resources ({workload.fields} fields, "
            f"{workload.values:,} config values), {workload.summary_line()}"
        )
        if workload.values > CONFIG_VALUE_LIMIT:
            self.warnings.append(
                f"x{scale:g}: the config has {workload.values:,} values, more than netsync's "
                f"limit of {CONFIG_VALUE_LIMIT:,} (netsync/config/limits.py MAX_VALUES): "
                "netsync refuses it, so its runs fail"
            )
            self.say(f"warning: {self.warnings[-1]}")
        tag = f"x{scale:g}"
        config = self.write_config(workload, self.work / f"config-{tag}")
        results: dict[str, Result] = {}
        on_full = [run for run in RUNS if run in wanted and run != "ratelimited"]
        if on_full:
            try:
                sandbox = self.start_sandbox(workload, f"{tag}-full", self.read_limits)
            except RuntimeError as exc:
                for run in on_full:
                    results[run] = self.failed(run, workload, str(exc))
                sandbox = None
        if on_full and sandbox is not None:
            try:
                plan_file = self.work / f"plan-{tag}.json"
                if "plan" in wanted:
                    results["plan"] = self.run_plan(workload, sandbox, config, plan_file, tag)
                if "peer" in wanted:
                    results["peer"] = self.run_peer(workload, sandbox, config, tag)
                if "scoped" in wanted:
                    results["scoped"] = self.run_scoped(workload, sandbox, tag)
                if "apply" in wanted:
                    plan_ok = results.get("plan") and results["plan"].ok
                    results["apply"] = self.run_apply(
                        workload, sandbox, config, plan_file if plan_ok else None, tag
                    )
            finally:
                sandbox.stop()
                self.say(f"sandbox {tag}-full: {sandbox.cpu_total or 0:.1f} s CPU in all")
        if "ratelimited" in wanted:
            results["ratelimited"] = self.run_ratelimited(scale / 10, fields, tag)
        return {run: results[run] for run in RUNS if run in results}

    def run_plan(
        self, workload: Workload, sandbox: Sandbox, config: Path, plan_file: Path, tag: str
    ) -> Result:
        """1: plan at the default parallelism, CaseXchange unlimited (also saves the plan file
        run 3 applies)."""
        result = self.new_result(
            "plan", workload, minimum=workload.plan_minimum(), rates=self.read_rates
        )
        args = ["plan", "-c", str(config), "-o", str(plan_file)]
        done = self.measure(result, sandbox, args, self.child_env(sandbox), self.work, f"1-{tag}")
        self.check_plan(result, done, workload.summary_line())
        return result

    def run_peer(self, workload: Workload, sandbox: Sandbox, config: Path, tag: str) -> Result:
        """2: the same plan reading one GET per resource at parallelism 10 (the peer)."""
        result = self.new_result(
            "peer",
            workload,
            minimum=workload.plan_minimum(),
            rates=self.read_rates,
            concurrency=PEER_PARALLELISM,
        )
        args = ["plan", "-c", str(config), "--parallelism", str(PEER_PARALLELISM)]
        env = self.child_env(sandbox, peer=True)
        done = self.measure(result, sandbox, args, env, self.work, f"2-{tag}")
        self.check_plan(result, done, workload.summary_line())
        per_resource = workload.resources - workload.sizes["rules"]  # no GET for one rule
        if result.ok and result.total_requests < per_resource:
            result.notes.append(
                f"peer: {result.total_requests} requests, fewer than one per resource "
                f"({per_resource}): NETSYNC_PER_RESOURCE_READS=1 had no effect"
            )
        return result

    def run_scoped(self, workload: Workload, sandbox: Sandbox, tag: str) -> Result:
        """5: `plan --changed-since HEAD` after one declared change, in a git repository."""
        result = self.new_result(
            "scoped", workload, minimum=workload.scoped_minimum(), rates=self.read_rates
        )
        repo = self.write_config(workload, self.work / f"scoped-{tag}")
        git = shutil.which("git")
        if git is None:
            result.status = "FAILED: git not found"
            return result
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "cwd": repo}
        ident = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        ident += ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null"]
        for step in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "network"]):
            done_git = subprocess.run([git, *ident, *step], check=False, **quiet)
            if done_git.returncode:
                result.status = f"FAILED: git {step[0]}: {done_git.stderr.decode().strip()}"
                return result
        self.write_config(workload, repo, scoped=True)
        args = ["plan", "-c", str(repo), "--changed-since", "HEAD"]
        done = self.measure(result, sandbox, args, self.child_env(sandbox), repo, f"5-{tag}")
        self.check_plan(result, done, "Plan: 0 to create, 1 to update, 0 to re-refer, 0 to delete.")
        return result

    def run_apply(
        self,
        workload: Workload,
        sandbox: Sandbox,
        config: Path,
        plan_file: Path | None,
        tag: str,
    ) -> Result:
        """3: apply the saved plan with the vendors' rate limits (switched on in the running
        sandbox once the plan file exists)."""
        result = self.new_result(
            "apply", workload, minimum=workload.apply_minimum(), rates=self.vendor_rates
        )
        env = self.child_env(sandbox)
        if plan_file is None:  # run 1 did not run or failed: make the plan file now
            plan_file = self.work / f"plan-{tag}-apply.json"
            self.say("run 3 apply: making the plan file first (not measured)")
            prep = run_netsync(
                ["plan", "-c", str(config), "-o", str(plan_file)],
                env,
                self.work,
                self.logs,
                f"3-{tag}-plan",
                self.args.timeout,
            )
            if prep.code != 0:
                result.status = f"FAILED: plan -o for the apply: exit {prep.code}: {prep.tail()}"
                return result
            result.notes.append(f"apply: the plan file took {prep.wall:.1f} s to make")
        try:
            sandbox.set_rate_limits(self.vendor_limits)
        except (OSError, ValueError) as exc:
            result.status = f"FAILED: cannot switch the sandbox's rate limits on: {exc}"
            return result
        report = self.work / f"report-{tag}.json"
        args = ["apply", str(plan_file), "-c", str(config), "--auto-approve", "--force"]
        args += ["--report", str(report)]
        done = self.measure(result, sandbox, args, env, self.work, f"3-{tag}")
        last = done.last_stdout_line()
        if result.ok and not last.startswith("Apply complete"):
            result.status = f"WRONG: last line {last!r}"
        try:
            items = json.loads(report.read_text()).get("items") or []
        except (OSError, ValueError):
            items = []
        outcomes: dict[str, int] = {}
        for item in items:
            outcomes[item.get("outcome")] = outcomes.get(item.get("outcome"), 0) + 1
        changes = sum(workload.expected.values())
        result.notes.append(
            f"apply: {len(items)} of {changes} changes in the report: "
            + (", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "none")
        )
        failed_429 = [i for i in items if i.get("outcome") == "failed" and i.get("status") == 429]
        if failed_429:
            result.notes.append(f"apply: {len(failed_429)} writes failed with a 429")
        return result

    def run_ratelimited(self, scale: float, fields: str, tag: str) -> Result:
        """4: plan a tenth of the network under the vendors' rate limits."""
        workload = Workload(scale, fields)
        config = self.write_config(workload, self.work / f"config-{tag}-tenth")
        result = self.new_result(
            "ratelimited", workload, minimum=workload.plan_minimum(), rates=self.vendor_rates
        )
        try:
            sandbox = self.start_sandbox(workload, f"{tag}-tenth", self.vendor_limits)
        except RuntimeError as exc:
            result.status = f"FAILED: {exc}"
            return result
        try:
            args = ["plan", "-c", str(config)]
            done = self.measure(
                result, sandbox, args, self.child_env(sandbox), self.work, f"4-{tag}"
            )
            self.check_plan(result, done, workload.summary_line())
        finally:
            sandbox.stop()
        return result


# --- output ---------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


COLUMNS = (
    ("run", "<", 14),
    ("vendor", "<", 11),
    ("requests", ">", 8),
    ("minimum", ">", 8),
    ("429s", ">", 5),
    ("bound s", ">", 8),
    ("wall s", ">", 8),
    ("wall/bound", ">", 10),
    ("CPU s", ">", 7),
    ("CPU ms/res", ">", 10),
    ("peak RSS MB", ">", 11),
    ("sandbox CPU s", ">", 13),
)


def row(values: list[str]) -> str:
    return "  ".join(f"{v:{a}{w}}" for v, (_, a, w) in zip(values, COLUMNS, strict=True)).rstrip()


def table(results: dict[str, Result], title: str) -> list[str]:
    lines = [title, row([c[0] for c in COLUMNS]), row(["-" * c[2] for c in COLUMNS])]
    for run, r in results.items():
        name = f"{NUMBER[run]} {run}"
        for vendor in VENDORS:
            lines.append(
                row(
                    [
                        name,
                        LABELS[vendor],
                        str(r.requests.get(vendor, "-")),
                        str(r.minimum[vendor].total),
                        str(r.status_429.get(vendor, "-")),
                        fmt(r.vendor_bound(vendor)),
                    ]
                    + [""] * 6
                )
            )
            name = ""
        measured = not math.isnan(r.wall)
        lines.append(
            row(
                [
                    "",
                    "all",
                    str(r.total_requests) if measured else "-",
                    str(sum(m.total for m in r.minimum.values())),
                    str(r.total_429) if measured else "-",
                    fmt(r.bound),
                    fmt(r.wall),
                    fmt(r.ratio),
                    fmt(r.cpu),
                    fmt(r.cpu_ms_per_resource if measured else None, 3),
                    fmt(r.rss_mb, 0),
                    fmt(r.sandbox_cpu),
                ]
            )
        )
        if not r.ok:
            lines.append(f"{'':14}  {r.status[:300]}")
    return lines


def details(results: dict[str, Result]) -> list[str]:
    lines = []
    for run, r in results.items():
        lines.append(
            f"{NUMBER[run]} {run}: x{r.scale:g}, {r.resources} resources, concurrency "
            f"{r.concurrency}, latency {r.latency * 1000:g} ms, rate limits "
            + (", ".join(f"{LABELS[v]} {x:.3g}/s" for v, x in r.rates.items()) or "none")
        )
        by_method = [
            f"{LABELS[v]} " + " ".join(f"{m} {n}" for m, n in r.methods[v].items())
            for v in VENDORS
            if r.methods.get(v)
        ]
        if by_method:
            lines.append("    requests by method: " + "; ".join(by_method))
        for note in r.notes:
            lines.append(f"    {note}")
    return lines


def growth(small: dict[str, Result], large: dict[str, Result]) -> list[str]:
    lines = ["", "Growth (large / small; linear = the workload factor):"]
    lines.append(
        f"{'run':<14}  {'workload':>8}  {'requests':>8}  {'wall':>6}  {'CPU':>6}  {'RSS':>6}"
    )
    for run in large:
        a, b = small.get(run), large[run]
        if a is None or not (a.ok and b.ok):
            lines.append(f"{NUMBER[run]} {run:<12}  (a run failed)")
            continue

        def ratio(x: float | None, y: float | None) -> str:
            return f"{y / x:.2f}x" if x and y else "-"

        lines.append(
            f"{NUMBER[run]} {run:<12}  {b.resources / a.resources:>7.2f}x  "
            f"{ratio(a.total_requests, b.total_requests):>8}  {ratio(a.wall, b.wall):>6}  "
            f"{ratio(a.cpu, b.cpu):>6}  {ratio(a.rss_mb, b.rss_mb):>6}"
        )
    return lines


def last_line(results: dict[str, Result]) -> str:
    def get(run: str, value: Any, digits: int) -> str:
        r = results.get(run)
        if r is None or not r.ok:
            return "NA"
        number = value(r)
        if number is None or (isinstance(number, float) and math.isnan(number)):
            return "NA"
        return str(number) if isinstance(number, int) else f"{number:.{digits}f}"

    plan, peer = results.get("plan"), results.get("peer")
    speedup = "NA"
    if plan and peer and plan.ok and peer.ok and plan.wall > 0:
        speedup = f"{peer.wall / plan.wall:.1f}"
    rss = get("plan", lambda r: None if r.rss_mb is None else round(r.rss_mb), 0)
    return (
        f"bench: plan_ratio={get('plan', lambda r: r.ratio, 2)} "
        f"apply_ratio={get('apply', lambda r: r.ratio, 2)} "
        f"peer_speedup={speedup} "
        f"cpu_ms_per_resource={get('plan', lambda r: r.cpu_ms_per_resource, 3)} "
        f"rss_mb={rss} "
        f"rl_ratio={get('ratelimited', lambda r: r.ratio, 2)} "
        f"rl_429={get('ratelimited', lambda r: r.total_429, 0)} "
        f"scoped_requests={get('scoped', lambda r: r.total_requests, 0)}"
    )


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark netsync plan/apply at scale against the sandbox (issue 10).",
        epilog="Runs: plan (1), peer (2), apply (3), ratelimited (4), scoped (5). "
        "See tests/perf/README.md.",
    )
    parser.add_argument("--quick", action="store_true", help="small and fast: tests the harness")
    parser.add_argument("--scale", type=float, default=None, help="workload factor (default 1)")
    parser.add_argument(
        "--runs",
        default=",".join(RUNS),
        help=f"comma-separated subset of {','.join(RUNS)} (default: all)",
    )
    parser.add_argument("--latency-ms", type=float, default=None, help="default 25 (quick 5)")
    parser.add_argument(
        "--fields",
        choices=("auto", "full", "lean"),
        default="auto",
        help="full: every relationship field; lean: one per resource; auto: full when the "
        "config stays under netsync's 1,000,000-value limit",
    )
    parser.add_argument(
        "--growth", action="store_true", help="also run at scale 1 and print the growth"
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds one netsync run may take"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, files)")
    args = parser.parse_args(argv)
    args.runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    unknown = [r for r in args.runs if r not in RUNS]
    if unknown or not args.runs:
        parser.error(f"--runs: unknown run(s) {', '.join(unknown)}; choose from {', '.join(RUNS)}")
    if args.scale is None:
        args.scale = 0.05 if args.quick else 1.0
    if args.scale <= 0:
        parser.error("--scale must be above 0")
    if args.latency_ms is None:
        args.latency_ms = 5.0 if args.quick else 25.0
    return args


def _interrupted(*_: Any) -> None:
    raise KeyboardInterrupt  # SIGTERM: stop everything as Ctrl-C does


def _byte_compile() -> None:
    """Compile netsync's modules once, as installing a package does: an editable install
    under PYTHONDONTWRITEBYTECODE would otherwise compile every module in every run, CPU
    that no installed netsync spends (about 0.1 s a run)."""
    import compileall

    import netsync

    compileall.compile_dir(Path(netsync.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    work = Path(tempfile.mkdtemp(prefix="netsync-bench-"))
    _byte_compile()
    bench = Bench(args, work)
    fields = args.fields
    if fields == "auto":
        fields = Workload(max(args.scale, 1.0), "auto").fields
    small: dict[str, Result] = {}
    results: dict[str, Result] = {}
    started = time.perf_counter()
    try:
        if args.growth and args.scale != 1:
            small = bench.run_all(1.0, fields)
        results = bench.run_all(args.scale, fields)
    except KeyboardInterrupt:
        bench.say("interrupted: stopping the sandbox and netsync")
        return 130
    finally:
        stop_all()
        if args.keep:
            bench.say(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    out: list[str] = []
    header = (
        f"netsync bench: latency {args.latency_ms:g} ms, {fields} fields, "
        f"{time.perf_counter() - started:.0f} s in all"
    )
    if small:
        out += table(small, f"{header}\n\nScale x1") + [""] + details(small) + [""]
        out += table(results, f"Scale x{args.scale:g}")
    else:
        out += table(results, f"{header}, scale x{args.scale:g}")
    out += [""] + details(results)
    out += [f"warning: {w}" for w in bench.warnings]
    if small:
        out += growth(small, results)
    print("\n".join(out))
    print(last_line(results))
    return 0 if all(r.ok for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
