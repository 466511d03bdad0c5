"""Latency, rate limits, faults, persistence, the request log and the control endpoints."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from netsync.sandbox import Sandbox, SeedError

from ._support import (
    CALDWELL,
    MATTER,
    QUICKSTART_SEED,
    RIVERA,
    SB_HEADERS,
    TRACKOPS_AUTH,
    cx_headers,
)

P = "/api/public/v1"
NEW_REQUEST = {
    "casefile_request": {
        "case_type_id": 1,
        "case_region_id": 1,
        "created_on": "2026-06-01",
        "reference_value_1": "ABC123-ClaimNumber",
        "client": {"name": "A", "country": "US"},
        "contact": {"last_name": "L", "email": "l@example.com"},
    }
}


def test_casexchange_rate_limit_headers_and_429():
    with (
        Sandbox(rate_limits={"casexchange": {"limit": 2, "window": 60}}) as sb,
        httpx.Client(base_url=sb.url) as c,
    ):
        r1 = c.get(f"{P}/firms/me", headers=cx_headers())
        assert r1.status_code == 200
        assert r1.headers["X-RateLimit-Limit"] == "2"
        assert r1.headers["X-RateLimit-Remaining"] == "1"
        reset = int(r1.headers["X-RateLimit-Reset"])
        assert time.time() < reset <= time.time() + 61
        assert c.get(f"{P}/firms/me", headers=cx_headers()).headers["X-RateLimit-Remaining"] == "0"
        r3 = c.get(f"{P}/firms/me", headers=cx_headers())
        assert r3.status_code == 429
        assert r3.json()["error"]["code"] == "rate_limited"
        assert r3.headers["X-RateLimit-Remaining"] == "0"
        # Per key: another key has its own window.
        assert c.get(f"{P}/firms/me", headers=cx_headers("cxp_ro_sandbox")).status_code == 200


def test_no_rate_limit_headers_when_off(client):
    r = client.get(f"{P}/firms/me", headers=cx_headers())
    assert "X-RateLimit-Limit" not in r.headers


def test_smokeball_and_trackops_token_buckets():
    limits = {"smokeball": {"rate": 1, "burst": 2}, "trackops": {"rate": 1, "burst": 1}}
    with (
        Sandbox(seed=QUICKSTART_SEED, rate_limits=limits) as sb,
        httpx.Client(base_url=sb.url) as c,
    ):
        codes = [c.get(f"/matters/{MATTER}", headers=SB_HEADERS).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.get(f"/matters/{MATTER}", headers=SB_HEADERS)
        assert r.status_code == 429
        assert r.headers["content-type"].startswith("application/problem+json")
        assert int(r.headers["Retry-After"]) >= 1
        assert c.get("/api/v1/case/requests", auth=TRACKOPS_AUTH).status_code == 200
        r = c.get("/api/v1/case/requests", auth=TRACKOPS_AUTH)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        time.sleep(1.05)
        assert c.get("/api/v1/case/requests", auth=TRACKOPS_AUTH).status_code == 200


def test_vendor_rate_limits_preset():
    with Sandbox(rate_limits="vendor") as sb, httpx.Client(base_url=sb.url) as c:
        r = c.get(f"{P}/firms/me", headers=cx_headers())
        assert r.headers["X-RateLimit-Limit"] == "100"
        codes = [c.get("/referraltypes", headers=SB_HEADERS).status_code for _ in range(15)]
        assert codes.count(429) >= 1 and codes[:5] == [200] * 5


def test_fault_fires_first_n_matching_requests(client, sb):
    sb.add_fault(
        {
            "vendor": "casexchange",
            "method": "GET",
            "path": "/network/outbound/",
            "status": 503,
            "count": 2,
            "retry_after": 1,
        }
    )
    url = f"{P}/network/outbound/{RIVERA}"
    r = client.get(url, headers=cx_headers())
    assert r.status_code == 503 and r.headers["Retry-After"] == "1"
    assert r.json()["error"]["code"] == "internal_error"
    assert client.get(f"{P}/firms/me", headers=cx_headers()).status_code == 200  # no match
    assert client.get(url, headers=cx_headers()).status_code == 503
    assert client.get(url, headers=cx_headers()).status_code == 200


def test_fault_after_apply_performs_the_write(client, sb):
    sb.add_fault(
        {
            "vendor": "trackops",
            "method": "POST",
            "path": r"^/api/v1/case/requests$",
            "status": 503,
            "after_apply": True,
        }
    )
    r = client.post("/api/v1/case/requests", auth=TRACKOPS_AUTH, json=NEW_REQUEST)
    assert r.status_code == 503
    assert r.json() == {"errors": ["Injected fault (HTTP 503)"]}
    found = client.get(
        "/api/v1/case/requests",
        auth=TRACKOPS_AUTH,
        params={"reference_value_1": "ABC123-ClaimNumber"},
    ).json()
    assert len(found) == 1  # the write took effect although 503 was answered


def test_fault_before_apply_does_not_write(client, sb):
    sb.add_fault({"vendor": "smokeball", "method": "PUT", "path": "/matters/", "status": 502})
    r = client.put(
        f"/matters/{MATTER}",
        headers={**SB_HEADERS, "Content-Type": "application/json-patch+json"},
        json={"referralAgreementFee": 1},
    )
    assert r.status_code == 502 and r.json()["status"] == 502
    assert client.get(f"/matters/{MATTER}", headers=SB_HEADERS).json()["referralAgreementFee"] == 25


def test_faults_from_yaml_file_and_control_endpoint(tmp_path):
    f = tmp_path / "faults.yaml"
    f.write_text("faults:\n  - {vendor: casexchange, path: /firms/me, status: 500}\n")
    with Sandbox(faults=f) as sb, httpx.Client(base_url=sb.url) as c:
        assert c.get(f"{P}/firms/me", headers=cx_headers()).status_code == 500
        assert c.get(f"{P}/firms/me", headers=cx_headers()).status_code == 200
        r = c.post("/_sandbox/faults", json={"path": "/firms/me", "status": 429, "retry_after": 2})
        assert r.status_code == 201
        r = c.get(f"{P}/firms/me", headers=cx_headers())
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limited"
        assert r.headers["Retry-After"] == "2"
        assert c.post("/_sandbox/faults", json={"status": 200}).status_code == 400


def test_bad_fault_file_names_file_and_line(tmp_path):
    f = tmp_path / "faults.yaml"
    f.write_text("faults:\n  - {vendor: nobody, status: 500}\n")
    with pytest.raises(SeedError, match=r"faults.yaml.*vendor"):
        Sandbox(faults=f)
    f.write_text("faults:\n  - [unclosed\n")
    with pytest.raises(SeedError, match=r"faults.yaml:\d+: invalid YAML"):
        Sandbox(faults=f)


def test_latency_applies_per_request_and_connections_run_in_parallel():
    with Sandbox(latency_ms=200) as sb:
        start = time.monotonic()
        httpx.get(f"{sb.url}{P}/firms/me", headers=cx_headers())
        assert time.monotonic() - start >= 0.2
        results: list[int] = []
        pool = httpx.Client(base_url=sb.url, limits=httpx.Limits(max_connections=64))

        def hit() -> None:
            results.append(pool.get(f"{P}/firms/me", headers=cx_headers()).status_code)

        threads = [threading.Thread(target=hit) for _ in range(64)]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [200] * 64
        elapsed = time.monotonic() - start
        pool.close()
        assert elapsed < 2.0  # 64 x 200 ms one after another would be 12.8 s


def test_persistence_across_restart(tmp_path):
    state = tmp_path / "state.json"
    with Sandbox(seed=QUICKSTART_SEED, state=state) as sb:
        assert state.exists()
        r = httpx.post(
            f"{sb.url}{P}/network/outbound/{CALDWELL}",
            headers=cx_headers(),
            json={"sendingPercentage": 25},
        )
        assert r.status_code == 200
        assert (
            json.loads(state.read_text())["outbound"][CALDWELL]["relationship"]["sendingPercentage"]
            == 25
        )
    # Restart: the state file wins over the seed.
    with Sandbox(seed=QUICKSTART_SEED, state=state) as sb:
        r = httpx.get(f"{sb.url}{P}/network/outbound/{CALDWELL}", headers=cx_headers())
        assert r.status_code == 200
        assert r.json()["data"]["relationship"]["sendingPercentage"] == 25
    assert not list(tmp_path.glob(".sandbox-state-*"))  # no temp files left behind


def test_request_log_and_control_endpoints(client, sb):
    client.get(f"{P}/network/outbound/{RIVERA}", headers=cx_headers(), params={"x": "1"})
    client.put(
        f"/matters/{MATTER}",
        headers={**SB_HEADERS, "Content-Type": "application/json-patch+json"},
        json={"status": "Open"},
    )
    log = sb.requests
    assert [(e["vendor"], e["method"], e["status"]) for e in log] == [
        ("casexchange", "GET", 200),
        ("smokeball", "PUT", 202),
    ]
    assert log[0]["query"] == {"x": "1"} and log[0]["headers"]["x-api-key"] == "cxp_full_sandbox"
    assert log[1]["body"] == {"status": "Open"}
    assert client.get("/_sandbox/requests").json()["requests"][1]["path"] == f"/matters/{MATTER}"
    state = client.get("/_sandbox/state").json()
    assert MATTER in state["matters"]
    assert client.delete("/_sandbox/requests").status_code == 204
    assert sb.requests == []
    sb.clear_requests()


def test_stop_is_quick_and_closes_keep_alive_connections():
    sb = Sandbox().start()
    c = httpx.Client(base_url=sb.url)
    assert c.get(f"{P}/firms/me", headers=cx_headers()).status_code == 200
    start = time.monotonic()
    sb.stop()
    assert time.monotonic() - start < 1.0
    with pytest.raises(httpx.TransportError):
        c.get(f"{P}/firms/me", headers=cx_headers())
    c.close()


def test_concurrent_mutations_persist_the_last_world(tmp_path):
    """Bursts of 50 rule POSTs at once: the file (and a restart from it) holds the final world."""
    from concurrent.futures import ThreadPoolExecutor

    state = tmp_path / "state.json"
    with Sandbox(seed=QUICKSTART_SEED, state=state) as sb:
        seeded = len(sb.world.data["routing_rules"])

        def post(i: int) -> int:
            r = httpx.post(
                f"{sb.url}{P}/routing/rules",
                headers=cx_headers(),
                json={"name": f"rule {i}", "conditions": [], "targetFirmId": CALDWELL},
                timeout=10,
            )
            return r.status_code

        # A lost race shows only sometimes, so repeat the burst a few times.
        for burst in range(1, 5):
            with ThreadPoolExecutor(max_workers=50) as pool:
                assert list(pool.map(post, range(50))) == [201] * 50
            with sb.world.lock:
                last = json.loads(json.dumps(sb.world.data))
            assert len(last["routing_rules"]) == seeded + 50 * burst
            # Every response is sent after its save, so the file is already the final world.
            assert json.loads(state.read_text()) == last
    with Sandbox(seed=QUICKSTART_SEED, state=state) as sb:
        assert json.loads(json.dumps(sb.world.data)) == last
    assert not list(tmp_path.glob(".sandbox-state-*"))


def test_http_request_log_redacts_credentials(client, sb):
    client.get(f"{P}/firms/me", headers=cx_headers("cxp_full_REALPRODKEY123"))
    client.get(
        f"/matters/{MATTER}",
        headers={
            "x-api-key": "sb-PRODSECRET9",
            "Authorization": "Bearer PRODBEARER42",
            "Cookie": "session=PRODCOOKIE7; theme=dark",
        },
    )
    client.get("/api/v1/case/requests", auth=("prod/token", "PRODBASIC55"))
    client.post("/api/v1/auth/login", json={"email": "a@b.c", "password": "PRODPASSWORD1"})
    client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "c1", "client_secret": "PRODCS8"},
    )
    r = client.get("/_sandbox/requests")
    assert r.status_code == 200
    for secret in (
        "REALPRODKEY123",
        "PRODSECRET9",
        "PRODBEARER42",
        "PRODCOOKIE7",
        "PRODBASIC55",
        "cHJvZC90b2tlbjpQUk9EQkFTSUM1NQ",  # base64 of the Basic credentials
        "PRODPASSWORD1",
        "PRODCS8",
    ):
        assert secret not in r.text, secret
    served = r.json()["requests"]
    assert served[0]["headers"]["x-api-key"] == "cxp_full_***"
    assert served[1]["headers"]["authorization"] == "Bearer ***"
    assert served[1]["headers"]["x-api-key"] == "***"
    assert served[1]["headers"]["cookie"] == "session=***; theme=***"
    assert served[2]["headers"]["authorization"] == "Basic ***"
    assert served[3]["body"] == {"email": "a@b.c", "password": "***"}
    assert served[4]["body"] == "grant_type=client_credentials&client_id=c1&client_secret=***"
    # The in-process log is untouched: tests may assert on the real values.
    assert sb.requests[0]["headers"]["x-api-key"] == "cxp_full_REALPRODKEY123"
    assert sb.requests[3]["body"]["password"] == "PRODPASSWORD1"
