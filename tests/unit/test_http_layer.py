"""The HTTP layer (netsync/http.py) with httpx.MockTransport and a fake clock: waits demanded by
the vendor, --max-wait, which failures are retried for idempotent and non-idempotent requests,
the client-side token bucket and the per-provider cap on requests in flight (SPEC 2 and 3)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import httpx
import pytest
from fakes import FakeClock

from netsync.http import Attempts, RetryPolicy, TokenBucket, VendorClient, VendorError

WALL = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC).timestamp()


class Script:
    """A MockTransport handler answering from a list: responses, or exceptions to raise."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer, json={})
        return answer


def make_client(handler, clock: FakeClock, **retry) -> VendorClient:
    policy = RetryPolicy(
        **{"attempts": 5, "base_delay": 1.0, "max_delay": 5.0, "jitter": lambda a, b: b, **retry}
    )
    return VendorClient(
        vendor="Vendor",
        base_url="http://vendor.test",
        retry=policy,
        transport=httpx.MockTransport(handler),
        clock=clock,
    )


def limited(headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(429, headers=headers, json={"error": {"code": "rate_limited"}})


# --- 1. waits the vendor demands, and our own backoff ------------------------------------------


def test_retry_after_seconds_waits_exactly_that_long():
    """A 429 with `Retry-After: 7` sleeps exactly 7 s, once, before the one retry."""
    clock = FakeClock()
    script = Script(limited({"Retry-After": "7"}), 200)
    response = make_client(script, clock).request("GET", "/x")
    assert response.status_code == 200
    assert clock.sleeps == [7.0]
    assert len(script.requests) == 2


def test_retry_after_http_date_waits_until_that_instant():
    """A 429 with an HTTP-date `Retry-After` waits from the clock's wall time to that date."""
    clock = FakeClock()
    script = Script(limited({"Retry-After": "Thu, 01 Jan 2026 12:00:42 GMT"}), 200)
    assert make_client(script, clock).request("GET", "/x").status_code == 200
    assert clock.sleeps == [42.0]
    assert len(script.requests) == 2


def test_x_ratelimit_reset_waits_until_the_reset_time():
    """Without Retry-After, `X-RateLimit-Reset` (a Unix time) waits reset - now."""
    clock = FakeClock()
    reset = str(int(WALL) + 13)
    script = Script(limited({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}), 200)
    assert make_client(script, clock).request("GET", "/x").status_code == 200
    assert clock.sleeps == [13.0]


def test_retry_after_takes_precedence_over_x_ratelimit_reset():
    """When a 429 carries both headers, Retry-After decides the wait."""
    clock = FakeClock()
    headers = {"Retry-After": "3", "X-RateLimit-Reset": str(int(WALL) + 50)}
    make_client(Script(limited(headers), 200), clock).request("GET", "/x")
    assert clock.sleeps == [3.0]


def test_without_headers_backoff_is_capped_exponential():
    """No Retry-After/X-RateLimit-Reset: capped exponential backoff with jitter in
    [ceiling/2, ceiling], ceiling = min(max_delay, base * 2**n)."""
    clock = FakeClock()
    drawn: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        drawn.append((low, high))
        return high

    script = Script(503, 429, 502, 504, 503, 200)
    client = make_client(script, clock, attempts=6, jitter=jitter)
    assert client.request("GET", "/x").status_code == 200
    assert clock.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert drawn == [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (2.5, 5.0), (2.5, 5.0)]
    assert len(script.requests) == 6


def test_retries_stop_after_the_configured_attempts():
    """An always-503 idempotent GET is sent `attempts` times, the last 503 is returned and
    only attempts - 1 waits happen."""
    clock = FakeClock()
    script = Script(503)
    counted = Attempts()
    response = make_client(script, clock, attempts=3).request("GET", "/x", attempts=counted)
    assert response.status_code == 503
    assert len(script.requests) == 3
    assert counted.count == 3
    assert clock.sleeps == [1.0, 2.0]


# --- 2. --max-wait ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{"Retry-After": "61"}, {"X-RateLimit-Reset": str(int(WALL) + 61)}],
    ids=["retry-after", "x-ratelimit-reset"],
)
def test_a_demand_longer_than_max_wait_fails_at_once(headers):
    """--max-wait: a 429 demanding 61 s with --max-wait 60 raises VendorError at once, naming
    the wait, --max-wait and when to retry, without sleeping or sending again."""
    clock = FakeClock()
    script = Script(limited(headers), 200)
    with pytest.raises(VendorError) as caught:
        make_client(script, clock, max_wait=60).request("GET", "/x")
    message = str(caught.value)
    assert "wait 61 s" in message
    assert "--max-wait 60 s" in message
    assert "retry after 2026-01-01 12:01:01 UTC" in message
    assert caught.value.status == 429
    assert clock.sleeps == []
    assert len(script.requests) == 1


def test_a_demand_equal_to_max_wait_is_honoured():
    """--max-wait bounds the wait inclusively: exactly max_wait seconds is waited, not refused."""
    clock = FakeClock()
    script = Script(limited({"Retry-After": "60"}), 200)
    assert make_client(script, clock, max_wait=60).request("GET", "/x").status_code == 200
    assert clock.sleeps == [60.0]


def test_max_wait_does_not_bound_our_own_backoff():
    """--max-wait bounds only a wait the vendor demands: backoff larger than it still runs."""
    clock = FakeClock()
    script = Script(503, 200)
    client = make_client(script, clock, max_wait=0.5, base_delay=4.0, max_delay=10.0)
    assert client.request("GET", "/x").status_code == 200
    assert clock.sleeps == [4.0]


# --- 3. what is retried for idempotent and non-idempotent requests ------------------------


def test_idempotent_request_retries_transient_statuses():
    """502, 503 and 504 are retried for an idempotent request until a usable answer."""
    clock = FakeClock()
    script = Script(502, 503, 504, 200)
    assert make_client(script, clock).request("PUT", "/x", json={}).status_code == 200
    assert len(script.requests) == 4
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_idempotent_request_retries_transport_errors_after_sending():
    """A ReadTimeout (may have reached the vendor) is retried for an idempotent request."""
    clock = FakeClock()
    script = Script(httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset"), 200)
    assert make_client(script, clock).request("DELETE", "/x").status_code == 200
    assert len(script.requests) == 3
    assert clock.sleeps == [1.0, 2.0]


def test_idempotent_transport_errors_exhausted_raise_not_maybe_applied():
    """An idempotent request that never got an answer raises VendorError after `attempts`
    sends, with maybe_applied False (it is safe to repeat; nothing to re-read)."""
    clock = FakeClock()
    script = Script(httpx.ReadTimeout("slow"))
    with pytest.raises(VendorError) as caught:
        make_client(script, clock, attempts=3).request("GET", "/x")
    assert caught.value.maybe_applied is False
    assert "timed out" in str(caught.value)
    assert len(script.requests) == 3


@pytest.mark.parametrize("status", [502, 503, 504])
def test_non_idempotent_write_returns_a_5xx_after_one_send(status):
    """A non-idempotent write answered 502/503/504 is never sent again by the HTTP layer:
    the response comes back after ONE send, with no wait, for the caller to re-read."""
    clock = FakeClock()
    script = Script(status, 201)
    counted = Attempts()
    response = make_client(script, clock).request(
        "POST", "/rules", json={"name": "r"}, idempotent=False, attempts=counted
    )
    assert response.status_code == status
    assert len(script.requests) == 1
    assert counted.count == 1
    assert clock.sleeps == []


def test_non_idempotent_write_read_timeout_raises_maybe_applied_after_one_send():
    """A ReadTimeout on a non-idempotent write raises VendorError(maybe_applied=True) after
    ONE send: the write may have reached the vendor."""
    clock = FakeClock()
    script = Script(httpx.ReadTimeout("slow"), 201)
    with pytest.raises(VendorError) as caught:
        make_client(script, clock).request("POST", "/rules", json={}, idempotent=False)
    assert caught.value.maybe_applied is True
    assert len(script.requests) == 1
    assert clock.sleeps == []


def test_non_idempotent_write_is_retried_after_a_429():
    """A 429 means the write was not processed: it is sent again after the demanded wait."""
    clock = FakeClock()
    script = Script(limited({"Retry-After": "2"}), 201)
    response = make_client(script, clock).request("POST", "/rules", json={}, idempotent=False)
    assert response.status_code == 201
    assert len(script.requests) == 2
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("no route")],
    ids=["connect-error", "connect-timeout"],
)
def test_non_idempotent_write_is_retried_when_it_was_never_sent(error):
    """A failure before the request was sent (ConnectError, ConnectTimeout) is safe to retry
    even for a non-idempotent write."""
    clock = FakeClock()
    script = Script(error, 201)
    response = make_client(script, clock).request("POST", "/rules", json={}, idempotent=False)
    assert response.status_code == 201
    assert len(script.requests) == 2
    assert clock.sleeps == [1.0]


def test_non_idempotent_write_never_connected_is_not_maybe_applied():
    """A write that could never connect fails after `attempts` tries with maybe_applied False:
    it certainly did not reach the vendor."""
    clock = FakeClock()
    script = Script(httpx.ConnectError("refused"))
    with pytest.raises(VendorError) as caught:
        make_client(script, clock, attempts=2).request("POST", "/x", json={}, idempotent=False)
    assert caught.value.maybe_applied is False
    assert "cannot connect" in str(caught.value)
    assert len(script.requests) == 2


def test_client_errors_are_returned_without_retry():
    """A 400/404/409 is an answer, not a transient failure: returned after one send."""
    clock = FakeClock()
    for status in (400, 404, 409, 500):
        script = Script(status, 200)
        assert make_client(script, clock).request("GET", "/x").status_code == status
        assert len(script.requests) == 1
    assert clock.sleeps == []


# --- 4. client-side rate limit --------------------------------------------------------------


def test_token_bucket_paces_requests_beyond_the_burst():
    """TokenBucket(rate 2/s, burst 2): 6 requests at once -> 2 free, the 4 others wait 0.5 s
    each (2 s in all) on the fake clock."""
    clock = FakeClock()
    bucket = TokenBucket(2, 2, clock=clock)
    for _ in range(6):
        bucket.acquire()
    assert clock.sleeps == [0.5, 0.5, 0.5, 0.5]
    assert sum(clock.sleeps) == 2.0


def test_token_bucket_refills_up_to_its_burst_only():
    """After a long idle time the bucket holds `burst` tokens, not more."""
    clock = FakeClock()
    bucket = TokenBucket(2, 2, clock=clock)
    bucket.acquire()
    clock.mono += 100.0  # idle: refills to 2, never 200
    for _ in range(3):
        bucket.acquire()
    assert clock.sleeps == [0.5]


def test_vendor_client_waits_for_its_rate_limit_before_each_send():
    """A VendorClient with TokenBucket(1/s, burst 1) sending 5 requests sleeps 1 s before each
    of the last 4."""
    clock = FakeClock()
    script = Script(200)
    client = make_client(script, clock)
    client.rate_limit = TokenBucket(1, 1, clock=clock)
    for _ in range(5):
        client.request("GET", "/x")
    assert clock.sleeps == [1.0, 1.0, 1.0, 1.0]
    assert len(script.requests) == 5


# --- 5. per-provider cap on requests in flight ------------------------------------------------


def _most_in_flight(concurrency: int | None, threads: int = 8) -> tuple[int, int]:
    """(most requests in flight at once, requests served) for `threads` concurrent callers
    whose requests block until released."""
    lock = threading.Lock()
    state = {"now": 0, "most": 0, "served": 0}
    release = threading.Event()

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        release.wait(5)
        with lock:
            state["now"] -= 1
            state["served"] += 1
        return httpx.Response(200)

    client = VendorClient(
        vendor="Vendor",
        base_url="http://vendor.test",
        transport=httpx.MockTransport(handler),
        concurrency=concurrency,
        clock=FakeClock(),
    )
    workers = [
        threading.Thread(target=client.request, args=("GET", f"/x/{i}")) for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 0.3  # let every caller that may enter do so
    while state["most"] < threads and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    for worker in workers:
        worker.join(5)
    return state["most"], state["served"]


def test_concurrency_cap_limits_requests_in_flight():
    """VendorClient(concurrency=2): 8 threads calling at once never have more than 2 requests
    in flight, and all 8 are served."""
    most, served = _most_in_flight(2)
    assert most == 2
    assert served == 8


def test_without_a_cap_requests_run_concurrently():
    """concurrency=None: the 8 blocked requests are all in flight at once (so the cap test
    above can fail)."""
    most, served = _most_in_flight(None)
    assert most == 8
    assert served == 8


# --- what the mutation run of netsync/http.py found untested -----------------------------------


def test_token_bucket_burst_is_independent_of_its_rate():
    """A bucket of rate 1/s and burst 3 sends 3 at once, then one a second (not rate-sized)."""
    clock = FakeClock()
    bucket = TokenBucket(1, 3, clock=clock)
    for _ in range(5):
        bucket.acquire()
    assert clock.sleeps == [1.0, 1.0]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (httpx.ConnectError("refused"), "cannot connect (is the URL right"),
        (httpx.ReadTimeout("slow"), "timed out"),
        (httpx.RemoteProtocolError("bad"), "RemoteProtocolError"),
    ],
)
def test_transport_failures_are_described_for_people(error, reason):
    """The final error names the vendor, the call and what went wrong, never a traceback."""
    clock = FakeClock()
    client = make_client(Script(error), clock, attempts=2)
    with pytest.raises(VendorError) as raised:
        client.request("GET", "/things?client=Jane")
    message = str(raised.value)
    assert message.startswith("Vendor: GET http://vendor.test/things failed: ")
    assert reason in message and "Jane" not in message  # no query string in messages
    assert raised.value.vendor == "Vendor"
