"""Files netsync writes (plan files, reports): whole or not at all, and only regular files.

A path given with `-o` or `--report` may already hold something else: a symlink (writing
through it would land anywhere), a FIFO or a device (as root, renaming over `/dev/full` replaces
the device). netsync writes only where nothing is, or over a regular file; it never creates
missing directories, so a typo in a path is an error rather than a new directory tree.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class NotRegularFile(Exception):
    """The path exists and is not a regular file."""


def _existing(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None


def _check(path: Path) -> None:
    found = _existing(path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        kind = "a symlink" if stat.S_ISLNK(found.st_mode) else "not a regular file"
        if stat.S_ISDIR(found.st_mode):
            kind = "a directory"
        elif stat.S_ISFIFO(found.st_mode):
            kind = "a FIFO"
        elif stat.S_ISCHR(found.st_mode) or stat.S_ISBLK(found.st_mode):
            kind = "a device"
        raise NotRegularFile(f"it is {kind}; netsync writes only regular files")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise NotRegularFile(f"the directory {parent} does not exist")


def write_atomically(path: str | Path, text: str) -> Path:
    """Write `text` to a temporary file beside `path`, then rename it over `path`: a reader
    (a later apply, a CI step) never sees half a file."""
    target = Path(path)
    _check(target)
    fd, temp = tempfile.mkstemp(dir=target.parent or Path("."), prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def remove_stale(path: str | Path) -> bool:
    """Remove a regular file left at `path` by an earlier run; True when one was removed."""
    target = Path(path)
    found = _existing(target)
    if found is None or not stat.S_ISREG(found.st_mode):
        return False
    target.unlink()
    return True
