"""Finding and reading the bytes of a config: a file, a directory of files, standard input, or
`netsync.yaml` / `netsync.yml` in the working directory.

Sizes are checked before anything is parsed (and reads are capped, for a FIFO or a device whose
size is unknown), so a huge input costs a `stat`, not a parse. A path that cannot be read is an
error naming it, never an internal error.
"""

from __future__ import annotations

import errno
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from netsync.config.errors import ConfigError
from netsync.config.limits import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, megabytes
from netsync.model import Diagnostic, Location

STDIN = "-"
STDIN_NAME = "<stdin>"
DEFAULT_NAMES = ("netsync.yaml", "netsync.yml")


@dataclass(frozen=True)
class RawFile:
    """One config file's bytes and the name messages use for it."""

    path: Path
    data: bytes

    @property
    def name(self) -> str:
        return str(self.path)


def read_config_bytes(
    path: str | Path | None, stdin: IO[Any] | None = None
) -> tuple[list[RawFile], list[Diagnostic]]:
    """The files a config path means, read; problems with single files are returned, problems
    that leave nothing to read raise ConfigError."""
    if path is None:
        path = default_path()
    if str(path) == STDIN:
        return [RawFile(Path(STDIN_NAME), _read_stdin(stdin))], []
    files = config_files(Path(path))
    _check_total(Path(path), files)
    errors: list[Diagnostic] = []
    raws = []
    for file in files:
        try:
            raws.append(RawFile(file, _read_file(file)))
        except _Unreadable as exc:
            errors.append(Diagnostic(None, str(exc), Location(str(file), 1, 1)))
    return raws, errors


def default_path(cwd: Path | None = None) -> Path:
    """`netsync.yaml` or `netsync.yml` in the working directory (SPEC 3: both is an error).

    The path stays relative, so messages read `netsync.yaml:3:5: ...`."""
    cwd = cwd or Path()
    found = [cwd / name for name in DEFAULT_NAMES if _exists(cwd / name)]
    if len(found) > 1:
        raise _fatal(
            f"{found[0]} and {found[1]} are both in the working directory: keep one, "
            "or choose with -c PATH"
        )
    if not found:
        raise _fatal("no netsync.yaml or netsync.yml in the working directory (use -c PATH)")
    return found[0]


def config_files(path: Path) -> list[Path]:
    """The files a config path means: the file itself, or *.yaml/*.yml directly in a folder."""
    if not _exists(path):
        hint = " (use -c PATH)" if path.name in DEFAULT_NAMES else ""
        raise _fatal(f"{path}: no such file or directory{hint}")
    if not _is_dir(path):
        return [path]
    try:
        entries = sorted(p for p in path.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
    except OSError as exc:
        raise _fatal(f"{path}: cannot list the directory: {_reason(exc)}") from None
    files = [p for p in entries if not _is_dir(p)]
    if not files:
        raise _fatal(f"{path}: no *.yaml or *.yml files in directory")
    if len(files) > MAX_FILES:
        raise _fatal(
            f"{path}: {len(files):,} *.yaml/*.yml files, more than the limit of {MAX_FILES:,}"
        )
    return files


def _check_total(path: Path, files: list[Path]) -> None:
    total = 0
    for file in files:
        try:
            total += file.stat().st_size
        except OSError:
            continue  # reported when the file is read
    if len(files) > 1 and total > MAX_TOTAL_BYTES:
        raise _fatal(
            f"{path}: the config files add up to {megabytes(total)}, more than the limit of "
            f"{megabytes(MAX_TOTAL_BYTES)} for all files together"
        )


class _Unreadable(Exception):
    pass


def _read_file(path: Path) -> bytes:
    try:
        info = path.stat()
        if stat.S_ISREG(info.st_mode) and info.st_size > MAX_FILE_BYTES:
            raise _Unreadable(_too_large(info.st_size))
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _Unreadable(f"cannot read: {_reason(exc)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _Unreadable(_too_large(None))
    return data


def _read_stdin(stdin: IO[Any] | None) -> bytes:
    stream = stdin if stdin is not None else sys.stdin
    binary = getattr(stream, "buffer", stream)
    try:
        data = binary.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fatal(f"{STDIN_NAME}: cannot read: {_reason(exc)}") from None
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError([Diagnostic(None, _too_large(None), Location(STDIN_NAME, 1, 1))])
    return data


def _too_large(size: int | None) -> str:
    what = f"the file is {megabytes(size)}, more" if size is not None else "the input is more"
    return (
        f"{what} than the limit of {megabytes(MAX_FILE_BYTES)} for a config file "
        "(split a big network into several files in one directory)"
    )


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError as exc:
        raise _fatal(f"{path}: cannot read: {_reason(exc)}") from None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError as exc:
        raise _fatal(f"{path}: cannot read: {_reason(exc)}") from None


def _reason(exc: OSError) -> str:
    if exc.errno == errno.EACCES:
        return "permission denied (check the permissions of the file and its directories)"
    return (exc.strerror or type(exc).__name__).lower()


def _fatal(message: str) -> ConfigError:
    return ConfigError([Diagnostic(None, message)])
