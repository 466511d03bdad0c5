"""Smokeball matters.

Quirks kept here: `x-api-key` and a Bearer token on every request (static, or client credentials
renewed before expiry); GET answers Link objects where PUT takes ids; custom referral types are
stored, and read back, by id; `GET /matters` pages when they are cheaper; PUT replaces the whole
writable matter (so it is built from a fresh read), is sent as `application/json-patch+json` with
a `RequestId`, answers 202 and shows later (re-read until it does, up to `confirm_timeout`).
"""

from __future__ import annotations

import base64
import math
import threading
import uuid
from collections.abc import Mapping
from typing import Any

import httpx

from netsync.compare import FieldRules
from netsync.http import Credential, Secrets, VendorError, public_url
from netsync.kinds import LABELS
from netsync.model import Change, LiveResource, Resource, ResourceType
from netsync.providers.answers import absent, decode, fail
from netsync.providers.base import (
    PAGING_THRESHOLD,
    MissingCredential,
    Once,
    Options,
    Prefetch,
    Provider,
    Write,
    list_if_cheaper,
    make_client,
    require_env,
)

VENDOR = LABELS["smokeball"]
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
# PUT cannot change these, and GET does not return the roles: never managed (config checks).
READ_ONLY_FIELDS = ("clientIds", "otherSideIds", "matterTypeId", "clientRole", "otherSideRole")
# What `netsync export` writes of a matter unless --all-fields: its referral (SPEC 3).
REFERRAL_FIELDS = (
    "referralType",
    "referrerId",
    "referralAgreementFeeType",
    "referralAgreementFee",
    "referralAgreementFeeComment",
)
PATCH_JSON = "application/json-patch+json"
REGIONS = {  # region -> (API, auth server)
    "us": ("https://api.smokeball.com", "https://auth.smokeball.com"),
    "au": ("https://api.smokeball.com.au", "https://auth.smokeball.com.au"),
    "uk": ("https://api.smokeball.co.uk", "https://auth.smokeball.co.uk"),
}
PAGE_SIZE = 500
TOKEN_MARGIN = 60  # renew a client-credentials token this many seconds before it expires


def to_put_names(matter: Mapping[str, Any]) -> dict[str, Any]:
    """A GET matter in PUT vocabulary: Link objects become ids. A Link that is not an object
    is an error, never a null: the PUT sends the whole matter back, and a null would clear the
    referrer or a staff member."""
    fields: dict[str, Any] = {name: matter.get(name) for name in PLAIN}
    for link, put_name in LINKS.items():
        fields[put_name] = _link_id(link, matter.get(link))
    for link, put_name in LINK_LISTS.items():
        values = matter.get(link)
        if values is not None and not isinstance(values, list):
            raise VendorError(VENDOR, f"unexpected answer: {link} is not a list of Link objects")
        fields[put_name] = None if values is None else [_link_id(link, v) for v in values]
    return fields


def _link_id(name: str, value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("id"), str | None):
        raise VendorError(VENDOR, f"unexpected answer: {name} is not a Link object")
    return value.get("id")


class Token(Credential):
    """`x-api-key` plus `Authorization: Bearer`: a static token, or a client-credentials token
    fetched once and renewed `TOKEN_MARGIN` seconds before it expires."""

    def __init__(self, provider: Smokeball) -> None:
        self.provider = provider
        settings, env = provider.settings, provider.env
        self._api_key = Once(
            lambda: require_env(VENDOR, env, settings.get("api_key_env"), "the API key")
        )
        self._token: str | None = None
        self._expiry = 0.0
        self._lock = threading.Lock()

    def apply(self, headers: dict[str, str]) -> None:
        headers["x-api-key"] = self._api_key.get()
        headers["Authorization"] = f"Bearer {self._bearer()}"

    def renew(self, response: httpx.Response, used: Mapping[str, str]) -> bool:
        """A client-credentials token the vendor no longer accepts is fetched again, once."""
        with self._lock:
            if self._expiry == math.inf:
                return False
            if used.get("Authorization") == f"Bearer {self._token}":
                self._token = None
        return True

    def _bearer(self) -> str:
        clock = self.provider.client.clock
        with self._lock:
            if self._token and clock.monotonic() < self._expiry - TOKEN_MARGIN:
                return self._token
            settings, env = self.provider.settings, self.provider.env
            static = env.get(settings.get("token_env") or "")
            if static:
                Secrets.add(static)
                self._token, self._expiry = static, math.inf
                return static
            self._token, lifetime = self._client_credentials()
            self._expiry = clock.monotonic() + lifetime
            return self._token

    def _client_credentials(self) -> tuple[str, float]:
        settings, env = self.provider.settings, self.provider.env
        id_env, secret_env = settings.get("client_id_env"), settings.get("client_secret_env")
        if not env.get(id_env or "") or not env.get(secret_env or ""):
            raise MissingCredential(
                VENDOR,
                f"no access token: export {settings.get('token_env')}, or "
                f"{id_env} and {secret_env} for client credentials",
            )
        client_id = require_env(VENDOR, env, id_env, "the client id")
        secret = require_env(VENDOR, env, secret_env, "the client secret")
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        Secrets.add(basic)
        response = self.provider.client.request(
            "POST",
            f"{settings['auth_url']}/oauth2/token",
            data={"grant_type": "client_credentials", "client_id": client_id},
            headers={"Authorization": f"Basic {basic}"},
            credential=False,
        )
        if response.status_code != 200:
            raise fail(VENDOR, "POST", "/oauth2/token", response, self.provider.hints)
        body = decode(VENDOR, "POST", "/oauth2/token", response, dict)
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise VendorError(VENDOR, "POST /oauth2/token: 200: the answer holds no access_token")
        Secrets.add(token)
        return token, float(body.get("expires_in") or 3600)


class Smokeball(Provider):
    name = "smokeball"
    label = VENDOR
    field_rules = {
        ResourceType.MATTER: FieldRules(
            unordered=frozenset(
                {"personAssistingStaffIds", "originatingStaffIds", "splitOriginatingStaffSettings"}
            )
        )
    }
    defaults = {
        "region": "us",
        "api_key_env": "SMOKEBALL_API_KEY",
        "token_env": "SMOKEBALL_TOKEN",
        "client_id_env": "SMOKEBALL_CLIENT_ID",
        "client_secret_env": "SMOKEBALL_CLIENT_SECRET",
        "confirm_timeout": 60,
        "timeout": 30,
        "concurrency": None,
        "rate_limit": 5,
    }
    url_variables = {"base_url": "NETSYNC_SMOKEBALL_URL", "auth_url": "NETSYNC_SMOKEBALL_AUTH_URL"}
    unwritable = {ResourceType.MATTER: (READ_ONLY_FIELDS, "PUT /matters cannot change it")}
    exported = {ResourceType.MATTER: REFERRAL_FIELDS}
    hints = {
        401: " (the token was refused: check SMOKEBALL_TOKEN or the client credentials)",
        403: " (the API key was refused: check SMOKEBALL_API_KEY)",
    }

    @classmethod
    def settle(cls, settings: dict[str, Any]) -> dict[str, Any]:
        api, auth = REGIONS[settings.get("region") or "us"]
        return {"base_url": api, "auth_url": auth, **settings}

    def __init__(
        self, settings: Mapping[str, Any], env: Mapping[str, str], options: Options
    ) -> None:
        super().__init__(settings, env, options)
        self.client = make_client(
            VENDOR, settings, options, default_rate=5, burst=settings.get("rate_limit") or 5
        )
        self.client.credential = Token(self)
        self._referral_types = Once(self._read_referral_types)
        self._listed: dict[str, dict[str, Any]] = {}
        self._result.endpoints = {"base_url": public_url(self.client.base_url)}

    # --- reads ---------------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.client.request("GET", path, params=params)
        self.counted()
        if absent(response):
            return None
        if response.status_code != 200:
            raise fail(VENDOR, "GET", path, response, self.hints)
        return decode(VENDOR, "GET", path, response, dict)

    def prefetch(self, desired: list[Resource]) -> list[Prefetch]:
        tasks: list[Prefetch] = []
        if any("referralType" in r.fields for r in desired):
            tasks.append(Prefetch(self._referral_types.get))
        wanted = {(r.id or "").lower() for r in desired}
        if len(wanted) >= PAGING_THRESHOLD and self.lists():
            read = lambda: list_if_cheaper(self._matters_page, wanted, self._keep)  # noqa: E731
            tasks.append(Prefetch(read))
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

    def _referral_type_name(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return self._referral_types.get().get(value.lower(), value)

    def normalize_desired(self, resource: Resource) -> dict[str, Any]:
        fields = dict(resource.fields)
        if "referralType" in fields:
            fields["referralType"] = self._referral_type_name(fields["referralType"])
        return fields

    def _fields(self, matter: Mapping[str, Any], names: Any) -> dict[str, Any]:
        fields = to_put_names(matter)
        if "referralType" in names:
            fields["referralType"] = self._referral_type_name(fields["referralType"])
        return fields

    def read(self, resource: Resource) -> LiveResource:
        matter = self._listed.get((resource.id or "").lower())
        if matter is None:
            matter = self._get(f"/matters/{resource.id}")
        if matter is None:
            return LiveResource(resource.address, exists=False, id=resource.id)
        fields = self._fields(matter, resource.fields)
        return LiveResource(resource.address, exists=True, id=matter.get("id"), fields=fields)

    # --- writes --------------------------------------------------------------------------------

    def prepare(self, change: Change) -> Write:
        """The whole writable matter from a fresh read, with this change's fields applied, so
        the PUT never clears or reverts a field netsync does not manage."""
        path = f"/matters/{change.id}"
        matter = self._get(path)
        if matter is None:
            raise VendorError(VENDOR, f"matter {change.id} no longer exists")
        body = to_put_names(matter)
        body.update({name: (change.after or {}).get(name) for name in change.fields})
        request_id = str(uuid.uuid4())
        headers = {"Content-Type": PATCH_JSON, "RequestId": request_id}
        return Write("PUT", path, body, headers, confirm=True, request_id=request_id)

    def took_effect(self, change: Change) -> bool:
        matter = self._get(f"/matters/{change.id}")
        if matter is None:
            return False
        live = self._fields(matter, change.fields)
        rules = self.field_rules[ResourceType.MATTER]
        after = change.after or {}
        return all(rules.equal(name, after.get(name), live.get(name)) for name in change.fields)

    def confirm_timeout(self) -> float:
        return float(self.settings.get("confirm_timeout") or 0)
