"""What apply prints: the destructive-change warning, one line per change as it finishes (with a progress
bar on a terminal), the final tally.

Results, errors and warnings quote the servers' own words (and names from either side): each line goes
through ``safe`` before it is printed."""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.text import Text

from netmox_cli.model.outcomes import ApplyReport, ChangeOutcome, ChangeStatus
from netmox_cli.model.plan import Change, Plan
from netmox_cli.render.safe import safe
from netmox_cli.render.text import is_destructive, object_label, verb

STATUS_STYLES = {
    ChangeStatus.APPLIED: "green",
    ChangeStatus.FAILED: "bold red",
    ChangeStatus.STALE: "yellow",
    ChangeStatus.SKIPPED: "dim",
    ChangeStatus.NOTIFIED: "cyan",
}


def change_title(change: Change) -> str:
    return safe(f"{change.connection}/{object_label(change)}: {verb(change)}")


def destructive_warning(plan: Plan) -> Text | None:
    """A red line naming every delete and stop, shown just before the confirmation prompt."""
    names = [change_title(change) for change in plan.changes if is_destructive(change)]
    if not names:
        return None
    return Text(f"Destructive changes ({len(names)}): " + "; ".join(names), style="bold red")


def outcome_line(outcome: ChangeOutcome) -> Text:
    detail = f" ({outcome.error})" if outcome.error else ""
    done = outcome.status in (ChangeStatus.APPLIED, ChangeStatus.NOTIFIED)
    if done and outcome.result is not None and outcome.result.message:
        detail = f" ({outcome.result.message})"
    line = safe(f"{change_title(outcome.change)}: {outcome.status.value}{detail}")
    return Text(line, style=STATUS_STYLES[outcome.status])


def final_line(report: ApplyReport) -> str:
    """``Apply complete: 3 applied, 1 stale, 0 failed.`` (and skipped, notified, when there are any)"""
    counts = (
        f"{report.count(ChangeStatus.APPLIED)} applied, {report.count(ChangeStatus.STALE)} stale, "
        f"{report.count(ChangeStatus.FAILED)} failed"
    )
    skipped, notified = report.count(ChangeStatus.SKIPPED), report.count(ChangeStatus.NOTIFIED)
    more = f"{f', {skipped} skipped' if skipped else ''}{f', {notified} notified' if notified else ''}"
    return f"Apply complete: {counts}{more}."


def stderr_summary(report: ApplyReport) -> list[str]:
    """One line per failed or stale change, then the total: a CI log that keeps only stderr still shows them."""
    bad = [o for o in report.outcomes if o.status in (ChangeStatus.FAILED, ChangeStatus.STALE)]
    if not bad:
        return []
    lines = [f"error: {change_title(o.change)}: {o.status.value}{f' ({o.error})' if o.error else ''}" for o in bad]
    failed, stale = report.count(ChangeStatus.FAILED), report.count(ChangeStatus.STALE)
    lines.append(f"error: {len(bad)} of {len(report.outcomes)} changes not applied ({failed} failed, {stale} stale)")
    return lines


def print_stderr_summary(report: ApplyReport) -> None:
    for line in stderr_summary(report):
        print(line, file=sys.stderr)


class ProgressView:
    """A subscriber of the executor's events: prints each change when it finishes (and its warnings); on a
    terminal, a progress bar below those lines shows done/total, failures and the time left.

    Used as a context manager around the run, so the bar is gone before the final tally is printed."""

    def __init__(self, console: Console, total: int = 0) -> None:
        self.console = console
        self.total = total
        self.done = 0
        self.failed = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ProgressView:
        if self.console.is_terminal and self.total:
            self._bar = Progress(
                TextColumn("Applying"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._task = self._bar.add_task("apply", total=self.total, failed=0)
            self._bar.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def run_starts(self, total: int) -> None:
        self.total = total
        self.__enter__()

    def run_ends(self) -> None:
        self.__exit__()

    def sent(self, change: Change) -> None:
        """Nothing to show yet: a line per finished change keeps the output readable in logs."""

    def finished(self, outcome: ChangeOutcome) -> None:
        self.console.print(outcome_line(outcome))
        if outcome.result is not None:
            for warning in outcome.result.warnings:
                self.console.print(Text(f"  warning: {safe(warning)}", style="yellow"))
        self.done += 1
        if outcome.status in (ChangeStatus.FAILED, ChangeStatus.STALE):
            self.failed += 1
        if self._bar is not None and self._task is not None:  # follow-up fills may add to the total
            self._bar.update(self._task, completed=self.done, total=max(self.total, self.done), failed=self.failed)
