"""run_parallel (netsync/parallel.py): results in input order, at most `parallelism` at once, an
item's exception raised at its turn, and nothing started after the caller stops."""

from __future__ import annotations

import random
import threading
import time

import pytest

from netsync.parallel import run_parallel


def test_results_come_in_input_order_whatever_order_items_finish_in():
    def slow(item: int) -> int:
        time.sleep(random.random() / 500)
        return item * 2

    assert list(run_parallel(slow, range(300), 16)) == [i * 2 for i in range(300)]


@pytest.mark.parametrize("parallelism", [0, 1])
def test_serial_when_parallelism_is_one_or_less(parallelism):
    threads = set()

    def record(item: int) -> int:
        threads.add(threading.get_ident())
        return item

    assert list(run_parallel(record, [1, 2, 3], parallelism)) == [1, 2, 3]
    assert threads == {threading.get_ident()}


def test_never_more_than_parallelism_in_flight():
    state = {"now": 0, "most": 0}
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.002)
        with lock:
            state["now"] -= 1
        return item

    assert list(run_parallel(work, range(60), 4)) == list(range(60))
    assert 1 < state["most"] <= 4


def test_an_exception_is_raised_when_its_item_comes():
    seen = []

    def work(item: int) -> int:
        if item == 7:
            raise ValueError("item 7")
        return item

    with pytest.raises(ValueError, match="item 7"):
        for value in run_parallel(work, range(50), 4):
            seen.append(value)
    assert seen == list(range(7))


def test_stopping_early_starts_no_more_items_and_waits_for_running_ones():
    started = []
    lock = threading.Lock()

    def work(item: int) -> int:
        with lock:
            started.append(item)
        time.sleep(0.005)
        return item

    before = threading.active_count()
    results = run_parallel(work, range(1000), 4)
    assert [next(results), next(results)] == [0, 1]
    results.close()
    count = len(started)
    time.sleep(0.05)
    assert len(started) == count < 1000  # nothing started after the caller stopped
    assert threading.active_count() == before  # the workers are gone
