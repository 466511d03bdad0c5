"""CaseXchange firms (public API, read_only key): GET /firms/me, GET /firms/{id} and the paged
GET /firms/available. Envelopes, paging helpers and the router live in casexchange.py.

Shapes follow openapi.yml: `/firms/me` and `/firms/{id}` answer the `Firm` schema, the list
items of `/firms/available` are `AvailableFirm`. Who counts as "private network" and "public
directory" is a sandbox assumption (docs/sandbox.md, "Assumptions where the vendors are silent").
"""

from __future__ import annotations

from typing import Any

from .casetypes import display_names
from .casexchange import err, invalid, ok, page_params, paginate
from .util import Request, Response

FIRM_CONTACT_FIELDS = ("phone", "address", "city", "state", "zip", "website")
DEFAULT_CREATED_AT = "2024-01-02T09:00:00.000Z"
DEFAULT_UPDATED_AT = "2026-01-02T09:00:00.000Z"
AVAILABLE_DEFAULT_LIMIT = 25  # the endpoint's own default; info.description's 20 is generic
SOURCES = ("network", "directory")


def firm_record(firm: dict[str, Any]) -> dict[str, Any]:
    """A world firm (ours or another) in openapi.yml's `Firm` shape."""
    out: dict[str, Any] = {"id": firm["id"], "name": firm.get("name")}
    out.update({k: firm.get(k) for k in FIRM_CONTACT_FIELDS})
    out.update(
        isInternal=False,
        createdAt=firm.get("createdAt") or DEFAULT_CREATED_AT,
        updatedAt=firm.get("updatedAt") or DEFAULT_UPDATED_AT,
    )
    return out


def _firms_me(req: Request, world: Any) -> Response:
    return ok(firm_record(world.data["me"]))


def _get_firm(req: Request, world: Any, firm: str) -> Response:
    found = world.firm(firm)
    if found is None:
        return err(404, "resource_not_found", f"Firm {firm} not found")
    return ok(firm_record(found))


# --- /firms/available -----------------------------------------------------------------------
def in_private_network(world: Any, fid: str) -> bool:
    """A firm we can send referrals to through our private network: an outbound relationship
    the other firm has accepted (`inNetwork: true`)."""
    entry = world.data["outbound"].get(fid)
    return bool(entry and entry.get("inNetwork"))


def in_public_directory(firm: dict[str, Any]) -> bool:
    return firm.get("directory", True) is not False


def available_source(world: Any, firm: dict[str, Any]) -> str | None:
    """AvailableFirm.source for a firm, or None when the firm is not available to us."""
    return source_of(in_private_network(world, firm["id"]), in_public_directory(firm))


def source_of(network: bool, directory: bool) -> str | None:
    if network and directory:
        return "both"
    if network:
        return "private_network"
    return "public_directory" if directory else None


def referral_instructions(world: Any, firm: dict[str, Any]) -> str | None:
    """Our relationship's referral instructions when the firm is in our private network and we
    have set some, else the firm's general ones (AvailableFirm, routing assignments)."""
    network = in_private_network(world, firm["id"])
    entry = world.data["outbound"].get(firm["id"]) if network else None
    instructions = ((entry or {}).get("relationship") or {}).get("referralInstructions")
    if instructions is None:
        instructions = firm.get("generalReferralInstructions")
    return instructions


def available_item(world: Any, firm: dict[str, Any], source: str) -> dict[str, Any]:
    """One `AvailableFirm`: the firm's profile (case types as the table's display names), and
    the relationship's referral instructions when we have set some, else the firm's general
    ones."""
    return {
        "id": firm["id"],
        "name": firm.get("name"),
        "description": firm.get("description"),
        "jurisdictions": list(firm.get("jurisdictions") or []),
        "caseTypes": display_names(world.data, firm.get("caseTypes")),
        "referralInstructions": referral_instructions(world, firm),
        "source": source,
    }


def _wanted(source: str, query_source: str | None) -> bool:
    if query_source == "network":
        return source in ("private_network", "both")
    if query_source == "directory":
        return source in ("public_directory", "both")
    return True


def _list_available(req: Request, world: Any) -> Response:
    q = req.query
    paging = page_params(q, AVAILABLE_DEFAULT_LIMIT)
    if isinstance(paging, Response):
        return paging
    query_source = q.get("source")
    if query_source is not None and query_source not in SOURCES:
        return invalid("source", f"must be one of {', '.join(SOURCES)}")
    needle = q.get("search", "").casefold()
    me = world.data["me"]["id"]
    # Every page filters and sorts the whole directory (tens of thousands of firms at the
    # benchmark's largest scale): light work per firm, and items built for the page only.
    matched = []  # (name, id, source)
    for fid, stored in world.data["firms"].items():
        name = str(stored.get("name") or "").casefold()
        if fid == me or needle not in name:
            continue
        source = source_of(in_private_network(world, fid), in_public_directory(stored))
        if source is not None and _wanted(source, query_source):
            matched.append((name, fid, source))
    matched.sort()
    chunk, pagination = paginate(matched, *paging)
    firms = world.data["firms"]
    items = [available_item(world, {**firms[fid], "id": fid}, source) for _, fid, source in chunk]
    return ok(items, pagination=pagination)
