"""Reads paced from CaseXchange's own X-RateLimit answers, over real HTTP: a window is spent and
its reset awaited, so a plan much larger than one window finishes without a 429."""

from __future__ import annotations

import time
import uuid

from support import write_config


def test_a_plan_larger_than_the_window_is_paced_without_429s(sandbox, netsync, tmp_path):
    """30 relationships against a window of 12 requests per 2 s: exit 0, every read done, at
    most one 429 (the window's edge may race), and the time spent is the windows' length."""
    firms = [str(uuid.UUID(int=0xAB00 + i)) for i in range(30)]
    seed = {
        "firms": [{"id": f, "name": f"Firm {i}"} for i, f in enumerate(firms)],
        "outbound": {f: {"sendingPercentage": 1} for f in firms},
    }
    sb = sandbox(seed, rate_limits={"casexchange": {"limit": 12, "window": 2}})
    lines = ["version: 1", "network:", "  outbound:"]
    lines += [f"    {f}: {{sendingPercentage: 1}}" for f in firms]
    config = write_config(tmp_path, "\n".join(lines) + "\n")
    started = time.monotonic()
    code, out, err = netsync(sb, "plan", "-c", str(config))
    took = time.monotonic() - started
    assert code == 0, err
    assert "No changes" in out
    statuses = [r["status"] for r in sb.requests if r["vendor"] == "casexchange"]
    assert statuses.count(200) == 32  # firms/me, pending and 30 relationships
    assert statuses.count(429) <= 1
    assert took >= 4  # 32 requests need three windows of 2 s
