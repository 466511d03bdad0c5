"""`netsync demo`: the quick start's main job on a machine with no credentials.

Starts the built-in sandbox in this process, seeded with the example's live world, points netsync
at it with the sandbox's credentials and runs validate, plan, apply and a clean re-plan as a user
would.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "quickstart"


@contextmanager
def sandbox_environment(seed: Path) -> Iterator[str]:
    """A running sandbox and os.environ pointing at it; both restored afterwards."""
    from netsync.sandbox import Sandbox

    with Sandbox(seed=str(seed)) as sb:
        saved = {name: os.environ.get(name) for name in sb.env()}
        os.environ.update(sb.env())
        try:
            yield sb.url
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def run_demo(config: Path, seed: Path, invoke: Callable[..., int]) -> int:
    """Each step as the user would type it; stops at the first step that fails."""
    if not config.exists() or not seed.exists():
        click.echo(
            f"netsync demo needs {config} and {seed} (install netsync from a clone with "
            "`pip install -e .`)",
            err=True,
        )
        return 1
    with sandbox_environment(seed) as url:
        click.echo(f"# Sandbox serving CaseXchange, Smokeball and Trackops at {url}", err=True)
        # The example adopts a network that differs in most places, so its first apply changes
        # more than settings.safety.max_change_percent allows without --force.
        steps = [
            ("validate", ["validate", "-c", str(config)], {0}, ""),
            ("plan", ["plan", "-c", str(config), "--detailed-exitcode"], {0, 2}, ""),
            (
                "apply",
                ["apply", "-c", str(config), "--auto-approve", "--force"],
                {0},
                "# --force: this first apply changes more than max_change_percent of the network",
            ),
            (
                "re-plan",
                ["plan", "-c", str(config), "--detailed-exitcode"],
                {0},
                "# a clean re-plan: the live network now matches the config",
            ),
        ]
        for name, args, ok, note in steps:
            sys.stdout.flush()
            click.echo(f"\n$ netsync {' '.join(args)}", err=True)
            if note:
                click.echo(note, err=True)
            code = invoke(args)
            sys.stdout.flush()
            if code not in ok:
                click.echo(f"# netsync {name} failed with exit code {code}", err=True)
                return 1
    return 0
