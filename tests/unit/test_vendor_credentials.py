"""Vendor credentials with httpx.MockTransport and a fake clock: Smokeball's client-credentials
token (fetched once, renewed before expiry and once on 401, a static token never renewed),
CaseXchange's Bearer (service login, refresh on token_expired, one refresh for many requests,
an expired static token), and redaction of every credential in error messages (SPEC 1, 2)."""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from urllib.parse import parse_qs, quote

import httpx
import pytest
from fakes import FakeClock

from netsync.http import RetryPolicy, Secrets, VendorClient, VendorError, public_url
from netsync.model import Action, Change, Outcome, Resource, ResourceType
from netsync.providers.base import Options
from netsync.providers.casexchange import CaseXchange
from netsync.providers.smokeball import TOKEN_MARGIN, Smokeball
from netsync.providers.trackops import Trackops


def no_progress(note: str) -> None:
    pass


# --- Smokeball -------------------------------------------------------------------------------

SB_KEY = "sb-apikey-5c1e7a"
SB_CLIENT = "sb-client-77a1"
SB_SECRET = "sb-secret-q9w8e7"
MATTER = "9a1b2c3d-0000-4000-8000-000000000001"


class SmokeballVendor:
    """A Smokeball API and auth server: tokens expire by the fake clock's monotonic time."""

    def __init__(self, clock: FakeClock, lifetime: float = 3600, visible_after: float = 0):
        self.clock = clock
        self.lifetime = lifetime
        self.visible_after = visible_after
        self.tokens: dict[str, float] = {}  # access token -> expiry (monotonic)
        self.revoked: set[str] = set()
        self.reject_all = False
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        self.expired_uses = 0
        self.matter = {"id": MATTER, "status": "Open", "referralAgreementFee": 25}
        self.pending: tuple[float, dict] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.test":
            self.token_requests.append(request)
            token = f"sb-access-{len(self.token_requests):03d}-zz"
            self.tokens[token] = self.clock.monotonic() + self.lifetime
            body = {"access_token": token, "expires_in": self.lifetime, "token_type": "Bearer"}
            return httpx.Response(200, json=body)
        self.api_requests.append(request)
        problem = {"title": "Unauthorized", "status": 401, "detail": "bad token"}
        if request.headers.get("x-api-key") != SB_KEY:
            return httpx.Response(403, json={"title": "Forbidden", "status": 403})
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.reject_all or token in self.revoked:
            return httpx.Response(401, json=problem)
        if token in self.tokens and self.clock.monotonic() >= self.tokens[token]:
            self.expired_uses += 1
            return httpx.Response(401, json=problem)
        if token not in self.tokens and token != "sb-static-token-4k":
            return httpx.Response(401, json=problem)
        if self.pending and self.clock.monotonic() >= self.pending[0]:
            self.matter, self.pending = self.pending[1], None
        if request.method == "PUT":
            update = {**self.matter, **json.loads(request.content)}
            self.pending = (self.clock.monotonic() + self.visible_after, update)
            return httpx.Response(202, json={"id": MATTER, "relation": "Matter"})
        return httpx.Response(200, json=self.matter)


def smokeball(vendor: SmokeballVendor, clock: FakeClock, **env: str) -> Smokeball:
    settings = Smokeball.settle(
        {
            **Smokeball.defaults,
            "base_url": "http://vendor.test",
            "auth_url": "http://auth.test",
            "confirm_timeout": 2000,
        }
    )
    environment = {
        "SMOKEBALL_API_KEY": SB_KEY,
        "SMOKEBALL_CLIENT_ID": SB_CLIENT,
        "SMOKEBALL_CLIENT_SECRET": SB_SECRET,
        **env,
    }
    options = Options(clock=clock, transport=httpx.MockTransport(vendor))
    return Smokeball(settings, environment, options)


def matter() -> Resource:
    return Resource(
        f"matters.{MATTER}", ResourceType.MATTER, MATTER, MATTER, {"referralAgreementFee": 25}
    )


def test_smokeball_token_is_fetched_once_and_sent_with_the_key_on_every_request():
    """Client credentials: one POST {auth_url}/oauth2/token (Basic client_id:secret,
    grant_type=client_credentials) serves many requests, and every API request carries
    x-api-key and Authorization: Bearer."""
    clock = FakeClock()
    vendor = SmokeballVendor(clock)
    provider = smokeball(vendor, clock)
    for _ in range(10):
        assert provider.read(matter()).exists
    assert len(vendor.token_requests) == 1
    token_request = vendor.token_requests[0]
    assert str(token_request.url) == "http://auth.test/oauth2/token"
    basic = base64.b64encode(f"{SB_CLIENT}:{SB_SECRET}".encode()).decode()
    assert token_request.headers["authorization"] == f"Basic {basic}"
    assert parse_qs(token_request.content.decode())["grant_type"] == ["client_credentials"]
    assert len(vendor.api_requests) == 10
    for request in vendor.api_requests:
        assert request.headers["x-api-key"] == SB_KEY
        assert request.headers["authorization"] == "Bearer sb-access-001-zz"


def test_smokeball_token_is_renewed_token_margin_before_it_expires():
    """A token of 3600 s is reused until expiry - TOKEN_MARGIN and renewed from then on."""
    clock = FakeClock()
    vendor = SmokeballVendor(clock)
    provider = smokeball(vendor, clock)
    provider.read(matter())
    clock.advance(3600 - TOKEN_MARGIN - 1)
    provider.read(matter())
    assert len(vendor.token_requests) == 1
    clock.advance(1)
    provider.read(matter())
    assert len(vendor.token_requests) == 2
    assert vendor.api_requests[-1].headers["authorization"] == "Bearer sb-access-002-zz"
    assert vendor.expired_uses == 0


def test_smokeball_long_apply_never_sends_an_expired_token():
    """A PUT whose 202 shows only after 650 s of confirm polling, with 300 s tokens: the token
    is renewed along the way (at 240 s and 480 s), no request ever carries an expired token,
    and every request, the PUT included, carries x-api-key and a Bearer token."""
    clock = FakeClock()
    vendor = SmokeballVendor(clock, lifetime=300, visible_after=650)
    provider = smokeball(vendor, clock)
    change = Change(
        f"matters.{MATTER}",
        ResourceType.MATTER,
        MATTER,
        Action.UPDATE,
        fields=["referralAgreementFee"],
        before={"referralAgreementFee": 25},
        after={"referralAgreementFee": 33},
    )
    result = provider.apply(change, no_progress)
    assert result.outcome is Outcome.APPLIED
    assert vendor.expired_uses == 0
    assert len(vendor.token_requests) == 3
    assert sum(r.method == "PUT" for r in vendor.api_requests) == 1
    for request in vendor.api_requests:
        assert request.headers["x-api-key"] == SB_KEY
        assert request.headers["authorization"].startswith("Bearer sb-access-")


def test_smokeball_401_renews_the_token_once_and_resends():
    """A client-credentials token the vendor rejects (401) is fetched again and the request
    resent once with the new token."""
    clock = FakeClock()
    vendor = SmokeballVendor(clock)
    provider = smokeball(vendor, clock)
    provider.read(matter())
    vendor.revoked.add("sb-access-001-zz")
    assert provider.read(matter()).exists
    assert len(vendor.token_requests) == 2
    assert [r.headers["authorization"] for r in vendor.api_requests] == [
        "Bearer sb-access-001-zz",
        "Bearer sb-access-001-zz",
        "Bearer sb-access-002-zz",
    ]


def test_smokeball_persistent_401_renews_only_once():
    """When the vendor keeps answering 401, the token is renewed once (not in a loop) and the
    read fails naming the 401 and the remedy."""
    clock = FakeClock()
    vendor = SmokeballVendor(clock)
    vendor.reject_all = True
    provider = smokeball(vendor, clock)
    with pytest.raises(VendorError) as caught:
        provider.read(matter())
    assert len(vendor.token_requests) == 2
    assert len(vendor.api_requests) == 2
    assert "401" in str(caught.value)
    assert "the token was refused: check SMOKEBALL_TOKEN" in str(caught.value)


def test_smokeball_static_token_is_never_renewed():
    """A static SMOKEBALL_TOKEN is sent as given, never renewed by time nor on a 401, and the
    token endpoint is never called."""
    clock = FakeClock()
    vendor = SmokeballVendor(clock)
    provider = smokeball(vendor, clock, SMOKEBALL_TOKEN="sb-static-token-4k")
    provider.read(matter())
    clock.advance(100_000)
    provider.read(matter())
    vendor.reject_all = True
    with pytest.raises(VendorError):
        provider.read(matter())
    assert vendor.token_requests == []
    assert len(vendor.api_requests) == 3
    for request in vendor.api_requests:
        assert request.headers["authorization"] == "Bearer sb-static-token-4k"
        assert request.headers["x-api-key"] == SB_KEY


# --- CaseXchange Bearer ------------------------------------------------------------------------

CX_KEY = "cxp_full_unit7e3a"
CX_EMAIL = "robot@acme.test"
CX_PASSWORD = "cx-password-8d2f"
CX_STATIC = "cx-static-bearer-61b"
RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"


def case_id(i: int) -> str:
    return f"3c90c3cc-0d44-4b50-8888-{i:012d}"


def envelope(data, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": data, "meta": {"requestId": "req-1"}})


def cx_error(status: int, code: str, message: str) -> httpx.Response:
    body = {"error": {"code": code, "message": message}, "meta": {"success": False}}
    return httpx.Response(status, json=body)


class CaseXchangeVendor:
    """CaseXchange's internal API (login, rotating refresh tokens, re-refer with a Bearer) and
    the public sent-case read (X-API-Key) a re-referral is verified with."""

    def __init__(self, barrier: threading.Barrier | None = None) -> None:
        self.lock = threading.Lock()
        self.barrier = barrier
        self.issued = 0
        self.access: set[str] = {CX_STATIC}
        self.expired: set[str] = set()
        self.refresh: set[str] = set()
        self.expire_on_issue = 0  # the first N issued access tokens are already expired
        self.log: list[tuple[str, str]] = []  # internal API: (what, credential or detail)
        self.reads: list[str] = []  # public re-reads of sent cases
        self.referrals: dict[str, list[str]] = {}

    def issue(self) -> dict[str, str]:
        self.issued += 1
        access, refresh = f"cx-acc-{self.issued}-pq", f"cx-ref-{self.issued}-pq"
        self.access.add(access)
        self.refresh.add(refresh)
        if self.issued <= self.expire_on_issue:
            self.expired.add(access)
        return {"accessToken": access, "refreshToken": refresh}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        body = json.loads(request.content) if request.content else {}
        if path == "/api/v1/auth/login":
            with self.lock:
                self.log.append(("login", f"{body.get('email')}/{body.get('password')}"))
                return httpx.Response(200, json={"meta": {"success": True}, "data": self.issue()})
        if path == "/api/v1/auth/refresh-session":
            with self.lock:
                token = body.get("refreshToken")
                self.log.append(("refresh", token))
                if token not in self.refresh:
                    return cx_error(401, "token_invalid", "Refresh token is invalid")
                self.refresh.discard(token)  # rotates: spent
                return httpx.Response(200, json={"meta": {"success": True}, "data": self.issue()})
        if path.startswith("/api/public/v1/sent-cases/"):  # the re-read, with the API key
            assert request.headers["x-api-key"] == CX_KEY
            case = path.rsplit("/", 1)[1]
            with self.lock:
                self.reads.append(case)
                firms = [HAWKINS, *self.referrals.get(case, [])]
            referrals = [
                {"referentFirmId": firm, "status": "sent", "createdAt": f"2026-0{i + 1}-01"}
                for i, firm in enumerate(firms)
            ]
            return envelope({"id": case, "status": "sent", "referrals": referrals})
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self.lock:
            self.log.append((f"{request.method} {path}", bearer))
        if bearer in self.expired and self.barrier is not None:
            with contextlib.suppress(threading.BrokenBarrierError):
                self.barrier.wait()
        if bearer in self.expired:
            return cx_error(401, "token_expired", "Access token has expired")
        if bearer not in self.access:
            return cx_error(401, "token_invalid", "Access token is invalid")
        case = path.split("/")[4]
        with self.lock:
            self.referrals.setdefault(case, []).append(body["referentFirmId"])
        return httpx.Response(201, json={"success": True, "data": {"id": case}})


def casexchange(vendor, **env: str) -> CaseXchange:
    settings = {**CaseXchange.defaults, "base_url": "http://vendor.test"}
    options = Options(clock=FakeClock(), transport=httpx.MockTransport(vendor))
    return CaseXchange(settings, {"CASEXCHANGE_API_KEY": CX_KEY, **env}, options)


def rerefer(i: int = 1) -> Change:
    return Change(
        f"cases.{case_id(i)}",
        ResourceType.CASE,
        case_id(i),
        Action.REREFER,
        fields=["referentFirmId"],
        before={"referentFirmId": HAWKINS},
        after={"referentFirmId": RIVERA},
        write_only={"notes": "moved"},
    )


REREFER = "POST /api/v1/cases/{}/re-refer"
LOGIN = {"CASEXCHANGE_EMAIL": CX_EMAIL, "CASEXCHANGE_PASSWORD": CX_PASSWORD}


def test_casexchange_service_login_when_no_static_token():
    """Without CASEXCHANGE_TOKEN, netsync logs in (POST /api/v1/auth/login {email, password})
    and sends the re-referral with the access token it got."""
    vendor = CaseXchangeVendor()
    result = casexchange(vendor, **LOGIN).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert vendor.log == [
        ("login", f"{CX_EMAIL}/{CX_PASSWORD}"),
        (REREFER.format(case_id(1)), "cx-acc-1-pq"),
    ]
    assert vendor.referrals == {case_id(1): [RIVERA]}


def test_casexchange_token_expired_refreshes_with_the_refresh_token_and_resends():
    """A 401 token_expired renews the access token through /api/v1/auth/refresh-session with
    the refresh token, and the request is resent with the new access token."""
    vendor = CaseXchangeVendor()
    vendor.expire_on_issue = 1
    result = casexchange(vendor, **LOGIN).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert vendor.log == [
        ("login", f"{CX_EMAIL}/{CX_PASSWORD}"),
        (REREFER.format(case_id(1)), "cx-acc-1-pq"),
        ("refresh", "cx-ref-1-pq"),
        (REREFER.format(case_id(1)), "cx-acc-2-pq"),
    ]
    assert vendor.referrals == {case_id(1): [RIVERA]}


def test_casexchange_concurrent_token_expired_causes_exactly_one_refresh():
    """Six re-referrals in parallel all answered token_expired: one refresh (refresh tokens
    rotate, a second would be refused), one login, and all six resent with the new token."""
    vendor = CaseXchangeVendor(barrier=threading.Barrier(6, timeout=5))
    vendor.expire_on_issue = 1
    provider = casexchange(vendor, **LOGIN)
    results: dict[int, Outcome] = {}

    def run(i: int) -> None:
        results[i] = provider.apply(rerefer(i), no_progress).outcome

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {i: Outcome.APPLIED for i in range(6)}
    assert [entry for entry in vendor.log if entry[0] in ("login", "refresh")] == [
        ("login", f"{CX_EMAIL}/{CX_PASSWORD}"),
        ("refresh", "cx-ref-1-pq"),
    ]
    sends = [entry for entry in vendor.log if entry[0].startswith("POST /api/v1/cases/")]
    assert sorted(token for _, token in sends) == ["cx-acc-1-pq"] * 6 + ["cx-acc-2-pq"] * 6
    assert vendor.referrals == {case_id(i): [RIVERA] for i in range(6)}


def test_casexchange_expired_static_token_without_login_fails_clearly():
    """An expired static CASEXCHANGE_TOKEN with no login configured fails after one send with
    an error naming CASEXCHANGE_TOKEN and the remedies, and never the token itself."""
    vendor = CaseXchangeVendor()
    vendor.expired.add(CX_STATIC)
    result = casexchange(vendor, CASEXCHANGE_TOKEN=CX_STATIC).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.FAILED
    assert "the Bearer token in CASEXCHANGE_TOKEN has expired" in result.message
    assert "CASEXCHANGE_EMAIL" in result.message
    assert "CASEXCHANGE_PASSWORD" in result.message
    assert CX_STATIC not in result.message
    assert vendor.log == [(REREFER.format(case_id(1)), CX_STATIC)]
    assert result.attempts == 1


def test_casexchange_expired_static_token_falls_back_to_the_service_login():
    """An expired static token with a login configured: netsync logs in and resends."""
    vendor = CaseXchangeVendor()
    vendor.expired.add(CX_STATIC)
    provider = casexchange(vendor, CASEXCHANGE_TOKEN=CX_STATIC, **LOGIN)
    assert provider.apply(rerefer(), no_progress).outcome is Outcome.APPLIED
    assert vendor.log == [
        (REREFER.format(case_id(1)), CX_STATIC),
        ("login", f"{CX_EMAIL}/{CX_PASSWORD}"),
        (REREFER.format(case_id(1)), "cx-acc-1-pq"),
    ]


def test_casexchange_other_401_codes_are_not_renewed():
    """A 401 token_invalid is not token_expired: no refresh, no login, one send, failed."""
    vendor = CaseXchangeVendor()
    result = casexchange(vendor, CASEXCHANGE_TOKEN="cx-unknown-token-3e", **LOGIN).apply(
        rerefer(), no_progress
    )
    assert result.outcome is Outcome.FAILED
    assert "401 token_invalid" in result.message
    assert vendor.log == [(REREFER.format(case_id(1)), "cx-unknown-token-3e")]


# --- secrets never in messages ----------------------------------------------------------------


def test_secrets_are_redacted_raw_url_encoded_and_base64():
    """Secrets.add registers a credential in every encoding; a VendorError message holds none
    of them."""
    secret = "s3cr/t+v@lue=9x"
    Secrets.add(secret)
    encoded = quote(secret, safe="")
    b64 = base64.b64encode(secret.encode()).decode()
    error = VendorError("Vendor", f"raw {secret} url {encoded} b64 {b64}")
    assert str(error) == "Vendor: raw *** url *** b64 ***"


def test_trackops_basic_credential_never_appears_in_errors():
    """A Trackops error that echoes the Basic header (base64) and the raw token is redacted."""
    user, token = "tops-user-4f", "tops-token-a81c9"
    basic = base64.b64encode(f"{user}/token:{token}".encode()).decode()

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Basic {basic}"
        echo = f"rejected Authorization: Basic {basic} (token {token})"
        return httpx.Response(401, json={"errors": [echo]})

    settings = {**Trackops.defaults, "base_url": "http://vendor.test", "rate_limit": None}
    env = {"TRACKOPS_USERNAME": user, "TRACKOPS_API_TOKEN": token}
    options = Options(clock=FakeClock(), transport=httpx.MockTransport(handler))
    provider = Trackops(settings, env, options)
    resource = Resource("case_requests.R-1", ResourceType.CASE_REQUEST, "R-1", None, {})
    with pytest.raises(VendorError) as caught:
        provider.read(resource)
    message = str(caught.value)
    assert basic not in message
    assert token not in message
    assert "rejected Authorization: Basic *** (token ***)" in message


def test_casexchange_api_key_echoed_by_the_vendor_is_redacted():
    """An error message echoing X-API-Key (raw or URL-encoded) never shows it."""
    key = "cxp_full_leaky/key+1"

    def handler(request: httpx.Request) -> httpx.Response:
        text = f"key {key} or {quote(key, safe='')} is not valid"
        return cx_error(401, "invalid_api_key", text)

    settings = {**CaseXchange.defaults, "base_url": "http://vendor.test"}
    options = Options(clock=FakeClock(), transport=httpx.MockTransport(handler))
    provider = CaseXchange(settings, {"CASEXCHANGE_API_KEY": key}, options)
    with pytest.raises(VendorError) as caught:
        provider.get("/firms/me")
    assert str(caught.value) == (
        "CaseXchange: GET /api/public/v1/firms/me: 401 invalid_api_key: key *** or *** is not "
        "valid (check the CaseXchange key or token in the environment)"
    )


def test_smokeball_client_secret_echoed_by_the_token_endpoint_is_redacted():
    """A token endpoint error echoing the client secret and the Basic header is redacted."""
    secret = "sb-secret-echo-55"
    basic = base64.b64encode(f"{SB_CLIENT}:{secret}".encode()).decode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, text=f"invalid_client {secret} Basic {basic}")

    settings = Smokeball.settle(
        {**Smokeball.defaults, "base_url": "http://vendor.test", "auth_url": "http://auth.test"}
    )
    env = {
        "SMOKEBALL_API_KEY": SB_KEY,
        "SMOKEBALL_CLIENT_ID": SB_CLIENT,
        "SMOKEBALL_CLIENT_SECRET": secret,
    }
    options = Options(clock=FakeClock(), transport=httpx.MockTransport(handler))
    with pytest.raises(VendorError) as caught:
        Smokeball(settings, env, options).read(matter())
    message = str(caught.value)
    assert secret not in message
    assert basic not in message
    assert "invalid_client *** Basic ***" in message


def test_public_url_strips_userinfo():
    """public_url drops `user:password@` and keeps scheme, host, port, path and query."""
    assert public_url("https://al:pw@api.test:8443/p/q?x=1") == "https://api.test:8443/p/q?x=1"
    assert public_url("https://api.test/p") == "https://api.test/p"


@pytest.mark.parametrize("failure", ["connect", "max-wait"])
def test_base_url_userinfo_never_appears_in_messages(failure):
    """A base URL carrying user:password@ is shown without them in every VendorError."""

    def handler(request: httpx.Request) -> httpx.Response:
        if failure == "connect":
            raise httpx.ConnectError("refused")
        return httpx.Response(429, headers={"Retry-After": "999"})

    client = VendorClient(
        vendor="Vendor",
        base_url="http://alice-u:pa55w0rd-zz@vendor.test",
        retry=RetryPolicy(attempts=2, jitter=lambda a, b: b, max_wait=10),
        transport=httpx.MockTransport(handler),
        clock=FakeClock(),
    )
    with pytest.raises(VendorError) as caught:
        client.request("GET", "/api/x", params={"q": "client-name"})
    message = str(caught.value)
    assert "GET http://vendor.test/api/x" in message
    assert "pa55w0rd-zz" not in message
    assert "alice-u" not in message
    assert "client-name" not in message
