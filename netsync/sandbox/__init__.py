"""Local emulator of the CaseXchange, Smokeball and Trackops APIs (see docs/sandbox.md)."""

from .server import Sandbox
from .yamlfile import SeedError

__all__ = ["Sandbox", "SeedError"]
