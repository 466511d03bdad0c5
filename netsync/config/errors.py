"""The one exception config loading raises: it carries every problem found, so `validate` can
report them all at once."""

from __future__ import annotations

from netsync.model import Diagnostic


class ConfigError(Exception):
    """Config problems, each a `Diagnostic` naming the file, line, column and address."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics
