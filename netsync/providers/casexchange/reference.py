"""CaseXchange reference reads that let a plan say where cases will go: case types, firm
profiles (what each firm takes), whether a firm is on the platform, and the vendor's own
routing evaluation of a case profile (SPEC 6). All GETs, all `read_only`.
"""

from __future__ import annotations

import threading
from contextlib import suppress
from typing import TYPE_CHECKING, Any

from netsync.http import VendorError
from netsync.model import FirmProfile, Resource, ResourceType
from netsync.providers.base import Once

if TYPE_CHECKING:
    from netsync.providers.casexchange import CaseXchange

PUBLIC = "/api/public/v1"


class EvaluateRefused(VendorError):
    """The key may not call `/routing/evaluate` (403): impact stays unverified."""


def profile_of(data: dict[str, Any]) -> FirmProfile | None:
    """A firm's profile from a `NetworkFirmDetail` or `AvailableFirm`, when it has one."""
    jurisdictions, case_types = data.get("jurisdictions"), data.get("caseTypes")
    if not isinstance(jurisdictions, list) or not isinstance(case_types, list):
        return None
    return FirmProfile(
        tuple(j for j in jurisdictions if isinstance(j, str)),
        tuple(c for c in case_types if isinstance(c, str)),
    )


class Reference:
    def __init__(self, cx: CaseXchange) -> None:
        self.cx = cx
        self.case_types = Once(self._read_case_types)
        self._directory = Once(self._read_directory)  # the whole directory, for nameless firms
        self._listed: dict[str, FirmProfile | None] = {}  # directory searches, one per firm
        self._case_facts: dict[str, dict[str, Any]] = {}
        self._not_in_network: set[str] = set()  # outbound reads that answered 404
        self._on_platform: dict[str, bool] = {}  # GET /firms/{id}, made once per firm
        self._targets: frozenset[str] = frozenset()  # firms the declared rules send to
        self._lock = threading.Lock()

    # --- what other reads learn on the way ----------------------------------------------------

    def remember_profile(self, firm_id: str | None, data: dict[str, Any]) -> None:
        profile = profile_of(data)
        if firm_id and profile is not None:
            with self._lock:
                self.cx.result().firm_profiles[firm_id.lower()] = profile

    def expect_targets(self, desired: list[Resource]) -> None:
        """The firms declared rules send cases to: their profiles will be checked. (A case's
        firm is checked only when the plan re-refers it: see `early_case_facts`.)"""
        self._targets = frozenset(
            str(r.fields["targetFirmId"]).lower()
            for r in desired
            if r.type is ResourceType.ROUTING_RULE and r.fields.get("targetFirmId")
        )

    def not_in_network(self, firm_id: str | None) -> None:
        """An outbound read answered 404: the plan will create the relationship. While the
        other reads go on, ask whether the firm exists at all, and, when a rule or case sends
        it cases, read the directory its profile will come from."""
        if not firm_id:
            return
        with self._lock:
            self._not_in_network.add(firm_id.lower())
        try:
            if self.cx.options.reference:
                self.on_platform(firm_id)
            if self.cx.options.profiles and firm_id.lower() in self._targets:
                self._directory_profile(firm_id)
        except VendorError:
            pass  # asked again by the review, which reports it; the plan's read stands

    def early_case_facts(self, case_id: str | None, firm_id: str | None) -> None:
        """A case the plan will re-refer to `firm_id`: read its type and jurisdiction, and the
        firm's profile, while the other reads go on (the sent-cases list does not carry the
        former)."""
        if case_id and self.cx.options.profiles:
            with suppress(VendorError):  # asked again by the review, which reports it
                self.case_facts(case_id)
                if firm_id:
                    self.firm_profile(firm_id)

    def remember_case(self, case_id: str | None, data: dict[str, Any]) -> None:
        if case_id:
            facts = {k: data.get(k) for k in ("caseType", "jurisdiction")}
            with self._lock:
                self._case_facts[case_id.lower()] = facts

    # --- reads --------------------------------------------------------------------------------

    def _read_case_types(self) -> list[dict[str, Any]]:
        items = self.cx.get("/case-types", want=list)
        return [t for t in items if isinstance(t, dict)]

    def _directory_profile(self, firm_id: str) -> FirmProfile | None:
        """A firm's profile in the public directory (None when it is not listed): a search
        for its name (`GET /firms/{id}` gives it), one request where the whole directory
        takes a page per 100 firms; a firm without a name is looked up in the whole
        directory, read once per run."""
        key = firm_id.lower()
        if key in self._listed:
            return self._listed[key]
        name = self.cx.result().firm_names.get(key) if self.on_platform(firm_id) else None
        if not name:
            found = self._directory.get().get(key)
        else:
            matches = self.cx.available_firms("directory", search=name)
            firm = next((f for f in matches if f["id"].lower() == key), None)
            found = profile_of(firm) if firm is not None else None
        with self._lock:
            self._listed[key] = found
        return found

    def _read_directory(self) -> dict[str, FirmProfile]:
        """The public directory's firm profiles (read once per run, for a firm the plan
        checks that has no name to search for)."""
        found: dict[str, FirmProfile] = {}
        for firm in self.cx.available_firms("directory"):
            profile = profile_of(firm)
            if profile is not None:
                found[firm["id"].lower()] = profile
        return found

    def firm_profile(self, firm_id: str) -> FirmProfile | None:
        """What the firm takes: from the outbound read plan already made, else its outbound
        relationship, else the public directory; None when unknown."""
        key = firm_id.lower()
        known = self.cx.result().firm_profiles.get(key)
        if known is not None:
            return known
        data = None
        if key not in self._not_in_network:
            data = self.cx.get(f"/network/outbound/{firm_id}", missing_ok=True)
        if data is not None:
            self.cx.name_firm(data.get("firmId"), data.get("firmName"))
            self.remember_profile(firm_id, data)
            return self.cx.result().firm_profiles.get(key)
        return self._directory_profile(firm_id)

    def on_platform(self, firm_id: str) -> bool:
        """Whether CaseXchange knows the firm at all (`GET /firms/{id}`: 404 is no); asked
        once per firm."""
        known = self._on_platform.get(firm_id.lower())
        if known is None:
            data = self.cx.get(f"/firms/{firm_id}", missing_ok=True)
            if data is not None:
                self.cx.name_firm(data.get("id"), data.get("name"))
            known = self._on_platform[firm_id.lower()] = data is not None
        return known

    def case_facts(self, case_id: str) -> dict[str, Any]:
        """A sent case's `caseType` and `jurisdiction` (its single GET, unless plan read it)."""
        known = self._case_facts.get(case_id.lower())
        if known is None:
            data = self.cx.get(f"/sent-cases/{case_id}", missing_ok=True) or {}
            self.remember_case(case_id, data)
            known = self._case_facts[case_id.lower()]
        return known

    def evaluate(self, case_type: str, jurisdiction: str) -> tuple[str, str | None] | None:
        """The rule (id, name) CaseXchange routes this profile to today, or None (no rule)."""
        path = f"{PUBLIC}/routing/evaluate"
        response = self.cx.client.request(
            "GET", path, params={"caseType": case_type, "jurisdiction": jurisdiction}
        )
        self.cx.counted()
        if response.status_code == 403:
            raise EvaluateRefused(self.cx.label, f"GET {path}: 403: the key may not evaluate")
        data = self.cx.answer("GET", path, response, nullable=True)
        if data is None:
            return None
        rule = data.get("rule") if isinstance(data, dict) else None
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        if not isinstance(rule_id, str):
            raise VendorError(
                self.cx.label, f"GET {path}: 200: unexpected answer: `data.rule.id` missing"
            )
        name = rule.get("name") if isinstance(rule, dict) else None
        return rule_id, name if isinstance(name, str) else None
