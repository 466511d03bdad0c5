"""What apply did, for people (progress lines, the last stdout line) and machines
(`--report FILE`, schemas/report.schema.json). No credential and no sensitive value."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from netsync.files import write_atomically
from netsync.model import Action, Outcome
from netsync.render import document_text

FORMAT_VERSION = "1"
DONE = {
    Action.CREATE: ("creating", "created"),
    Action.UPDATE: ("updating", "updated"),
    Action.REREFER: ("re-referring", "re-referred"),
    Action.DELETE: ("deleting", "deleted"),
}


class Verdict(StrEnum):
    APPLIED = "applied"  # every change applied or already applied
    NOTHING_TO_DO = "nothing_to_do"  # no change needed a write
    PARTIAL = "partial"  # some change failed, was not attempted or is unconfirmed
    REFUSED = "refused"  # refused before any write
    ABORTED = "aborted"  # declined at the prompt, or interrupted


@dataclass
class Item:
    address: str
    action: str
    outcome: str
    method: str | None = None
    path: str | None = None
    status: int | None = None
    attempts: int = 0
    request_id: str | None = None
    started: str | None = None
    ended: str | None = None
    message: str | None = None


@dataclass
class Report:
    result: Verdict
    scope: dict[str, Any] | None = None
    items: list[Item] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False  # aborted at the prompt, not interrupted

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "result": self.result.value,
            "scope": self.scope,
            "items": [asdict(item) for item in self.items],
            "errors": list(self.errors),
        }

    def counts(self) -> Counter[str]:
        return Counter(item.outcome for item in self.items)

    def last_line(self) -> str:
        """`Apply complete: …` when every change is applied or already applied, else
        `Apply failed: …` with the count of each outcome."""
        counts = self.counts()
        ok = {Outcome.APPLIED.value, Outcome.ALREADY_APPLIED.value}
        if self.result in (Verdict.APPLIED, Verdict.NOTHING_TO_DO) and set(counts) <= ok:
            done = Counter(i.action for i in self.items if i.outcome == Outcome.APPLIED.value)
            return (
                f"Apply complete: {done[Action.CREATE.value]} created, "
                f"{done[Action.UPDATE.value]} updated, {done[Action.REREFER.value]} re-referred, "
                f"{done[Action.DELETE.value]} deleted, "
                f"{counts[Outcome.ALREADY_APPLIED.value]} already applied."
            )
        aborted = " (cancelled)" if self.cancelled else " (interrupted)"
        why = {Verdict.REFUSED: " (refused before any write)", Verdict.ABORTED: aborted}
        return (
            f"Apply failed{why.get(self.result, '')}: {counts[Outcome.APPLIED.value]} applied, "
            f"{counts[Outcome.UNCONFIRMED.value]} unconfirmed, "
            f"{counts[Outcome.ALREADY_APPLIED.value]} already applied, "
            f"{counts[Outcome.FAILED.value]} failed, {counts[Outcome.NOT_ATTEMPTED.value]} "
            "not attempted."
        )

    def write(self, path: str) -> None:
        write_atomically(path, document_text(self.to_json()))
