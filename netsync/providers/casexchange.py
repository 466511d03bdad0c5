"""CaseXchange: network relationships, routing rules (public API, X-API-Key) and case routing
(sent-cases read with the key; the re-refer write uses the internal API's Bearer token).

Quirks kept here: the `{data, meta}` envelope, relationship settings nested under
`relationship`, inbound status derived from `/network/pending` and `inNetwork`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from netsync.http import VendorClient
from netsync.model import Resource, ResourceType
from netsync.providers.base import (
    PAGING_THRESHOLD,
    LiveResource,
    Once,
    Provider,
    ReadResult,
    fail,
    list_if_cheaper,
    make_client,
    require_env,
)

PUBLIC = "/api/public/v1"
RELATIONSHIP_FIELDS = (
    "description",
    "sendingPercentage",
    "daysForUnderEvaluation",
    "daysForInvestigating",
    "referralInstructions",
)
RULE_FIELDS = ("conditions", "targetFirmId", "priority", "isActive")
CASES_PAGE = 100  # the vendor's maximum page size


class CaseXchange(Provider):
    name = "casexchange"

    def __init__(self, settings: Mapping[str, Any], env: Mapping[str, str]) -> None:
        self.settings = settings
        self.env = env
        self.client: VendorClient = make_client(
            "CaseXchange", settings, default_rate=None, burst=None
        )
        self.client.auth = self._api_key_header
        self._key = Once(
            lambda: require_env(
                "CaseXchange", env, settings.get("api_key_env"), "the CaseXchange API key"
            )
        )
        self._pending = Once(self._read_pending)
        self._result = ReadResult()
        self._lock = threading.Lock()
        self.want_rules = False  # routing declared: read the rules even if none are listed
        self.want_pending = False  # network declared: the pending policy needs the requests
        self._listed_cases: dict[str, dict[str, Any]] = {}

    def _api_key_header(self, headers: dict[str, str]) -> None:
        headers["X-API-Key"] = self._key.get()

    def _get(self, path: str, *, missing_ok: bool = False) -> Any:
        response = self.client.request("GET", f"{PUBLIC}{path}")
        with self._lock:
            self._result.requests += 1
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code != 200:
            raise fail("CaseXchange", "GET", f"{PUBLIC}{path}", response)
        return response.json().get("data")

    # --- account-wide reads -------------------------------------------------------------

    def prefetch(self, desired: list[Resource]) -> list[Callable[[], None]]:
        types = {r.type for r in desired}
        tasks: list[Callable[[], None]] = [self._read_me]
        if types & {ResourceType.OUTBOUND, ResourceType.INBOUND} or self.want_pending:
            tasks.append(self._pending.get)
        if ResourceType.ROUTING_RULE in types or self.want_rules:
            tasks.append(self._read_rules)
        cases = {(r.id or "").lower() for r in desired if r.type is ResourceType.CASE}
        if len(cases) >= PAGING_THRESHOLD:
            tasks.append(lambda: list_if_cheaper(self._cases_page, cases, self._keep_case))
        return tasks

    def _cases_page(self, page: int) -> tuple[list[dict[str, Any]], int]:
        response = self.client.request(
            "GET", f"{PUBLIC}/sent-cases", params={"page": page + 1, "limit": CASES_PAGE}
        )
        with self._lock:
            self._result.requests += 1
        if response.status_code != 200:
            raise fail("CaseXchange", "GET", f"{PUBLIC}/sent-cases", response)
        body = response.json()
        return body.get("data") or [], (body.get("pagination") or {}).get("totalPages") or 0

    def _keep_case(self, item: dict[str, Any]) -> None:
        # A list item carries the latest referral's firm (receivingFirmId) and the case status.
        self._name(item.get("receivingFirmId"), item.get("receivingFirmName"))
        with self._lock:
            self._listed_cases[str(item.get("id", "")).lower()] = item

    def _read_me(self) -> None:
        me = self._get("/firms/me") or {}
        self._result.targets = {
            "base_url": self.client.base_url,
            "firm": {"id": me.get("id"), "name": me.get("name")},
        }

    def _read_pending(self) -> list[dict[str, Any]]:
        pending = self._get("/network/pending") or []
        self._result.pending = pending
        for entry in pending:
            self._name(entry.get("firmId"), entry.get("firmName"))
        return pending

    def _read_rules(self) -> None:
        rules = []
        for rule in self._get("/routing/rules") or []:
            rules.append(
                {
                    "id": rule.get("id"),
                    "name": rule.get("name"),
                    "fields": {name: rule.get(name) for name in RULE_FIELDS},
                }
            )
        self._result.routing_rules = rules

    def _name(self, firm_id: str | None, name: str | None) -> None:
        if firm_id and name:
            with self._lock:
                self._result.firm_names[firm_id.lower()] = name

    # --- per-resource reads ---------------------------------------------------------------

    def read(self, resource: Resource) -> LiveResource:
        readers = {
            ResourceType.OUTBOUND: self._read_outbound,
            ResourceType.INBOUND: self._read_inbound,
            ResourceType.ROUTING_RULE: self._read_rule,
            ResourceType.CASE: self._read_case,
        }
        return readers[resource.type](resource)

    def _relationship(self, direction: str, resource: Resource) -> tuple[Any, LiveResource]:
        data = self._get(f"/network/{direction}/{resource.id}", missing_ok=True)
        if data is None:
            return None, LiveResource(resource.address, exists=False, id=resource.id)
        self._name(data.get("firmId"), data.get("firmName"))
        relationship = data.get("relationship") or {}
        live = LiveResource(
            resource.address,
            exists=True,
            id=data.get("firmId") or resource.id,
            fields={name: relationship.get(name) for name in RELATIONSHIP_FIELDS},
        )
        return data, live

    def _pending_for(self, firm_id: str | None, direction: str) -> bool:
        return any(
            (p.get("firmId") or "").lower() == (firm_id or "").lower()
            and p.get("direction") == direction
            for p in self._pending.get()
        )

    def _read_outbound(self, resource: Resource) -> LiveResource:
        data, live = self._relationship("outbound", resource)
        awaiting = self._pending_for(resource.id, "outbound")
        if data is not None:
            live.awaiting_acceptance = data.get("inNetwork") is False or awaiting
        elif awaiting:  # requested but not visible yet: it exists, it must not be created again
            live.exists = True
            live.awaiting_acceptance = True
        return live

    def _read_inbound(self, resource: Resource) -> LiveResource:
        data, live = self._relationship("inbound", resource)
        if self._pending_for(resource.id, "inbound"):
            live.exists = True
            live.status = "pending"
        elif data is not None:
            live.status = "active" if data.get("inNetwork") else "inactive"
        if live.exists:
            live.fields = {
                "status": live.status,
                "description": live.fields.get("description"),
                "referralInstructions": live.fields.get("referralInstructions"),
            }
        return live

    def _read_rule(self, resource: Resource) -> LiveResource:
        # Matched by the planner from the one list read in prefetch: no request per rule.
        return LiveResource(resource.address, exists=False)

    def _read_case(self, resource: Resource) -> LiveResource:
        listed = self._listed_cases.get((resource.id or "").lower())
        if listed is not None:
            return LiveResource(
                resource.address,
                exists=True,
                id=listed.get("id"),
                fields={"referentFirmId": listed.get("receivingFirmId")},
                status=listed.get("status"),
            )
        data = self._get(f"/sent-cases/{resource.id}", missing_ok=True)
        if data is None:
            return LiveResource(resource.address, exists=False, id=resource.id)
        referrals = sorted(data.get("referrals") or [], key=lambda r: r.get("createdAt") or "")
        latest = referrals[-1] if referrals else None
        for referral in referrals:
            self._name(referral.get("referentFirmId"), referral.get("referentFirmName"))
        return LiveResource(
            resource.address,
            exists=True,
            id=data.get("id") or resource.id,
            fields={"referentFirmId": latest.get("referentFirmId") if latest else None},
            status=data.get("status") or (latest or {}).get("status"),
        )

    def result(self) -> ReadResult:
        return self._result

    def close(self) -> None:
        self.client.close()
