"""Config loading: YAML files -> merged located document -> schema and semantic checks ->
desired resources and provider settings. Every error names file, line and column."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from netsync.config.checks import semantic_checks
from netsync.config.desired import Config, build_config
from netsync.config.loader import ConfigError, read_source
from netsync.config.schema import validate_schema
from netsync.model import Location

__all__ = ["Config", "ConfigError", "load_config"]

_NOWHERE = Location("", 0, 0)


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> Config:
    """Load and fully validate a config; raises ConfigError carrying every problem found."""
    env = os.environ if env is None else env
    source = read_source(Path(path), env)
    problems = validate_schema(source.data) + semantic_checks(source.data, env)
    if problems:
        problems.sort(key=lambda d: (d.location or _NOWHERE, d.address or "", d.message))
        raise ConfigError(problems)
    return build_config(source.data, source.files, source.digest, env, source.key)
