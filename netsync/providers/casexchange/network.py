"""CaseXchange network relationships: outbound (firms we send to), inbound (firms that send to
us) and pending requests.

Quirks kept here: relationship settings nested under `relationship`; inbound status derived from
`/network/pending` and `inNetwork`; an outbound request the other firm has not accepted exists
(it is updated, never created again); the outbound POST is an upsert, so it is safe to repeat.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netsync.kinds import Action
from netsync.model import Change, LiveResource, Resource, ResourceType
from netsync.providers.base import Once, Prefetch, Write

if TYPE_CHECKING:
    from netsync.providers.casexchange import CaseXchange

PUBLIC = "/api/public/v1"
RELATIONSHIP_FIELDS = (
    "description",
    "sendingPercentage",
    "daysForUnderEvaluation",
    "daysForInvestigating",
    "referralInstructions",
)
INBOUND_FIELDS = ("status", "description", "referralInstructions")


class Network:
    def __init__(self, cx: CaseXchange) -> None:
        self.cx = cx
        self._pending = Once(self._read_pending)
        self._pending_keys = Once(self._index_pending)

    def prefetch(self, desired: list[Resource]) -> list[Prefetch]:
        if desired or self.cx.discovers(ResourceType.INBOUND):
            kinds = frozenset({ResourceType.OUTBOUND, ResourceType.INBOUND})
            return [Prefetch(self._pending.get, kinds)]
        return []

    def _read_pending(self) -> list[dict[str, Any]]:
        pending = self.cx.get("/network/pending", want=list)
        requests = []
        for entry in pending:
            firm_id = (entry.get("firmId") or "").lower()
            self.cx.name_firm(firm_id, entry.get("firmName"))
            if entry.get("direction") == "inbound" and firm_id:
                requests.append(
                    LiveResource(
                        ResourceType.INBOUND.address(firm_id),
                        exists=True,
                        id=firm_id,
                        key=firm_id,
                        fields={"status": "pending"},
                        status="pending",
                    )
                )
        if self.cx.discovers(ResourceType.INBOUND):
            self.cx.result().discovered[ResourceType.INBOUND] = requests
        return pending

    def _index_pending(self) -> frozenset[tuple[str, str]]:
        """(firm id, direction) of every pending request, so each read looks its firm up
        instead of scanning them all (thousands of reads times hundreds of requests)."""
        return frozenset(
            ((p.get("firmId") or "").lower(), p["direction"])
            for p in self._pending.get()
            if isinstance(p.get("direction"), str)  # no other value equals a direction
        )

    def _pending_for(self, firm_id: str | None, direction: str) -> bool:
        return ((firm_id or "").lower(), direction) in self._pending_keys.get()

    def _relationship(self, direction: str, address: str, firm_id: str | None):
        data = self.cx.get(f"/network/{direction}/{firm_id}", missing_ok=True)
        if data is None:
            return None, LiveResource(address, exists=False, id=firm_id)
        self.cx.name_firm(data.get("firmId"), data.get("firmName"))
        if direction == "outbound":
            self.cx.reference.remember_profile(data.get("firmId") or firm_id, data)
        relationship = data.get("relationship") or {}
        live = LiveResource(
            address,
            exists=True,
            id=data.get("firmId") or firm_id,
            fields={name: relationship.get(name) for name in RELATIONSHIP_FIELDS},
        )
        return data, live

    def read(self, resource: Resource) -> LiveResource:
        if resource.type is ResourceType.OUTBOUND:
            return self._read_outbound(resource)
        return self._read_inbound(resource)

    def _read_outbound(self, resource: Resource) -> LiveResource:
        data, live = self._relationship("outbound", resource.address, resource.id)
        awaiting = self._pending_for(resource.id, "outbound")
        if data is not None:
            live.awaiting_acceptance = data.get("inNetwork") is False or awaiting
        elif awaiting:  # requested but not visible yet: it exists, it must not be created again
            live.exists = True
            live.awaiting_acceptance = True
        else:
            self.cx.reference.not_in_network(resource.id)
        return live

    def _read_inbound(self, resource: Resource) -> LiveResource:
        data, live = self._relationship("inbound", resource.address, resource.id)
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

    # --- writes: all idempotent (PUT, and the outbound POST is an upsert) -----------------------

    def prepare(self, change: Change) -> Write:
        after = change.after or {}
        changed = {name: after.get(name) for name in change.fields}
        if change.type is ResourceType.OUTBOUND:
            path = f"{PUBLIC}/network/outbound/{change.id}"
            if change.action is Action.CREATE:
                return Write("POST", path, body=dict(after))
            return Write("PUT", path, body=changed)
        path = f"{PUBLIC}/network/inbound/{change.id}"
        if (change.before or {}).get("status") == "pending":
            return Write("PUT", path, body=dict(after))  # answer the request and configure it
        return Write("PUT", path, body=changed)

    def took_effect(self, change: Change) -> bool:
        raise NotImplementedError("network writes are idempotent: they are retried, not re-read")
