"""Reporting ``notify`` differences: a NetBox journal entry per object and one POST per run, each once.

The plan's ``notify`` changes are what to report. Each difference (one property of one object, or a
whole object only one side has) is reported on each channel only when that channel has not reported
it with the same values before (``history/notices.py``). A channel that fails leaves its differences
unremembered, so the next run tries them again; the failure is the change's outcome (``failed``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from netmox_cli import __version__
from netmox_cli.config.schema import NotifyConfig
from netmox_cli.engine.planning import Scope
from netmox_cli.engine.session import ConnectionSnapshot, Providers
from netmox_cli.engine.webhook import post_notices
from netmox_cli.errors import NetmoxError
from netmox_cli.history.notices import NoticeKey, NoticeLedger
from netmox_cli.model.outcomes import ChangeOutcome, ChangeStatus, WriteResult
from netmox_cli.model.plan import FORMAT_VERSION, Action, Change, Plan, PropertyChange
from netmox_cli.model.state import Guest, Node, Side
from netmox_cli.planner import find_object
from netmox_cli.redact import REDACTOR
from netmox_cli.render.notice_text import notice_text

JOURNAL, POST = "journal", "post"


@dataclass(frozen=True)
class Difference:
    """One reportable difference: a property of a notify change, or the whole change (``prop`` None)."""

    change: Change
    prop: PropertyChange | None = None

    @property
    def key(self) -> NoticeKey:
        change = self.change
        return (change.connection, change.kind.value, change.key, self.prop.name if self.prop else "")

    @property
    def fingerprint(self) -> str:
        """Both sides' values of the property (of the object, for a one-sided object)."""
        if self.prop is None:
            return self.change.basis
        values = json.dumps([self.prop.netbox, self.prop.proxmox], sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(values.encode()).hexdigest()[:32]


def differences(plan: Plan) -> list[Difference]:
    found: list[Difference] = []
    for change in plan.changes:
        if change.action is Action.NOTIFY:
            found += [Difference(change, prop) for prop in change.properties] or [Difference(change)]
    return found


def narrowed(change: Change, diffs: Sequence[Difference]) -> Change:
    """``change`` with only the properties of ``diffs`` (what is reported now)."""
    names = {d.prop.name for d in diffs if d.prop is not None}
    return change.model_copy(update={"properties": [p for p in change.properties if p.name in names]})


def per_change(diffs: Sequence[Difference]) -> dict[str, list[Difference]]:
    grouped: dict[str, list[Difference]] = {}
    for diff in diffs:
        grouped.setdefault(diff.change.id, []).append(diff)
    return grouped


@dataclass
class _Delivery:
    """One object's notify change as it is being reported: on which channels it went, what failed."""

    change: Change
    diffs: list[Difference] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outcome(self) -> ChangeOutcome:
        shown = narrowed(self.change, self.diffs)
        if self.errors:
            return ChangeOutcome(shown, ChangeStatus.FAILED, "; ".join(self.errors))
        return ChangeOutcome(shown, ChangeStatus.NOTIFIED, result=WriteResult(message=", ".join(self.done)))


@dataclass
class Pending:
    """The differences each channel has not reported yet."""

    journal: list[Difference]
    post: list[Difference]

    def __bool__(self) -> bool:
        return bool(self.journal or self.post)


class Notifier:
    """Reports a plan's notify differences through the NetBox journal and the ``[notify] url``."""

    def __init__(self, config: NotifyConfig, ledger: NoticeLedger, providers: dict[str, Providers]) -> None:
        self.config = config
        self.ledger = ledger
        self.providers = providers

    def pending(self, plan: Plan, snapshots: list[ConnectionSnapshot]) -> Pending:
        found = differences(plan)
        journal = [d for d in found if self._journal_target(d, snapshots) is not None]
        post = found if self.config.url is not None else []
        return Pending(self._unreported(JOURNAL, journal), self._unreported(POST, post))

    def _unreported(self, channel: str, found: list[Difference]) -> list[Difference]:
        reported = self.ledger.reported(channel, [d.key for d in found])
        return [d for d in found if reported.get(d.key) != d.fingerprint]

    def _journal_target(self, diff: Difference, snapshots: list[ConnectionSnapshot]) -> Node | Guest | None:
        """The NetBox object a difference's journal entry goes on; None where there is no journal or object."""
        change = diff.change
        providers = self.providers.get(change.connection)
        snapshot = next((s for s in snapshots if s.name == change.connection and s.error is None), None)
        if providers is None or snapshot is None or not providers.netbox.takes_notes:
            return None
        obj = find_object(snapshot.state(Side.NETBOX), change.kind, change.key)
        return obj if obj is not None and obj.remote_id is not None else None

    def deliver(self, pending: Pending, snapshots: list[ConnectionSnapshot], run_id: int) -> list[ChangeOutcome]:
        """Report every pending difference; one outcome per object reported (or failed)."""
        deliveries: dict[str, _Delivery] = {}
        for diff in pending.journal + pending.post:
            deliveries.setdefault(diff.change.id, _Delivery(diff.change)).diffs.append(diff)
        for change_id, diffs in per_change(pending.journal).items():
            delivery, change = deliveries[change_id], diffs[0].change
            target = self._journal_target(diffs[0], snapshots)
            assert target is not None  # pending() chose only differences with a journal to go to
            try:
                self.providers[change.connection].netbox.note(
                    change.kind, target, notice_text(narrowed(change, diffs), run_id)
                )
            except NetmoxError as error:
                delivery.errors.append(f"NetBox journal entry: {error.one_line()}")
                continue
            self.ledger.remember(JOURNAL, {d.key: d.fingerprint for d in diffs}, run_id)
            delivery.done.append("NetBox journal entry")
        if pending.post:
            try:
                post_notices(self.config, self._payload(pending.post, run_id))
            except NetmoxError as error:
                for change_id in per_change(pending.post):
                    deliveries[change_id].errors.append(error.one_line())
            else:
                self.ledger.remember(POST, {d.key: d.fingerprint for d in pending.post}, run_id)
                for change_id in per_change(pending.post):
                    deliveries[change_id].done.append("POST to the [notify] url")
        return [delivery.outcome() for delivery in deliveries.values()]

    def _payload(self, diffs: list[Difference], run_id: int) -> dict[str, Any]:
        """The POST body: the reported differences as the plan's change schema, one entry per object."""
        changes = [narrowed(group[0].change, group).model_dump(mode="json") for group in per_change(diffs).values()]
        body = {
            "source": "netmox",
            "netmox_version": __version__,
            "format_version": FORMAT_VERSION,
            "run_id": run_id,
            "sent": datetime.now(UTC).isoformat(timespec="seconds"),
            "changes": changes,
        }
        return REDACTOR.redact_value(body)  # like plan files: no configured secret leaves netmox

    def settle(self, plan: Plan, snapshots: list[ConnectionSnapshot], scope: Scope | None) -> None:
        """Forget the differences that are no longer in the plan (resolved), connection by connection;
        a connection that could not be read keeps what it had."""
        current = {d.key for d in differences(plan)}
        for snapshot in snapshots:
            if snapshot.error is None:
                within = scope.within(snapshot.name) if scope is not None else None
                self.ledger.forget_others(snapshot.name, current, within)
