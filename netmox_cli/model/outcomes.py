"""What applying a plan did: each change's outcome, the run's report, and the events that announce them.

Plain data in ``model/`` so that the history (which records outcomes) and the views (which print them)
depend on this contract only, never on the engine that produces it (terraform's hooks: the executor
emits, the progress view and the recorder subscribe).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from netmox_cli.model.plan import Change


class WriteResult(BaseModel):
    """What a successful write reports back (for history and the progress view)."""

    model_config = ConfigDict(extra="forbid")

    message: str = ""
    warnings: list[str] = Field(default_factory=list)


class ChangeStatus(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    STALE = "stale"
    SKIPPED = "skipped"
    NOTIFIED = "notified"  # a notify difference reported (NetBox journal, [notify] url), nothing written


@dataclass
class ChangeOutcome:
    change: Change
    status: ChangeStatus
    error: str | None = None
    result: WriteResult | None = None


@dataclass
class ApplyReport:
    outcomes: list[ChangeOutcome] = field(default_factory=list)

    def count(self, status: ChangeStatus) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status is status)

    @property
    def ok(self) -> bool:
        return self.count(ChangeStatus.FAILED) == 0 and self.count(ChangeStatus.STALE) == 0


class Subscriber(Protocol):
    """Hears of every change an apply run carries out: ``sent`` just before its request goes out (the
    history commits a write-ahead row), ``finished`` once its outcome is known (also for changes that were
    never sent: stale, skipped, refused)."""

    def sent(self, change: Change) -> None: ...

    def finished(self, outcome: ChangeOutcome) -> None: ...


@runtime_checkable
class RunAware(Protocol):
    """A subscriber that also wants to know when a run's writes start (how many) and end (a progress bar)."""

    def run_starts(self, total: int) -> None: ...

    def run_ends(self) -> None: ...


class Subscribers:
    """Several subscribers heard as one, in order (the history first, so a row exists before a line is shown)."""

    def __init__(self, subscribers: Iterable[Subscriber] = ()) -> None:
        self.subscribers = list(subscribers)

    def sent(self, change: Change) -> None:
        for subscriber in self.subscribers:
            subscriber.sent(change)

    def finished(self, outcome: ChangeOutcome) -> None:
        for subscriber in self.subscribers:
            subscriber.finished(outcome)

    def run_starts(self, total: int) -> None:
        for subscriber in self.subscribers:
            if isinstance(subscriber, RunAware):
                subscriber.run_starts(total)

    def run_ends(self) -> None:
        for subscriber in self.subscribers:
            if isinstance(subscriber, RunAware):
                subscriber.run_ends()
