"""`netsync apply`: make exactly the reviewed changes (SPEC 3).

plan (or a plan file checked against fresh reads) -> checks that refuse before any write
(staleness, credentials, --force) -> the prompt -> writes in dependency order through the
providers -> outcomes, progress lines, the last stdout line and the report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import click

from netsync.apply.executor import Executor, Finished
from netsync.apply.order import order
from netsync.apply.report import DONE, Item, Report, Verdict
from netsync.apply.verify import Decision, decide_fresh, decide_saved
from netsync.config import Config
from netsync.kinds import LABELS
from netsync.model import Action, Change, Diagnostic, Outcome, Plan
from netsync.pipeline import PlanRun, planning
from netsync.planfile import SavedPlan
from netsync.progress import Progress
from netsync.providers import Options
from netsync.review import ReviewOptions
from netsync.safety import destructive_reasons, share_reason
from netsync.scope import Scope
from netsync.sensitive import scrub

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130


@dataclass
class Settings:
    targets: tuple[str, ...] = ()
    auto_approve: bool = False
    force: bool = False
    parallelism: int = 16
    keep_going: bool = False
    max_wait: float = 120.0


@dataclass
class Console:
    """Where apply speaks: stdout for the plan and the last line, stderr for the rest."""

    show_plan: Callable[[Plan], None]
    confirm: Callable[[], bool]
    lock: threading.Lock = field(default_factory=threading.Lock)

    def out(self, line: str) -> None:
        click.echo(line)

    def err(self, line: str) -> None:
        with self.lock:
            click.echo(line, err=True)


class Apply:
    """One `netsync apply`; `report` is filled in whatever happens, for `--report FILE`."""

    def __init__(
        self,
        config: Config,
        saved: SavedPlan | None,
        settings: Settings,
        console: Console,
        env: Mapping[str, str],
    ) -> None:
        self.config = config
        self.saved = saved
        self.settings = settings
        self.console = console
        self.env = env
        self.report = Report(Verdict.REFUSED)

    def scope(self) -> Scope:
        if self.saved is None:
            return Scope.of(self.settings.targets)
        return Scope.of(c.address for c in self.saved.changes if c.action is not Action.NOOP)

    def run(self) -> int:
        scope = self.scope()
        self.report.scope = self.saved.scope if self.saved else scope.to_json()
        if self.saved is not None and scope.everything:
            self.report.result = Verdict.NOTHING_TO_DO
            self.console.err("The plan file holds no changes.")
            self.console.out(self.report.last_line())
            return EXIT_OK
        options = Options.of(
            self.env, parallelism=self.settings.parallelism, max_wait=self.settings.max_wait
        )
        with (
            Progress("Reading live state") as progress,
            planning(
                self.config,
                self.env,
                scope=scope,
                parallelism=self.settings.parallelism,
                progress=progress,
                options=options,
                # A plan file was reviewed when it was made: apply checks it, not re-reviews it.
                checks=ReviewOptions(enabled=self.saved is None),
            ) as run,
        ):
            progress.finish()  # the reading line ends before the plan or the prompt shows
            if self.saved is None:
                self.console.show_plan(run.plan)
            planned = _planned(self.saved.changes if self.saved else run.plan.changes)
            if run.plan.errors:
                return self.refuse(planned, run.plan.errors)
            decision = decide_saved(self.saved, run) if self.saved else decide_fresh(run)
            self.check(run, decision, len(planned))
            if decision.refusals:
                return self.refuse(planned, decision.refusals)
            return self.proceed(run, decision)

    def check(self, run: PlanRun, decision: Decision, changing: int) -> None:
        """Refusals found before any write: key tiers, and --force (the share counts every
        planned change, as the plan did; destructive ones are those about to be written)."""
        by_vendor: dict[str, list[Change]] = {}
        for change in decision.write:
            by_vendor.setdefault(change.type.vendor, []).append(change)
        for vendor, changes in by_vendor.items():
            decision.refusals += run.providers[vendor].check_credentials(changes)
        share = share_reason(
            changing,
            len(self.config.resources),
            self.config.max_change_percent,
            self.config.min_resources,
        )
        reasons = ([share] if share else []) + destructive_reasons(decision.write)
        if reasons and decision.write and not self.settings.force:
            decision.refusals += [
                Diagnostic(None, f"apply needs --force: {reason}") for reason in reasons
            ]

    def refuse(self, planned: list[tuple[str, Action]], problems: list[Diagnostic]) -> int:
        for problem in problems:
            self.console.err(f"Error: {problem}")
        self.report.result = Verdict.REFUSED
        self.report.errors = [str(p) for p in problems]
        self.report.items = [
            Item(address, action.value, Outcome.NOT_ATTEMPTED.value, message="refused")
            for address, action in planned
        ]
        self.console.out(self.report.last_line())
        return EXIT_ERROR

    def proceed(self, run: PlanRun, decision: Decision) -> int:
        if self.saved is not None and self.saved.scope:
            self.console.err(
                "Warning: this plan file covers part of the config only; changes outside it "
                "that are not applied yet are not included."
            )
        self.report.items = [
            Item(address, action.value, Outcome.ALREADY_APPLIED.value)
            for address, action in decision.already
        ]
        if not decision.write:
            self.report.result = Verdict.NOTHING_TO_DO
            if decision.already:
                self.console.err("Plan already applied: nothing to write.")
            self.console.out(self.report.last_line())
            return EXIT_OK
        if self.saved is None and not self.settings.auto_approve and not self.console.confirm():
            self.report.result = Verdict.ABORTED
            self.report.items += [
                Item(c.address, c.action.value, Outcome.NOT_ATTEMPTED.value, message="declined")
                for c in decision.write
            ]
            self.report.cancelled = True
            self.console.err("Apply cancelled.")
            self.console.out(self.report.last_line())
            return EXIT_ERROR
        return self.write(run, decision.write)

    def write(self, run: PlanRun, changes: list[Change]) -> int:
        by_address = {c.address: c for c in changes}
        items: dict[str, Item] = {}

        def work(address: str) -> Finished:
            change = by_address[address]
            doing, done = DONE[change.action]
            item = items[address] = Item(address, change.action.value, Outcome.FAILED.value)
            item.started = _now()
            self.console.err(f"{address}: {doing}…")
            provider = run.providers[change.type.vendor]
            written = provider.apply(change, lambda note: self.console.err(f"{address}: {note}"))
            item.ended = _now()
            item.method, item.path, item.status = written.method, written.path, written.status
            item.attempts, item.request_id = written.attempts, written.request_id
            live = run.read.live.get(address)
            message = written.message and scrub(
                written.message, change.type, change.after, change.before, live and live.fields
            )
            self.console.err(f"{address}: {_ending(written.outcome, done, item, message)}")
            return Finished(written.outcome, message)

        graph = order(changes)
        executor = Executor(
            graph.deps,
            graph.barriers,
            work,
            parallelism=self.settings.parallelism,
            keep_going=self.settings.keep_going,
            notify=self.console.err,
        )
        state = executor.execute()
        for address, result in sorted(state.results.items()):
            item = items.get(address) or Item(address, by_address[address].action.value, "")
            item.outcome, item.message = result.outcome.value, result.message
            if result.outcome is Outcome.NOT_ATTEMPTED or item.ended is None:  # no end line yet
                self.console.err(f"{address}: {result.message}")
            self.report.items.append(item)
        unconfirmed = {
            LABELS[by_address[i.address].type.vendor]
            for i in self.report.items
            if i.outcome == Outcome.UNCONFIRMED.value
        }
        return self.finish(state.interrupted, sorted(unconfirmed))

    def finish(self, interrupted: bool, unconfirmed: list[str]) -> int:
        counts = self.report.counts()
        ok = counts[Outcome.APPLIED.value] + counts[Outcome.ALREADY_APPLIED.value]
        if interrupted:
            self.report.result = Verdict.ABORTED
        elif ok == len(self.report.items):
            self.report.result = Verdict.APPLIED
        else:
            self.report.result = Verdict.PARTIAL
        for vendor in unconfirmed:
            self.console.err(f"Accepted by {vendor}, not yet visible; run netsync plan to confirm.")
        self.console.out(self.report.last_line())
        if interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if self.report.result is Verdict.APPLIED else EXIT_ERROR


def _planned(changes: list) -> list[tuple[str, Action]]:
    """(address, action) of every change the plan makes, for report items."""
    return [(c.address, c.action) for c in changes if c.action is not Action.NOOP]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ending(outcome: Outcome, done: str, item: Item, message: str | None) -> str:
    call = f"{item.method} {item.path}" if item.method else ""
    if item.status is not None:
        call += f": {item.status}"
    if outcome is Outcome.APPLIED:
        return f"{done} ({call}{'; ' + message if message else ''})"
    if outcome is Outcome.ALREADY_APPLIED:
        return f"already applied ({call})"
    if outcome is Outcome.UNCONFIRMED:
        return f"accepted, not yet visible ({call})"
    return f"failed: {message or call}"
