"""Trackops case requests.

Quirks kept here: HTTP Basic with user `<username>/token`; bare JSON arrays for lists; records
found by exact `reference_value_1` (the list filter may be fuzzy); bodies nested under
`casefile_request`; `client`/`contact` sent whole (the live object with the declared subfields
applied); fields PUT does not accept are create-only; the POST is not safe to repeat.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from netsync.compare import FieldRules
from netsync.http import Headers, Secrets, VendorError, public_url
from netsync.kinds import LABELS, Action, split_address
from netsync.model import Change, LiveResource, Resource, ResourceType
from netsync.providers.answers import absent, decode, fail
from netsync.providers.base import (
    PAGING_THRESHOLD,
    Options,
    Prefetch,
    Provider,
    Write,
    make_client,
    require_env,
)

VENDOR = LABELS["trackops"]
API = "/api/v1/case/requests"
PER_PAGE = 100
MAX_PAGES = 20  # a reference matching more than 2,000 records is a data problem, not a page
RULES = FieldRules(
    unordered=frozenset({"case_services_list", "case_flags_list"}),
    # Sent whole (the vendor rejects partial objects) but managed per declared subfield.
    whole_objects=frozenset({"client", "contact"}),
    keyed_lists={"custom_fields": "id"},
    # PUT does not accept these: they are set on create; a later difference is only a warning.
    create_only=frozenset(
        {"case_type_id", "case_region_id", "budget_money", "budget_hours", "subjects"}
    ),
)


class Trackops(Provider):
    name = "trackops"
    label = VENDOR
    field_rules = {ResourceType.CASE_REQUEST: RULES}
    defaults = {
        "base_url": None,  # no default: required when case_requests are declared
        "username_env": "TRACKOPS_USERNAME",
        "token_env": "TRACKOPS_API_TOKEN",
        "timeout": 30,
        "concurrency": None,
        "rate_limit": 2,
    }
    url_variables = {"base_url": "NETSYNC_TRACKOPS_URL"}
    base_url_example = "https://acme.viewcases.com"
    hints = {
        401: " (check TRACKOPS_USERNAME and TRACKOPS_API_TOKEN)",
        403: " (the user lacks the permission for this call)",
    }

    def __init__(
        self, settings: Mapping[str, Any], env: Mapping[str, str], options: Options
    ) -> None:
        super().__init__(settings, env, options)
        self.client = make_client(VENDOR, settings, options, default_rate=2, burst=2)
        self.client.credential = Headers(self._basic)
        self._result.endpoints = {"base_url": public_url(self.client.base_url)}
        self._listed: dict[str, list[dict[str, Any]]] = {}  # reference -> records (account list)
        self._complete = False

    def _basic(self) -> dict[str, str]:
        user = require_env(VENDOR, self.env, self.settings.get("username_env"), "the username")
        token = require_env(VENDOR, self.env, self.settings.get("token_env"), "the API token")
        basic = base64.b64encode(f"{user}/token:{token}".encode()).decode()
        Secrets.add(basic)
        return {"Authorization": f"Basic {basic}"}

    def _get_list(self, params: Mapping[str, Any], want: type = list) -> Any:
        response = self.client.request("GET", API, params=params)
        self.counted()
        if response.status_code != 200:
            raise fail(VENDOR, "GET", API, response, self.hints)
        body = decode(VENDOR, "GET", API, response, want)
        if want is list and not all(isinstance(r, dict) for r in body):
            raise VendorError(VENDOR, f"GET {API}: 200: unexpected answer: not a list of records")
        return body

    def _records(self, reference: str) -> list[dict[str, Any]]:
        """Every record whose `reference_value_1` is exactly `reference` (the vendor's filter
        may match more loosely)."""
        records: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            params = {"reference_value_1": reference, "page": page, "per_page": PER_PAGE}
            batch = self._get_list(params)
            records += [r for r in batch if r.get("reference_value_1") == reference]
            if len(batch) < PER_PAGE:
                break
        return records

    def prefetch(self, desired: list[Resource]) -> list[Prefetch]:
        references = {r.key for r in desired}
        if len(references) < PAGING_THRESHOLD or not self.lists():
            return []
        read = lambda: self._list_account(references)  # noqa: E731
        return [Prefetch(read, frozenset({ResourceType.CASE_REQUEST}))]

    def _list_account(self, references: set[str]) -> None:
        """Page through the whole account when that takes fewer requests than one GET per
        reference: one count request says how many pages there are."""
        count = self._get_list({"mode": "count", "per_page": PER_PAGE}, want=dict)
        pages = count.get("page_count")
        if not isinstance(pages, int) or isinstance(pages, bool) or pages < 0:
            raise VendorError(VENDOR, f"GET {API}?mode=count: 200: unexpected answer: {count!r}")
        if pages > len(references):
            return  # single GETs are cheaper
        seen: set[Any] = set()
        for page in range(1, pages + 1):
            for record in self._get_list({"page": page, "per_page": PER_PAGE}):
                reference = record.get("reference_value_1")
                if reference in references and record.get("id") not in seen:
                    seen.add(record.get("id"))  # a record shifted onto the next page: once
                    self._listed.setdefault(reference, []).append(record)
        self._complete = True

    def read(self, resource: Resource) -> LiveResource:
        records = self._listed.get(resource.key) if self._complete else None
        if not records:  # not listed, or missing from the listing: its own GET decides
            records = self._records(resource.key)
        if not records:
            return LiveResource(resource.address, exists=False, matches=0)
        record = records[0]
        _check_record(record)
        return LiveResource(
            resource.address,
            exists=True,
            id=str(record["id"]) if record.get("id") is not None else None,
            fields=dict(record),
            matches=len(records),
        )

    # --- writes --------------------------------------------------------------------------------

    def prepare(self, change: Change) -> Write:
        after = change.after or {}
        if change.action is Action.CREATE:
            reference = split_address(change.address)[1]
            body = {"reference_value_1": reference, **after}
            return Write("POST", API, body={"casefile_request": body}, idempotent=False)
        changed = {field.split(".")[0] for field in change.fields}
        path = f"{API}/{change.id}"
        live = self._get(path) if changed & RULES.whole_objects else {}
        body: dict[str, Any] = {}
        for name in sorted(changed):
            if name in RULES.whole_objects:
                current = live.get(name) if isinstance(live.get(name), dict) else {}
                body[name] = {**current, **after.get(name, {})}
            elif name in RULES.keyed_lists:
                key = RULES.keyed_lists[name]
                keys = {p.split(".", 1)[1] for p in change.fields if p.startswith(f"{name}.")}
                body[name] = [i for i in after.get(name) or [] if str(i.get(key)) in keys]
            else:
                body[name] = after.get(name)
        return Write("PUT", path, body={"casefile_request": body})

    def _get(self, path: str) -> dict[str, Any]:
        response = self.client.request("GET", path)
        self.counted()
        if absent(response):
            raise VendorError(VENDOR, f"case request {path.rsplit('/', 1)[1]} no longer exists")
        if response.status_code != 200:
            raise fail(VENDOR, "GET", path, response, self.hints)
        record = decode(VENDOR, "GET", path, response, dict)
        _check_record(record)
        return record

    def took_effect(self, change: Change) -> bool:
        """A create shows as a record with its reference; nothing else is re-read."""
        reference = split_address(change.address)[1]
        return bool(self._records(reference))


def _check_record(record: dict[str, Any]) -> None:
    """Objects sent whole must be objects, keyed lists lists of objects: a record of another
    shape would be written back rebuilt from nothing."""
    for name in RULES.whole_objects:
        if record.get(name) is not None and not isinstance(record[name], dict):
            raise VendorError(VENDOR, f"{API}: unexpected answer: {name} is not an object")
    for name in RULES.keyed_lists:
        value = record.get(name)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            raise VendorError(VENDOR, f"{API}: unexpected answer: {name} is not a list of objects")
