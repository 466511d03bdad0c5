"""CaseXchange pacing from its X-RateLimit-* answers (netsync/http.py WindowPacer), with a fake
clock: spend the window, count requests in flight, wait for the reset; a 429 is the exception."""

from __future__ import annotations

import httpx
from fakes import FakeClock

from netsync.http import WindowPacer


def answer(remaining: int, reset: float, limit: int = 3, status: int = 200) -> httpx.Response:
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
    }
    return httpx.Response(status, headers=headers)


def test_nothing_known_means_no_wait():
    """Before any answer with rate-limit headers (or a vendor without them) nothing waits."""
    clock = FakeClock()
    pacer = WindowPacer("Vendor", clock)
    for _ in range(50):
        pacer.acquire()
        pacer.release(httpx.Response(200))
    assert clock.sleeps == []


def test_a_window_ending_beyond_max_wait_fails_at_once():
    """A window reset hours away (a vendor's refusal) fails new requests at once, saying when
    to retry, instead of holding every reader until then."""
    import pytest

    from netsync.http import VendorError

    clock = FakeClock()
    pacer = WindowPacer("Vendor", clock, max_wait=120)
    pacer.acquire()
    pacer.release(answer(0, clock.time() + 3600))
    with pytest.raises(VendorError) as raised:
        pacer.acquire()
    assert "more than --max-wait 120 s; retry after" in str(raised.value)
    assert clock.sleeps == []


def test_the_window_is_spent_then_the_reset_awaited():
    """Limit 3: after the answer saying 0 remain, the next request waits until the reset."""
    clock = FakeClock()
    reset = clock.time() + 40
    pacer = WindowPacer("Vendor", clock)
    for remaining in (2, 1, 0):
        pacer.acquire()
        pacer.release(answer(remaining, reset))
    assert clock.sleeps == []
    pacer.acquire()
    assert abs(sum(clock.sleeps) - 40) < 0.1  # one window's wait, longer than 30 s too
    assert clock.time() >= reset


def test_requests_in_flight_count_against_the_window():
    """With 1 remaining and one request already in flight, a second one waits for the reset."""
    clock = FakeClock()
    reset = clock.time() + 5
    pacer = WindowPacer("Vendor", clock)
    pacer.acquire()
    pacer.release(answer(1, reset))
    pacer.acquire()  # in flight: takes the last slot
    pacer.acquire()  # must wait: the window is spent once the one in flight lands
    assert sum(clock.sleeps) >= 5


def test_a_429_with_a_reset_stops_sending_until_then():
    """A 429 naming its reset empties the window."""
    clock = FakeClock()
    reset = clock.time() + 12
    pacer = WindowPacer("Vendor", clock)
    pacer.acquire()
    pacer.release(httpx.Response(429, headers={"X-RateLimit-Reset": str(reset)}))
    pacer.acquire()
    assert abs(sum(clock.sleeps) - 12) < 0.1


def test_late_answers_of_an_old_window_do_not_refill_it():
    """Answers arrive in any order: within one window the lowest count is the truth."""
    clock = FakeClock()
    reset = clock.time() + 30
    pacer = WindowPacer("Vendor", clock)
    pacer.acquire()
    pacer.release(answer(2, reset))  # the first answer: now the window is known
    pacer.acquire()
    pacer.acquire()
    pacer.release(answer(0, reset))
    pacer.release(answer(1, reset))  # answered earlier by the vendor, arrives later
    pacer.acquire()
    assert sum(clock.sleeps) >= 30


def test_only_one_request_goes_out_before_the_first_answer():
    """Until the first answer says how the vendor paces, a second request waits for it, so a
    fan-out of 16 reads cannot overrun a small window before netsync knows it."""
    import threading

    clock = FakeClock()
    pacer = WindowPacer("Vendor", clock)
    pacer.acquire()
    second = threading.Thread(target=pacer.acquire, daemon=True)
    second.start()
    second.join(0.2)
    assert second.is_alive()  # held back while the first is unanswered
    pacer.release(httpx.Response(200))
    second.join(2)
    assert not second.is_alive()
