"""Applying a plan: staleness check, dependency order, one write per change, every outcome recorded.

The executor knows neither the terminal nor the database: it reports each change to its subscribers
(``model.outcomes.Subscriber``: the history, the progress view). Each hears of a write twice: ``sent``
before its request goes out and ``finished`` once its outcome is known, so a run cut short mid-request
(Ctrl-C while a Proxmox VE task runs, a crash) leaves a ``sent`` row, never a change with no row.
One failing change does not stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from netmox_cli.errors import NetmoxError, StaleError
from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.kinds import KINDS, has_children
from netmox_cli.model.outcomes import ApplyReport, ChangeOutcome, ChangeStatus, Subscriber, Subscribers
from netmox_cli.model.plan import Action, Change, Issue, Plan
from netmox_cli.model.state import Guest, Side
from netmox_cli.planner import desired_object, find_object, write_fields
from netmox_cli.planner.drafts import Head
from netmox_cli.planner.planner import gap_fills
from netmox_cli.providers.base import ApplyContext, WriteRequest

from .saved import Refusal
from .session import ConnectionSnapshot, Providers

log = logging.getLogger(__name__)


def _phase(change: Change) -> int:
    """Dependency order, as each kind declares it: nodes appear before their guests and disappear after them."""
    return KINDS[change.kind].phase(change.action is Action.DELETE)


def ordered(changes: list[Change]) -> list[Change]:
    """Writes in dependency order (stable within a phase); non-writes last, as they do nothing."""
    writes = [change for change in changes if change.action.writes]
    others = [change for change in changes if not change.action.writes]
    return sorted(writes, key=_phase) + others


def build_request(change: Change, snapshot: ConnectionSnapshot, context: ApplyContext) -> WriteRequest:
    """The write for ``change``, from freshly re-read objects; StaleError if they moved since the plan."""
    netbox_obj = find_object(snapshot.state(Side.NETBOX), change.kind, change.key)
    proxmox_obj = find_object(snapshot.state(Side.PROXMOX), change.kind, change.key)
    if fingerprint(netbox_obj, proxmox_obj) != change.basis:
        raise StaleError(
            f"stale: {change.ref} changed since the plan was made",
            "run netmox plan again",
        )
    assert change.target is not None
    current = netbox_obj if change.target is Side.NETBOX else proxmox_obj
    desired = None if change.action is Action.DELETE else desired_object(change, netbox_obj, proxmox_obj)
    return WriteRequest(
        change_id=change.id,
        action=change.action.value,  # type: ignore[arg-type]
        kind=change.kind,
        current=current,
        desired=desired,
        fields=write_fields(change),
        context=context.model_copy(update={"source_label": change.target.other.label}),
    )


class Executor:
    """Carries out the write changes of a plan against open providers and fresh snapshots."""

    def __init__(
        self,
        providers: dict[str, Providers],
        snapshots: dict[str, ConnectionSnapshot],
        context: ApplyContext,
        subscribers: Sequence[Subscriber] = (),
    ) -> None:
        self.providers = providers
        self.snapshots = snapshots
        self.context = context
        self.events = Subscribers(subscribers)
        self._failed_nodes: set[tuple[str, str, Side]] = set()

    def run(self, plan: Plan, refused: Sequence[Refusal] = ()) -> ApplyReport:
        """Apply ``plan``'s writes; ``refused`` saved changes are recorded as not applied, first."""
        report = ApplyReport()
        for refusal in refused:
            status = ChangeStatus.STALE if refusal.stale else ChangeStatus.FAILED
            report.outcomes.append(self._finish(ChangeOutcome(refusal.change, status, refusal.reason)))
        for change in ordered(plan.changes):
            if not change.action.writes:
                continue
            outcome, request = self._prepare(change)
            if request is not None:
                outcome = self._write(change, request)
            report.outcomes.append(outcome)
            if outcome.status is ChangeStatus.APPLIED and request is not None:
                follow_up = self._fill_generated(change, request, plan.policy.fill_gaps)
                if follow_up is not None:
                    report.outcomes.append(follow_up)
        return report

    def _fill_generated(self, change: Change, request: WriteRequest, fill_gaps: list[str]) -> ChangeOutcome | None:
        """After a guest is created on Proxmox VE, write what Proxmox VE generated for it (MACs) into the
        NetBox VM it was created from: a fill, recorded in the history as an update of NetBox."""
        if change.action is not Action.CREATE or change.target is not Side.PROXMOX or not fill_gaps:
            return None
        created = request.desired
        snapshot = self.snapshots[change.connection]
        netbox_obj = find_object(snapshot.state(Side.NETBOX), change.kind, change.key)
        if not isinstance(created, Guest) or not isinstance(netbox_obj, Guest):
            return None
        try:
            now = self.providers[change.connection].of(Side.PROXMOX).read_guest(created)
        except NetmoxError as error:
            log.debug("re-reading %s after its create failed: %s", change.id, error.one_line())
            return None
        fills = gap_fills(netbox_obj, now, fill_gaps) if now is not None else []
        if not fills:
            return None
        fill = Head(
            change.connection,
            change.kind,
            change.key,
            change.name,
            change.node,
            Issue.MISMATCH,
            fingerprint(netbox_obj, now),
        ).change(Action.UPDATE, Side.NETBOX, fills, None)
        request = WriteRequest(
            change_id=fill.id,
            action="update",
            kind=fill.kind,
            current=netbox_obj,
            desired=desired_object(fill, netbox_obj, now),
            fields=write_fields(fill),
            context=self.context.model_copy(update={"source_label": Side.PROXMOX.label}),
        )
        return self._write(fill, request)

    def _prepare(self, change: Change) -> tuple[ChangeOutcome, WriteRequest | None]:
        snapshot = self.snapshots.get(change.connection)
        if snapshot is None or change.connection not in self.providers:
            return self._finish(
                ChangeOutcome(change, ChangeStatus.FAILED, f"{change.connection}: not in the config")
            ), None
        if snapshot.error is not None:
            return self._finish(ChangeOutcome(change, ChangeStatus.FAILED, snapshot.error.one_line())), None
        if (
            KINDS[change.kind].parent is not None
            and (change.connection, change.node or "", change.target) in self._failed_nodes
        ):
            reason = (
                f"skipped: node {change.node} could not be written on {change.target.label if change.target else '?'}"
            )
            return self._finish(ChangeOutcome(change, ChangeStatus.SKIPPED, reason)), None
        try:
            return ChangeOutcome(change, ChangeStatus.APPLIED), build_request(change, snapshot, self.context)
        except StaleError as error:
            return self._finish(ChangeOutcome(change, ChangeStatus.STALE, error.one_line())), None

    def _write(self, change: Change, request: WriteRequest) -> ChangeOutcome:
        assert change.target is not None
        provider = self.providers[change.connection].of(change.target)
        self.events.sent(change)  # the history commits its row before the request goes out (write-ahead)
        try:
            result = provider.apply(request)
            outcome = ChangeOutcome(change, ChangeStatus.APPLIED, result=result)
        except StaleError as error:
            outcome = ChangeOutcome(change, ChangeStatus.STALE, error.one_line())
        except NetmoxError as error:
            outcome = ChangeOutcome(change, ChangeStatus.FAILED, error.one_line())
        except Exception as error:  # the one place an unexpected failure is contained: record it, go on
            log.debug("unexpected error applying %s", change.id, exc_info=True)  # shown with --debug
            outcome = ChangeOutcome(change, ChangeStatus.FAILED, f"{type(error).__name__}: {error}")
        if outcome.status is not ChangeStatus.APPLIED and has_children(change.kind):
            self._failed_nodes.add((change.connection, change.key, change.target))
        return self._finish(outcome)

    def _finish(self, outcome: ChangeOutcome) -> ChangeOutcome:
        self.events.finished(outcome)
        return outcome
