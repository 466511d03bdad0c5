"""GET /firms/available paging (page/limit as openapi.yml defines them: page >= 1, limit 1..100,
default 25) on generated worlds, and the seed's firm fields: `description`, `directory`, contact
fields and timestamps, each checked with an error naming the file and key."""

from __future__ import annotations

import uuid

import httpx
import pytest

from netsync.sandbox import Sandbox, SeedError

from ._support import RIVERA, assert_response_schema, cx_headers

P = "/api/public/v1"
RO = cx_headers("cxp_ro_sandbox")


def firm_id(n: int) -> str:
    return str(uuid.UUID(int=0x10000000_0000_4000_8000_000000000000 + n))


def generated_seed(firms: int, network: int) -> dict:
    """`firms` firms named "Firm 000"…, the first `network` of them accepted outbound partners."""
    return {
        "builtin_firms": False,
        "firms": [{"id": firm_id(n), "name": f"Firm {n:03d}"} for n in range(firms)],
        "outbound": {firm_id(n): {"inNetwork": True} for n in range(network)},
    }


def get(c: httpx.Client, **params) -> httpx.Response:
    return c.get(f"{P}/firms/available", params=params, headers=RO)


def walk(c: httpx.Client, **params) -> tuple[list[str], list[dict]]:
    """Every page in turn, as netsync's export reads it: ids and each page's pagination."""
    seen, paginations, page = [], [], 1
    while True:
        r = get(c, page=page, **params)
        assert r.status_code == 200, r.text
        assert_response_schema("casexchange", "/firms/available", "get", 200, r.json())
        seen += [f["id"] for f in r.json()["data"]]
        paginations.append(r.json()["pagination"])
        if page >= r.json()["pagination"]["totalPages"]:
            return seen, paginations
        page += 1


@pytest.fixture(scope="module")
def big():
    """230 firms, 120 of them in our private network: more than one page at limit=100."""
    with Sandbox(seed=generated_seed(230, 120)) as sb, httpx.Client(base_url=sb.url) as c:
        yield c


def test_network_at_limit_100_takes_two_pages(big):
    seen, paginations = walk(big, source="network", limit=100)
    assert seen == [firm_id(n) for n in range(120)]  # sorted by name, each once
    assert paginations == [
        {"page": 1, "limit": 100, "total": 120, "totalPages": 2},
        {"page": 2, "limit": 100, "total": 120, "totalPages": 2},
    ]


def test_directory_pages_cover_every_firm_once(big):
    seen, paginations = walk(big, source="directory", limit=7)
    assert seen == [firm_id(n) for n in range(230)]
    assert len(paginations) == 33 and paginations[-1]["page"] == 33
    last = get(big, source="directory", limit=7, page=33).json()
    assert len(last["data"]) == 230 - 32 * 7  # the last page holds the rest


def test_default_limit_is_25(big):
    body = get(big).json()
    assert len(body["data"]) == 25
    assert body["pagination"] == {"page": 1, "limit": 25, "total": 230, "totalPages": 10}


def test_page_past_the_end_is_empty(big):
    body = get(big, source="network", limit=100, page=3).json()
    assert body["data"] == []
    assert body["pagination"] == {"page": 3, "limit": 100, "total": 120, "totalPages": 2}


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_are_accepted(big, limit):
    r = get(big, limit=limit)
    assert r.status_code == 200 and len(r.json()["data"]) == int(limit)


@pytest.mark.parametrize(
    "params,field,message",
    [
        ({"limit": "0"}, "limit", "must be between 1 and 100"),
        ({"limit": "101"}, "limit", "must be between 1 and 100"),
        ({"limit": "-1"}, "limit", "must be between 1 and 100"),
        ({"limit": "ten"}, "limit", "must be an integer"),
        ({"limit": "2.5"}, "limit", "must be an integer"),
        ({"limit": ""}, "limit", "must be an integer"),
        ({"page": "0"}, "page", "must be >= 1"),
        ({"page": "-3"}, "page", "must be >= 1"),
        ({"page": "1e3"}, "page", "must be an integer"),
        ({"page": "+2"}, "page", "must be an integer"),
    ],
)
def test_bad_paging_is_400_naming_the_field(big, params, field, message):
    r = get(big, **params)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "validation_error"
    assert r.json()["error"]["details"] == [{"field": field, "message": message}]


def test_empty_world_has_no_pages():
    with Sandbox(seed={"builtin_firms": False}) as sb, httpx.Client(base_url=sb.url) as c:
        body = get(c).json()
        assert body["data"] == []
        assert body["pagination"] == {"page": 1, "limit": 25, "total": 0, "totalPages": 0}


# --- seed: firm fields --------------------------------------------------------------------
HIDDEN = "a0000000-0000-4000-8000-000000000001"  # in our network, not in the public directory
UNLISTED = "a0000000-0000-4000-8000-000000000002"  # neither: only /firms/{id} knows it
PROFILED = "a0000000-0000-4000-8000-000000000003"

PROFILE_SEED = {
    "firms": [
        {"id": HIDDEN, "name": "Quiet Partners LLP", "directory": False},
        {"id": UNLISTED, "name": "Unlisted & Co", "directory": False},
        {
            "id": PROFILED,
            "name": "Baptiste Injury Group",
            "description": "Trial-ready PI firm serving Louisiana",
            "jurisdictions": ["LA", "MS"],
            "caseTypes": ["Personal Injury", "Premises Liability"],
            "generalReferralInstructions": "Call intake.",
            "phone": "+1 504 555 0100",
            "address": "1 Canal St",
            "city": "New Orleans",
            "state": "LA",
            "zip": "70130",
            "website": "https://baptiste.example.com",
            "createdAt": "2025-02-03T04:05:06.000Z",
            "updatedAt": "2026-02-03T04:05:06.000Z",
        },
    ],
    "outbound": {
        HIDDEN: {"referralInstructions": None},
        PROFILED: {"referralInstructions": None},
        RIVERA: {"referralInstructions": "Fax first"},
    },
}


@pytest.fixture(scope="module")
def profiled():
    with Sandbox(seed=PROFILE_SEED) as sb, httpx.Client(base_url=sb.url) as c:
        yield c


def test_directory_false_firm_in_network_is_private_network_only(profiled):
    network = get(profiled, source="network").json()["data"]
    assert {f["id"]: f["source"] for f in network} == {
        HIDDEN: "private_network",
        PROFILED: "both",
        RIVERA: "both",
    }
    directory = [f["id"] for f in get(profiled, source="directory").json()["data"]]
    assert HIDDEN not in directory and UNLISTED not in directory and PROFILED in directory
    everything = [f["id"] for f in get(profiled, limit=100).json()["data"]]
    assert HIDDEN in everything and UNLISTED not in everything
    r = profiled.get(f"{P}/firms/{UNLISTED}", headers=RO)  # unlisted, but on the platform
    assert r.status_code == 200 and r.json()["data"]["name"] == "Unlisted & Co"


def test_seeded_profile_fields_reach_both_endpoints(profiled):
    item = next(f for f in get(profiled).json()["data"] if f["id"] == PROFILED)
    assert item == {
        "id": PROFILED,
        "name": "Baptiste Injury Group",
        "description": "Trial-ready PI firm serving Louisiana",
        "jurisdictions": ["LA", "MS"],
        "caseTypes": ["Personal Injury", "Premises Liability"],
        "referralInstructions": "Call intake.",  # the relationship's are null: the general ones
        "source": "both",
    }
    rivera = next(f for f in get(profiled).json()["data"] if f["id"] == RIVERA)
    assert rivera["referralInstructions"] == "Fax first"
    body = profiled.get(f"{P}/firms/{PROFILED}", headers=RO).json()
    assert_response_schema("casexchange", "/firms/{id}", "get", 200, body)
    assert body["data"] == {
        "id": PROFILED,
        "name": "Baptiste Injury Group",
        "phone": "+1 504 555 0100",
        "address": "1 Canal St",
        "city": "New Orleans",
        "state": "LA",
        "zip": "70130",
        "website": "https://baptiste.example.com",
        "isInternal": False,
        "createdAt": "2025-02-03T04:05:06.000Z",
        "updatedAt": "2026-02-03T04:05:06.000Z",
    }


def test_directory_flag_survives_a_restart_from_state(tmp_path):
    state = tmp_path / "state.json"
    with Sandbox(seed=PROFILE_SEED, state=state):
        pass
    with Sandbox(seed=None, state=state) as sb, httpx.Client(base_url=sb.url) as c:
        network = get(c, source="network").json()["data"]
        assert {f["id"]: f["source"] for f in network}[HIDDEN] == "private_network"


FIRM = "f7b8c9d0-1234-4ef0-8789-0abcdef01234"


@pytest.mark.parametrize(
    "entry,pattern",
    [
        ("{directory: 'false'}", r"firms\[0\]\.directory: must be true or false"),
        ("{description: 5}", r"firms\[0\]\.description: must be a string"),
        ("{zip: 70130}", r"firms\[0\]\.zip: must be a string"),
        ("{phone: [1]}", r"firms\[0\]\.phone: must be a string"),
        ("{generalReferralInstructions: 1}", r"firms\[0\]\.generalReferralInstructions"),
        ("{website: baptiste.example.com}", r"firms\[0\]\.website: must be an absolute URI"),
        ("{createdAt: yesterday}", r"firms\[0\]\.createdAt: must be an ISO-8601 date-time"),
        ("{updatedAt: '2026-01-01'}", r"firms\[0\]\.updatedAt: must be an ISO-8601 date-time"),
        ("{caseTypes: Personal Injury}", r"firms\[0\]\.caseTypes: must be a list"),
        ("{jurisdictions: [CA, 5]}", r"firms\[0\]\.jurisdictions\[1\]: must be a string"),
        ("{name: null}", r"firms\[0\]\.name: must be a string"),
        ("{isInternal: true}", r"firms\[0\]\.isInternal: unknown key"),
    ],
)
def test_bad_firm_fields_name_file_and_key(tmp_path, entry, pattern):
    fields = entry[1:-1]
    name = "" if "name:" in fields else ", name: X"
    f = tmp_path / "seed.yaml"
    f.write_text(f"firms:\n  - {{id: {FIRM}{name}, {fields}}}\n")
    with pytest.raises(SeedError, match=pattern) as info:
        Sandbox(seed=f)
    assert str(f) in str(info.value)


def test_firm_declared_twice_is_an_error(tmp_path):
    f = tmp_path / "seed.yaml"
    f.write_text(f"firms:\n  - {{id: {FIRM}, name: A}}\n  - {{id: '{FIRM.upper()}', name: B}}\n")
    with pytest.raises(SeedError, match=r"firms\[1\]\.id: firm .* already declared at firms\[0\]"):
        Sandbox(seed=f)


def test_me_takes_profile_fields_but_not_directory(tmp_path):
    me = "a1b2c3d4-5678-9abc-def0-1234567890ab"
    f = tmp_path / "seed.yaml"
    f.write_text(f"me: {{id: {me}, name: Acme, directory: false}}\n")
    with pytest.raises(SeedError, match=r"me\.directory: unknown key"):
        Sandbox(seed=f)
    f.write_text(f"me: {{id: {me}, name: Acme, zip: 90012}}\n")
    with pytest.raises(SeedError, match=r"me\.zip: must be a string"):
        Sandbox(seed=f)
    seed = {"me": {"id": me, "name": "Acme", "website": "https://acme.example.com"}}
    with Sandbox(seed=seed) as sb, httpx.Client(base_url=sb.url) as c:
        data = c.get(f"{P}/firms/me", headers=RO).json()["data"]
        assert data["website"] == "https://acme.example.com"
