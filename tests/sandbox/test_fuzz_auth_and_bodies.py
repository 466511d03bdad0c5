"""Hypothesis-driven fuzzing of the routes no OpenAPI document covers -- CaseXchange's internal
API (login, refresh-session, re-refer, JWTs), Smokeball's OAuth token endpoint -- and of hostile
JSON texts (NaN, 1e999, 100,000-deep arrays, lone surrogates, huge integers) on every vendor's
write routes.
"""

from __future__ import annotations

import base64

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netsync.sandbox import Sandbox

from ._fuzz import FUZZ, JSON_VALUES, assert_sane, hostile_bodies
from ._support import (
    BEARER,
    CALDWELL,
    CASE,
    MATTER,
    ME,
    OTHER_CASE,
    QUICKSTART_SEED,
    RIVERA,
    SB_HEADERS,
    cx_headers,
)

TEXT = st.text(max_size=16)
FIRMS = st.sampled_from([RIVERA, CALDWELL, ME, RIVERA.upper(), "not-a-uuid"]) | JSON_VALUES
CASES = st.sampled_from([CASE, OTHER_CASE, CASE.upper(), "x", "%00", "9" * 300])
TOKENS = (
    st.sampled_from(["sandbox-token", "", "a.b.c", "e30.e30.", "x" * 5000])
    | st.lists(st.text(alphabet="abcXYZ09-_=", max_size=12), min_size=3, max_size=3).map(".".join)
    | st.text(  # what a header can carry: visible Latin-1, no controls or spaces
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_categories=["Cc"]),
        max_size=16,
    )
)


@pytest.fixture(scope="module")
def world():
    """One world for the module, with a live refresh token and OAuth token already issued
    (lookups in an empty session table hide bugs: `{}.pop([1], None)` does not raise)."""
    with Sandbox(seed=QUICKSTART_SEED) as sb, httpx.Client(base_url=sb.url, timeout=10) as c:
        login = {"email": "sandbox@example.com", "password": "sandbox"}
        assert c.post("/api/v1/auth/login", json=login).status_code == 200
        form = {"grant_type": "client_credentials"}
        assert c.post("/oauth2/token", data=form, auth=("sandbox-client", "sandbox-secret"))
        yield sb, c


@FUZZ
@given(
    path=st.sampled_from(["/api/v1/auth/login", "/api/v1/auth/refresh-session"]),
    body=st.fixed_dictionaries({}, optional={"email": TEXT, "password": TEXT}) | JSON_VALUES
    | st.fixed_dictionaries({"refreshToken": JSON_VALUES | TEXT}),
)  # fmt: skip
def test_login_and_refresh_take_any_json(world, capfd, path, body):
    sb, client = world
    r = client.post(path, json=body)
    data = assert_sane("casexchange", sb, r, capfd.readouterr().err)
    if r.status_code == 200:
        assert data["meta"]["success"] is True


@FUZZ
@given(token=TOKENS, scheme=st.sampled_from(["Bearer ", "bearer ", "Basic ", "", "Bearer  "]))
def test_any_bearer_token_is_401_or_accepted(world, capfd, token, scheme):
    sb, client = world
    value = (scheme + token).strip().encode("latin-1")
    r = client.get("/api/v1/auth/me", headers={"Authorization": value} if value else {})
    assert_sane("casexchange", sb, r, capfd.readouterr().err)
    assert r.status_code in (200, 401)


@FUZZ
@given(
    cid=CASES,
    body=st.fixed_dictionaries({}, optional={"referentFirmId": FIRMS, "notes": TEXT | JSON_VALUES})
    | JSON_VALUES,
)
def test_re_refer_takes_any_body(world, capfd, cid, body):
    sb, client = world
    r = client.post(f"/api/v1/cases/{cid}/re-refer", json=body, headers=BEARER)
    assert_sane("casexchange", sb, r, capfd.readouterr().err)


FORM_FIELDS = st.dictionaries(
    st.sampled_from(["grant_type", "client_id", "client_secret", "scope", "x"]),
    st.sampled_from(["client_credentials", "sandbox-client", "sandbox-secret", ""]) | TEXT,
    max_size=4,
)
BASIC = (
    st.tuples(TEXT, TEXT).map(lambda p: "Basic " + base64.b64encode(":".join(p).encode()).decode())
    | st.sampled_from(["Basic", "Basic !!!", "Basic " + base64.b64encode(b"\xff\xfe").decode()])
    | st.just("")
)


@FUZZ
@given(form=FORM_FIELDS, auth=BASIC)
def test_oauth_token_endpoint_takes_any_form(world, capfd, form, auth):
    sb, client = world
    headers = {"Authorization": auth} if auth else {}
    r = client.post("/oauth2/token", data=form, headers=headers)
    data = assert_sane("oauth", sb, r, capfd.readouterr().err)
    assert r.status_code in (200, 400, 401)
    if r.status_code == 200:
        assert data["token_type"] == "Bearer"


WRITES = {
    "casexchange": (
        "POST",
        "/api/public/v1/routing/rules",
        cx_headers(),
        '{"name": "r", "conditions": [{"field": "caseType", "operator": "in", "value": "X"}],'
        f' "targetFirmId": "{RIVERA}", "priority": "X"}}',
    ),
    "smokeball": (
        "PUT",
        f"/matters/{MATTER}",
        SB_HEADERS,
        '{"status": "Open", "referralAgreementFee": "X", "description": "X"}',
    ),
}


@pytest.mark.parametrize("vendor", sorted(WRITES))
@FUZZ
@given(data=st.data())
def test_hostile_json_texts_on_writes(world, capfd, vendor, data):
    sb, client = world
    method, path, headers, template = WRITES[vendor]
    raw = data.draw(hostile_bodies(template))
    ctype = "application/json-patch+json" if vendor == "smokeball" else "application/json"
    r = client.request(method, path, content=raw, headers={**headers, "Content-Type": ctype})
    assert_sane(vendor, sb, r, capfd.readouterr().err)
