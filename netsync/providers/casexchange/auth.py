"""CaseXchange credentials: the public API's `X-API-Key` (its tier read from its prefix) and the
internal API's Bearer token, static or from the service login, renewed on `token_expired`."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import httpx

from netsync.http import Credential, Secrets, VendorClient, VendorError
from netsync.kinds import LABELS
from netsync.providers.answers import error_detail, fail
from netsync.providers.base import Once, require_env

VENDOR = LABELS["casexchange"]
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh-session"

# Key prefix -> tier (SPEC 2). An unknown prefix is not refused: the vendor will say.
TIERS = {"cxp_ro_": "read_only", "cxp_std_": "standard", "cxp_full_": "full"}
TIER_RANK = {"read_only": 0, "standard": 1, "full": 2}


class ApiKey(Credential):
    def __init__(self, settings: Mapping[str, Any], env: Mapping[str, str]) -> None:
        self.variable = settings.get("api_key_env")
        self._key = Once(lambda: require_env(VENDOR, env, self.variable, "the CaseXchange API key"))
        self._env = env

    def apply(self, headers: dict[str, str]) -> None:
        headers["X-API-Key"] = self._key.get()

    def tier(self) -> str | None:
        """The key's tier by its prefix; None when unset or the prefix is unknown."""
        key = self._env.get(self.variable or "", "")
        return next((tier for prefix, tier in TIERS.items() if key.startswith(prefix)), None)


class Bearer(Credential):
    """`Authorization: Bearer` for the internal API (re-referrals).

    A static token from `token_env` is used as given; with `email_env`/`password_env` netsync
    logs in and renews the 15-minute access token through refresh-session when the vendor
    answers 401 `token_expired`. Refresh tokens rotate, so one renewal runs at a time and
    requests that failed with the old token simply resend with the new one.
    """

    def __init__(
        self, settings: Mapping[str, Any], env: Mapping[str, str], client: VendorClient
    ) -> None:
        self.settings = settings
        self.env = env
        self.client = client
        self.static = env.get(settings.get("token_env") or "") or None
        Secrets.add(self.static)
        self.token: str | None = self.static
        self.refresh_token: str | None = None
        self.lock = threading.Lock()

    def available(self) -> bool:
        return bool(self.static or self.can_login())

    def can_login(self) -> bool:
        email, password = self.settings.get("email_env"), self.settings.get("password_env")
        return bool(self.env.get(email or "") and self.env.get(password or ""))

    def apply(self, headers: dict[str, str]) -> None:
        with self.lock:
            if self.token is None:
                self._login()
            headers["Authorization"] = f"Bearer {self.token}"

    def renew(self, response: httpx.Response, used: Mapping[str, str]) -> bool:
        code, _ = error_detail(response)
        if code != "token_expired":
            return False
        with self.lock:
            if used.get("Authorization") != f"Bearer {self.token}":
                return True  # another request renewed it meanwhile: resend with the new one
            if self.token == self.static and not self.can_login():
                raise VendorError(
                    VENDOR,
                    f"the Bearer token in {self.settings.get('token_env')} has expired: export "
                    f"a fresh one, or set {self.settings.get('email_env')} and "
                    f"{self.settings.get('password_env')} for the service login, which renews "
                    "itself",
                    status=401,
                    code="token_expired",
                )
            if self.refresh_token is None or not self._refresh():
                self._login()
            return True

    def _login(self) -> None:
        if not self.can_login():
            raise VendorError(
                VENDOR,
                f"re-referrals need a Bearer token: export {self.settings.get('token_env')}, or "
                f"{self.settings.get('email_env')} and {self.settings.get('password_env')} "
                "for the service login",
            )
        email = require_env(VENDOR, self.env, self.settings.get("email_env"), "the login e-mail")
        password = require_env(
            VENDOR, self.env, self.settings.get("password_env"), "the login password"
        )
        response = self.client.request(
            "POST", LOGIN, json={"email": email, "password": password}, credential=False
        )
        if response.status_code != 200:
            raise fail(VENDOR, "POST", LOGIN, response, {401: " (check the login variables)"})
        self._keep(response)

    def _refresh(self) -> bool:
        response = self.client.request(
            "POST", REFRESH, json={"refreshToken": self.refresh_token}, credential=False
        )
        self.refresh_token = None  # spent either way: refresh tokens rotate
        if response.status_code != 200:
            return False
        self._keep(response)
        return True

    def _keep(self, response: httpx.Response) -> None:
        try:
            data = response.json().get("data") or {}
            token, refresh = data["accessToken"], data.get("refreshToken")
        except (ValueError, AttributeError, KeyError, TypeError):
            raise VendorError(VENDOR, "the login answer holds no access token") from None
        Secrets.add(token)
        Secrets.add(refresh)
        self.token, self.refresh_token = token, refresh
