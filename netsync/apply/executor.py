"""Run a dependency graph of writes concurrently, with SPEC 3's stop rules.

- A node starts when everything it depends on succeeded; a node whose dependency failed or was
  not attempted is `not_attempted`, naming the failed write (through barriers).
- Without `keep_going`, the first failure stops new writes; writes in flight finish.
- The first Ctrl-C stops new writes and lets those in flight finish; a second abandons them.

Workers are daemon threads, so abandoned writes never keep the process alive. The calling thread
only waits on a queue with a timeout, so Ctrl-C reaches it promptly.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from netsync.model import Outcome

SUCCESS = (Outcome.APPLIED, Outcome.ALREADY_APPLIED, Outcome.UNCONFIRMED)


@dataclass
class Finished:
    """How one node of the graph ended."""

    outcome: Outcome
    message: str | None = None


@dataclass
class Run:
    results: dict[str, Finished] = field(default_factory=dict)
    interrupted: bool = False
    abandoned: bool = False


Work = Callable[[str], Finished]


class Executor:
    def __init__(
        self,
        deps: dict[str, set[str]],
        barriers: set[str],
        work: Work,
        *,
        parallelism: int = 16,
        keep_going: bool = False,
        notify: Callable[[str], None] = lambda line: None,
        poll: float = 0.1,
    ) -> None:
        self.deps = deps
        self.barriers = barriers
        self.work = work
        self.parallelism = max(1, parallelism)
        self.keep_going = keep_going
        self.notify = notify
        self.poll = poll
        self.done: queue.Queue[tuple[str, Finished]] = queue.Queue()
        self.run_state = Run()
        self.running: set[str] = set()
        self.threads: dict[str, threading.Thread] = {}
        self.stopped: str | None = None  # why no new write starts
        self.missing = {address: len(needs) for address, needs in deps.items()}
        self.dependents: dict[str, list[str]] = {address: [] for address in deps}
        for address, needs in deps.items():
            for need in needs:
                self.dependents[need].append(address)
        self.ready = deque(sorted(a for a, n in self.missing.items() if n == 0))

    def execute(self) -> Run:
        interrupts = 0
        notice = False
        while True:
            try:
                if notice:  # inside the try: a second Ctrl-C while it prints still abandons
                    notice = False
                    self.notify(
                        f"Interrupted: finishing {len(self.running)} write(s) in flight "
                        "(Ctrl-C again to abandon them)"
                    )
                self._start_ready()
                if not self.running:
                    break  # nothing in flight and nothing can start: the rest is settled below
                try:
                    address, result = self.done.get(timeout=self.poll)
                except queue.Empty:
                    continue
                self.running.discard(address)
                self._finish(address, result)
                if result.outcome is Outcome.FAILED and not self.keep_going and not self.stopped:
                    self.stopped = f"not attempted: apply stopped after {address} failed"
            except KeyboardInterrupt:
                interrupts += 1
                self.run_state.interrupted = True
                self.stopped = "not attempted: apply was interrupted"
                if interrupts == 1 and self.running:
                    notice = True
                    continue
                self._abandon()
                break
        self._settle()
        return self.run_state

    def _finish(self, address: str, result: Finished) -> None:
        self.run_state.results[address] = result
        for dependent in self.dependents[address]:
            self.missing[dependent] -= 1
            if self.missing[dependent] == 0:
                self.ready.append(dependent)

    def _start_ready(self) -> None:
        results = self.run_state.results
        held = deque()
        while self.ready:
            address = self.ready.popleft()
            needs = sorted(self.deps[address])
            blocker = next((n for n in needs if results[n].outcome not in SUCCESS), None)
            if blocker is not None:
                self._finish(address, Finished(Outcome.NOT_ATTEMPTED, self._because(blocker)))
            elif address in self.barriers:
                self._finish(address, Finished(Outcome.APPLIED))
            elif not self.stopped and len(self.running) < self.parallelism:
                thread = threading.Thread(target=self._run, args=(address,), daemon=True)
                self.threads[address] = thread
                self.running.add(address)
                thread.start()
            else:
                held.append(address)
        self.ready = held

    def _because(self, blocker: str) -> str:
        """Why a dependent is not attempted, naming the write that failed (not a barrier)."""
        result = self.run_state.results[blocker]
        if blocker in self.barriers:
            return result.message or "not attempted"
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return f"not attempted: depends on {blocker}, which was not attempted"
        return f"not attempted: depends on {blocker}, which failed"

    def _run(self, address: str) -> None:
        try:
            result = self.work(address)
        except Exception as exc:  # a bug must not hang the apply: report it as a failure
            result = Finished(Outcome.FAILED, f"internal error: {type(exc).__name__}: {exc}")
        self.done.put((address, result))

    def _abandon(self) -> None:
        self.run_state.abandoned = True
        message = (
            "abandoned by a second Ctrl-C while in flight: it may or may not have taken "
            "effect; run netsync plan to see"
        )
        for address in sorted(self.running):
            if self.threads[address].ident is None:  # Ctrl-C landed before it could start
                self.run_state.results[address] = Finished(Outcome.NOT_ATTEMPTED, self.stopped)
            else:
                self.run_state.results[address] = Finished(Outcome.FAILED, message)
        self.running.clear()

    def _settle(self) -> None:
        results = self.run_state.results
        for address in self.deps:
            if address not in results:
                results[address] = Finished(Outcome.NOT_ATTEMPTED, self.stopped or "not attempted")
        for barrier in self.barriers:
            results.pop(barrier, None)
