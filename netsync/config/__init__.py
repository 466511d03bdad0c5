"""Config loading: YAML files -> merged located document -> schema and semantic checks ->
desired resources and provider settings. Every error names file, line and column."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from netsync.config.checks import semantic_checks
from netsync.config.desired import Config, build_config
from netsync.config.display import scrub
from netsync.config.errors import ConfigError
from netsync.config.loader import SourceDocument, parse_source, read_source
from netsync.config.schema import validate_schema
from netsync.config.sources import STDIN, RawFile
from netsync.model import Location

__all__ = ["STDIN", "Config", "ConfigError", "RawFile", "load_config", "load_config_files"]

_NOWHERE = Location("", 0, 0)


def load_config(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    *,
    stdin: IO[Any] | None = None,
) -> Config:
    """Load and fully validate a config; raises ConfigError carrying every problem found.

    `path` is a file or a directory; None finds `netsync.yaml` or `netsync.yml` in the working
    directory; "-" reads one YAML document from `stdin` (default: the process's standard input),
    located as `<stdin>:line:col`.
    """
    env = os.environ if env is None else env
    with _collector_paused():
        try:
            source = read_source(path, env, stdin)
        except ConfigError as exc:
            raise ConfigError(scrub(exc.diagnostics, env)) from None
        return _validated(source, env)


def load_config_files(raws: list[RawFile], env: Mapping[str, str]) -> Config:
    """A config from files already read (the config as a git revision had it)."""
    with _collector_paused():
        try:
            source = parse_source(raws, env, [])
        except ConfigError as exc:
            raise ConfigError(scrub(exc.diagnostics, env)) from None
        return _validated(source, env)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Loading a large config allocates a container per mapping and list (and the parser an
    object per event) and frees almost nothing: the cyclic garbage collector would walk the
    growing heap again and again (a quarter of loading a national network's config) to find
    no cycle. Reference counting frees what loading drops; the collector resumes afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _validated(source: SourceDocument, env: Mapping[str, str]) -> Config:
    try:
        problems = validate_schema(source.data) + semantic_checks(source.data, env)
    except ConfigError as exc:
        raise ConfigError(scrub(exc.diagnostics, env)) from None
    if problems:
        problems.sort(key=lambda d: (d.location or _NOWHERE, d.address or "", d.message))
        raise ConfigError(scrub(problems, env))
    return build_config(source.data, source.files, source.digest, env, source.key)
