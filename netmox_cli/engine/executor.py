"""Applying a plan: staleness check, dependency order, each side's writes at once, every outcome recorded.

The executor knows neither the terminal nor the database: it reports each change to its subscribers
(``model.outcomes.Subscriber``: the history, the progress view). Each hears of a write twice: ``sent``
before the request that carries it goes out and ``finished`` once its outcome is known, so a run cut
short mid-request (Ctrl-C while a Proxmox VE task runs, a crash) leaves a ``sent`` row, never a change
with no row. One failing change does not stop the others; a node that could not be written skips its
guests.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from itertools import groupby

from netmox_cli.errors import NetmoxError, StaleError
from netmox_cli.model.fingerprint import fingerprint
from netmox_cli.model.kinds import KINDS, has_children
from netmox_cli.model.outcomes import ApplyReport, ChangeOutcome, ChangeStatus, Subscriber, Subscribers, WriteResult
from netmox_cli.model.plan import Action, Change, Issue, Plan
from netmox_cli.model.state import Guest, Side
from netmox_cli.planner import desired_object, find_object, write_fields
from netmox_cli.planner.drafts import Head
from netmox_cli.planner.planner import gap_fills
from netmox_cli.providers.base import ApplyContext, Provider, WriteRequest

from .pool import bounded
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
    """Carries out the write changes of a plan against open providers and fresh snapshots.

    Phase by phase (``_phase``): within a phase, each connection side gets its changes at once. A side
    whose provider runs several writes at a time (``write_workers`` > 1, Proxmox VE) gets them on a
    bounded thread pool, one guest per task; any other side gets them as one batch (NetBox: few bulk
    requests). The subscribers are only ever called from this thread: workers return their
    outcome, the loop records it, so the SQLite history never sees another thread.
    """

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
        writes = [change for change in ordered(plan.changes) if change.action.writes]
        for _phase_number, changes in groupby(writes, key=_phase):
            report.outcomes += self._run_phase(list(changes), plan.policy.fill_gaps)
        return report

    def _run_phase(self, changes: list[Change], fill_gaps: list[str]) -> list[ChangeOutcome]:
        """One phase's changes, each side's at once; outcomes in plan order, follow-up fills after them."""
        outcomes: dict[str, ChangeOutcome] = {}
        sides: dict[tuple[str, Side], list[tuple[Change, WriteRequest]]] = defaultdict(list)
        for change in changes:
            outcome, request = self._prepare(change)
            if request is None:
                outcomes[change.id] = outcome
            else:
                assert change.target is not None
                sides[(change.connection, change.target)].append((change, request))
        fills: list[tuple[Change, WriteRequest]] = []
        for (connection, side), writes in sides.items():
            provider = self.providers[connection].of(side)
            done = self._parallel(provider, writes) if provider.write_workers > 1 else self._batch(provider, writes)
            outcomes.update(done)
            fills += self._fills(provider, writes, done, fill_gaps)
        ordered_outcomes = [outcomes[change.id] for change in changes]
        by_side: dict[tuple[str, Side], list[tuple[Change, WriteRequest]]] = defaultdict(list)
        for fill, request in fills:
            by_side[(fill.connection, Side.NETBOX)].append((fill, request))
        for (connection, side), writes in by_side.items():
            done = self._batch(self.providers[connection].of(side), writes)
            ordered_outcomes += [done[fill.id] for fill, _ in writes]
        return ordered_outcomes

    # --- the two ways a side is written ---------------------------------------------------------------------

    def _batch(self, provider: Provider, writes: list[tuple[Change, WriteRequest]]) -> dict[str, ChangeOutcome]:
        """All of a side's writes in one ``apply_batch``; the provider reports each change as it goes."""
        events = _Events(self, {change.id: change for change, _ in writes})
        try:
            provider.apply_batch([request for _, request in writes], events)
        except Exception as error:  # contained like a single write's: every change not yet reported fails
            log.debug("unexpected error applying a batch", exc_info=True)  # shown with --debug
            for change, _ in writes:
                if change.id not in events.outcomes:
                    events.done(change.id, None, error)
        for change, _ in writes:
            if change.id not in events.outcomes:  # a provider that forgot one: never report it as applied
                events.done(change.id, None, RuntimeError("the provider reported no outcome"))
        return events.outcomes

    def _parallel(self, provider: Provider, writes: list[tuple[Change, WriteRequest]]) -> dict[str, ChangeOutcome]:
        """Each write on its own worker, at most ``write_workers`` at once (one guest per write: its steps stay
        in order). ``sent`` is recorded as a write is handed to a free worker, so only writes really under way
        are ``sent`` when a run is cut short."""
        outcomes: dict[str, ChangeOutcome] = {}
        for (change, _request), (result, error) in bounded(
            writes,
            provider.write_workers,
            lambda item: _apply_one(provider, item[1]),
            start=lambda item: self._sent(item[0]),
        ):
            outcomes[change.id] = self._finish(self._outcome(change, result, error))
        return outcomes

    # --- the gap-fill follow-up -----------------------------------------------------------------------------

    def _fills(
        self,
        provider: Provider,
        writes: list[tuple[Change, WriteRequest]],
        outcomes: dict[str, ChangeOutcome],
        fill_gaps: list[str],
    ) -> list[tuple[Change, WriteRequest]]:
        """After guests are created on Proxmox VE, what Proxmox VE generated for them (MACs), as updates of
        the NetBox VMs they were created from: fills, recorded in the history as updates of NetBox."""
        if not fill_gaps:
            return []
        created = [
            (change, request)
            for change, request in writes
            if change.action is Action.CREATE
            and change.target is Side.PROXMOX
            and outcomes[change.id].status is ChangeStatus.APPLIED
            and isinstance(request.desired, Guest)
        ]
        if not created:
            return []
        reads = bounded(created, provider.write_workers, lambda item: _read_back(provider, *item))
        read = {change.id: now for (change, _request), now in reads}
        fills = [self._fill(change, now, fill_gaps) for change, _ in created if (now := read[change.id]) is not None]
        return [fill for fill in fills if fill is not None]

    def _fill(self, change: Change, now: Guest, fill_gaps: list[str]) -> tuple[Change, WriteRequest] | None:
        snapshot = self.snapshots[change.connection]
        netbox_obj = find_object(snapshot.state(Side.NETBOX), change.kind, change.key)
        if not isinstance(netbox_obj, Guest):
            return None
        fills = gap_fills(netbox_obj, now, fill_gaps)
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
        return fill, request

    # --- per change -----------------------------------------------------------------------------------------

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

    def _sent(self, change: Change) -> None:
        self.events.sent(change)  # the history commits its row before the request goes out (write-ahead)

    def _outcome(self, change: Change, result: WriteResult | None, error: Exception | None) -> ChangeOutcome:
        assert change.target is not None
        if error is None:
            outcome = ChangeOutcome(change, ChangeStatus.APPLIED, result=result)
        elif isinstance(error, StaleError):
            outcome = ChangeOutcome(change, ChangeStatus.STALE, error.one_line())
        elif isinstance(error, NetmoxError):
            outcome = ChangeOutcome(change, ChangeStatus.FAILED, error.one_line())
        else:  # the one place an unexpected failure is contained: record it, go on
            log.debug("unexpected error applying %s", change.id, exc_info=error)  # shown with --debug
            outcome = ChangeOutcome(change, ChangeStatus.FAILED, f"{type(error).__name__}: {error}")
        if outcome.status is not ChangeStatus.APPLIED and has_children(change.kind):
            self._failed_nodes.add((change.connection, change.key, change.target))
        return outcome

    def _finish(self, outcome: ChangeOutcome) -> ChangeOutcome:
        self.events.finished(outcome)
        return outcome


class _Events:
    """The executor's side of ``apply_batch``: each report becomes a history row, at once."""

    def __init__(self, executor: Executor, changes: dict[str, Change]) -> None:
        self.executor = executor
        self.changes = changes
        self.outcomes: dict[str, ChangeOutcome] = {}
        self._sent: set[str] = set()

    def sent(self, change_id: str) -> None:
        if change_id in self.changes and change_id not in self._sent:
            self._sent.add(change_id)
            self.executor._sent(self.changes[change_id])

    def done(self, change_id: str, result: WriteResult | None, error: Exception | None) -> None:
        if change_id not in self.changes or change_id in self.outcomes:
            return
        outcome = self.executor._outcome(self.changes[change_id], result, error)
        self.outcomes[change_id] = self.executor._finish(outcome)


def _apply_one(provider: Provider, request: WriteRequest) -> tuple[WriteResult | None, Exception | None]:
    """A worker's task: one write, its failure returned rather than raised (the loop classifies it)."""
    try:
        return provider.apply(request), None
    except Exception as error:  # returned to the loop, which records it like any failure
        return None, error


def _read_back(provider: Provider, change: Change, request: WriteRequest) -> Guest | None:
    """The guest as Proxmox VE holds it right after its create (None when it cannot be read)."""
    assert isinstance(request.desired, Guest)
    try:
        return provider.read_guest(request.desired)
    except NetmoxError as error:
        log.debug("re-reading %s after its create failed: %s", change.id, error.one_line())
        return None
