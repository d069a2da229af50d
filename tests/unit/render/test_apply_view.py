"""Apply progress: a line per finished change always; on a terminal, a bar with done/total and failures."""

from __future__ import annotations

import io

from rich.console import Console

from netmox_cli.model.outcomes import ChangeOutcome, ChangeStatus
from netmox_cli.model.plan import Action
from netmox_cli.render.apply_view import ProgressView
from tests.unit.render.test_render_views import change, memory


def outcomes() -> list[ChangeOutcome]:
    return [
        ChangeOutcome(change(Action.UPDATE, memory(4096, 2048), key="101"), ChangeStatus.APPLIED),
        ChangeOutcome(change(Action.UPDATE, memory(4096, 2048), key="102"), ChangeStatus.FAILED, "storage full"),
    ]


def run(console: Console, total: int) -> str:
    view = ProgressView(console)
    view.run_starts(total)  # as the apply operation announces a run's writes
    try:
        for outcome in outcomes():
            view.sent(outcome.change)
            view.finished(outcome)
        assert (view.done, view.failed) == (2, 1)
    finally:
        view.run_ends()
    return console.file.getvalue()  # type: ignore[attr-defined]


def test_without_a_terminal_each_change_is_one_line_and_there_is_no_bar() -> None:
    text = run(Console(file=io.StringIO(), force_terminal=False, width=200), 3)
    assert text.splitlines() == [
        'lab/qemu 101 "web-01": update on Proxmox VE: applied',
        'lab/qemu 102 "web-01": update on Proxmox VE: failed (storage full)',
    ]


def test_on_a_terminal_a_bar_shows_done_of_total_and_failures() -> None:
    text = run(Console(file=io.StringIO(), force_terminal=True, width=200), 3)
    assert "Applying" in text and "2/3" in text and "1 failed" in text
    assert "storage full" in text
