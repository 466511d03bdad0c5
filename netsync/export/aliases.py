"""Firm aliases for an exported config: the `-c` config's own first, new ones slugged from the
firm's name, collisions numbered in firm-id order, so the same live state always gets the same
aliases."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from netsync.kinds import UUID_PATTERN

ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")  # the config schema's alias pattern
MAX_SLUG = 60


def slug(name: str | None) -> str:
    """`Hawkins & Pratt LLP` -> `hawkins-pratt-llp`; a name with no letters or digits is
    `firm`; one starting with a digit gets a `firm-` prefix (an alias starts with a letter)."""
    text = re.sub(r"[^a-z0-9]+", "-", (name or "").lower()).strip("-")[:MAX_SLUG].strip("-")
    if not text:
        return "firm"
    return text if ALIAS.match(text) and not UUID_PATTERN.match(text) else f"firm-{text}"


def assign_aliases(
    firm_ids: Iterable[str], names: Mapping[str, str | None], existing: Mapping[str, str]
) -> dict[str, str]:
    """firm id -> alias for every firm in `firm_ids` (ids lower-case). `existing` is the `-c`
    config's alias -> id: a firm it names keeps its alias (the first in sorted order when it has
    several), and no new alias takes one of its names."""
    reused: dict[str, str] = {}
    for alias in sorted(existing):
        reused.setdefault(existing[alias].lower(), alias)
    taken = {alias.lower() for alias in existing}
    out: dict[str, str] = {}
    for firm_id in sorted({f.lower() for f in firm_ids}):
        if firm_id in reused:
            out[firm_id] = reused[firm_id]
            continue
        base = slug(names.get(firm_id))
        alias, n = base, 1
        while alias.lower() in taken:
            n += 1
            alias = f"{base}-{n}"
        taken.add(alias.lower())
        out[firm_id] = alias
    return out
