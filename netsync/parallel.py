"""`run_parallel`: the one way netsync runs work concurrently (reads of every vendor, and each
vendor's reads `--parallelism` at a time).

A plan reads thousands of resources, one call each: the threads take the next item from a shared
counter and hand each result to the caller in input order, without the future, condition and
queue entry per item of `concurrent.futures` (a measurable share of a plan's CPU).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Work(Generic[T, R]):
    """Items handed to worker threads one at a time; outcomes kept until the caller takes them.

    A caller that has to wait is woken once a batch of items is done rather than for each one:
    thousands of wake-ups, each a thread switch, cost more than the bookkeeping they serve.
    """

    def __init__(self, fn: Callable[[T], R], items: list[T], batch: int) -> None:
        self.fn = fn
        self.items = items
        self.batch = batch
        self.outcomes: list[tuple[R | None, BaseException | None] | None] = [None] * len(items)
        self.next = 0
        self.finished = 0
        self.stopped = False
        self.waiting = -1  # the index the caller waits for
        self.wake_at = 0  # ... and how many items must be done before it is woken
        self.cond = threading.Condition(threading.Lock())

    def run(self) -> None:
        while True:
            with self.cond:
                if self.stopped or self.next >= len(self.items):
                    return
                index = self.next
                self.next += 1
            try:
                outcome: tuple[R | None, BaseException | None] = (self.fn(self.items[index]), None)
            except BaseException as exc:  # handed to the caller, as a future would
                outcome = (None, exc)
            with self.cond:
                self.outcomes[index] = outcome
                self.finished += 1
                if self._ready():
                    self.cond.notify()

    def _ready(self) -> bool:
        """Whether the waiting caller may go on: its item is done, and so is its batch."""
        waiting = self.waiting
        return waiting >= 0 and self.outcomes[waiting] is not None and self.finished >= self.wake_at

    def result(self, index: int) -> R:
        with self.cond:
            if self.outcomes[index] is None:
                self.waiting = index
                self.wake_at = min(len(self.items), index + self.batch)
                while not self._ready():
                    self.cond.wait()
                self.waiting = -1
            outcome = self.outcomes[index]
            self.outcomes[index] = None  # the caller holds it now
        assert outcome is not None
        value, error = outcome
        if error is not None:
            raise error
        return value  # type: ignore[return-value]

    def stop(self) -> None:
        """No item is started after this; those running finish."""
        with self.cond:
            self.stopped = True


def run_parallel(fn: Callable[[T], R], items: Iterable[T], parallelism: int) -> Iterator[R]:
    """Apply `fn` to every item with at most `parallelism` in flight; results in input order.

    The single code path for serial (parallelism 1) and concurrent work. An exception raised
    by `fn` is raised here when its item's turn comes; when the caller stops early (or that
    exception ends it), items not started are skipped and those running are waited for.
    """
    items = list(items)
    if parallelism <= 1 or len(items) <= 1:
        yield from (fn(item) for item in items)
        return
    width = min(parallelism, len(items))
    work = _Work(fn, items, batch=width)
    started: list[threading.Thread] = []
    try:
        for _ in range(width):
            thread = threading.Thread(target=work.run)
            thread.start()
            started.append(thread)
        for index in range(len(items)):
            yield work.result(index)
    finally:
        work.stop()
        for thread in started:
            thread.join()
