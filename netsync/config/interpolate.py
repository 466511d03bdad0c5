"""`${VAR}` / `${VAR:-default}` / `$${` interpolation of config strings from the environment."""

from __future__ import annotations

import re
from collections.abc import Mapping

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_TOKEN = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)\}|\$\{")
_BODY = re.compile(rf"^(?P<name>{_NAME})(?::-(?P<default>.*))?$", re.DOTALL)


class InterpolationError(ValueError):
    pass


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """`text` with every `${VAR}` replaced (see `interpolate_tracked`)."""
    return interpolate_tracked(text, env)[0]


def interpolate_tracked(text: str, env: Mapping[str, str]) -> tuple[str, tuple[str, ...]]:
    """Replace `${VAR}` with the variable's value; an unset variable without default is an error.

    Returns the text and the names of the variables used, so messages about the value can name
    the variable instead of echoing what may be a secret. `$${` is a literal `${`. As in docker
    compose, `${VAR:-default}` also applies the default when VAR is set but empty (CI systems
    expand a missing secret to ""); the default is taken literally, and a `${` inside it is an
    error rather than a silently literal `${`.
    """
    names: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        body = match.group("body")
        if body is None:
            raise InterpolationError("unterminated '${' (write '$${' for a literal '${')")
        parsed = _BODY.match(body)
        if parsed is None:
            if "${" in body:
                raise InterpolationError("nested '${' inside '${...}' is not supported")
            raise InterpolationError(
                f"invalid interpolation '${{{body}}}': expected ${{NAME}} or ${{NAME:-default}}"
            )
        name = parsed.group("name")
        default = parsed.group("default")
        names.append(name)
        if default is not None:
            if "${" in default:
                raise InterpolationError(
                    f"nested '${{' in the default of '${{{name}:-...}}' is not supported"
                )
            return env.get(name) or default
        if name in env:
            return env[name]
        raise InterpolationError(f"environment variable {name} is not set (used as '${{{name}}}')")

    return _TOKEN.sub(replace, text), tuple(dict.fromkeys(names))
