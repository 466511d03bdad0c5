"""CaseXchange: network relationships and routing rules (public API, `X-API-Key`) and case
routing (sent cases read with the key; the re-refer write uses the internal API's Bearer token).

One file per kind (`network`, `rules`, `cases`), one for credentials (`auth`); this module holds
what they share: the `{data, meta}` envelope, firm names, key tiers and the dispatch by kind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import httpx

from netsync.compare import FieldRules
from netsync.http import VendorError, WindowPacer, public_url
from netsync.kinds import LABELS, UUID_PATTERN
from netsync.model import Change, Diagnostic, LiveResource, Resource, ResourceType
from netsync.providers.answers import absent, decode, fail, parsed
from netsync.providers.base import Options, Prefetch, Provider, Write, every_page, make_client
from netsync.providers.casexchange.auth import TIER_RANK, ApiKey, Bearer
from netsync.providers.casexchange.cases import Cases
from netsync.providers.casexchange.network import Network
from netsync.providers.casexchange.reference import Reference
from netsync.providers.casexchange.rules import Rules

PUBLIC = "/api/public/v1"
# Kinds whose review needs case types (routing impact, firm-profile checks).
REFERENCED = frozenset({ResourceType.ROUTING_RULE, ResourceType.CASE})
FIRMS_PAGE = 100  # the vendor's largest page of /firms/available
MAX_FIRM_PAGES = 1_000  # 100,000 firms: more is a vendor fault, not a network

# The credential each kind's writes need (SPEC 2): a key tier, or the Bearer token.
NEEDS = {
    ResourceType.OUTBOUND: "standard",
    ResourceType.INBOUND: "standard",
    ResourceType.ROUTING_RULE: "full",
    ResourceType.CASE: "bearer",
}


class CaseXchange(Provider):
    name = "casexchange"
    label = LABELS[name]
    field_rules = {ResourceType.ROUTING_RULE: FieldRules(unordered=frozenset({"conditions"}))}
    defaults = {
        "base_url": "https://api.casexchange.com",
        "api_key_env": "CASEXCHANGE_API_KEY",
        "token_env": "CASEXCHANGE_TOKEN",
        "email_env": "CASEXCHANGE_EMAIL",
        "password_env": "CASEXCHANGE_PASSWORD",
        "timeout": 30,
        "concurrency": None,
        "rate_limit": None,
    }
    url_variables = {"base_url": "NETSYNC_CASEXCHANGE_URL"}
    hints = {
        401: " (check the CaseXchange key or token in the environment)",
        403: " (the key's tier does not allow this call)",
    }

    def __init__(
        self, settings: Mapping[str, Any], env: Mapping[str, str], options: Options
    ) -> None:
        super().__init__(settings, env, options)
        self.client = make_client(self.label, settings, options, default_rate=None, burst=None)
        # CaseXchange says how much of its window is left: netsync spends it, then waits.
        self.client.pacer = WindowPacer(self.label, options.clock, options.max_wait)
        self.api_key = ApiKey(settings, env)
        self.client.credential = self.api_key
        self.bearer = Bearer(settings, env, self.client)
        self.reference = Reference(self)
        network, rules, cases = Network(self), Rules(self), Cases(self)
        self.parts = {
            ResourceType.OUTBOUND: network,
            ResourceType.INBOUND: network,
            ResourceType.ROUTING_RULE: rules,
            ResourceType.CASE: cases,
        }

    # --- what the parts share -----------------------------------------------------------------

    def get(
        self,
        path: str,
        *,
        want: type = dict,
        missing_ok: bool = False,
        params: Mapping[str, Any] | None = None,
    ) -> Any:
        """GET a public-API path and unwrap its `{data, meta}` envelope: `data` must be a JSON
        object or array (`want`); a 200 without it is an error, never "absent". With `params`
        (a paged list) the whole body comes back."""
        full = f"{PUBLIC}{path}"
        response = self.client.request("GET", full, params=params)
        self.counted()
        if missing_ok and absent(response):
            return None
        return self.answer("GET", full, response, want=want, whole=bool(params))

    def answer(
        self,
        method: str,
        full: str,
        response: httpx.Response,
        *,
        want: type = dict,
        whole: bool = False,
        nullable: bool = False,
    ) -> Any:
        """The `data` of a 200 answer (the whole body with `whole`): it must be a JSON object
        or array (`want`), or null where the vendor documents it (`nullable`); anything else is
        an error, never "absent"."""
        if response.status_code != 200:
            raise fail(self.label, method, full, response, self.hints)
        body = decode(self.label, method, full, response, dict)
        data = body.get("data")
        if not isinstance(data, want) and not (nullable and "data" in body and data is None):
            raise VendorError(
                self.label,
                f"{method} {full}: 200: unexpected answer: `data` is {_json_kind(data)}, "
                f"expected {_json_kind(want())}",
            )
        return body if whole else data

    def name_firm(self, firm_id: str | None, name: str | None) -> None:
        if firm_id and name:
            with self._lock:
                self._result.firm_names[firm_id.lower()] = name

    def discovers(self, kind: ResourceType) -> bool:
        return kind in self.options.discover

    # --- read side ----------------------------------------------------------------------------

    def prefetch(self, desired: list[Resource]) -> list[Prefetch]:
        tasks = [Prefetch(self._read_me)]  # the key's firm: every CaseXchange read needs it
        for part in dict.fromkeys(self.parts.values()):
            mine = [r for r in desired if self.parts.get(r.type) is part]
            tasks += part.prefetch(mine)
        if self.options.reference and any(r.type in REFERENCED for r in desired):
            tasks.append(Prefetch(self._read_case_types))
        if self.options.profiles:
            self.reference.expect_targets(desired)
        return tasks

    def _read_case_types(self) -> None:
        """Case types up front, beside the other lists; a failure is reported by whoever
        needs them (a check or the routing impact), never as a failed read."""
        with contextlib.suppress(VendorError):
            self.reference.case_types.get()

    def _read_me(self) -> None:
        me = self.get("/firms/me") or {}
        self._result.endpoints = {
            "base_url": public_url(self.client.base_url),
            "firm": {"id": me.get("id"), "name": me.get("name")},
        }

    def read(self, resource: Resource) -> LiveResource | None:
        return self.parts[resource.type].read(resource)

    def available_firms(self, source: str, search: str | None = None) -> list[dict[str, Any]]:
        """Every firm `/firms/available?source=` lists (`network`: our private network;
        `directory`: the public one), or only those whose name contains `search`, every page,
        the pages after the first read at the same time; each firm is named as it comes, so
        labels and export aliases have names."""
        where = f"GET {PUBLIC}/firms/available: 200: unexpected answer"
        wanted: dict[str, Any] = {"source": source, "limit": FIRMS_PAGE}
        if search is not None:
            wanted["search"] = search

        def page(index: int) -> tuple[list[Any], int]:
            params = {**wanted, "page": index + 1}
            body = self.get("/firms/available", want=list, params=params)
            pages = (body.get("pagination") or {}).get("totalPages")
            if not isinstance(pages, int) or isinstance(pages, bool) or pages > MAX_FIRM_PAGES:
                raise VendorError(self.label, f"{where}: totalPages {pages!r}")
            return body["data"], pages

        firms = every_page(page)
        for firm in firms:
            firm_id = firm.get("id") if isinstance(firm, dict) else None
            if not isinstance(firm_id, str) or not UUID_PATTERN.match(firm_id):
                raise VendorError(self.label, f"{where}: a firm without an id")
            self.name_firm(firm_id, firm.get("name"))
        return firms

    def network_firms(self) -> list[str]:
        """The private network's firm ids."""
        return [firm["id"].lower() for firm in self.available_firms("network")]

    # --- write side ---------------------------------------------------------------------------

    def check_credentials(self, changes: list[Change]) -> list[Diagnostic]:
        tier = self.api_key.tier()
        problems = []
        for change in changes:
            need = NEEDS[change.type]
            if need == "bearer":
                if not self.bearer.available():
                    problems.append(
                        Diagnostic(
                            change.address,
                            "a re-referral needs the CaseXchange Bearer token or service login: "
                            f"export {self.settings.get('token_env')}, or "
                            f"{self.settings.get('email_env')} and "
                            f"{self.settings.get('password_env')}",
                        )
                    )
            elif tier is not None and TIER_RANK[tier] < TIER_RANK[need]:
                wanted = "a full key (cxp_full_…)"
                if need == "standard":
                    wanted = "a standard or full key (cxp_std_… or cxp_full_…)"
                problems.append(
                    Diagnostic(
                        change.address,
                        f"this write needs {wanted}; {self.api_key.variable} holds a {tier} key",
                    )
                )
        return problems

    def prepare(self, change: Change) -> Write:
        return self.parts[change.type].prepare(change)

    def took_effect(self, change: Change) -> bool:
        return self.parts[change.type].took_effect(change)

    def request_id(self, response: httpx.Response) -> str | None:
        body = parsed(response)
        meta = body.get("meta") if isinstance(body, dict) else None
        request_id = meta.get("requestId") if isinstance(meta, dict) else None
        return request_id if isinstance(request_id, str) else None


def _json_kind(value: Any) -> str:
    return {dict: "an object", list: "an array", type(None): "null"}.get(type(value), "a value")
