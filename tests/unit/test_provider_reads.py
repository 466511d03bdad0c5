"""Providers over httpx.MockTransport with a fake clock: the write template's rules for writes
that are not safe to repeat (SPEC 2: re-read before sending again, 409 after an ambiguous
re-refer, a retried DELETE's 404), reading lists only when cheaper, Trackops' exact match on
reference_value_1, and read_live reporting one vendor failure once."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fakes import FakeClock

from netsync.model import Action, Change, Outcome, Resource, ResourceType
from netsync.providers import read_live
from netsync.providers.base import MAX_SENDS, PAGING_THRESHOLD, Options, list_if_cheaper
from netsync.providers.casexchange import CaseXchange
from netsync.providers.trackops import Trackops


def no_progress(note: str) -> None:
    pass


def log_of(requests: list[httpx.Request]) -> list[str]:
    return [f"{r.method} {r.url.path}" for r in requests]


# --- Trackops --------------------------------------------------------------------------------

TRACKOPS_ENV = {"TRACKOPS_USERNAME": "tops-u", "TRACKOPS_API_TOKEN": "tops-token-0b7"}
LIST = "/api/v1/case/requests"


class TrackopsVendor:
    """Trackops case requests with a fuzzy list filter (substring, any case) and scripted
    answers to POST: "apply+502", "502", "201", "apply+timeout"."""

    def __init__(self, records: list[dict[str, Any]] | None = None, posts=("201",)) -> None:
        self.records = list(records or [])
        self.posts = list(posts)
        self.requests: list[httpx.Request] = []
        self.list_status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET":
            if self.list_status != 200:
                return httpx.Response(self.list_status, json={"errors": ["list is down"]})
            wanted = request.url.params["reference_value_1"].lower()
            page, per_page = int(request.url.params["page"]), int(request.url.params["per_page"])
            found = [r for r in self.records if wanted in r["reference_value_1"].lower()]
            return httpx.Response(200, json=found[(page - 1) * per_page : page * per_page])
        what = self.posts.pop(0) if len(self.posts) > 1 else self.posts[0]
        body = json.loads(request.content)["casefile_request"]
        if what.startswith("apply") or what == "201":
            self.records.append({"id": 100 + len(self.records), **body})
        if what.endswith("timeout"):
            raise httpx.ReadTimeout("no answer")
        return httpx.Response(int(what[-3:]), json={"id": 100})


def trackops(vendor, clock: FakeClock | None = None) -> Trackops:
    settings = {**Trackops.defaults, "base_url": "http://vendor.test"}
    options = Options(clock=clock or FakeClock(), transport=httpx.MockTransport(vendor))
    return Trackops(settings, TRACKOPS_ENV, options)


REFERENCE = "ABC123-ClaimNumber"


def create_request() -> Change:
    return Change(
        f"case_requests.{REFERENCE}",
        ResourceType.CASE_REQUEST,
        None,
        Action.CREATE,
        after={"case_type_id": 1, "case_region_id": 1, "created_on": "2026-06-01"},
    )


def test_trackops_post_applied_then_502_is_sent_once_and_applied():
    """A Trackops POST that took effect but answered 502 is not sent again: the re-read shows
    the record, outcome applied, one POST."""
    vendor = TrackopsVendor(posts=["apply+502"])
    result = trackops(vendor).apply(create_request(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests) == [f"POST {LIST}", f"GET {LIST}"]
    assert result.attempts == 1
    assert result.status == 502
    assert "re-read shows the change took effect" in result.message


def test_trackops_post_applied_then_read_timeout_is_sent_once_and_applied():
    """A Trackops POST whose answer timed out after it took effect: one POST, re-read, applied."""
    vendor = TrackopsVendor(posts=["apply+timeout"])
    result = trackops(vendor).apply(create_request(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests) == [f"POST {LIST}", f"GET {LIST}"]
    assert len(vendor.records) == 1


def test_trackops_post_not_applied_502_is_sent_again_after_the_re_read():
    """A POST answered 502 without taking effect: the re-read shows nothing, so it is sent
    again; the second answer 201 makes it applied, with exactly two POSTs and one record."""
    vendor = TrackopsVendor(posts=["502", "201"])
    result = trackops(vendor).apply(create_request(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests) == [f"POST {LIST}", f"GET {LIST}", f"POST {LIST}"]
    assert result.attempts == 2
    assert result.status == 201
    assert [r["reference_value_1"] for r in vendor.records] == [REFERENCE]


def test_trackops_post_never_answered_stops_after_max_sends():
    """A POST always answered 502 without effect is sent MAX_SENDS times, each followed by a
    re-read, then fails saying so."""
    vendor = TrackopsVendor(posts=["502"])
    result = trackops(vendor).apply(create_request(), no_progress)
    assert result.outcome is Outcome.FAILED
    assert log_of(vendor.requests) == [f"POST {LIST}", f"GET {LIST}"] * MAX_SENDS
    assert f"no answer after {MAX_SENDS} sends" in result.message


def test_trackops_post_is_not_sent_again_when_the_re_read_fails():
    """After an ambiguous 502, a re-read that fails leaves the write unknown: no second POST,
    failed, telling the user to run netsync plan."""
    vendor = TrackopsVendor(posts=["502"])
    vendor.list_status = 500
    result = trackops(vendor).apply(create_request(), no_progress)
    assert result.outcome is Outcome.FAILED
    assert log_of(vendor.requests) == [f"POST {LIST}", f"GET {LIST}"]
    assert "may have reached Trackops" in result.message
    assert "run netsync plan" in result.message


# --- CaseXchange routing-rule POST, re-refer, DELETE --------------------------------------------

CX_ENV = {"CASEXCHANGE_API_KEY": "cxp_full_reads9a", "CASEXCHANGE_TOKEN": "cx-bearer-static-2b"}
RULES = "/api/public/v1/routing/rules"
RIVERA = "c3d4e5f6-7890-1abc-def2-34567890abcd"
HAWKINS = "d4e5f6a7-8901-2bcd-ef34-567890abcde0"
CASE = "3c90c3cc-0d44-4b50-8888-8dd25736052a"
REREFER = f"/api/v1/cases/{CASE}/re-refer"
SENT_CASE = f"/api/public/v1/sent-cases/{CASE}"
RULE_ID = "e4a71c9f-2b38-4d06-a9f1-7c8e350d12ab"


def envelope(data: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json={"data": data, "meta": {"requestId": "req-7"}})


def cx_error(status: int, code: str) -> httpx.Response:
    body = {"error": {"code": code, "message": code.replace("_", " ")}, "meta": {}}
    return httpx.Response(status, json=body)


class CaseXchangeVendor:
    """Routing rules and a sent case. Writes follow a script of answers: "apply+502", "502",
    "201", "409", "apply+503", "404". `stale_reads` re-reads of the case still show the state
    before the last write (a lagging read replica)."""

    def __init__(self, writes=("201",)) -> None:
        self.writes = list(writes)
        self.rules: list[dict[str, Any]] = [
            {"id": RULE_ID, "name": "Old", "conditions": [], "targetFirmId": RIVERA}
        ]
        self.referrals = [
            {"referentFirmId": HAWKINS, "status": "rejected", "createdAt": "2026-02-01T15:25Z"}
        ]
        self.shown_referrals = list(self.referrals)
        self.stale_reads = 0
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if request.method == "GET" and path == RULES:
            return envelope(self.rules)
        if request.method == "GET" and path == SENT_CASE:
            if self.stale_reads:
                self.stale_reads -= 1
            else:
                self.shown_referrals = list(self.referrals)
            latest = self.shown_referrals[-1]
            case = {"id": CASE, "status": latest["status"], "referrals": self.shown_referrals}
            return envelope(case)
        what = self.writes.pop(0) if len(self.writes) > 1 else self.writes[0]
        if what.startswith("apply") or what == "201":
            self._apply(request)
        if what == "404":
            return cx_error(404, "resource_not_found")
        if what == "409":
            return cx_error(409, "conflict")
        return envelope({"id": "x"}, int(what[-3:]))

    def _apply(self, request: httpx.Request) -> None:
        if request.method == "DELETE":
            self.rules = [r for r in self.rules if r["id"] != request.url.path.rsplit("/")[-1]]
        elif request.url.path == RULES:
            self.rules.append({"id": "new", **json.loads(request.content)})
        else:
            firm = json.loads(request.content)["referentFirmId"]
            self.referrals.append(
                {"referentFirmId": firm, "status": "sent", "createdAt": "2026-09"}
            )


def casexchange(vendor, clock: FakeClock | None = None) -> CaseXchange:
    settings = {**CaseXchange.defaults, "base_url": "http://vendor.test"}
    options = Options(clock=clock or FakeClock(), transport=httpx.MockTransport(vendor))
    return CaseXchange(settings, CX_ENV, options)


def create_rule() -> Change:
    after = {
        "conditions": [{"field": "jurisdiction", "operator": "eq", "value": "NV"}],
        "targetFirmId": RIVERA,
        "priority": 3,
        "isActive": True,
    }
    return Change("routing.rules.NV to Rivera", ResourceType.ROUTING_RULE, None, Action.CREATE,
                  after=after)  # fmt: skip


def rerefer() -> Change:
    return Change(
        f"cases.{CASE}",
        ResourceType.CASE,
        CASE,
        Action.REREFER,
        fields=["referentFirmId"],
        before={"referentFirmId": HAWKINS},
        after={"referentFirmId": RIVERA},
        write_only={"notes": "Re-routed"},
    )


def test_rule_post_applied_then_502_is_sent_once_and_applied():
    """POST /routing/rules that created the rule but answered 502: the re-read of the rule
    list shows the name, so it is applied after one POST, sent with the full X-API-Key."""
    vendor = CaseXchangeVendor(writes=["apply+502"])
    result = casexchange(vendor).apply(create_rule(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests) == [f"POST {RULES}", f"GET {RULES}"]
    assert vendor.requests[0].headers["x-api-key"] == CX_ENV["CASEXCHANGE_API_KEY"]
    assert json.loads(vendor.requests[0].content)["name"] == "NV to Rivera"
    assert [r["name"] for r in vendor.rules] == ["Old", "NV to Rivera"]


def test_rule_post_not_applied_502_is_sent_again_and_applied():
    """POST /routing/rules answered 502 without effect: no rule of that name on re-read, sent
    again, 201: applied with exactly two POSTs and one new rule."""
    vendor = CaseXchangeVendor(writes=["502", "201"])
    result = casexchange(vendor).apply(create_rule(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests) == [f"POST {RULES}", f"GET {RULES}", f"POST {RULES}"]
    assert result.attempts == 2
    assert [r["name"] for r in vendor.rules] == ["Old", "NV to Rivera"]


def test_rerefer_applied_then_502_is_sent_once_with_the_bearer_token():
    """The re-refer POST (Bearer from CASEXCHANGE_TOKEN) that took effect but answered 502:
    the case re-read shows the referral to the wanted firm, applied after one POST."""
    vendor = CaseXchangeVendor(writes=["apply+502"])
    result = casexchange(vendor).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests) == [f"POST {REREFER}", f"GET {SENT_CASE}"]
    post = vendor.requests[0]
    assert post.headers["authorization"] == f"Bearer {CX_ENV['CASEXCHANGE_TOKEN']}"
    assert json.loads(post.content) == {"referentFirmId": RIVERA, "notes": "Re-routed"}
    assert [r["referentFirmId"] for r in vendor.referrals] == [HAWKINS, RIVERA]


def test_rerefer_not_applied_502_is_sent_again_and_applied():
    """A re-refer answered 502 without effect: the re-read shows the old firm, so it is sent
    again; 201: applied with exactly two POSTs and one new referral."""
    vendor = CaseXchangeVendor(writes=["502", "201"])
    result = casexchange(vendor).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests)[:3] == [f"POST {REREFER}", f"GET {SENT_CASE}", f"POST {REREFER}"]
    assert sum(r.method == "POST" for r in vendor.requests) == 2
    assert [r["referentFirmId"] for r in vendor.referrals] == [HAWKINS, RIVERA]


def test_rerefer_conflict_after_an_ambiguous_send_is_already_applied():
    """A re-refer that took effect but answered 502, whose first re-read still showed the old
    firm (lagging read), is sent again and answered 409 conflict: re-read, the referral is
    there, recorded already_applied after two POSTs."""
    vendor = CaseXchangeVendor(writes=["apply+502", "409"])
    vendor.stale_reads = 1
    result = casexchange(vendor).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.ALREADY_APPLIED
    assert log_of(vendor.requests) == [
        f"POST {REREFER}",
        f"GET {SENT_CASE}",
        f"POST {REREFER}",
        f"GET {SENT_CASE}",
    ]
    assert result.status == 409
    assert [r["referentFirmId"] for r in vendor.referrals] == [HAWKINS, RIVERA]


def test_rerefer_answered_201_re_reads_the_case():
    """SPEC 2: "A re-refer may answer 200 or 201; netsync re-reads the case either way": a
    successful re-refer is followed by a GET of the sent case, and is applied."""
    vendor = CaseXchangeVendor(writes=["201"])
    result = casexchange(vendor).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(vendor.requests) == [f"POST {REREFER}", f"GET {SENT_CASE}"]


def test_retried_delete_answered_404_counts_as_done():
    """A DELETE that took effect but answered 503 is retried (idempotent); the retry's 404
    means the delete is done: applied (this apply deleted it), two DELETEs, not failed."""
    vendor = CaseXchangeVendor(writes=["apply+503", "404"])
    change = Change("routing.rules.Old", ResourceType.ROUTING_RULE, RULE_ID, Action.DELETE,
                    before={"targetFirmId": RIVERA})  # fmt: skip
    result = casexchange(vendor).apply(change, no_progress)
    assert log_of(vendor.requests) == [f"DELETE {RULES}/{RULE_ID}"] * 2
    assert result.status == 404
    assert result.attempts == 2
    assert vendor.rules == []
    assert result.outcome is Outcome.APPLIED


def test_delete_of_a_rule_already_gone_is_already_applied():
    """A DELETE answered 404 on its first send: someone removed the rule already:
    already_applied after one DELETE."""
    vendor = CaseXchangeVendor(writes=["404"])
    change = Change("routing.rules.Old", ResourceType.ROUTING_RULE, RULE_ID, Action.DELETE,
                    before={"targetFirmId": RIVERA})  # fmt: skip
    result = casexchange(vendor).apply(change, no_progress)
    assert result.outcome is Outcome.ALREADY_APPLIED
    assert log_of(vendor.requests) == [f"DELETE {RULES}/{RULE_ID}"]


def test_idempotent_outbound_put_is_retried_like_a_read():
    """An outbound PUT answered 503 twice is retried by the HTTP layer and applied on the
    third send, without any re-read."""
    path = f"/api/public/v1/network/outbound/{RIVERA}"
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return envelope({}, 503 if len(sent) < 3 else 200)

    change = Change("network.outbound.rivera", ResourceType.OUTBOUND, RIVERA, Action.UPDATE,
                    fields=["sendingPercentage"], before={"sendingPercentage": 33.5},
                    after={"sendingPercentage": 50})  # fmt: skip
    result = casexchange(handler).apply(change, no_progress)
    assert result.outcome is Outcome.APPLIED
    assert log_of(sent) == [f"PUT {path}"] * 3
    assert json.loads(sent[0].content) == {"sendingPercentage": 50}
    assert result.attempts == 3


# --- list_if_cheaper -------------------------------------------------------------------------


class Pages:
    """An account of `pages` pages of `per_page` items; page 0 may hold some wanted ids."""

    def __init__(self, pages: int, on_probe: list[str] = (), per_page: int = 3) -> None:
        self.pages = pages
        self.per_page = per_page
        self.on_probe = list(on_probe)
        self.read: list[int] = []

    def __call__(self, page: int) -> tuple[list[dict[str, Any]], int]:
        self.read.append(page)
        items = [{"id": f"other-{page}-{i}"} for i in range(self.per_page)]
        if page == 0:
            items += [{"id": item.upper()} for item in self.on_probe]
        return items, self.pages


def wanted(n: int) -> set[str]:
    return {f"want-{i}" for i in range(n)}


def test_list_if_cheaper_reads_only_the_probe_page_for_few_wanted():
    """Few wanted ids (the threshold) in a 50-page account: only the probe page is read; the
    rest are left to single GETs."""
    pages, kept = Pages(50), []
    list_if_cheaper(pages, wanted(PAGING_THRESHOLD), kept.append)
    assert pages.read == [0]
    assert len(kept) == 3


def test_list_if_cheaper_reads_every_page_for_many_wanted():
    """Many wanted ids (60) in a 3-page account: every page is read and every item kept."""
    pages, kept = Pages(3), []
    list_if_cheaper(pages, wanted(60), kept.append)
    assert pages.read == [0, 1, 2]
    assert len(kept) == 9


def test_list_if_cheaper_reads_no_page_below_the_threshold():
    """Fewer than PAGING_THRESHOLD wanted ids: no page is read at all."""
    pages, kept = Pages(1), []
    list_if_cheaper(pages, wanted(PAGING_THRESHOLD - 1), kept.append)
    assert pages.read == []
    assert kept == []


def test_list_if_cheaper_counts_ids_found_on_the_probe_page():
    """Ids found on the probe page (matched case-insensitively) need no single GET: 6 wanted,
    4 found on the probe, 3 more pages > 2 GETs left -> no more pages; with none found,
    3 pages < 6 GETs -> every page."""
    found = sorted(wanted(6))[:4]
    pages = Pages(4, on_probe=found)
    list_if_cheaper(pages, wanted(6), lambda item: None)
    assert pages.read == [0]
    pages = Pages(4)
    list_if_cheaper(pages, wanted(6), lambda item: None)
    assert pages.read == [0, 1, 2, 3]


# --- Trackops exact match ------------------------------------------------------------------------


def case_request(reference: str = REFERENCE) -> Resource:
    return Resource(f"case_requests.{reference}", ResourceType.CASE_REQUEST, reference, None, {})


def test_trackops_ignores_fuzzy_matches_of_the_reference():
    """The list filter may be fuzzy: records whose reference_value_1 differs (a suffix, other
    case) are ignored; the exact one is the live record, matches 1."""
    vendor = TrackopsVendor(
        records=[
            {"id": 1, "reference_value_1": "ABC123-ClaimNumber-2", "notes": "suffix"},
            {"id": 2, "reference_value_1": "abc123-claimnumber", "notes": "lower"},
            {"id": 3, "reference_value_1": REFERENCE, "notes": "exact"},
        ]
    )
    live = trackops(vendor).read(case_request())
    assert live.exists
    assert live.id == "3"
    assert live.matches == 1
    assert live.fields["notes"] == "exact"


def test_trackops_only_fuzzy_matches_means_absent():
    """Only near-misses of the reference: the record does not exist (a create), matches 0."""
    vendor = TrackopsVendor(records=[{"id": 1, "reference_value_1": "ABC123-CLAIMNUMBER"}])
    live = trackops(vendor).read(case_request())
    assert not live.exists
    assert live.matches == 0


def test_trackops_two_exact_matches_are_counted():
    """Two records with exactly the reference: LiveResource.matches == 2 (a plan error)."""
    vendor = TrackopsVendor(
        records=[
            {"id": 1, "reference_value_1": REFERENCE},
            {"id": 2, "reference_value_1": "ABC123-ClaimNumber-2"},
            {"id": 3, "reference_value_1": REFERENCE},
        ]
    )
    assert trackops(vendor).read(case_request()).matches == 2


def test_trackops_exact_match_on_a_later_page_is_found():
    """A full first page of fuzzy matches (100) makes the reader ask for page 2, where the
    exact record is."""
    fuzzy = [{"id": i, "reference_value_1": f"{REFERENCE}-{i}"} for i in range(100)]
    vendor = TrackopsVendor(records=[*fuzzy, {"id": 999, "reference_value_1": REFERENCE}])
    live = trackops(vendor).read(case_request())
    assert live.id == "999"
    assert [r.url.params["page"] for r in vendor.requests] == ["1", "2"]


# --- read_live: one failure reported once ---------------------------------------------------------


@pytest.mark.parametrize("parallelism", [1, 4])
def test_read_live_spells_out_a_repeated_vendor_error_once(parallelism):
    """Every resource failing with the same vendor error (vendor down) is named, none vanishes
    from the plan; the message is spelled out once, on the first resource in config order, and
    the others point at it."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"errors": ["database unavailable"]})

    provider = trackops(handler)
    resources = [case_request(f"REF-{i}") for i in range(4)]  # too few to list the account
    read = read_live({"trackops": provider}, resources, parallelism=parallelism)
    assert [(d.address, d.message) for d in read.errors] == [
        ("case_requests.REF-0", "Trackops: GET /api/v1/case/requests: 500: database unavailable"),
        *[
            (f"case_requests.REF-{i}", "not read: the same failure as case_requests.REF-0")
            for i in range(1, 4)
        ],
    ]
    assert read.live == {}


def test_read_live_keeps_different_errors():
    """Different failures on different resources are each reported."""

    def handler(request: httpx.Request) -> httpx.Response:
        reference = request.url.params["reference_value_1"]
        return httpx.Response(422, json={"errors": [f"bad reference {reference}"]})

    resources = [case_request(f"REF-{i}") for i in range(3)]
    read = read_live({"trackops": trackops(handler)}, resources, parallelism=2)
    assert [(d.address, d.message) for d in read.errors] == [
        (
            f"case_requests.REF-{i}",
            f"Trackops: GET /api/v1/case/requests: 422: bad reference REF-{i}",
        )
        for i in range(3)
    ]


# --- accepted writes whose confirming re-read fails, and a refused wait (review findings) ------


def test_rerefer_accepted_but_not_shown_by_the_re_read_is_unconfirmed():
    """A 201 whose re-read still shows the old referral is `unconfirmed`, never `applied` or
    `failed`: the vendor accepted it; the operator is told to check."""
    vendor = CaseXchangeVendor(writes=["201"])
    vendor.stale_reads = 5
    result = casexchange(vendor).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.UNCONFIRMED
    assert result.message == "answered 201, but a re-read does not show the change"


def test_rerefer_accepted_whose_re_read_fails_is_unconfirmed():
    """A 201 whose confirming GET fails (500s) is `unconfirmed` with the re-read's error."""

    class Failing(CaseXchangeVendor):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            if request.method == "GET" and request.url.path == SENT_CASE:
                self.requests.append(request)
                return cx_error(500, "internal_error")
            return super().__call__(request)

    result = casexchange(Failing(writes=["201"])).apply(rerefer(), no_progress)
    assert result.outcome is Outcome.UNCONFIRMED
    assert result.message.startswith("answered 201; the re-read that would confirm it failed:")


def test_a_write_refused_by_a_too_long_wait_reports_the_429():
    """A 429 demanding more than --max-wait fails the write at once; the report item keeps
    the status of the last answer (429), not null."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "500"}, json={"errors": ["slow"]})

    settings = {**Trackops.defaults, "base_url": "http://vendor.test"}
    options = Options(clock=FakeClock(), transport=httpx.MockTransport(handler), max_wait=5)
    provider = Trackops(settings, TRACKOPS_ENV, options)
    result = provider.apply(create_request(), no_progress)
    assert result.outcome is Outcome.FAILED
    assert result.status == 429
    assert "more than --max-wait 5 s" in result.message


def test_vendor_pacing_keeps_one_request_of_the_burst_in_reserve():
    """Trackops allows 2/s with bursts of 2. netsync sends 1 at once, then one every 0.5 s:
    two requests exactly paced here can arrive closer together after network jitter, and
    the vendor's spare token absorbs that instead of answering 429."""
    clock = FakeClock()
    vendor = TrackopsVendor()
    client = trackops(vendor, clock).client
    for _ in range(3):
        client.request(
            "GET",
            "/api/v1/case/requests",
            params={"page": 1, "per_page": 100, "reference_value_1": "x"},
        )
    assert [round(s, 3) for s in clock.sleeps] == [0.5, 0.5]
