"""What a plan covers: everything, or the addresses `--target` selects. One `Scope` decides it
for every stage (which resources are read, which live-only objects are discovered, which changes
and warnings are kept), so the three can never disagree.

A target matches whole address segments: `network.outbound` selects `network.outbound.rivera`,
not `network.outboundx`; `network` selects both network sections; a full address selects that
resource (ids case-insensitively, names exactly), declared or only live (an undeclared routing
rule under `prune`, an undeclared pending request).

`--changed-since` makes a scope of exact addresses (`Scope.since`): the ones whose desired
state differs from a git revision. There, no address means nothing is selected, not everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from netsync.kinds import SECTIONS, normal_key, split_address
from netsync.model import Diagnostic, Plan, Resource


@dataclass(frozen=True)
class Scope:
    targets: tuple[str, ...] = ()
    changed_since: str | None = None  # the git revision an exact-address scope compares with
    _sections: frozenset[str] = field(default=frozenset(), repr=False)
    _keys: frozenset[tuple[str, str]] = field(default=frozenset(), repr=False)

    @classmethod
    def of(cls, targets: Iterable[str] = ()) -> Scope:
        targets = tuple(targets)
        sections, keys = set(), set()
        for target in targets:
            section, key = split_address(target)
            if key is None:
                sections.add(section)
            elif section in SECTIONS:
                keys.add((section, normal_key(SECTIONS[section], key)))
        return cls(targets, None, frozenset(sections), frozenset(keys))

    @classmethod
    def since(cls, ref: str, addresses: Iterable[str]) -> Scope:
        """Exactly `addresses` (full addresses), which differ from the config at `ref`."""
        keys = set()
        for address in addresses:
            section, key = split_address(address)
            if key is not None and section in SECTIONS:
                keys.add((section, normal_key(SECTIONS[section], key)))
        return cls((), ref, frozenset(), frozenset(keys))

    @property
    def everything(self) -> bool:
        return not self.targets and self.changed_since is None

    def _covers(self, section: str) -> bool:
        return any(section == s or section.startswith(s + ".") for s in self._sections)

    def covers(self, section: str) -> bool:
        """Whether every address of `section` is selected (the whole section, not some keys)."""
        return self.everything or self._covers(section)

    def selects(self, address: str) -> bool:
        if self.everything:
            return True
        section, key = split_address(address)
        if self._covers(section):
            return True
        return (
            key is not None
            and section in SECTIONS
            and ((section, normal_key(SECTIONS[section], key)) in self._keys)
        )

    def touches(self, section: str) -> bool:
        """Whether any address of `section` can be selected (live-only ones included)."""
        return self.everything or self._covers(section) or any(s == section for s, _ in self._keys)

    def check(self, resources: list[Resource]) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """(errors, warnings) about the targets themselves."""
        errors, warnings = [], []
        for target in self.targets:
            section, key = split_address(target)
            known = (
                (key != "")
                if key is not None
                else any(s == section or s.startswith(section + ".") for s in SECTIONS)
            )
            if not known:
                errors.append(Diagnostic(None, f"--target {target} is not an address"))
                continue
            one = Scope.of([target])
            discoverable = any(t.kind.discoverable and one.touches(s) for s, t in SECTIONS.items())
            if not discoverable and not any(one.selects(r.address) for r in resources):
                warnings.append(Diagnostic(None, f"--target {target} matches no declared resource"))
        return errors, warnings

    def limit(self, plan: Plan) -> None:
        """Keep only the changes and diagnostics this scope selects (diagnostics about no
        resource, or about a whole section such as a vendor that cannot be reached, stay)."""
        if self.everything:
            return
        plan.changes = [c for c in plan.changes if self.selects(c.address)]
        plan.unmanaged = [c for c in plan.unmanaged if self.selects(c.address)]
        plan.errors = [d for d in plan.errors if self._keeps(d)]
        plan.warnings = [d for d in plan.warnings if self._keeps(d)]
        plan.scope = self.to_json()

    def _keeps(self, diagnostic: Diagnostic) -> bool:
        address = diagnostic.address
        return address is None or split_address(address)[1] is None or self.selects(address)

    def to_json(self) -> dict[str, Any] | None:
        if self.changed_since is not None:
            return {"changed_since": self.changed_since}
        return {"targets": list(self.targets)} if self.targets else None
