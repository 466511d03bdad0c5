"""Firm-profile checks (SPEC 6): does the firm a rule or a re-referral sends cases to take that
kind of case in that jurisdiction? Pure: the profiles and case types arrive as data.

Case types are named by id, name or display name in different places (a rule's condition, a
firm's profile, a case); `CaseTypes` resolves each to one name. A value it cannot resolve is
"cannot check", never a warning: netsync does not guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from netsync.model import FirmProfile


class CaseTypes:
    """The vendor's case types: id, name and display name each resolve to the name."""

    def __init__(self, items: Iterable[Mapping[str, Any]] | None) -> None:
        self.known = items is not None
        self._names: dict[str, str] = {}
        for item in items or ():
            name = item.get("name")
            if not isinstance(name, str):
                continue
            for alias in (item.get("id"), name, item.get("displayName")):
                if isinstance(alias, str):
                    self._names.setdefault(alias.casefold(), name)

    def names(self) -> list[str]:
        return sorted(set(self._names.values()))

    def resolve(self, value: Any) -> str | None:
        if not isinstance(value, str):
            return None
        return self._names.get(value.casefold())

    def canonical(self, axis: str, value: str) -> str:
        """For the routing evaluator: case types by their one name where known; as written
        otherwise; jurisdiction codes upper-cased."""
        if axis == "caseType":
            return self.resolve(value) or value
        return value.upper()  # jurisdiction codes: `ny` is NY


def _values(conditions: Any, axis: str) -> list[str]:
    """The values `eq`/`in` conditions on `axis` name."""
    found: list[str] = []
    for condition in conditions if isinstance(conditions, list) else ():
        if not isinstance(condition, Mapping) or condition.get("field") != axis:
            continue
        value = condition.get("value")
        if condition.get("operator") == "eq" and isinstance(value, str):
            found.append(value)
        elif condition.get("operator") == "in" and isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return found


def mismatches(
    case_types: list[str], jurisdictions: list[str], profile: FirmProfile, names: CaseTypes
) -> list[str]:
    """What the firm does not list: each jurisdiction and each resolvable case type."""
    problems = []
    listed = {j.strip().upper() for j in profile.jurisdictions}
    for jurisdiction in dict.fromkeys(jurisdictions):
        if jurisdiction.strip().upper() not in listed:
            problems.append(f"jurisdiction {jurisdiction!r}")
    takes = {names.resolve(c) or c.casefold() for c in profile.case_types}
    for case_type in dict.fromkeys(case_types):
        resolved = names.resolve(case_type)
        if resolved is not None and resolved not in takes:
            problems.append(f"case type {resolved!r}")
    return problems


def rule_mismatches(conditions: Any, profile: FirmProfile, names: CaseTypes) -> list[str]:
    return mismatches(
        _values(conditions, "caseType"), _values(conditions, "jurisdiction"), profile, names
    )


def describe(firm: str, problems: list[str], profile: FirmProfile) -> str:
    listed_j = ", ".join(profile.jurisdictions) or "none"
    listed_c = ", ".join(profile.case_types) or "none"
    return (
        f"{firm} does not list {' or '.join(problems)} in its CaseXchange profile "
        f"(jurisdictions: {listed_j}; case types: {listed_c})"
    )
