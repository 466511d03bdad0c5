"""`netsync sandbox`: serve the emulator until Ctrl-C, printing the exports a shell needs."""

from __future__ import annotations

import ipaddress
import shlex
import signal
import threading
from pathlib import Path
from typing import Any

import click

from .yamlfile import SeedError, load_data_file


class _Command(click.Command):
    """A click command whose usage errors exit 1: exit 2 means "changes" in netsync."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            raise SystemExit(1) from None
        except click.ClickException as exc:
            exc.show()
            raise SystemExit(1) from None
        except click.exceptions.Exit as exc:
            raise SystemExit(exc.exit_code) from None

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        # Reached also when mounted under the main `netsync` group, whose main() we do not own.
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.exit_code = 1
            raise


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the sandbox on this machine (names other than localhost
    could resolve anywhere, and "" or 0.0.0.0 mean every interface)."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def rate_limit_setting(value: str) -> str | dict[str, Any]:
    """`--rate-limits`: off, vendor, or a file mapping vendors to settings (checked here, so a
    bad file is a usage error before anything starts)."""
    from .limits import limits_config

    if value in ("off", "vendor"):
        return value
    path = Path(value)
    if not path.is_file():
        raise click.BadParameter(f"{value!r} is not off, vendor or a file of per-vendor limits")
    try:
        setting = load_data_file(path)
        if not isinstance(setting, dict):
            raise ValueError("must be a mapping of vendor -> off, vendor or settings")
        limits_config(setting)
    except SeedError as exc:
        raise click.BadParameter(str(exc)) from None
    except ValueError as exc:
        raise click.BadParameter(f"{value}: {exc}") from None
    return setting


def exposure_warning(host: str) -> str | None:
    """The stderr warning for a non-loopback --host: the sandbox has no real security."""
    if is_loopback(host):
        return None
    return (
        f"warning: --host {host or '(all interfaces)'} is not a loopback address: other machines "
        "can reach the sandbox, whose default credentials are public and whose /_sandbox control "
        "API needs none"
    )


@click.command("sandbox", cls=_Command)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8900, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--seed",
    "seed",
    type=click.Path(dir_okay=False),
    help="Seed YAML, or JSON when named *.json (the live world).",
)
@click.option("--state", type=click.Path(dir_okay=False), help="Persist state to this JSON file.")
@click.option("--latency-ms", default=0, type=click.FloatRange(min=0), help="Delay per response.")
@click.option(
    "--rate-limits",
    default="off",
    show_default=True,
    metavar="off|vendor|FILE",
    callback=lambda _ctx, _param, value: rate_limit_setting(value),
    help="Enforce the vendors' rate limits (vendor), or those of a YAML/JSON file of "
    "per-vendor settings.",
)
@click.option("--faults", type=click.Path(dir_okay=False), help="Fault-rule YAML.")
@click.option(
    "--smokeball-delay",
    default=0.0,
    type=click.FloatRange(min=0),
    help="Seconds before an accepted Smokeball write shows in GET.",
)
def sandbox(
    host: str,
    port: int,
    seed: str | None,
    state: str | None,
    latency_ms: float,
    rate_limits: str | dict[str, Any],
    faults: str | None,
    smokeball_delay: float,
) -> None:
    """Run a local emulator of the CaseXchange, Smokeball and Trackops APIs."""
    from .server import Sandbox

    try:
        sb = Sandbox(
            seed=seed,
            state=state,
            latency_ms=latency_ms,
            rate_limits=rate_limits,
            faults=faults,
            smokeball_visibility_delay=smokeball_delay,
            host=host,
            port=port,
        )
    except SeedError as exc:  # seed, fault or state file (state I/O problems included)
        raise click.ClickException(str(exc)) from None
    except OSError as exc:  # defensive: any other file problem while building the world
        where = f"{state}: cannot read/write state" if state else "cannot start sandbox"
        raise click.ClickException(f"{where}: {exc.strerror or exc}") from None
    warning = exposure_warning(host)
    if warning:
        click.echo(warning, err=True)
    try:
        sb.start()
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        ) from None
    stop = threading.Event()  # SIGTERM handled before the export lines tell anyone we run
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"netsync sandbox listening on {sb.url}  (Ctrl-C to stop)", err=True)
    for name, value in sb.env().items():
        click.echo(f"export {name}={shlex.quote(value)}")
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)
        click.echo("netsync sandbox stopped", err=True)
