"""Request counters (`/_sandbox/stats`), rate limits per vendor from a file or changed while
serving (`/_sandbox/rate-limits`), and JSON seed files: what the benchmark (tests/perf) needs."""

from __future__ import annotations

import json

import httpx
import pytest
from click.testing import CliRunner

from netsync.sandbox import Sandbox, SeedError
from netsync.sandbox.cli import rate_limit_setting
from netsync.sandbox.cli import sandbox as sandbox_cmd

from ._support import MATTER, QUICKSTART_SEED, SB_HEADERS, TRACKOPS_AUTH, cx_headers

P = "/api/public/v1"


def test_stats_count_every_request_by_vendor_status_and_method(sb, client):
    assert client.get(f"{P}/firms/me", headers=cx_headers()).status_code == 200
    assert client.get(f"{P}/firms/me").status_code == 401
    assert client.get(f"/matters/{MATTER}", headers=SB_HEADERS).status_code == 200
    client.get("/_sandbox/requests")  # control calls are not counted
    stats = client.get("/_sandbox/stats").json()
    assert stats["total"] == 3
    cx = stats["vendors"]["casexchange"]
    assert cx == {"total": 2, "by_status": {"200": 1, "401": 1}, "by_method": {"GET": 2}}
    assert stats["vendors"]["smokeball"]["total"] == 1
    assert stats["vendors"]["trackops"] == {"total": 0, "by_status": {}, "by_method": {}}
    assert sb.stats == stats


def test_stats_outlive_the_request_log_and_reset_on_delete(sb, client):
    for _ in range(3):
        client.get(f"{P}/firms/me", headers=cx_headers())
    sb.clear_requests()  # the log is bounded (last 10,000); the counters are not
    assert sb.requests == []
    assert client.get("/_sandbox/stats").json()["vendors"]["casexchange"]["total"] == 3
    assert client.delete("/_sandbox/stats").status_code == 204
    assert client.get("/_sandbox/stats").json()["total"] == 0


def test_stats_count_429s():
    with (
        Sandbox(rate_limits={"casexchange": {"limit": 1, "window": 60}}) as sb,
        httpx.Client(base_url=sb.url) as c,
    ):
        codes = [c.get(f"{P}/firms/me", headers=cx_headers()).status_code for _ in range(3)]
        assert codes == [200, 429, 429]
        assert sb.stats["vendors"]["casexchange"]["by_status"] == {"200": 1, "429": 2}


def test_a_vendor_given_as_off_is_not_limited_and_the_others_keep_their_limits():
    with (
        Sandbox(seed=QUICKSTART_SEED, rate_limits={"casexchange": "off"}) as sb,
        httpx.Client(base_url=sb.url) as c,
    ):
        cx = [c.get(f"{P}/firms/me", headers=cx_headers()) for _ in range(5)]
        assert all(r.status_code == 200 for r in cx)
        assert "X-RateLimit-Limit" not in cx[0].headers
        trackops = [c.get("/api/v1/case/requests", auth=TRACKOPS_AUTH) for _ in range(4)]
        assert 429 in [r.status_code for r in trackops]  # vendor limits: 2/s, burst 2


def test_rate_limits_can_be_replaced_while_serving(sb, client):
    assert client.get("/_sandbox/rate-limits").json() == {"rate_limits": "off"}
    body = {"casexchange": {"limit": 2, "window": 60}, "smokeball": "off", "trackops": "off"}
    r = client.put("/_sandbox/rate-limits", json=body)
    assert r.status_code == 200
    assert r.json()["rate_limits"] == {"casexchange": {"limit": 2, "window": 60}}
    codes = [client.get(f"{P}/firms/me", headers=cx_headers()).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # Replacing starts every window afresh; "off" lifts every limit.
    assert client.put("/_sandbox/rate-limits", json="off").json() == {"rate_limits": "off"}
    assert client.get(f"{P}/firms/me", headers=cx_headers()).status_code == 200
    assert client.put("/_sandbox/rate-limits", json="vendor").status_code == 200
    assert client.get(f"{P}/firms/me", headers=cx_headers()).headers["X-RateLimit-Limit"] == "100"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"acme": "off"}, "unknown vendor 'acme'"),
        ({"smokeball": {"rate": 0}}, "smokeball.rate: must be a number above 0"),
        ({"smokeball": {"speed": 1}}, "smokeball.speed: unknown setting"),
        ({"trackops": 3}, "trackops: must be off, vendor or a mapping"),
        ("sometimes", "must be 'off', 'vendor' or a mapping"),
    ],
)
def test_bad_rate_limits_are_refused_and_change_nothing(client, body, message):
    r = client.put("/_sandbox/rate-limits", json=body)
    assert r.status_code == 400 and message in r.json()["error"]
    assert client.get("/_sandbox/rate-limits").json() == {"rate_limits": "off"}


def test_rate_limits_body_must_be_json(client):
    r = client.put("/_sandbox/rate-limits", content=b"vendor", headers={"Content-Type": "text"})
    assert r.status_code == 400
    assert client.put("/_sandbox/rate-limits").status_code == 400


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_cli_rate_limits_file(tmp_path, suffix):
    f = tmp_path / f"limits{suffix}"
    if suffix == ".json":
        f.write_text(json.dumps({"casexchange": "off", "trackops": {"rate": 1, "burst": 1}}))
    else:
        f.write_text("casexchange: off\ntrackops: {rate: 1, burst: 1}\n")
    setting = rate_limit_setting(str(f))
    assert setting["trackops"] == {"rate": 1, "burst": 1}
    with Sandbox(rate_limits=setting) as sb:
        assert sb.limiter.config == {
            "smokeball": {"rate": 5, "burst": 5},
            "trackops": {"rate": 1, "burst": 1},
        }


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("smokeball: {rate: -1}\n", "smokeball.rate: must be a number above 0"),
        ("[off]\n", "must be a mapping"),
        ("casexchange: {limit: [\n", "invalid YAML"),
    ],
)
def test_cli_bad_rate_limits_file_is_one_line_exit_1(tmp_path, text, pattern):
    f = tmp_path / "limits.yaml"
    f.write_text(text)
    r = CliRunner().invoke(sandbox_cmd, ["--port", "0", "--rate-limits", str(f)])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    assert pattern in r.output and str(f) in r.output.replace("\n", "")


def test_json_seed_file(tmp_path):
    seed = tmp_path / "seed.json"
    world = {
        "outbound": {"c3d4e5f6-7890-1abc-def2-34567890abcd": {"sendingPercentage": 12.5}},
        "case_requests": [
            {
                "case_type_id": 1,
                "case_region_id": 1,
                "created_on": "2026-06-01",
                "reference_value_1": "R-1",
                "client": {"name": "A", "country": "US"},
                "contact": {"last_name": "L", "email": "l@example.com"},
            }
        ],
    }
    seed.write_text(json.dumps(world))
    with Sandbox(seed=seed) as other:
        rel = other.world.outbound["c3d4e5f6-7890-1abc-def2-34567890abcd"]["relationship"]
        assert rel["sendingPercentage"] == 12.5
        assert other.world.case_requests[0]["reference_value_1"] == "R-1"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('{"me": {"id": 1}, "me": {}}', "invalid JSON: duplicate key 'me'"),
        ('{"outbound": {\n  "x": NaN}}', "invalid JSON: NaN is not JSON"),
        ('{"outbound": \n [}', r"seed\.json:2: invalid JSON"),
        ('{"outbound": {"nope": {}}}', r"outbound\.nope"),
        ("[" * 100_000, "invalid JSON"),
    ],
)
def test_bad_json_seed_names_the_file(tmp_path, text, pattern):
    seed = tmp_path / "seed.json"
    seed.write_text(text)
    with pytest.raises(SeedError, match=pattern) as info:
        Sandbox(seed=seed)
    assert str(seed) in str(info.value)
