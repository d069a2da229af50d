"""The history as a subscriber of the executor's events: each change outcome becomes rows, one per written property."""

from __future__ import annotations

from netmox_cli.history.store import SENT, ChangeRecord, HistoryStore
from netmox_cli.model.outcomes import ChangeOutcome
from netmox_cli.model.plan import Action, Change, PropertyChange
from netmox_cli.render.values import before_after


def change_rows(change: Change, status: str, error: str | None) -> list[ChangeRecord]:
    """One row per property the change writes (before = target's value, after = the value written);
    a change without such properties (a delete, a bare create) gets one row without a property."""
    base = {
        "change_id": change.id,
        "connection": change.connection,
        "target": change.target.value if change.target else None,
        "action": change.action.value,
        "kind": change.kind.value,
        "key": change.key,
        "name": change.name,
        "status": status,
        "error": error,
    }
    if change.action is Action.NOTIFY:  # reported, not written: each property with what netmox would write
        return [_notice_row(base, prop) for prop in change.properties] or [ChangeRecord(**base)]
    written = [p for p in change.properties if change.target is not None and p.direction.target is change.target]
    if change.action is Action.CREATE:  # a create sets what the source has; unset values are not changes
        written = [p for p in written if before_after(change, p)[1] not in (None, [], "")]
    if not written:
        return [ChangeRecord(**base)]
    rows = []
    for prop in written:
        before, after = before_after(change, prop)
        rows.append(ChangeRecord(**base, property=prop.name, before=before, after=after))
    return rows


def _notice_row(base: dict, prop: PropertyChange) -> ChangeRecord:
    """A notify row: target, before and after are what netmox would write (both values when it would skip)."""
    target = prop.direction.target
    if target is None:
        return ChangeRecord(**{**base, "target": None}, property=prop.name, before=prop.netbox, after=prop.proxmox)
    before, after = getattr(prop, target.value), prop.after
    return ChangeRecord(**{**base, "target": target.value}, property=prop.name, before=before, after=after)


class HistoryRecorder:
    """A ``model.outcomes.Subscriber``, write-ahead: a change's rows are committed as ``sent``
    before its request goes out, then completed with the outcome before the next write starts."""

    def __init__(self, store: HistoryStore, run_id: int) -> None:
        self.store = store
        self.run_id = run_id

    def sent(self, change: Change) -> None:
        self.store.record(self.run_id, change_rows(change, SENT, None))

    def finished(self, outcome: ChangeOutcome) -> None:
        status, error = outcome.status.value, outcome.error
        if not self.store.complete(self.run_id, outcome.change.id, status, error):  # never sent: stale, skipped …
            self.store.record(self.run_id, change_rows(outcome.change, status, error))
