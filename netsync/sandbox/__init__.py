"""Local emulator of the CaseXchange, Smokeball and Trackops APIs (see docs/sandbox.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .yamlfile import SeedError

if TYPE_CHECKING:
    from .server import Sandbox

__all__ = ["Sandbox", "SeedError"]


def __getattr__(name: str) -> Any:
    """`Sandbox` is imported on first use: every netsync command registers the `sandbox`
    command, and only that command (and the demo) runs the server."""
    if name == "Sandbox":
        from .server import Sandbox

        return Sandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
