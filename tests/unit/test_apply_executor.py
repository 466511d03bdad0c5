"""The apply executor (SPEC 3 stop rules): netsync.apply.executor.Executor(deps, barriers, work,
parallelism=, keep_going=, notify=).execute() -> Run(results, interrupted, abandoned).

`work` here records what ran and when; no vendor is involved."""

from __future__ import annotations

import threading
import time

from netsync.apply.executor import Executor, Finished
from netsync.model import Outcome

HANG_LIMIT = 5.0  # seconds: execute() taking longer than this means it hung


class Recorder:
    """A `work` function: records start/end order and concurrency; outcomes per address."""

    def __init__(self, fail=(), raise_in=(), delay=None, default_delay=0.0):
        self.fail = set(fail)
        self.raise_in = set(raise_in)
        self.delay = delay or {}
        self.default_delay = default_delay
        self.lock = threading.Lock()
        self.events: list[tuple[str, str]] = []
        self.active = 0
        self.max_active = 0

    def __call__(self, address: str) -> Finished:
        with self.lock:
            self.events.append(("start", address))
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            time.sleep(self.delay.get(address, self.default_delay))
            if address in self.raise_in:
                raise RuntimeError(f"boom in {address}")
            if address in self.fail:
                return Finished(Outcome.FAILED, f"{address} said no")
            return Finished(Outcome.APPLIED)
        finally:
            with self.lock:
                self.active -= 1
                self.events.append(("end", address))

    def started(self) -> list[str]:
        return [a for kind, a in self.events if kind == "start"]

    def index(self, kind: str, address: str) -> int:
        return self.events.index((kind, address))


def execute(deps, work, barriers=(), *, ctrl_c=0, **kwargs):
    """Run the executor in a thread so a hang fails the test instead of blocking it (and a
    KeyboardInterrupt it lets escape fails the test instead of stopping pytest). `ctrl_c`: how
    many of its first waits for a finished write are interrupted, as a Ctrl-C would."""
    box = {}
    executor = Executor(deps, set(barriers), work, **kwargs)
    if ctrl_c:
        executor.done = InterruptingQueue(executor.done, ctrl_c)

    def target():
        try:
            box["run"] = executor.execute()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            box["escaped"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG_LIMIT)
    assert not thread.is_alive(), "Executor.execute() hung"
    assert "escaped" not in box, f"execute() let {box.get('escaped')!r} escape"
    return box["run"]


class InterruptingQueue:
    """The executor's queue of finished writes, whose first `count` waits raise
    KeyboardInterrupt: exactly where the main thread sits when a user presses Ctrl-C."""

    def __init__(self, real, count: int):
        self.real = real
        self.count = count

    def put(self, item) -> None:
        self.real.put(item)

    def get(self, timeout=None):
        if self.count > 0:
            self.count -= 1
            raise KeyboardInterrupt
        return self.real.get(timeout=timeout)


def test_dependencies_run_after_their_prerequisites():
    """A node starts only after every node it depends on has ended."""
    deps = {"a": set(), "b": {"a"}, "c": {"a", "b"}, "d": set()}
    work = Recorder(delay={"a": 0.05, "b": 0.05})
    run = execute(deps, work)
    assert {a: r.outcome for a, r in run.results.items()} == dict.fromkeys("abcd", Outcome.APPLIED)
    assert work.index("end", "a") < work.index("start", "b")
    assert work.index("end", "a") < work.index("start", "c")
    assert work.index("end", "b") < work.index("start", "c")
    assert sorted(work.started()) == ["a", "b", "c", "d"]
    assert run.interrupted is False and run.abandoned is False


def test_failure_makes_dependents_not_attempted_naming_the_failed_address():
    """A dependent of a failed write is not attempted and says which write failed; its own
    dependents say which dependency was not attempted; the failed write keeps its message."""
    deps = {"a": set(), "b": {"a"}, "c": {"b"}, "x": set()}
    work = Recorder(fail={"a"})
    run = execute(deps, work, keep_going=True)
    assert run.results["a"].outcome is Outcome.FAILED
    assert run.results["a"].message == "a said no"
    assert run.results["b"].outcome is Outcome.NOT_ATTEMPTED
    assert run.results["b"].message == "not attempted: depends on a, which failed"
    assert run.results["c"].outcome is Outcome.NOT_ATTEMPTED
    assert run.results["c"].message == "not attempted: depends on b, which was not attempted"
    assert run.results["x"].outcome is Outcome.APPLIED
    assert "b" not in work.started() and "c" not in work.started()


def test_failure_propagates_through_a_barrier_naming_the_failed_write():
    """Through a barrier, dependents still name the write that failed (not the barrier), and
    the barrier itself never appears in the results."""
    deps = {"a": set(), "ok": set(), "(barrier)": {"a", "ok"}, "d1": {"(barrier)"},
            "d2": {"(barrier)"}}  # fmt: skip
    work = Recorder(fail={"a"})
    run = execute(deps, work, barriers={"(barrier)"}, keep_going=True)
    assert set(run.results) == {"a", "ok", "d1", "d2"}
    for address in ("d1", "d2"):
        result = run.results[address]
        assert result.outcome is Outcome.NOT_ATTEMPTED
        assert "depends on a, which failed" in result.message
    assert run.results["ok"].outcome is Outcome.APPLIED
    assert sorted(work.started()) == ["a", "ok"]


def test_barrier_nodes_never_appear_in_results_and_are_never_worked():
    """A barrier writes nothing: work is never called for it, it is not in the results, and
    its dependents run once everything before it succeeded."""
    deps = {"a": set(), "b": set(), "(b1)": {"a", "b"}, "c": {"(b1)"}, "(b2)": {"c"},
            "d": {"(b2)"}}  # fmt: skip
    work = Recorder(delay={"a": 0.03})
    run = execute(deps, work, barriers={"(b1)", "(b2)"})
    assert set(run.results) == {"a", "b", "c", "d"}
    assert all(r.outcome is Outcome.APPLIED for r in run.results.values())
    assert sorted(work.started()) == ["a", "b", "c", "d"]
    assert work.index("end", "a") < work.index("start", "c") < work.index("start", "d")


def test_first_failure_stops_new_writes_and_lets_in_flight_ones_finish():
    """Without keep_going the first failure stops new starts: the write in flight finishes
    (applied), later independent writes are not attempted, 'stopped after <failed> failed'."""
    deps = {"a": set(), "b": set(), "c": set(), "d": set()}
    work = Recorder(fail={"a"}, delay={"a": 0.0, "b": 0.3})
    run = execute(deps, work, parallelism=2)
    assert run.results["a"].outcome is Outcome.FAILED
    assert run.results["b"].outcome is Outcome.APPLIED  # was in flight: finished
    for address in ("c", "d"):
        assert run.results[address].outcome is Outcome.NOT_ATTEMPTED
        assert run.results[address].message == "not attempted: apply stopped after a failed"
    assert sorted(work.started()) == ["a", "b"]
    assert ("end", "b") in work.events


def test_keep_going_runs_independent_writes_after_a_failure():
    """With keep_going, independent writes still run after a failure; dependents of the failed
    write are still not attempted (--continue-on-error never runs a write whose dependency
    failed)."""
    deps = {"a": set(), "b": set(), "c": set(), "d": set(), "e": {"a"}}
    work = Recorder(fail={"a"}, delay={"b": 0.1})
    run = execute(deps, work, parallelism=2, keep_going=True)
    assert run.results["a"].outcome is Outcome.FAILED
    for address in ("b", "c", "d"):
        assert run.results[address].outcome is Outcome.APPLIED
    assert run.results["e"].outcome is Outcome.NOT_ATTEMPTED
    assert run.results["e"].message == "not attempted: depends on a, which failed"
    assert sorted(work.started()) == ["a", "b", "c", "d"]


def test_parallelism_bounds_concurrent_work():
    """No more than `parallelism` writes run at once, and the bound is actually used."""
    deps = {f"n{i:02d}": set() for i in range(12)}
    work = Recorder(default_delay=0.04)
    run = execute(deps, work, parallelism=3)
    assert work.max_active == 3
    assert len(run.results) == 12
    assert all(r.outcome is Outcome.APPLIED for r in run.results.values())


def test_parallelism_one_is_serial():
    """parallelism=1 runs one write at a time (each ends before the next starts)."""
    deps = {f"n{i}": set() for i in range(4)}
    work = Recorder(default_delay=0.01)
    execute(deps, work, parallelism=1)
    assert work.max_active == 1
    kinds = [kind for kind, _ in work.events]
    assert kinds == ["start", "end"] * 4


def test_exception_in_work_becomes_a_failed_result_without_hanging():
    """A bug in work (an exception) is a failed result naming the error, not a hang or a
    crash; it stops new writes like any failure and its dependents are not attempted."""
    deps = {"a": set(), "b": {"a"}, "c": set()}
    work = Recorder(raise_in={"a"})
    run = execute(deps, work, parallelism=1)
    assert run.results["a"].outcome is Outcome.FAILED
    assert "RuntimeError" in run.results["a"].message
    assert "boom in a" in run.results["a"].message
    assert run.results["b"].outcome is Outcome.NOT_ATTEMPTED
    assert run.results["c"].outcome is Outcome.NOT_ATTEMPTED
    assert run.results["c"].message == "not attempted: apply stopped after a failed"


def test_every_node_gets_a_result_even_with_no_work_started():
    """An empty graph returns empty results; a graph whose only root fails leaves no node
    without a result (nothing is silently dropped)."""
    assert execute({}, Recorder()).results == {}
    deps = {"a": set(), "b": {"a"}, "(x)": {"b"}, "c": {"(x)"}}
    run = execute(deps, Recorder(fail={"a"}), barriers={"(x)"})
    assert set(run.results) == {"a", "b", "c"}
    assert run.results["c"].outcome is Outcome.NOT_ATTEMPTED
    assert "b" in run.results["c"].message


SIX = {name: set() for name in "abcdef"}
ABANDONED = "may or may not have taken effect"


def test_first_ctrl_c_lets_in_flight_writes_finish_and_starts_no_more():
    """The first Ctrl-C: a notice, the writes in flight finish (applied), nothing new starts
    (not_attempted: "apply was interrupted"); the run is interrupted, not abandoned."""
    notices = []
    work = Recorder(default_delay=0.1)
    run = execute(SIX, work, parallelism=2, ctrl_c=1, notify=notices.append)
    assert run.interrupted is True and run.abandoned is False
    assert notices == ["Interrupted: finishing 2 write(s) in flight (Ctrl-C again to abandon them)"]
    assert sorted(work.started()) == ["a", "b"]
    assert run.results["a"].outcome is Outcome.APPLIED
    assert run.results["b"].outcome is Outcome.APPLIED
    for address in "cdef":
        assert run.results[address].outcome is Outcome.NOT_ATTEMPTED
        assert run.results[address].message == "not attempted: apply was interrupted"


def test_second_ctrl_c_abandons_in_flight_writes():
    """A second Ctrl-C abandons the writes in flight without waiting for them: they are failed
    with a message saying they may have taken effect; the rest are not_attempted."""
    work = Recorder(default_delay=1.0)
    started = time.monotonic()
    run = execute(SIX, work, parallelism=2, ctrl_c=2)
    assert time.monotonic() - started < 0.8  # did not wait for the 1 s writes
    assert run.interrupted is True and run.abandoned is True
    for address in "ab":
        assert run.results[address].outcome is Outcome.FAILED
        assert ABANDONED in run.results[address].message
    for address in "cdef":
        assert run.results[address].outcome is Outcome.NOT_ATTEMPTED


def test_second_ctrl_c_while_the_first_notice_prints_still_abandons():
    """A second Ctrl-C that lands while the first one's notice is being printed (a user
    pressing Ctrl-C twice quickly) is a second Ctrl-C like any other: execute() abandons the
    writes in flight and returns its results; it never lets KeyboardInterrupt escape (the CLI
    would then claim "Interrupted before any write." and report no items)."""

    def notify(line: str) -> None:
        if line.startswith("Interrupted"):
            raise KeyboardInterrupt  # the second Ctrl-C, mid-print

    work = Recorder(default_delay=0.3)
    run = execute(SIX, work, parallelism=2, ctrl_c=1, notify=notify)
    assert run.interrupted is True and run.abandoned is True
    for address in "ab":
        assert run.results[address].outcome is Outcome.FAILED
        assert ABANDONED in run.results[address].message
    for address in "cdef":
        assert run.results[address].outcome is Outcome.NOT_ATTEMPTED
