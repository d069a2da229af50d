"""The apply operation: the one path every apply takes — ``netmox apply``, ``netmox apply PLAN.json``,
``netmox watch`` and its periodic reconcile.

    lock → read → plan → preflight → (re-derive a saved plan) → decide → re-read → execute → notify → record

Commands supply what differs between them: how a plan is approved (``decide``: the terminal prompt,
``--auto-approve``, or watch's "the policy decides"), how both sides are read (``read``: full snapshots
by default), which objects are planned (``scope``), and who asked (``origin``, kept in the history).

A scoped run, as ``netmox watch`` makes one for a NetBox event::

    from netmox_cli.engine.operation import ApplyOperation, ApplyRequest, RunOrigin, auto_approve
    from netmox_cli.engine.planning import Scope

    with HistoryStore(path) as store, open_providers(config, ["lab"]) as providers:
        operation = ApplyOperation(config, providers, store, lock_dir=lock_dir, lock_timeout=60)
        result = operation.run(
            ApplyRequest(
                policy=config.policy,
                command="netmox watch",
                origin=RunOrigin("watch", request_id=event_request_id, netbox_user=event_user),
                decide=auto_approve,  # no prompt: the policy decides
                scope=Scope([("lab", ObjectKind.QEMU, "101")]),
                read=scoped_reader,  # optional: (providers, progress) -> list[ConnectionSnapshot]
            )
        )
    result.report  # None when nothing was to be done; else every change's outcome

Without ``read``, a scoped run takes full snapshots and plans only the scope's objects; a reader that
returns partial snapshots (just those objects) is planned the same way. Only the scope's connections are
locked and read. ``result.plan`` is what was applied (or proposed, when ``report`` is None).

The plan's ``notify`` differences are reported after the writes, in the same history run, each once
(``engine/notices.py``); a run with nothing to write and nothing new to report starts no history run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from netmox_cli import environment
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import Executor
from netmox_cli.engine.lock import connection_locks
from netmox_cli.engine.notices import Notifier, Pending
from netmox_cli.engine.planning import Scope, plan_snapshots, preflight
from netmox_cli.engine.saved import Refusal, basis_now, rederive
from netmox_cli.engine.session import ConnectionSnapshot, Providers, take_snapshots
from netmox_cli.history import HistoryRecorder, HistoryStore, RunStart
from netmox_cli.history.notices import NoticeLedger
from netmox_cli.history.store import INTERRUPTED
from netmox_cli.model.outcomes import ApplyReport, Subscriber, Subscribers
from netmox_cli.model.plan import Plan
from netmox_cli.providers.base import ApplyContext, Progress
from netmox_cli.render.json_view import plan_digest


class Reader(Protocol):
    """Reads both sides of every connection in ``providers`` (full snapshots, or only a scope's objects)."""

    def __call__(self, providers: dict[str, Providers], progress: Progress | None) -> list[ConnectionSnapshot]: ...


def full_read(config: NetmoxConfig) -> Reader:
    """The default reader: a full snapshot of both sides of each connection."""

    def read(providers: dict[str, Providers], progress: Progress | None) -> list[ConnectionSnapshot]:
        return take_snapshots(config, providers, progress)

    return read


@dataclass(frozen=True)
class RunOrigin:
    """Who asked for the run, as the history records it.

    ``origin`` is ``terminal``, ``ci`` or ``cron`` for the command line (``environment.detect_origin``)
    and ``watch`` for ``netmox watch``; a watch run also names the NetBox request and user behind it.
    """

    origin: str
    request_id: str | None = None
    netbox_user: str | None = None

    @classmethod
    def command_line(cls) -> RunOrigin:
        return cls(environment.detect_origin())


@dataclass(frozen=True)
class Proposal:
    """What the operation would apply, for ``decide`` to approve: the plan, and a saved plan's refusals."""

    plan: Plan
    refused: list[Refusal] = field(default_factory=list)
    saved: Plan | None = None

    @property
    def actionable(self) -> bool:
        """Anything to carry out or record: a change, or a saved change refused."""
        return self.plan.summary.changes or bool(self.refused)


@dataclass(frozen=True)
class Approval:
    """The plan to apply; ``waited`` when a person took time to answer (both sides are read again, so
    the staleness check sees what is there at the moment of writing)."""

    plan: Plan
    waited: bool = False


Decide = Callable[[Proposal], Approval | None]
"""Shown every proposal (also one with nothing to do, so a command can print it); approves it (possibly
changed, e.g. ``--interactive``) or returns None to apply nothing. May raise ``Aborted`` (the person said no)."""


def auto_approve(proposal: Proposal) -> Approval | None:
    """No prompt: the policy decides (``--auto-approve``, ``netmox watch``)."""
    return Approval(proposal.plan) if proposal.actionable else None


@contextmanager
def _quiet(_message: str) -> Iterator[Progress]:
    yield lambda _text: None


@dataclass
class ApplyRequest:
    """One apply run: with which policy, for whom, approved how, on which objects."""

    policy: PolicyConfig
    command: str
    origin: RunOrigin
    decide: Decide
    saved: Plan | None = None  # apply exactly this saved plan (re-derived, see engine/saved.py)
    scope: Scope | None = None  # plan only these objects (and lock and read only their connections)
    read: Reader | None = None  # default: full_read(config)


@dataclass
class ApplyResult:
    """What the run did: the plan applied (or proposed), the snapshots it was checked against, the report."""

    plan: Plan
    snapshots: list[ConnectionSnapshot]
    report: ApplyReport | None = None  # None: nothing was applied (nothing to do, or not approved)
    run_id: int | None = None

    @property
    def unreadable(self) -> list[str]:
        """One message per connection that could not be read."""
        return [str(snapshot.info.error) for snapshot in self.snapshots if snapshot.error is not None]

    @property
    def ok(self) -> bool:
        return (self.report is None or self.report.ok) and not self.unreadable


class ApplyOperation:
    """Applies plans against open providers, under the connection locks, recording into ``store``."""

    def __init__(
        self,
        config: NetmoxConfig,
        providers: dict[str, Providers],
        store: HistoryStore,
        *,
        lock_dir: Path,
        lock_timeout: float,
        subscribers: Sequence[Subscriber] = (),
        progress: Callable[[str], AbstractContextManager[Progress]] = _quiet,
    ) -> None:
        self.config = config
        self.providers = providers
        self.store = store
        self.lock_dir = lock_dir
        self.lock_timeout = lock_timeout
        self.subscribers = list(subscribers)
        self.progress = progress  # e.g. a spinner, given the step's message

    def run(self, request: ApplyRequest) -> ApplyResult:
        providers = self.providers
        if request.scope is not None:
            providers = {name: p for name, p in providers.items() if name in request.scope.connections}
        read = request.read or full_read(self.config)
        notifier = Notifier(self.config.notify, NoticeLedger(self.store), providers)
        with connection_locks(self.lock_dir, list(providers), self.lock_timeout):
            proposal, snapshots = self._propose(request, providers, read)
            approval = request.decide(proposal)
            if approval is None:
                notifier.settle(proposal.plan, snapshots, request.scope)
                return ApplyResult(proposal.plan, snapshots)
            if approval.waited:
                with self.progress("Re-reading NetBox and Proxmox VE") as progress:
                    snapshots = read(providers, progress)
            plan = approval.plan
            pending = notifier.pending(plan, snapshots)
            if not (any(c.action.writes for c in plan.changes) or proposal.refused or pending):
                notifier.settle(plan, snapshots, request.scope)  # e.g. only differences reported before
                return ApplyResult(plan, snapshots)
            run_id, report = self._execute(request, plan, providers, snapshots, proposal.refused, notifier, pending)
            notifier.settle(plan, snapshots, request.scope)
        return ApplyResult(plan, snapshots, report, run_id)

    def _propose(
        self, request: ApplyRequest, providers: dict[str, Providers], read: Reader
    ) -> tuple[Proposal, list[ConnectionSnapshot]]:
        """Read, plan and preflight; a saved plan is reduced to what netmox derives identically now."""
        with self.progress("Reading NetBox and Proxmox VE") as progress:
            snapshots = read(providers, progress)
        plan = plan_snapshots(snapshots, request.policy, orphans=self.store, scope=request.scope)
        plan = preflight(plan, providers, snapshots, request.policy)
        if request.saved is None:
            return Proposal(plan), snapshots
        result = rederive(request.saved, plan, basis_now(snapshots))
        return Proposal(result.plan, result.refused, request.saved), snapshots

    def _execute(
        self,
        request: ApplyRequest,
        plan: Plan,
        providers: dict[str, Providers],
        snapshots: list[ConnectionSnapshot],
        refused: list[Refusal],
        notifier: Notifier,
        pending: Pending,
    ) -> tuple[int, ApplyReport]:
        """Run the executor, then report the notices, inside a history run; the run row gets its outcome
        even if the executor raises."""
        user = environment.os_user()
        run_id = self.store.start_run(
            RunStart(
                user=user,
                host=environment.host_name(),
                origin=request.origin.origin,
                command=request.command,
                prefer=plan.policy.prefer.value if plan.policy.prefer else None,
                policy=plan.policy.model_dump(mode="json"),
                plan_digest=plan_digest(plan),
                request_id=request.origin.request_id,
                netbox_user=request.origin.netbox_user,
            )
        )
        outcome = "failed"
        try:
            context = ApplyContext(
                run_id=run_id,
                user=user,
                allow_stop=request.policy.allow_stop,
                shutdown_timeout=request.policy.shutdown_timeout,
            )
            subscribers = [HistoryRecorder(self.store, run_id), *self.subscribers]
            executor = Executor(providers, {s.name: s for s in snapshots}, context, subscribers)
            events = Subscribers(subscribers)
            events.run_starts(sum(1 for change in plan.changes if change.action.writes) + len(refused))
            try:
                report = executor.run(plan, refused)
            finally:
                events.run_ends()  # a progress bar is gone before the notices and the tally are printed
            for notice in notifier.deliver(pending, snapshots, run_id):
                events.finished(notice)
                report.outcomes.append(notice)
            if report.ok and not any(s.error for s in snapshots):
                outcome = "succeeded"
            return run_id, report
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: what was sent is in the history as "sent"
            outcome = INTERRUPTED
            raise
        finally:
            self.store.finish_run(run_id, outcome)
