"""The merged config document: mappings and lists that remember where each key, value and item
was written, and the helpers every config stage uses to walk them."""

from __future__ import annotations

from typing import Any

from netsync.kinds import SECTIONS
from netsync.model import Location

RESOURCE_SECTIONS = {tuple(section.split(".")) for section in SECTIONS}
Variables = tuple[str, ...]  # the environment variables a value was interpolated from


class LocDict(dict):
    """A mapping that remembers where it, each key and each value were written, and which
    values came from `${VAR}` (so no message echoes what may be a secret)."""

    loc: Location
    key_locs: dict[str, Location]
    value_locs: dict[str, Location]
    value_vars: dict[str, Variables]

    def __init__(self, *args: Any, loc: Location, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loc = loc
        self.key_locs = {}
        self.value_locs = {}
        self.value_vars = {}

    def __getattr__(self, name: str) -> Any:
        # Reached only for an attribute not yet set: on a mapping the YAML loader built (see
        # `located_dict`), its locations are made the first time they are asked for.
        places = self.__dict__.get("_places")
        if places is None:
            raise _no_attribute(self, name)
        file, at, key_places, value_places, value_vars = places
        if name == "loc":
            value: Any = _location(file, at)
        elif name == "key_locs":
            value = {key: _location(file, p) for key, p in key_places.items()}
        elif name == "value_locs":
            value = {key: _location(file, p) for key, p in value_places.items()}
        elif name == "value_vars":
            value = value_vars
        else:
            raise _no_attribute(self, name)
        self.__dict__[name] = value
        return value


class LocList(list):
    """A sequence that remembers where it and each item were written, and which items came
    from `${VAR}`."""

    loc: Location
    item_locs: list[Location]
    item_vars: dict[int, Variables]

    def __init__(self, *args: Any, loc: Location, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loc = loc
        self.item_locs = []
        self.item_vars = {}

    def __getattr__(self, name: str) -> Any:
        # As LocDict's: the locations of a list the YAML loader built are made when first used.
        places = self.__dict__.get("_places")
        if places is None:
            raise _no_attribute(self, name)
        file, at, item_places, item_vars = places
        if name == "loc":
            value: Any = _location(file, at)
        elif name == "item_locs":
            value = [_location(file, p) for p in item_places]
        elif name == "item_vars":
            value = item_vars
        else:
            raise _no_attribute(self, name)
        self.__dict__[name] = value
        return value


# The YAML loader builds most of a config's containers, and later stages ask for few of their
# locations (a resource's field locations, the places of errors): so it keeps each as a place,
# one int (`place(mark)`), and they become `Location`s when first asked for. Each container's
# attributes read exactly as if they had been set when it was built. (An int, unlike the
# parser's mark object or a Location, is not tracked by the garbage collector: a large config
# holds tens of thousands.)


def place(mark: Any) -> int:
    """A parser mark's 0-based line and column as one int (`mark.line << 32 | mark.column`)."""
    return mark.line << 32 | mark.column


def located_dict(
    file: str,
    at: int,
    key_places: dict[str, int],
    value_places: dict[str, int],
    value_vars: dict[str, Variables],
) -> LocDict:
    """An empty LocDict at the place `at`, for the YAML loader, which fills it (and the places
    of its keys and values, and their variables) as it reads."""
    result = dict.__new__(LocDict)
    result._places = (file, at, key_places, value_places, value_vars)
    return result


def located_list(
    file: str, at: int, item_places: list[int], item_vars: dict[int, Variables]
) -> LocList:
    """An empty LocList at the place `at`, for the YAML loader (see `located_dict`)."""
    result = list.__new__(LocList)
    result._places = (file, at, item_places, item_vars)
    return result


def _location(file: str, at: int) -> Location:
    return Location(file, (at >> 32) + 1, (at & 0xFFFFFFFF) + 1)


def _no_attribute(obj: object, name: str) -> AttributeError:
    message = f"{type(obj).__name__!r} object has no attribute {name!r}"
    return AttributeError(message, name=name, obj=obj)


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


def lookup_variables(doc: LocDict, path: tuple[Any, ...]) -> Variables:
    """The variables the value at `path` was interpolated from; () for a value written as is."""
    node: Any = doc
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return ()
    if not path:
        return ()
    if isinstance(node, LocDict):
        return node.value_vars.get(path[-1], ())
    if isinstance(node, LocList) and isinstance(path[-1], int):
        return node.item_vars.get(path[-1], ())
    return ()


def address_and_field(path: tuple[Any, ...]) -> tuple[str, str]:
    """Split a document path into the resource address and the field inside it.

    Outside resource sections the address is the dotted path itself (`providers.smokeball.region`)
    and the field is empty.
    """
    for section in RESOURCE_SECTIONS:
        n = len(section)
        if path[:n] == section and len(path) > n:
            address = ".".join((*section, str(path[n])))
            return address, dotted(path[n + 1 :])
    return dotted(path) or "(top level)", ""


def dotted(parts: tuple[Any, ...]) -> str:
    """`client.name`, `conditions[0].value`: a path inside a resource as users write it."""
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def copy_located(value: Any) -> Any:
    """A deep copy keeping every location, for an alias: the copy may be merged into later."""
    if isinstance(value, LocDict):
        out = LocDict(((k, copy_located(v)) for k, v in value.items()), loc=value.loc)
        out.key_locs = dict(value.key_locs)
        out.value_locs = dict(value.value_locs)
        out.value_vars = dict(value.value_vars)
        return out
    if isinstance(value, LocList):
        items = LocList((copy_located(v) for v in value), loc=value.loc)
        items.item_locs = list(value.item_locs)
        items.item_vars = dict(value.item_vars)
        return items
    return value


_SCALARS = frozenset((str, int, float, bool, type(None)))  # values plain() returns as they are


def plain(value: Any) -> Any:
    """Located containers -> plain dicts and lists, so nothing downstream sees YAML types."""
    if isinstance(value, dict):
        return {k: v if type(v) in _SCALARS else plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    return value
