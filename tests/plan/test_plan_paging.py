"""Lists instead of single GETs only when they take fewer requests (SPEC 2, issue 4)."""

from __future__ import annotations

import json
import uuid

import pytest
from support import write_config


def matter_id(i: int) -> str:
    return str(uuid.UUID(int=0x9A1B2C3D_0000_4000_8000_000000000000 + i))


def case_id(i: int) -> str:
    return str(uuid.UUID(int=0x3C90C3CC_0D44_4B50_8888_000000000000 + i))


RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"


def matters_world(count: int) -> dict:
    return {"matters": [{"id": matter_id(i), "status": "Open"} for i in range(count)]}


def matters_config(tmp_path, world: int, declared: int):
    spread = range(0, world, world // declared)[:declared]  # across every page of the account
    body = "".join(f"  {matter_id(i)}: {{status: Open}}\n" for i in spread)
    return write_config(tmp_path, "version: 1\nmatters:\n" + body)


@pytest.mark.parametrize(
    "world, declared, pages, singles",
    [
        (1200, 6, 3, 0),  # 3 pages of 500 beat 1 probe page + 3 single GETs
        (1200, 4, 0, 4),  # a handful: single GETs, never a page of the account
        (40, 8, 1, 0),  # a small account: one page holds everything
    ],
)
def test_smokeball_matters_are_listed_only_when_cheaper(
    sandbox, netsync, tmp_path, world, declared, pages, singles
):
    sb = sandbox(matters_world(world))
    config = matters_config(tmp_path, world, declared)
    code, out, err = netsync(sb, "plan", "-c", str(config), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["no-op"] == declared
    sent = [r for r in sb.requests if r["vendor"] == "smokeball"]
    assert sum(r["path"] == "/matters" for r in sent) == pages
    assert sum(r["path"].startswith("/matters/") for r in sent) == singles


def test_sent_cases_pages_replace_single_gets_for_many_cases(sandbox, netsync, tmp_path):
    cases = [
        {
            "id": case_id(i),
            "title": f"Case {i}",
            "referrals": [
                {
                    "referentFirmId": RIVERA,
                    "status": "sent",
                    "createdAt": "2026-03-01T09:00:00.000Z",
                }
            ],
        }
        for i in range(150)
    ]
    sb = sandbox({"cases": cases})
    body = "".join(f"  {case_id(i)}: {{referentFirmId: {RIVERA}}}\n" for i in range(0, 150, 10))
    config = write_config(
        tmp_path, f"version: 1\nnetwork:\n  outbound:\n    {RIVERA}: {{}}\ncases:\n" + body
    )
    code, out, err = netsync(sb, "plan", "-c", str(config), "--target", "cases", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["summary"]["no-op"] == 15
    paths = [r["path"] for r in sb.requests]
    assert paths.count("/api/public/v1/sent-cases") == 2  # 150 cases, 100 a page
    assert not [p for p in paths if p.startswith("/api/public/v1/sent-cases/")]
