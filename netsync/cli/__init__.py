"""Command line: flags -> pipeline -> exit code.

Exit codes are part of the contract: 0 ok, 1 error (usage errors too: click's default 2 would
read as "changes" in a CI script), 2 changes or drift where asked for, 130 interrupted apply.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import sys
import threading
from typing import Any

import click

from netsync import __version__
from netsync.cli.apply import apply
from netsync.cli.commands import demo, drift, plan, show, validate
from netsync.cli.export import export
from netsync.cli.options import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, common
from netsync.http import Secrets
from netsync.pipeline import frozen_heap
from netsync.sandbox.cli import sandbox


class NetsyncGroup(click.Group):
    """Maps every usage error and abort to exit 1."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        standalone = extra.pop("standalone_mode", True)
        try:
            with frozen_heap():
                rv = super().main(args, prog_name or "netsync", standalone_mode=False, **extra)
        except click.ClickException as exc:
            exc.show()
            rv = EXIT_ERROR
        except (KeyboardInterrupt, click.Abort):  # click turns Ctrl-C into Abort
            click.echo("Interrupted.", err=True)
            rv = EXIT_INTERRUPTED
        except BrokenPipeError:  # `netsync plan | head`: the reader left; nothing to say
            _silence_stdout()
            rv = EXIT_ERROR
        except OSError as exc:  # stdout or stderr cannot be written (disk full, closed)
            _silence_stdout()
            message = Secrets.redact(exc.strerror or str(exc))
            with contextlib.suppress(OSError):
                sys.stderr.write(f"netsync: cannot write the output: {message}\n")
            rv = EXIT_ERROR
        except Exception as exc:  # a bug: still no traceback, still no secret
            if os.environ.get("NETSYNC_DEBUG"):
                raise
            message = Secrets.redact(f"{type(exc).__name__}: {exc}")
            click.echo(
                f"netsync: internal error: {message} (set NETSYNC_DEBUG=1 for details)", err=True
            )
            rv = EXIT_ERROR
        code = rv if isinstance(rv, int) else EXIT_OK
        if standalone:
            sys.exit(code)
        return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


_ASCII = {"→": "->", "»": ">>", "…": "...", "—": "-", "–": "-", "“": '"', "”": '"', "’": "'"}


def _transliterate(exc: UnicodeError) -> tuple[str, int]:
    """Encode error handler: ASCII stand-ins for netsync's own symbols, `?` for the rest."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start : exc.end]
    return "".join(_ASCII.get(ch, "?") for ch in text), exc.end


codecs.register_error("netsync", _transliterate)


def _legible_streams() -> None:
    """On a terminal that cannot show every character (cp1252 on Windows runners), print
    `->` for `→` instead of crashing."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if "utf" in encoding.lower() or not hasattr(stream, "reconfigure"):
            continue
        with contextlib.suppress(AttributeError, ValueError, io.UnsupportedOperation):
            stream.reconfigure(errors="netsync")


@click.group(
    name="netsync", cls=NetsyncGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(__version__, "--version", prog_name="netsync")
def main() -> None:
    """GitOps for referral networks: plan and apply CaseXchange, Smokeball and Trackops
    settings from YAML in git, and report drift.

    \b
    Examples:
      netsync validate -c network/
      netsync plan -c network/ --format markdown > plan.md
      netsync apply -c network/ --auto-approve
    """

    _legible_streams()


for _command in (validate, plan, drift, show, apply, export, demo, sandbox):
    main.add_command(common(_command))


def run() -> None:
    """The `netsync` program: the command, then the process ends at once. The interpreter's
    own exit frees a large plan's heap object by object (0.1 s at 5,100 resources), with
    nothing left to do: the output is flushed here, files are written atomically and the
    providers closed by the command. A thread still running (a write after Ctrl-C) is waited
    for by the ordinary exit instead."""
    code = main.main(standalone_mode=False)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader left; the command has reported it already
            code = code or EXIT_ERROR
    if threading.active_count() > 1:
        sys.exit(code)
    os._exit(code)
