"""Hostile vendor answers (issue 9): HTML pages, wrong JSON types, nulls, huge bodies, slow drips,
resets, hangs, 429s beyond --max-wait and error bodies that echo the credentials sent.

Each case plants ONE hostile answer in an otherwise healthy world: a hostile vendor server (see
hostile_server.py) answers the requests matching a rule and forwards everything else to a real
Sandbox seeded with the quickstart world. The quickstart config is then planned (or applied, or
drifted) through it. Every case must give: exit 1; no traceback and no internal error; an error
line naming the vendor and the address (or section) the failure concerns; and no credential of the
run, raw, base64 or URL-encoded, in stdout or stderr.

Memory: the huge-body cases run `python -c CHILD plan ...` as a subprocess that sets its own
RLIMIT_AS to 1 GB before importing netsync (set in the child rather than in preexec_fn, which is
unsafe while this process runs server threads) and reports its peak RSS (getrusage), which must
stay far below what reading the whole body would take.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import hostile_server as hs
import pytest
from support import QUICKSTART, quickstart_seed

from netsync.sandbox import Sandbox

CX, SB, TO = "CaseXchange", "Smokeball", "Trackops"
RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
CALDWELL = "b2c3d4e5-6789-0abc-def1-234567890abc"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"
REFERRER = "97bbe49f-6460-4bfc-b287-34ddfdbb81ef"
RULE_NY = "routing.rules.Auto-route NY Personal Injury"
RULE_NV = "routing.rules.NV Product Liability to Rivera"

# Credentials with `+`, `/` and `=`, so their URL-encoded and base64 forms differ from the raw
# value and from each other; distinctive enough that no legitimate output contains them.
CREDS = {
    "CASEXCHANGE_API_KEY": "cxp_full_Hx7q+Kz/9wLp=Q2",
    "CASEXCHANGE_TOKEN": "cxtok+Bearer/Vv9=Mn4",
    "CASEXCHANGE_EMAIL": "svc-netsync@acme-hostile.example",
    "CASEXCHANGE_PASSWORD": "pw+L0gin/Secret=77",
    "SMOKEBALL_API_KEY": "sbkey+Ab9/Zq=Wx1",
    "SMOKEBALL_TOKEN": "sbtok+Cd7/Yy=Rt2",
    "SMOKEBALL_CLIENT_ID": "sbclient+Id/1Qq",
    "SMOKEBALL_CLIENT_SECRET": "sbsecret+Zz/9=Pk",
    "TRACKOPS_USERNAME": "acme-ops-hostile",
    "TRACKOPS_API_TOKEN": "totok+3Ef/Gh=Jk",
}
BASIC_TRACKOPS = base64.b64encode(
    f"{CREDS['TRACKOPS_USERNAME']}/token:{CREDS['TRACKOPS_API_TOKEN']}".encode()
).decode()
BASIC_SMOKEBALL = base64.b64encode(
    f"{CREDS['SMOKEBALL_CLIENT_ID']}:{CREDS['SMOKEBALL_CLIENT_SECRET']}".encode()
).decode()


def leak_forms() -> set[str]:
    """Every credential of the run in the forms a vendor might echo it."""
    forms = {BASIC_TRACKOPS, BASIC_SMOKEBALL}
    for value in CREDS.values():
        forms |= {value, quote(value, safe=""), quote_plus(value)}
        forms.add(base64.b64encode(value.encode()).decode())
    return forms


def seed() -> dict[str, Any]:
    world = quickstart_seed()
    world["credentials"] = {
        "casexchange": {
            "api_keys": [CREDS["CASEXCHANGE_API_KEY"]],
            "tokens": [CREDS["CASEXCHANGE_TOKEN"]],
            "logins": [
                {"email": CREDS["CASEXCHANGE_EMAIL"], "password": CREDS["CASEXCHANGE_PASSWORD"]}
            ],
        },
        "smokeball": {
            "api_keys": [CREDS["SMOKEBALL_API_KEY"]],
            "tokens": [CREDS["SMOKEBALL_TOKEN"]],
            "clients": [
                {
                    "client_id": CREDS["SMOKEBALL_CLIENT_ID"],
                    "client_secret": CREDS["SMOKEBALL_CLIENT_SECRET"],
                }
            ],
        },
        "trackops": {
            "users": [
                {"username": CREDS["TRACKOPS_USERNAME"], "token": CREDS["TRACKOPS_API_TOKEN"]}
            ]
        },
    }
    return world


def copy_config(dest: Path, timeouts: dict[str, float] | None = None) -> Path:
    """The quickstart config with short per-vendor timeouts (5 s unless given) and a short
    Smokeball confirm_timeout, so no hostile case can stall the suite."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in QUICKSTART.glob("*.yaml"):
        shutil.copy(path, dest / path.name)
    timeouts = {"casexchange": 5, "smokeball": 5, "trackops": 5, **(timeouts or {})}
    main = dest / "netsync.yaml"
    text = main.read_text().replace("confirm_timeout: 30", "confirm_timeout: 3")
    for vendor, seconds in timeouts.items():
        text = text.replace(f"  {vendor}:\n", f"  {vendor}:\n    timeout: {seconds}\n", 1)
    assert text.count("timeout:") == 4, "every vendor got a timeout"
    main.write_text(text)
    return dest


@dataclass
class World:
    sandbox: Sandbox
    hostile: hs.HostileVendor
    config: Path
    tmp: Path

    def env(self, extra: dict[str, str | None] | None = None) -> dict[str, str | None]:
        env: dict[str, str | None] = dict(self.sandbox.env())
        for name in list(env):
            if name.startswith("NETSYNC_"):
                env[name] = self.hostile.url
        env.update(CREDS)
        env.update(extra or {})
        return env


@pytest.fixture
def world(sandbox, tmp_path) -> World:
    sb = sandbox(seed())
    hostile = hs.HostileVendor(sb.url).start()
    try:
        yield World(sb, hostile, copy_config(tmp_path / "config"), tmp_path)
    finally:
        hostile.stop()
    assert not hostile.errors, f"the hostile server itself failed: {hostile.errors}"


def assert_hostile_handled(code: int, out: str, err: str, vendor: str, address: str) -> None:
    """The common contract of every hostile answer."""
    both = out + err
    assert code == 1, f"exit {code}, expected 1\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in both, err
    assert "internal error" not in both.lower(), err
    lines = err.splitlines()
    assert any(address in line for line in lines), f"{address!r} not named:\n{err}"
    assert any(vendor in line for line in lines), f"{vendor} not named:\n{err}"
    assert_no_leak(both)


def assert_no_leak(text: str) -> None:
    leaked = sorted(form for form in leak_forms() if form in text)
    assert not leaked, f"credentials leaked: {leaked}\n{text}"


def error_line(err: str, address: str) -> str:
    """The stderr line(s) reporting `address`."""
    return "\n".join(line for line in err.splitlines() if address in line)


# --- the corpus ----------------------------------------------------------------------------------


def cx_ok(data: Any) -> str:
    return json.dumps({"data": data, "meta": {"requestId": "req_hostile", "timestamp": "now"}})


def echo_cx_key(seen: hs.Seen) -> str:
    key = seen.headers.get("x-api-key", "")
    message = f"API key {key} (url: {quote(key, safe='')}, b64: {base64.b64encode(key.encode())})"
    return json.dumps({"error": {"code": "invalid_api_key", "message": message}, "meta": {}})


def echo_smokeball(seen: hs.Seen) -> str:
    detail = (
        f"x-api-key={seen.headers.get('x-api-key')}; "
        f"authorization={seen.headers.get('authorization')}"
    )
    return json.dumps(
        {"type": "about:blank", "title": "Forbidden", "status": 403, "detail": detail}
    )


def echo_everything_html(seen: hs.Seen) -> str:
    """A proxy's debug page that dumps the request headers."""
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in seen.headers.items())
    return f"<html><body><h1>401 Authorization Required</h1><table>{rows}</table></body></html>"


def echo_basic(seen: hs.Seen) -> str:
    auth = seen.headers.get("authorization", "")
    return json.dumps({"errors": [f"Invalid credentials in header: {auth}"]})


def echo_oauth(seen: hs.Seen) -> str:
    return json.dumps(
        {
            "error": "invalid_client",
            "error_description": f"bad client: {seen.headers.get('authorization')} "
            f"form={seen.body.decode()}",
        }
    )


def echo_login(seen: hs.Seen) -> str:
    return json.dumps(
        {
            "meta": {"success": False},
            "error": {
                "code": "invalid_credentials",
                "message": f"no user for {seen.body.decode()}",
                "details": [],
            },
        }
    )


def links_as_strings(*names: str) -> Callable[[dict[str, Any]], None]:
    """Smokeball Link objects `{id, href, relation}` replaced by their bare id strings."""

    def change(matter: dict[str, Any]) -> None:
        for name in names:
            if isinstance(matter.get(name), dict):
                matter[name] = matter[name]["id"]

    return change


def first_record(name: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def change(records: list[dict[str, Any]]) -> None:
        assert records, "the sandbox answered no record to rewrite"
        records[0][name] = value

    return change


def in_data(change: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def run(body: dict[str, Any]) -> None:
        changed = change(body["data"])
        if changed is not None:
            body["data"] = changed

    return run


def set_key(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data[name] = value

    return change


DEEP = "[" * 200_000 + "]" * 200_000
BAD_UTF8 = b'{"data": {"firmId": "' + b"\xff\xfe\xc3\x28" + b'", "inNetwork": true}}'
OUTBOUND = f"/network/outbound/{RIVERA}"
INBOUND = f"/network/inbound/{HAWKINS}"
TRACKOPS_XYZ = r"/api/v1/case/requests\?.*reference_value_1=XYZ789"
GOOD_MATTER = json.dumps({"id": MATTER, "number": "FUS-124", "status": "Open"}).encode()
GOOD_RELATIONSHIP = cx_ok({"firmId": RIVERA, "inNetwork": True, "relationship": {}}).encode()


@dataclass
class Case:
    id: str
    path: str  # regex searched in the request's path and query
    behaviour: Callable[[], hs.Behaviour]
    vendor: str
    address: str
    method: str = "GET"
    timeouts: dict[str, float] = field(default_factory=dict)
    env: dict[str, str | None] = field(default_factory=dict)
    args: tuple[str, ...] = ("plan",)
    check: Callable[[str, str], None] | None = None


def no_create_of(address: str) -> Callable[[str, str], None]:
    def check(out: str, err: str) -> None:
        assert f"+ {address}" not in out, f"a failed read planned a create:\n{out}"

    return check


def not_matter_not_found(out: str, err: str) -> None:
    line = error_line(err, f"matters.{MATTER}")
    assert "matter not found" not in line.lower(), line
    assert "no longer exists" not in line.lower(), line
    assert "base url" in line.lower(), f"the message should point at the base URL: {line}"


def says_retry_after(out: str, err: str) -> None:
    assert re.search(r"retry after \d{4}-\d\d-\d\d", err), err


OAUTH_ENV: dict[str, str | None] = {"SMOKEBALL_TOKEN": None}

CASES = [
    # --- CaseXchange: account-wide reads (reported on `network`) ---------------------------------
    Case("cx-me-html-200-proxy", "/firms/me$", lambda: hs.html(200, "Sign in"), CX, "network"),
    Case(
        "cx-me-401-html",
        "/firms/me$",
        lambda: hs.html(401, "Authorization Required"),
        CX,
        "network",
    ),
    Case("cx-me-null", "/firms/me$", lambda: hs.answer(200, "null"), CX, "network"),
    Case("cx-me-json-string", "/firms/me$", lambda: hs.answer(200, '"ok"'), CX, "network"),
    Case("cx-me-data-string", "/firms/me$", lambda: hs.answer(200, cx_ok("x")), CX, "network"),
    Case(
        "cx-me-rate-limit-reset-far",
        "/firms/me$",
        lambda: hs.answer(
            429,
            json.dumps({"error": {"code": "rate_limited", "message": "slow down"}}),
            headers=[("X-RateLimit-Reset", "4102444800")],
        ),
        CX,
        "network",
        check=says_retry_after,
    ),
    Case(
        "cx-pending-object-not-array",
        "/network/pending$",
        lambda: hs.answer(200, cx_ok({"firmId": RIVERA})),
        CX,
        "network",
    ),
    Case(
        "cx-pending-list-of-strings",
        "/network/pending$",
        lambda: hs.answer(200, cx_ok([RIVERA, HAWKINS])),
        CX,
        "network",
    ),
    Case(
        "cx-pending-deeply-nested", "/network/pending$", lambda: hs.answer(200, DEEP), CX, "network"
    ),
    Case(
        "cx-pending-429-retry-after-3600",
        "/network/pending$",
        lambda: hs.answer(429, cx_ok(None), headers=[("Retry-After", "3600")]),
        CX,
        "network",
        check=says_retry_after,
    ),
    # --- CaseXchange: relationships ------------------------------------------------------------
    Case(
        "cx-outbound-html-200",
        OUTBOUND,
        lambda: hs.html(200, "Welcome"),
        CX,
        "network.outbound.rivera",
    ),
    Case(
        "cx-outbound-html-200-echoes-key",
        OUTBOUND,
        lambda: hs.answer(
            200,
            lambda seen: f"<title>key {seen.headers.get('x-api-key')} ok</title><p>portal</p>",
            "text/html",
        ),
        CX,
        "network.outbound.rivera",
    ),
    Case(
        "cx-outbound-data-null",
        OUTBOUND,
        lambda: hs.answer(200, cx_ok(None)),
        CX,
        "network.outbound.rivera",
        check=no_create_of("network.outbound.rivera"),
    ),
    Case(
        "cx-outbound-data-array",
        OUTBOUND,
        lambda: hs.answer(200, cx_ok([])),
        CX,
        "network.outbound.rivera",
        check=no_create_of("network.outbound.rivera"),
    ),
    Case(
        "cx-outbound-relationship-string",
        OUTBOUND,
        lambda: hs.rewrite(in_data(set_key("relationship", "Primary PI partner"))),
        CX,
        "network.outbound.rivera",
    ),
    Case(
        "cx-outbound-empty-200",
        OUTBOUND,
        lambda: hs.answer(200, b"", content_type=None),
        CX,
        "network.outbound.rivera",
        check=no_create_of("network.outbound.rivera"),
    ),
    Case(
        "cx-outbound-html-404-not-absent",
        f"/network/outbound/{CALDWELL}",
        lambda: hs.html(404, "Not Found"),
        CX,
        "network.outbound.caldwell",
        check=no_create_of("network.outbound.caldwell"),
    ),
    Case(
        "cx-outbound-html-502-proxy",
        OUTBOUND,
        lambda: hs.html(502, "Bad Gateway"),
        CX,
        "network.outbound.rivera",
    ),
    Case(
        "cx-inbound-json-number",
        INBOUND,
        lambda: hs.answer(200, "42"),
        CX,
        "network.inbound.hawkins",
    ),
    Case(
        "cx-inbound-wrong-types",
        INBOUND,
        lambda: hs.answer(200, cx_ok({"firmId": 7, "inNetwork": "yes", "relationship": "active"})),
        CX,
        "network.inbound.hawkins",
    ),
    Case(
        "cx-inbound-invalid-utf8",
        INBOUND,
        lambda: hs.answer(200, BAD_UTF8),
        CX,
        "network.inbound.hawkins",
    ),
    Case(
        "cx-inbound-reset-mid-body",
        INBOUND,
        lambda: hs.cut(GOOD_RELATIONSHIP, reset=True),
        CX,
        "network.inbound.hawkins",
    ),
    # --- CaseXchange: routing rules (one list) --------------------------------------------------
    Case(
        "cx-rules-conditions-string",
        "/routing/rules$",
        lambda: hs.rewrite(
            in_data(
                first_record("conditions", "caseType in [Personal Injury] and jurisdiction eq NY")
            )
        ),
        CX,
        RULE_NY,
    ),
    Case(
        "cx-rules-object-not-array",
        "/routing/rules$",
        lambda: hs.answer(200, cx_ok({"rules": []})),
        CX,
        RULE_NY,
    ),
    Case(
        "cx-rules-huge-content-length",
        "/routing/rules$",
        lambda: hs.answer(200, cx_ok([]), length=10**12),
        CX,
        RULE_NY,
    ),
    Case(
        "cx-rules-slow-drip",
        "/routing/rules$",
        lambda: hs.drip(cx_ok([]).encode() * 40, interval=0.1),
        CX,
        RULE_NY,
        timeouts={"casexchange": 0.5},
    ),
    # --- CaseXchange: sent cases -----------------------------------------------------------------
    Case(
        "cx-case-referrals-object",
        f"/sent-cases/{CASE}",
        lambda: hs.rewrite(in_data(lambda case: {**case, "referrals": case["referrals"][0]})),
        CX,
        f"cases.{CASE}",
    ),
    Case(
        "cx-case-referrals-strings",
        f"/sent-cases/{CASE}",
        lambda: hs.rewrite(
            in_data(lambda case: {**case, "referrals": [r["id"] for r in case["referrals"]]})
        ),
        CX,
        f"cases.{CASE}",
    ),
    Case(
        "cx-case-hang-past-timeout",
        f"/sent-cases/{CASE}",
        lambda: hs.hang(),
        CX,
        f"cases.{CASE}",
        timeouts={"casexchange": 0.5},
    ),
    Case(
        "cx-case-403-html",
        f"/sent-cases/{CASE}",
        lambda: hs.html(403, "Forbidden"),
        CX,
        f"cases.{CASE}",
    ),
    Case(
        "cx-case-401-echoes-api-key",
        f"/sent-cases/{CASE}",
        lambda: hs.answer(401, echo_cx_key),
        CX,
        f"cases.{CASE}",
    ),
    # --- Smokeball -------------------------------------------------------------------------------
    Case(
        "sb-matter-html-404-wrong-base-url",
        f"/matters/{MATTER}",
        lambda: hs.html(404, "Not Found"),
        SB,
        f"matters.{MATTER}",
        check=not_matter_not_found,
    ),
    Case(
        "sb-matter-html-200",
        f"/matters/{MATTER}",
        lambda: hs.html(200, "OK"),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-matter-json-array",
        f"/matters/{MATTER}",
        lambda: hs.answer(200, "[]"),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-matter-null",
        f"/matters/{MATTER}",
        lambda: hs.answer(200, "null"),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-matter-links-as-strings",
        f"/matters/{MATTER}",
        lambda: hs.rewrite(links_as_strings("referrer", "personResponsible", "branch")),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-matter-gzip-garbage",
        f"/matters/{MATTER}",
        lambda: hs.gzip_garbage(),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-matter-closed-mid-body",
        f"/matters/{MATTER}",
        lambda: hs.cut(GOOD_MATTER, reset=False),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-matter-403-echoes-key-and-token",
        f"/matters/{MATTER}",
        lambda: hs.answer(403, echo_smokeball, "application/problem+json"),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-matter-html-500",
        f"/matters/{MATTER}",
        lambda: hs.html(500, "Internal Server Error"),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-referraltypes-value-string",
        "/referraltypes$",
        lambda: hs.answer(200, json.dumps({"href": "x", "value": "Google"})),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-referraltypes-list-of-strings",
        "/referraltypes$",
        lambda: hs.answer(200, json.dumps({"value": ["Google", "Word of Mouth"]})),
        SB,
        f"matters.{MATTER}",
    ),
    Case(
        "sb-token-html-200",
        "/oauth2/token$",
        lambda: hs.html(200, "Single sign-on"),
        SB,
        f"matters.{MATTER}",
        method="POST",
        env=OAUTH_ENV,
    ),
    Case(
        "sb-token-401-echoes-client-secret",
        "/oauth2/token$",
        lambda: hs.answer(401, echo_oauth),
        SB,
        f"matters.{MATTER}",
        method="POST",
        env=OAUTH_ENV,
    ),
    Case(
        "sb-token-null-access-token",
        "/oauth2/token$",
        lambda: hs.answer(200, json.dumps({"access_token": None, "expires_in": 3600})),
        SB,
        f"matters.{MATTER}",
        method="POST",
        env=OAUTH_ENV,
    ),
    # --- Trackops --------------------------------------------------------------------------------
    Case(
        "to-requests-html-200",
        TRACKOPS_XYZ,
        lambda: hs.html(200, "Trackops login"),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    Case(
        "to-requests-object-not-array",
        TRACKOPS_XYZ,
        lambda: hs.answer(200, json.dumps({"data": []})),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    Case(
        "to-requests-list-of-strings",
        TRACKOPS_XYZ,
        lambda: hs.answer(200, json.dumps(["XYZ789-ClaimNumber"])),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    Case(
        "to-requests-null",
        TRACKOPS_XYZ,
        lambda: hs.answer(200, "null"),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    Case(
        "to-requests-client-string",
        TRACKOPS_XYZ,
        lambda: hs.rewrite(first_record("client", "Globex Mutual, Denver CO")),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    Case(
        "to-requests-401-html-echoes-basic",
        TRACKOPS_XYZ,
        lambda: hs.answer(401, echo_everything_html, "text/html"),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    Case(
        "to-requests-403-json-echoes-basic",
        TRACKOPS_XYZ,
        lambda: hs.answer(403, echo_basic),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    Case(
        "to-requests-429-retry-after-3600",
        TRACKOPS_XYZ,
        lambda: hs.answer(429, "[]", headers=[("Retry-After", "3600")]),
        TO,
        "case_requests.XYZ789-ClaimNumber",
        check=says_retry_after,
    ),
    Case(
        "to-requests-reset-before-answer",
        TRACKOPS_XYZ,
        lambda: hs.reset_before_answer(),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    # --- drift -----------------------------------------------------------------------------------
    Case(
        "drift-cx-rules-html-500",
        "/routing/rules$",
        lambda: hs.html(500, "Internal Server Error"),
        CX,
        RULE_NY,
        args=("drift",),
    ),
    Case(
        "drift-to-requests-json-string",
        TRACKOPS_XYZ,
        lambda: hs.answer(200, '"no records"'),
        TO,
        "case_requests.XYZ789-ClaimNumber",
        args=("drift",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_read_answer(case: Case, world: World, netsync, tmp_path) -> None:
    """Guards: one hostile vendor answer to a read gives exit 1, no traceback or internal error,
    an error naming the vendor and the address, and no credential in any output."""
    config = copy_config(tmp_path / "case", case.timeouts) if case.timeouts else world.config
    rule = world.hostile.plant(case.method, case.path, case.behaviour())
    code, out, err = netsync(world.sandbox, *case.args, "-c", str(config), env=world.env(case.env))
    assert rule.hits >= 1, "the hostile answer was never requested"
    assert_hostile_handled(code, out, err, case.vendor, case.address)
    if case.check:
        case.check(out, err)


def test_corpus_size() -> None:
    """Guards: the corpus holds at least 40 distinct hostile answers (issue 9)."""
    ids = [c.id for c in CASES]
    assert len(set(ids)) == len(ids)
    assert len(ids) + len(WRITE_CASES) + len(MEMORY_CASES) + 1 >= 40


# --- writes, re-reads around writes, logins (apply) ------------------------------------------


@dataclass
class WriteCase:
    id: str
    method: str
    path: str
    behaviour: Callable[[], hs.Behaviour]
    vendor: str
    address: str
    skip: int = 0
    env: dict[str, str | None] = field(default_factory=dict)


LOGIN_ENV: dict[str, str | None] = {"CASEXCHANGE_TOKEN": None}
WRITE_CASES = [
    WriteCase(
        "put-outbound-html-503-maintenance",
        "PUT",
        OUTBOUND,
        lambda: hs.answer(
            503,
            "<html><body><h1>Down for maintenance</h1></body></html>",
            "text/html",
            headers=[("Retry-After", "0")],
        ),
        CX,
        "network.outbound.rivera",
    ),
    WriteCase(
        "put-outbound-html-200-is-not-success",
        "PUT",
        OUTBOUND,
        lambda: hs.html(200, "Welcome to the proxy"),
        CX,
        "network.outbound.rivera",
    ),
    WriteCase(
        "put-matter-403-html-echoes-credentials",
        "PUT",
        f"/matters/{MATTER}",
        lambda: hs.answer(403, echo_everything_html, "text/html"),
        SB,
        f"matters.{MATTER}",
    ),
    WriteCase(
        # GET #1 is the plan's read, #2 the read the PUT body is built from, #3 the confirmation.
        "reread-after-put-matter-html-200",
        "GET",
        f"/matters/{MATTER}",
        lambda: hs.html(200, "OK"),
        SB,
        f"matters.{MATTER}",
        skip=2,
    ),
    WriteCase(
        # After a reset the rule create may have reached the vendor: the list is re-read.
        "post-rule-reset-then-list-reset",
        "(GET|POST)",
        "/routing/rules$",
        lambda: hs.cut(b'{"data": {}}' * 10, reset=True),
        CX,
        RULE_NV,
        skip=1,
    ),
    WriteCase(
        "login-html-200",
        "POST",
        "/api/v1/auth/login$",
        lambda: hs.html(200, "Sign in"),
        CX,
        f"cases.{CASE}",
        env=LOGIN_ENV,
    ),
    WriteCase(
        "login-401-echoes-password",
        "POST",
        "/api/v1/auth/login$",
        lambda: hs.answer(401, echo_login),
        CX,
        f"cases.{CASE}",
        env=LOGIN_ENV,
    ),
    WriteCase(
        "login-data-null",
        "POST",
        "/api/v1/auth/login$",
        lambda: hs.answer(200, json.dumps({"success": True, "data": None})),
        CX,
        f"cases.{CASE}",
        env=LOGIN_ENV,
    ),
]


@pytest.mark.parametrize("case", WRITE_CASES, ids=[c.id for c in WRITE_CASES])
def test_hostile_write_answer(case: WriteCase, world: World, netsync) -> None:
    """Guards: a hostile answer to a write, to a re-read around a write or to a login fails that
    change (exit 1, vendor and address named, no credential shown) and never reports it done."""
    rule = world.hostile.plant(case.method, case.path, case.behaviour(), skip=case.skip)
    args = ("apply", "-c", str(world.config), "--auto-approve", "--force", "--target", case.address)
    code, out, err = netsync(world.sandbox, *args, env=world.env(case.env))
    assert rule.hits >= 1, "the hostile answer was never requested"
    assert_hostile_handled(code, out, err, case.vendor, case.address)
    assert "Apply complete" not in out, out
    for word in ("updated (", "created (", "re-referred ("):
        assert not any(word in line for line in error_line(err, case.address).splitlines()), err


def test_reread_before_put_with_links_as_strings_keeps_the_referrer(world: World, netsync) -> None:
    """Guards: a matter read (the one a whole-object PUT is built from) whose Link objects are
    strings must not make netsync PUT `referrerId: null` and wipe the live referrer."""
    rule = world.hostile.plant(
        "GET", f"/matters/{MATTER}", hs.rewrite(links_as_strings("referrer")), skip=1
    )
    args = ("apply", "-c", str(world.config), "--auto-approve", "--force")
    code, out, err = netsync(world.sandbox, *args, "--target", f"matters.{MATTER}", env=world.env())
    assert rule.hits >= 1
    assert_no_leak(out + err)
    assert "Traceback" not in out + err and "internal error" not in (out + err).lower()
    with world.sandbox.world.lock:
        matter = world.sandbox.world.data["matters"][MATTER]
    assert matter.get("referrerId") == REFERRER, f"the referrer was wiped: {matter}"
    assert_hostile_handled(code, out, err, SB, f"matters.{MATTER}")


# --- paged reads --------------------------------------------------------------------------------

EXTRA_CASES = [f"3c90c3cc-0d44-4b50-8888-8dd2573605{n:02d}" for n in range(10, 14)]


def test_sent_cases_total_pages_a_string(sandbox, netsync, tmp_path) -> None:
    """Guards: a sent-cases page whose `pagination.totalPages` is a string (the paged list is used
    from 5 cases on) is an error naming CaseXchange and the cases, not an internal error."""
    world_seed = seed()
    for case_id in EXTRA_CASES:
        world_seed["cases"].append(
            {
                "id": case_id,
                "title": "Extra",
                "caseType": "Personal Injury",
                "jurisdiction": "CA",
                "referrals": [
                    {
                        "referentFirmId": HAWKINS,
                        "status": "rejected",
                        "createdAt": "2026-02-01T15:25:00.000Z",
                    }
                ],
            }
        )
    sb = sandbox(world_seed)
    cases = "\n".join(f"  {c}:\n    referentFirmId: rivera" for c in [CASE, *EXTRA_CASES])
    config = tmp_path / "netsync.yaml"
    config.write_text(
        "version: 1\nproviders:\n  casexchange:\n    timeout: 5\n"
        f"firms:\n  rivera: {RIVERA}\n"
        "network:\n  outbound:\n    rivera:\n      sendingPercentage: 33.5\n"
        f"cases:\n{cases}\n"
    )
    page = {
        "data": [
            {"id": CASE, "status": "rejected", "receivingFirmId": HAWKINS, "referenceNumber": "x"}
        ],
        "pagination": {"page": 1, "limit": 100, "total": 5, "totalPages": "two"},
        "meta": {},
    }
    with hs.HostileVendor(sb.url) as hostile:
        rule = hostile.plant("GET", r"/sent-cases\?", hs.answer(200, json.dumps(page)))
        env = {**sb.env(), **CREDS, "NETSYNC_CASEXCHANGE_URL": hostile.url}
        code, out, err = netsync(sb, "plan", "-c", str(config), env=env)
    assert rule.hits >= 1
    assert_hostile_handled(code, out, err, CX, f"cases.{EXTRA_CASES[0]}")


# --- none vanishes ------------------------------------------------------------------------------


def test_every_failed_read_is_an_error_none_vanishes(world: World, netsync) -> None:
    """Guards: with several reads failing at once (each a different hostile answer), every
    declared address is either in the plan's changes/no-ops or in `errors` of --format json, and
    each address whose read failed is in `errors` -- none vanishes from the plan."""
    broken = {
        "network.outbound.rivera": ("GET", OUTBOUND, hs.answer(200, cx_ok(None))),
        "network.inbound.hawkins": ("GET", INBOUND, hs.html(200, "OK")),
        f"cases.{CASE}": ("GET", f"/sent-cases/{CASE}", hs.answer(200, "[]")),
        f"matters.{MATTER}": ("GET", f"/matters/{MATTER}", hs.html(404, "Not Found")),
        "case_requests.XYZ789-ClaimNumber": ("GET", TRACKOPS_XYZ, hs.answer(200, "{}")),
    }
    rules = [world.hostile.plant(*spec) for spec in broken.values()]
    args = ("plan", "-c", str(world.config), "--format", "json")
    code, out, err = netsync(world.sandbox, *args, env=world.env())
    assert code == 1
    assert all(rule.hits >= 1 for rule in rules)
    assert "Traceback" not in out + err and "internal error" not in (out + err).lower()
    assert_no_leak(out + err)
    document = json.loads(out)
    errors = {e.get("address") for e in document["errors"]}
    planned = {c["address"] for c in document["changes"]}
    assert set(broken) <= errors, f"failed reads missing from errors: {set(broken) - errors}"
    assert not set(broken) & planned, "a failed read was planned as a change"
    declared = {
        "network.outbound.rivera",
        "network.outbound.caldwell",
        "network.inbound.hawkins",
        "network.inbound.whitfield",
        RULE_NY,
        "routing.rules.CA Med-Mal to Caldwell",
        RULE_NV,
        f"cases.{CASE}",
        f"matters.{MATTER}",
        "case_requests.ABC123-ClaimNumber",
        "case_requests.XYZ789-ClaimNumber",
    }
    assert declared <= planned | errors, f"vanished: {declared - planned - errors}"
    for entry in document["errors"]:
        if entry.get("address") in broken:
            assert any(v in entry["message"] for v in (CX, SB, TO)), entry


def test_unreachable_casexchange_names_every_address(world: World, netsync) -> None:
    """Guards: when CaseXchange's account-wide read fails (HTML from a proxy), every declared
    CaseXchange address is named in the errors, not only `network`."""
    world.hostile.plant("GET", "/firms/me$", hs.html(200, "Proxy"))
    args = ("plan", "-c", str(world.config), "--format", "json")
    code, out, err = netsync(world.sandbox, *args, env=world.env())
    assert code == 1
    errors = {e.get("address") for e in json.loads(out)["errors"]}
    for address in (
        "network.outbound.rivera",
        "network.outbound.caldwell",
        "network.inbound.hawkins",
        "network.inbound.whitfield",
        RULE_NY,
        RULE_NV,
        f"cases.{CASE}",
    ):
        assert address in errors, f"{address} vanished: {sorted(map(str, errors))}"


# --- memory: huge bodies, in a subprocess with RLIMIT_AS ---------------------------------------

ONE_MB = b" " * 2**20
MEMORY_LIMIT = 2**30  # RLIMIT_AS of the child
PEAK_RSS_LIMIT_MB = 300  # reading a 1.5 GB body would need far more
CHILD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT}))
from netsync.cli import main
peak_file = sys.argv.pop(1)
try:
    main()
finally:
    # VmHWM is this program's own peak: ru_maxrss would also count the test process's size at
    # fork time, which Linux carries across exec.
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    with open(peak_file, "w") as f:
        f.write(str(int(hwm.split()[1]) // 1024))
"""


@dataclass
class MemoryCase:
    id: str
    path: str
    behaviour: Callable[[], hs.Behaviour]
    vendor: str
    address: str


MEMORY_CASES = [
    MemoryCase(
        "sb-referraltypes-1.5GB-chunked",
        "/referraltypes$",
        lambda: hs.stream(1536 * 2**20, ONE_MB, prefix=b'{"value": [{"name": "'),
        SB,
        f"matters.{MATTER}",
    ),
    MemoryCase(
        "to-requests-gzip-bomb-1.5GB",
        TRACKOPS_XYZ,
        lambda: hs.stream(1536 * 2**20, b"\0" * 2**20, gzip=True),
        TO,
        "case_requests.XYZ789-ClaimNumber",
    ),
    MemoryCase(
        "cx-outbound-33MB-declared-and-sent",
        OUTBOUND,
        lambda: hs.answer(200, b'{"data": "' + b"x" * (33 * 2**20) + b'"}'),
        CX,
        "network.outbound.rivera",
    ),
]


@pytest.mark.parametrize("case", MEMORY_CASES, ids=[c.id for c in MEMORY_CASES])
def test_huge_answer_memory_bounded(case: MemoryCase, world: World, tmp_path) -> None:
    """Guards: a vendor answer far over netsync's 32 MB limit (streamed, gzip-bombed, or
    declared) is refused with an error naming vendor and address while the process stays under
    1 GB of address space and a few hundred MB of peak RSS."""
    rule = world.hostile.plant("GET", case.path, case.behaviour())
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSYNC_")}
    env.update({k: v for k, v in world.env().items() if v is not None})
    env["MALLOC_ARENA_MAX"] = "2"  # per-thread malloc arenas would reserve address space
    env.pop("NETSYNC_DEBUG", None)
    peak_file = tmp_path / "peak"
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(peak_file), "plan", "-c", str(world.config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert rule.hits >= 1, proc.stderr
    assert_hostile_handled(proc.returncode, proc.stdout, proc.stderr, case.vendor, case.address)
    peak_mb = int(peak_file.read_text())
    assert peak_mb < PEAK_RSS_LIMIT_MB, f"peak RSS {peak_mb} MB"
