"""The merged config document: mappings and lists that remember where each key, value and item
was written, and the helpers every config stage uses to walk them."""

from __future__ import annotations

from typing import Any

from netsync.model import Location


class LocDict(dict):
    """A mapping that remembers where it, each key and each value were written."""

    loc: Location
    key_locs: dict[str, Location]
    value_locs: dict[str, Location]

    def __init__(self, *args: Any, loc: Location, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loc = loc
        self.key_locs = {}
        self.value_locs = {}


class LocList(list):
    """A sequence that remembers where it and each item were written."""

    loc: Location
    item_locs: list[Location]

    def __init__(self, *args: Any, loc: Location, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loc = loc
        self.item_locs = []


def section(doc: LocDict, *path: str) -> LocDict:
    """The mapping at `path` (`section(doc, "network", "outbound")`), empty when absent."""
    node: Any = doc
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, LocDict) else LocDict(loc=doc.loc)


def lookup_location(doc: LocDict, path: tuple[Any, ...], *, key: bool = False) -> Location:
    """The location of the value at `path` (or of its key), falling back to the nearest parent."""
    node: Any = doc
    loc = doc.loc
    for part in path:
        if isinstance(node, LocDict) and part in node:
            loc = node.key_locs[part] if key and part == path[-1] else node.value_locs[part]
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            item_locs = getattr(node, "item_locs", None)
            if item_locs:
                loc = item_locs[part]
            node = node[part]
        else:
            break
    return loc


def plain(value: Any) -> Any:
    """Located containers -> plain dicts and lists, so nothing downstream sees YAML types."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
