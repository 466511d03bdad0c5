"""The front door (issue 9, "Sandbox"): broken framing, oversized, mistyped, mis-encoded and
deeply nested bodies get an answer in the vendor's own error shape; clients that hang up or
stall leave no traceback; the control API hides credentials.
"""

from __future__ import annotations

import base64
import json
import socket
import time

import httpx
import pytest

from netsync.sandbox import Sandbox
from netsync.sandbox.intake import MAX_BODY_BYTES

from ._fuzz import error_shape_problem
from ._support import CASE, MATTER, QUICKSTART_SEED, SB_HEADERS, TRACKOPS_AUTH, cx_headers

RULES = "/api/public/v1/routing/rules"
TRACKOPS = "/api/v1/case/requests"
MATTER_PATH = f"/matters/{MATTER}"
# One write route per vendor (credentials that pass: _auth_headers).
WRITES = {
    "casexchange": ("POST", RULES),
    "smokeball": ("PUT", MATTER_PATH),
    "trackops": ("POST", TRACKOPS),
}


def raw_exchange(sb: Sandbox, data: bytes, wait: float = 5.0) -> tuple[int, dict, bytes]:
    """Send bytes as they are; read until the server closes (or `wait` s): status, headers, body."""
    with socket.create_connection(("127.0.0.1", sb.port), timeout=wait) as s:
        s.sendall(data)
        chunks = []
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
            if _complete(b"".join(chunks)):
                break
    return _parse(b"".join(chunks))


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = _parse(head + b"\r\n\r\n")[1].get("content-length", "0")
    return len(body) >= int(length)


def _parse(data: bytes) -> tuple[int, dict, bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def request_bytes(vendor: str, extra_headers: str, body: bytes = b"") -> bytes:
    method, path = WRITES[vendor]
    auth = "".join(f"{k}: {v}\r\n" for k, v in _auth_headers(vendor).items())
    head = f"{method} {path} HTTP/1.1\r\nHost: t\r\n{auth}{extra_headers}"
    return head.encode() + b"\r\n" + body


def assert_vendor_error(vendor: str, status: int, body: bytes, expected: int) -> dict:
    assert status == expected, body[:300]
    data = json.loads(body)
    assert error_shape_problem(vendor, status, data) is None, data
    return data


@pytest.mark.parametrize("vendor", sorted(WRITES))
@pytest.mark.parametrize(
    "length", ["-5", "abc", "1e3", "+5", "5, 6", "٥", "99999999999999999999999999"]
)
def test_unusable_content_length_is_400_and_closes(sb, capfd, vendor, length):
    data = request_bytes(vendor, f"Content-Type: application/json\r\nContent-Length: {length}\r\n")
    status, headers, body = raw_exchange(sb, data + b"{}")
    expected = 413 if length.startswith("9999") else 400
    assert_vendor_error(vendor, status, body, expected)
    assert headers["connection"] == "close"
    assert not sb.errors and "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize("vendor", sorted(WRITES))
def test_body_over_the_limit_is_413_in_vendor_shape(sb, vendor):
    method, path = WRITES[vendor]
    headers = {**_auth_headers(vendor), "Content-Type": "application/json"}
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        r = c.request(method, path, headers=headers, content=b" " * (MAX_BODY_BYTES + 1))
        assert error_shape_problem(vendor, 413, r.json()) is None and r.status_code == 413
        just_fits = b"{}" + b" " * (MAX_BODY_BYTES - 2)  # the limit itself is allowed
        r = c.request(method, path, headers=headers, content=just_fits)
        assert r.status_code in (200, 201, 202, 400)  # 400: {} is not a whole resource
    assert sb.requests[-2]["status"] == 413  # refused requests are logged too


def test_expect_100_continue_is_refused_before_the_body(sb):
    data = request_bytes(
        "smokeball",
        f"Content-Type: application/json\r\nContent-Length: {10**9}\r\nExpect: 100-continue\r\n",
    )
    status, headers, body = raw_exchange(sb, data)  # the body is never sent
    assert_vendor_error("smokeball", status, body, 413)


def _auth_headers(vendor: str) -> dict[str, str]:
    if vendor == "casexchange":
        return cx_headers()
    if vendor == "smokeball":
        return dict(SB_HEADERS)
    return {"Authorization": "Basic " + base64.b64encode(":".join(TRACKOPS_AUTH).encode()).decode()}


def test_chunked_bodies_are_read(client):
    def parts():
        yield b'{"status": "Pending", '
        yield b'"number": "CHUNKED-1"}'

    r = client.put(
        MATTER_PATH, headers={**SB_HEADERS, "Content-Type": "application/json"}, content=parts()
    )
    assert r.status_code == 202
    assert client.get(MATTER_PATH, headers=SB_HEADERS).json()["number"] == "CHUNKED-1"


@pytest.mark.parametrize(
    "framing,chunks,expected",
    [
        ("Transfer-Encoding: chunked\r\n", b"zz\r\n{}\r\n0\r\n\r\n", 400),
        ("Transfer-Encoding: chunked\r\n", b"2\r\n{}XX0\r\n\r\n", 400),
        ("Transfer-Encoding: chunked\r\n", b"%x\r\n" % (MAX_BODY_BYTES + 1), 413),
        ("Transfer-Encoding: gzip\r\n", b"", 400),
        ("Transfer-Encoding: chunked\r\nContent-Length: 2\r\n", b"{}", 400),
    ],
)
def test_bad_chunked_framing_is_refused(sb, framing, chunks, expected):
    data = request_bytes("casexchange", f"Content-Type: application/json\r\n{framing}", chunks)
    status, headers, body = raw_exchange(sb, data)
    assert_vendor_error("casexchange", status, body, expected)
    assert headers["connection"] == "close"


def test_a_stalled_body_gets_408_after_the_io_timeout():
    with Sandbox(io_timeout=0.3) as sb:
        data = request_bytes("trackops", "Content-Type: application/json\r\nContent-Length: 50\r\n")
        started = time.monotonic()
        status, headers, body = raw_exchange(sb, data + b'{"casefile')
        assert time.monotonic() - started < 3
        assert_vendor_error("trackops", status, body, 408)
        assert not sb.errors


@pytest.mark.parametrize("vendor", sorted(WRITES))
@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b"[" * 33 + b"]" * 33, b'{"a": ' * 40 + b"1" + b"}" * 40],
)
def test_deeply_nested_json_is_400_in_vendor_shape(sb, capfd, vendor, raw):
    method, path = WRITES[vendor]
    headers = {**_auth_headers(vendor), "Content-Type": "application/json"}
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        r = c.request(method, path, headers=headers, content=raw)
    assert r.status_code == 400 and error_shape_problem(vendor, 400, r.json()) is None
    assert "nested deeper than" in r.text
    assert "Traceback" not in capfd.readouterr().err and not sb.errors
    assert sb.requests[-1]["status"] == 400
    with httpx.Client(base_url=sb.url) as c:  # the log is still servable as JSON
        assert c.get("/_sandbox/requests").status_code == 200


@pytest.mark.parametrize("token", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_json_numbers_are_not_accepted(client, token):
    body = b'{"casefile_request": {"budget_hours": ' + token + b"}}"
    r = client.post(
        TRACKOPS, auth=TRACKOPS_AUTH, content=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.json() == {"errors": ["Request body must be a JSON object"]}


@pytest.mark.parametrize(
    "vendor,ctype,expected",
    [
        ("casexchange", None, 400),
        ("casexchange", "text/plain", 400),
        ("casexchange", "application/x-www-form-urlencoded", 400),
        ("casexchange", "application/vnd.api+json", 400),  # then: a rule body missing fields
        ("smokeball", None, 415),
        ("smokeball", "text/json", 415),
        ("smokeball", "application/merge-patch+json; charset=utf-8", 202),
        ("trackops", None, 400),
        ("trackops", "application/xml", 400),
    ],
)
def test_media_types_per_vendor(sb, vendor, ctype, expected):
    method, path = WRITES[vendor]
    headers = _auth_headers(vendor)
    if ctype:
        headers["Content-Type"] = ctype
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        r = c.request(method, path, headers=headers, content=b'{"status": "Open"}')
    assert r.status_code == expected, r.text
    if expected >= 400:
        assert error_shape_problem(vendor, expected, r.json()) is None
    if expected >= 400 and ctype != "application/vnd.api+json":
        assert "Content-Type must be" in r.text


@pytest.mark.parametrize("vendor", sorted(WRITES))
def test_invalid_utf8_is_400(sb, vendor):
    method, path = WRITES[vendor]
    headers = {**_auth_headers(vendor), "Content-Type": "application/json"}
    with httpx.Client(base_url=sb.url, timeout=10) as c:
        r = c.request(method, path, headers=headers, content=b'{"name": "caf\xe9"}')
    assert r.status_code == 400 and "not valid UTF-8" in r.text
    assert error_shape_problem(vendor, 400, r.json()) is None


def test_oauth_token_endpoint_wants_a_form(client):
    r = client.post(
        "/oauth2/token",
        json={"grant_type": "client_credentials"},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert r.status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS", "FOO", "CONNECT"])
def test_any_method_gets_a_vendor_answer_not_501(client, method):
    r = client.request(method, MATTER_PATH, headers=SB_HEADERS)
    assert r.status_code == 404 and r.json()["status"] == 404
    r = client.request(method, RULES, headers=cx_headers())
    assert r.status_code == 404 and r.json()["error"]["code"] == "resource_not_found"


def test_stdlib_refusals_are_json_too(sb):
    status, _, body = raw_exchange(sb, b"GET /matters/" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n")
    assert status == 414 and json.loads(body)
    many = "".join(f"X-H{i}: v\r\n" for i in range(120))
    status, _, body = raw_exchange(sb, f"GET /matters HTTP/1.1\r\nHost: t\r\n{many}\r\n".encode())
    assert status == 431 and json.loads(body)["status"] == 431  # Smokeball by path


def test_clients_hanging_up_mid_answer_leave_no_traceback(capfd):
    with Sandbox(seed=QUICKSTART_SEED, latency_ms=150) as sb:
        for _ in range(4):
            s = socket.create_connection(("127.0.0.1", sb.port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            s.sendall(f"GET {TRACKOPS} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
            s.close()  # a reset: the answer, 150 ms later, has nobody to go to
        time.sleep(0.5)
        with httpx.Client(base_url=sb.url) as c:  # and the server still answers
            assert c.get(TRACKOPS, auth=TRACKOPS_AUTH).status_code == 200
        assert not sb.errors
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err


def test_trackops_id_with_thousands_of_digits_is_404(client):
    r = client.get(f"{TRACKOPS}/{'9' * 5000}", auth=TRACKOPS_AUTH)
    assert r.status_code == 404 and r.json()["errors"]


def test_sent_case_by_reference_number(client):
    r = client.get("/api/public/v1/sent-cases/ACME-2026-0142", headers=cx_headers())
    assert r.status_code == 200 and r.json()["data"]["id"] == CASE
    r = client.get("/api/public/v1/sent-cases/NOPE-1", headers=cx_headers())
    assert r.status_code == 404


def test_state_endpoint_hides_credentials_and_secret(sb, client):
    state = client.get("/_sandbox/state").json()
    text = json.dumps(state)
    for secret in ("cxp_full_sandbox", "sandbox-token", "sandbox-secret", sb.world.jwt_secret):
        assert secret not in text
    creds = state["credentials"]
    assert creds["casexchange"]["api_keys"] == ["cxp_ro_***", "cxp_std_***", "cxp_full_***"]
    assert creds["casexchange"]["logins"] == [{"email": "sandbox@example.com", "password": "***"}]
    assert creds["smokeball"]["clients"] == [
        {"client_id": "sandbox-client", "client_secret": "***"}
    ]
    assert creds["trackops"]["users"] == [{"username": "sandbox", "token": "***"}]
    assert state["jwt_secret"] == "***" and state["matters"]  # the rest is all there
    assert sb.world.credentials["casexchange"]["api_keys"][2] == "cxp_full_sandbox"  # intact
