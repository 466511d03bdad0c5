"""`plan --changed-since GITREF`: a pull request's plan covers the addresses whose resolved
desired state differs from the config at GITREF, so its cost follows the change, not the
network. Whatever cannot be scoped safely is planned whole, and the plan says why."""

from __future__ import annotations

from collections.abc import Mapping

from netsync.config import Config, ConfigError
from netsync.config.history import (
    AbsentAtRef,
    HistoryError,
    changes_since,
    config_at,
    removal_planned,
)
from netsync.model import Diagnostic
from netsync.scope import Scope

__all__ = ["HistoryError", "changed_scope"]


def changed_scope(
    ref: str, config_path: str | None, config: Config, env: Mapping[str, str]
) -> tuple[Scope, list[Diagnostic]]:
    """The scope of the plan and the warnings it carries (why it is unscoped, which resources
    are no longer managed). Raises HistoryError when `ref` cannot be read: never a silent full
    or empty plan."""
    try:
        old = config_at(ref, config_path, env)
    except AbsentAtRef as exc:
        return Scope(), [_unscoped(ref, str(exc))]
    except ConfigError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else "invalid"
        return Scope(), [_unscoped(ref, f"the config at {ref} is not valid ({first})")]
    changes = changes_since(ref, old, config)
    if changes.unscoped:
        return Scope(), [_unscoped(ref, changes.unscoped)]
    planned = [a for a in changes.removed if removal_planned(a, config)]
    warnings = [
        Diagnostic(
            address,
            f"no longer managed: removed from the config since {ref}; its live object is left "
            "as it is",
        )
        for address in changes.removed
        if address not in planned
    ]
    return Scope.since(ref, [*changes.changed, *planned]), warnings


def _unscoped(ref: str, why: str) -> Diagnostic:
    return Diagnostic(None, f"--changed-since {ref}: {why}; the whole config is planned")
