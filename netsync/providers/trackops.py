"""Trackops case requests. Quirks kept here: HTTP Basic with user `<username>/token`, bare JSON
arrays for lists, records found by exact `reference_value_1` (the list filter may be fuzzy)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from typing import Any

from netsync.http import VendorClient
from netsync.model import Resource
from netsync.providers.base import (
    LiveResource,
    Once,
    Provider,
    ReadResult,
    fail,
    make_client,
    require_env,
)

API = "/api/v1/case/requests"
# PUT does not accept these: they are set on create; a later difference is only a warning.
CREATE_ONLY_FIELDS = ("case_type_id", "case_region_id", "budget_money", "budget_hours", "subjects")
# Sent whole (the vendor rejects partial objects) but managed per declared subfield.
WHOLE_OBJECT_FIELDS = ("client", "contact")
PER_PAGE = 100
MAX_PAGES = 20  # a reference matching more than 2,000 records is a data problem, not a page


class Trackops(Provider):
    name = "trackops"

    def __init__(self, settings: Mapping[str, Any], env: Mapping[str, str]) -> None:
        self.settings = settings
        self.client: VendorClient = make_client("Trackops", settings, default_rate=2, burst=2)
        self.client.auth = self._headers
        self._basic = Once(lambda: self._credentials(env))
        self._result = ReadResult(targets={"base_url": self.client.base_url})
        self._lock = threading.Lock()

    def _credentials(self, env: Mapping[str, str]) -> str:
        user = require_env("Trackops", env, self.settings.get("username_env"), "the username")
        token = require_env("Trackops", env, self.settings.get("token_env"), "the API token")
        return base64.b64encode(f"{user}/token:{token}".encode()).decode()

    def _headers(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = f"Basic {self._basic.get()}"

    def read(self, resource: Resource) -> LiveResource:
        reference = resource.key
        records: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            params = {"reference_value_1": reference, "page": page, "per_page": PER_PAGE}
            response = self.client.request("GET", API, params=params)
            with self._lock:
                self._result.requests += 1
            if response.status_code != 200:
                raise fail("Trackops", "GET", API, response)
            batch = response.json()
            if not isinstance(batch, list):
                batch = []
            records.extend(r for r in batch if r.get("reference_value_1") == reference)
            if len(batch) < PER_PAGE:
                break
        if not records:
            return LiveResource(resource.address, exists=False, matches=0)
        record = records[0]
        return LiveResource(
            resource.address,
            exists=True,
            id=str(record.get("id")) if record.get("id") is not None else None,
            fields={k: v for k, v in record.items()},
            matches=len(records),
        )

    def result(self) -> ReadResult:
        return self._result

    def close(self) -> None:
        self.client.close()
