"""Local emulator of the CaseXchange, Smokeball and Trackops APIs (see docs/sandbox.md)."""

from .seed import SeedError
from .server import Sandbox

__all__ = ["Sandbox", "SeedError"]
