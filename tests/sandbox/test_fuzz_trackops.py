"""Hypothesis-driven fuzzing of the Trackops routes, which have no OpenAPI document to hand to
schemathesis: bodies built from the field tables of the Trackops support articles (valid, subtly
wrong and arbitrary JSON), list filters with any values, ids of every form, raw bytes.
"""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netsync.sandbox import Sandbox

from ._fuzz import FUZZ, JSON_VALUES, assert_sane, hostile_bodies
from ._support import QUICKSTART_SEED, TRACKOPS_AUTH

BASE = "/api/v1/case/requests"
TEXT = st.text(max_size=12)
DATES = st.dates().map(str) | TEXT
CLIENT = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=10), "country": st.sampled_from(["US", "CA", ""])},
    optional={"city": TEXT, "state": TEXT, "zip": st.integers(0, 99999) | TEXT, "bad": TEXT},
)
CONTACT = st.fixed_dictionaries(
    {"last_name": st.text(min_size=1, max_size=10), "email": st.just("a@example.com")},
    optional={"first_name": TEXT, "phone_office": TEXT, "middle_name": st.none()},
)
CUSTOM_FIELDS = st.lists(
    st.fixed_dictionaries({"id": st.integers(0, 5), "value": JSON_VALUES}), max_size=3
)
REQUIRED = {
    "case_type_id": st.integers(-1, 5),
    "case_region_id": st.integers(-1, 5),
    "client": CLIENT,
    "contact": CONTACT,
    "created_on": DATES,
}
OPTIONAL = {
    "due_on": DATES | st.none(),
    "company_location_id": st.integers(0, 3) | JSON_VALUES,
    "reference_value_1": TEXT | JSON_VALUES,
    "notes": TEXT,
    "budget_money": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str) | TEXT,
    "budget_hours": st.integers(0, 100) | st.floats(allow_nan=False, allow_infinity=False),
    "case_services_list": st.lists(st.integers(0, 5), max_size=3) | JSON_VALUES,
    "custom_fields": CUSTOM_FIELDS | JSON_VALUES,
    "subjects": st.lists(st.fixed_dictionaries({"subject_type_id": st.integers(1, 3)})),
    "client_id": st.integers(0, 3) | JSON_VALUES,
    "not_a_field": JSON_VALUES,
}
CASEFILE = st.fixed_dictionaries(REQUIRED, optional=OPTIONAL) | st.fixed_dictionaries(
    {}, optional={**REQUIRED, **OPTIONAL}
)
BODIES = (
    CASEFILE.map(lambda c: {"casefile_request": c})
    | CASEFILE.map(lambda c: {"casefile_request": c, "extra": True})
    | JSON_VALUES
)
IDS = st.sampled_from(
    ["501", "101", "0", "-1", "9" * 5000, "abc", "%20", "1.5", "٥٠١"]
) | st.integers(0, 600).map(str)
AUTH = st.sampled_from([TRACKOPS_AUTH] * 4 + [("sandbox", "sandbox-token"), ("", ""), None])
HOSTILE_TEMPLATE = (
    '{"casefile_request": {"case_type_id": 1, "case_region_id": 1, "created_on": "2026-01-02",'
    ' "client": {"name": "C", "country": "US"}, "contact": {"last_name": "L", "email": "e@x"},'
    ' "budget_hours": "X", "custom_fields": [{"id": 1, "value": "X"}]}}'
)
QUERY_KEYS = st.sampled_from(
    ["id", "reference_value_1", "series_number", "case_region", "created_from", "to",
     "due_to", "updated_from", "page", "per_page", "mode", "unknown"]
)  # fmt: skip


@pytest.fixture(scope="module")
def trackops():
    with Sandbox(seed=QUICKSTART_SEED) as sb, httpx.Client(base_url=sb.url, timeout=10) as c:
        yield sb, c


@FUZZ
@given(method=st.sampled_from(["POST", "PUT", "PATCH", "DELETE"]), rid=IDS, body=BODIES, auth=AUTH)
def test_writes_answer_in_trackops_shape(trackops, capfd, method, rid, body, auth):
    sb, client = trackops
    url = BASE if method == "POST" else f"{BASE}/{rid}"
    r = client.request(method, url, json=body, auth=auth)
    data = assert_sane("trackops", sb, r, capfd.readouterr().err)
    if r.status_code in (200, 201):
        assert isinstance(data, dict) and isinstance(data["id"], int)
        again = client.get(f"{BASE}/{data['id']}", auth=TRACKOPS_AUTH)
        assert again.json() == data  # what a write answers is what a read returns


@FUZZ
@given(query=st.dictionaries(QUERY_KEYS, TEXT | st.integers(-3, 200).map(str), max_size=4))
def test_list_filters_accept_any_values(trackops, capfd, query):
    sb, client = trackops
    r = client.get(BASE, params=query, auth=TRACKOPS_AUTH)
    data = assert_sane("trackops", sb, r, capfd.readouterr().err)
    if r.status_code == 200:
        assert isinstance(data, dict if query.get("mode") == "count" else list)


@FUZZ
@given(
    raw=hostile_bodies(HOSTILE_TEMPLATE),
    ctype=st.sampled_from(["application/json", "text/plain", "", "application/vnd.x+json"]),
    method=st.sampled_from(["POST", "PUT"]),
)
def test_raw_bodies_never_break_it(trackops, capfd, raw, ctype, method):
    sb, client = trackops
    url = BASE if method == "POST" else f"{BASE}/501"
    headers = {"Content-Type": ctype} if ctype else {}
    r = client.request(method, url, content=raw, headers=headers, auth=TRACKOPS_AUTH)
    assert_sane("trackops", sb, r, capfd.readouterr().err)
    if r.status_code < 300:
        assert ctype.endswith("json")  # only JSON media types are ever accepted
