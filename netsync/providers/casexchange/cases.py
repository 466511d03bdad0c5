"""CaseXchange case routing: sent cases read with the API key (single GETs, or the paged list
when that is fewer requests); a re-referral is the internal API's POST with the Bearer token,
not safe to repeat, so after a lost answer the case is re-read before anything is sent again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netsync.compare import equal
from netsync.model import Change, LiveResource, Resource, ResourceType
from netsync.providers.base import PAGING_THRESHOLD, Prefetch, Write, list_if_cheaper

if TYPE_CHECKING:
    from netsync.providers.casexchange import CaseXchange

PUBLIC = "/api/public/v1"
RE_REFER = "/api/v1/cases/{id}/re-refer"
PAGE_SIZE = 100  # the vendor's maximum page size
REREFERABLE = ("rejected", "withdrawn")  # the vendor refuses to re-refer any other status


class Cases:
    def __init__(self, cx: CaseXchange) -> None:
        self.cx = cx
        self._listed: dict[str, dict[str, Any]] = {}

    def prefetch(self, desired: list[Resource]) -> list[Prefetch]:
        cases = {(r.id or "").lower() for r in desired}
        if len(cases) < PAGING_THRESHOLD or not self.cx.lists():
            return []
        read = lambda: list_if_cheaper(self._page, cases, self._keep)  # noqa: E731
        return [Prefetch(read, frozenset({ResourceType.CASE}))]

    def _page(self, page: int) -> tuple[list[dict[str, Any]], int]:
        body = self.cx.get("/sent-cases", want=list, params={"page": page + 1, "limit": PAGE_SIZE})
        return body["data"], int((body.get("pagination") or {}).get("totalPages") or 0)

    def _keep(self, item: dict[str, Any]) -> None:
        # A list item carries the latest referral's firm (receivingFirmId) and the case status.
        self.cx.name_firm(item.get("receivingFirmId"), item.get("receivingFirmName"))
        self._listed[str(item.get("id", "")).lower()] = item

    def read(self, resource: Resource) -> LiveResource:
        listed = self._listed.get((resource.id or "").lower())
        if listed is not None:
            firm_id, status = listed.get("receivingFirmId"), listed.get("status")
            wanted = resource.fields.get("referentFirmId")
            if not equal(firm_id, wanted):  # a re-referral: checked later
                self.cx.reference.early_case_facts(resource.id, wanted)
            return _live(resource.address, listed.get("id"), firm_id, status)
        return self._read_one(resource.address, resource.id)

    def _read_one(self, address: str, case_id: str | None) -> LiveResource:
        data = self.cx.get(f"/sent-cases/{case_id}", missing_ok=True)
        if data is None:
            return LiveResource(address, exists=False, id=case_id)
        self.cx.reference.remember_case(case_id, data)
        referrals = sorted(data.get("referrals") or [], key=lambda r: r.get("createdAt") or "")
        latest = referrals[-1] if referrals else {}
        for referral in referrals:
            self.cx.name_firm(referral.get("referentFirmId"), referral.get("referentFirmName"))
        status = data.get("status") or latest.get("status")
        return _live(address, data.get("id") or case_id, latest.get("referentFirmId"), status)

    # --- the re-referral ------------------------------------------------------------------------

    def prepare(self, change: Change) -> Write:
        body = {"referentFirmId": (change.after or {}).get("referentFirmId"), **change.write_only}
        return Write(
            "POST",
            RE_REFER.format(id=change.id),
            body=body,
            idempotent=False,
            credential=self.cx.bearer,
            verify=True,
        )

    def took_effect(self, change: Change) -> bool:
        """The case's latest referral is to the wanted firm (a fresh read, never the list)."""
        live = self._read_one(change.address, change.id)
        wanted = (change.after or {}).get("referentFirmId")
        return live.exists and equal(wanted, live.fields.get("referentFirmId"))


def _live(address: str, case_id: Any, firm_id: Any, status: Any) -> LiveResource:
    blocked = None
    if firm_id is None:
        blocked = (
            f"the case has never been referred (status {status!r}): netsync only re-refers cases"
        )
    elif status not in REREFERABLE:
        blocked = f"the case is {status!r}: CaseXchange re-refers only rejected or withdrawn cases"
    return LiveResource(
        address,
        exists=True,
        id=case_id,
        fields={"referentFirmId": firm_id},
        status=status,
        blocked=blocked,
    )
