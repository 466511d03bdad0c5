"""Smokeball matters. Quirks kept here: both `x-api-key` and a Bearer token on every request
(static, or client credentials renewed before expiry), GET answering Link objects where PUT takes
ids, custom referral types stored by id, and `GET /matters` pages when they are cheaper.
"""

from __future__ import annotations

import base64
import math
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from netsync.http import Secrets, VendorClient
from netsync.model import Resource, ResourceType
from netsync.providers.base import (
    PAGING_THRESHOLD,
    LiveResource,
    MissingCredential,
    Once,
    Provider,
    ReadResult,
    fail,
    list_if_cheaper,
    make_client,
    require_env,
)

# GET Link object -> PUT id field.
LINKS = {
    "referrer": "referrerId",
    "personResponsible": "personResponsibleStaffId",
    "personAssisting": "personAssistingStaffId",
    "originatingStaff": "originatingStaffId",
    "supervisor": "supervisorStaffId",
    "branch": "branchId",
    "matterType": "matterTypeId",
}
LINK_LISTS = {
    "personAssistingStaffs": "personAssistingStaffIds",
    "originatingStaffs": "originatingStaffIds",
    "clients": "clientIds",
    "otherSides": "otherSideIds",
}
PLAIN = (
    "externalSystemId",
    "number",
    "branchProviderId",
    "description",
    "status",
    "openedDate",
    "closedDate",
    "leadOpenedDate",
    "leadClosedDate",
    "leadClosedReason",
    "referralType",
    "referralAgreementFeeType",
    "referralAgreementFee",
    "referralAgreementFeeComment",
    "splitOriginatingStaffSettings",
    "clientCode",
    "isLead",
)
PAGE_SIZE = 500
TOKEN_MARGIN = 60  # renew a client-credentials token this many seconds before it expires


def to_put_names(matter: Mapping[str, Any]) -> dict[str, Any]:
    """A GET matter in PUT vocabulary: Link objects become ids."""
    fields: dict[str, Any] = {name: matter.get(name) for name in PLAIN}
    for link, put_name in LINKS.items():
        value = matter.get(link)
        fields[put_name] = value.get("id") if isinstance(value, dict) else None
    for link, put_name in LINK_LISTS.items():
        values = matter.get(link)
        fields[put_name] = (
            [v.get("id") for v in values if isinstance(v, dict)] if values is not None else None
        )
    return fields


class Smokeball(Provider):
    name = "smokeball"

    def __init__(self, settings: Mapping[str, Any], env: Mapping[str, str]) -> None:
        self.settings = settings
        self.env = env
        self.client: VendorClient = make_client(
            "Smokeball", settings, default_rate=5, burst=settings.get("rate_limit") or 5
        )
        self.client.auth = self._headers
        self._api_key = Once(
            lambda: require_env("Smokeball", env, settings.get("api_key_env"), "the API key")
        )
        self._token: str | None = None
        self._token_expiry = 0.0
        self._token_lock = threading.Lock()
        self._referral_types = Once(self._read_referral_types)
        self._listed: dict[str, dict[str, Any]] = {}
        self._result = ReadResult(targets={"base_url": self.client.base_url})
        self._lock = threading.Lock()

    # --- auth ----------------------------------------------------------------------------

    def _headers(self, headers: dict[str, str]) -> None:
        headers["x-api-key"] = self._api_key.get()
        headers["Authorization"] = f"Bearer {self._bearer()}"

    def _bearer(self) -> str:
        with self._token_lock:
            if self._token and time.monotonic() < self._token_expiry - TOKEN_MARGIN:
                return self._token
            static = self.env.get(self.settings.get("token_env") or "")
            if static:
                require_env("Smokeball", self.env, self.settings["token_env"], "the token")
                self._token, self._token_expiry = static, math.inf
                return static
            self._token, lifetime = self._client_credentials()
            self._token_expiry = time.monotonic() + lifetime
            return self._token

    def _client_credentials(self) -> tuple[str, float]:
        id_env = self.settings.get("client_id_env")
        secret_env = self.settings.get("client_secret_env")
        if not self.env.get(id_env or "") or not self.env.get(secret_env or ""):
            raise MissingCredential(
                "Smokeball",
                f"no access token: export {self.settings.get('token_env')}, or "
                f"{id_env} and {secret_env} for client credentials",
            )
        client_id = require_env("Smokeball", self.env, id_env, "the client id")
        secret = require_env("Smokeball", self.env, secret_env, "the client secret")
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        url = f"{self.settings['auth_url']}/oauth2/token"
        response = self.client.request(
            "POST",
            url,
            data={"grant_type": "client_credentials", "client_id": client_id},
            headers={"Authorization": f"Basic {basic}"},
            auth=False,
            retry=True,  # a token request changes nothing: safe to repeat
        )
        if response.status_code != 200:
            raise fail("Smokeball", "POST", "/oauth2/token", response)
        body = response.json()
        token = body["access_token"]
        Secrets.add(token)
        return token, float(body.get("expires_in") or 3600)

    # --- reads ---------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.client.request("GET", path, params=params)
        with self._lock:
            self._result.requests += 1
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise fail("Smokeball", "GET", path, response)
        return response.json()

    def prefetch(self, desired: list[Resource]) -> list[Callable[[], None]]:
        matters = [r for r in desired if r.type is ResourceType.MATTER]
        tasks: list[Callable[[], None]] = []
        if any("referralType" in r.fields for r in matters):
            tasks.append(self._referral_types.get)
        wanted = {(r.id or "").lower() for r in matters}
        if len(wanted) >= PAGING_THRESHOLD:
            tasks.append(lambda: list_if_cheaper(self._matters_page, wanted, self._keep))
        return tasks

    def _matters_page(self, page: int) -> tuple[list[dict[str, Any]], int]:
        body = self._get("/matters", {"offset": page * PAGE_SIZE, "limit": PAGE_SIZE}) or {}
        return body.get("value") or [], math.ceil((body.get("size") or 0) / PAGE_SIZE)

    def _keep(self, matter: dict[str, Any]) -> None:
        if matter.get("id"):
            with self._lock:
                self._listed[matter["id"].lower()] = matter

    def _read_referral_types(self) -> dict[str, str]:
        """Referral type id -> name (custom types are stored, and read back, by id)."""
        body = self._get("/referraltypes") or {}
        return {
            str(t["id"]).lower(): t["name"]
            for t in body.get("value") or []
            if t.get("id") and t.get("name")
        }

    def referral_type_name(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return self._referral_types.get().get(value.lower(), value)

    def normalize_desired(self, resource: Resource) -> dict[str, Any]:
        fields = dict(resource.fields)
        if "referralType" in fields:
            fields["referralType"] = self.referral_type_name(fields["referralType"])
        return fields

    def read(self, resource: Resource) -> LiveResource:
        matter = self._listed.get((resource.id or "").lower())
        if matter is None:
            matter = self._get(f"/matters/{resource.id}")
        if matter is None:
            return LiveResource(resource.address, exists=False, id=resource.id)
        fields = to_put_names(matter)
        if "referralType" in resource.fields:
            fields["referralType"] = self.referral_type_name(fields["referralType"])
        return LiveResource(resource.address, exists=True, id=matter.get("id"), fields=fields)

    def result(self) -> ReadResult:
        return self._result

    def close(self) -> None:
        self.client.close()
