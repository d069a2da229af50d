"""One watch run through the engine's apply operation (the path every apply takes): lock the connection,
read (scoped or whole), plan under the configured policy, apply with the same executor and safety rules
as ``netmox apply``, record it in the history with origin ``watch``, the NetBox request(s) and user(s)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.operation import ApplyOperation, ApplyRequest, RunOrigin, auto_approve
from netmox_cli.engine.planning import Scope
from netmox_cli.engine.session import open_providers
from netmox_cli.errors import NetmoxError
from netmox_cli.history import HistoryStore
from netmox_cli.model.outcomes import ChangeOutcome, ChangeStatus
from netmox_cli.model.plan import Change
from netmox_cli.render.apply_view import outcome_line
from netmox_cli.render.safe import safe
from netmox_cli.watch.events import Origin, Target
from netmox_cli.watch.scoped import scoped_reader
from netmox_cli.watch.status import RunSummary

log = logging.getLogger("netmox_cli.watch")
ORIGIN = "watch"


@dataclass
class Job:
    """What to plan on one connection: some objects, or (``targets`` empty) the whole cluster."""

    connection: str
    targets: list[Target] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)

    @property
    def objects(self) -> list[str]:
        return [str(t).split(": ", 1)[1] for t in self.targets]

    def describe(self) -> str:
        return f"{self.connection}: {', '.join(self.objects) if self.targets else 'reconcile'}"

    def origin(self) -> RunOrigin:
        """The history's origin: ``watch``, with every NetBox request and user that asked for this run."""
        requests = sorted({o.request_id for o in self.origins if o.request_id})
        users = sorted({o.user for o in self.origins if o.user})
        return RunOrigin(ORIGIN, request_id=", ".join(requests) or None, netbox_user=", ".join(users) or None)

    def command(self) -> str:
        if not self.targets:
            return f"netmox watch (periodic reconcile of {self.connection})"
        return f"netmox watch ({self.describe()}; {len(self.origins)} NetBox events)"


class LogSubscriber:
    """The executor's progress as log lines (watch has no terminal to draw on)."""

    def sent(self, change: Change) -> None:
        log.debug("applying %s", change.id)

    def finished(self, outcome: ChangeOutcome) -> None:
        level = logging.INFO if outcome.status is ChangeStatus.APPLIED else logging.WARNING
        log.log(level, "%s", outcome_line(outcome).plain)


class Runner:
    """Runs jobs against the configured connections, one at a time (the watch loop's thread)."""

    def __init__(
        self, config: NetmoxConfig, policy: PolicyConfig, history: Path, lock_dir: Path, lock_timeout: float = 60.0
    ) -> None:
        self.config = config
        self.policy = policy
        self.history = history
        self.lock_dir = lock_dir
        self.lock_timeout = lock_timeout

    def run(self, job: Job) -> RunSummary:
        """Plan and apply ``job``; every expected failure is in the summary (``ok`` False), never raised."""
        started = time.time()
        summary = RunSummary(
            connection=job.connection,
            kind="scoped" if job.targets else "reconcile",
            started=started,
            seconds=0.0,
            ok=False,
            objects=job.objects,
            full_read=not job.targets,
        )
        try:
            self._run(job, summary)
        except NetmoxError as error:
            summary.error = error.one_line()
        summary.seconds = round(time.time() - started, 3)
        return summary

    def _run(self, job: Job, summary: RunSummary) -> None:
        scope = Scope([t.ref for t in job.targets]) if job.targets else None
        request = ApplyRequest(
            policy=self.policy,
            command=job.command(),
            origin=job.origin(),
            decide=auto_approve,  # no prompt: the configured policy decides, as with --auto-approve
            scope=scope,
            read=None if scope is None else scoped_reader(self.config, self.policy, scope, summary.read_in_full),
        )
        with HistoryStore(self.history) as store, open_providers(self.config, [job.connection]) as providers:
            operation = ApplyOperation(
                self.config,
                providers,
                store,
                lock_dir=self.lock_dir,
                lock_timeout=self.lock_timeout,
                subscribers=[LogSubscriber()],
            )
            result = operation.run(request)
        if result.unreadable:
            summary.error = "; ".join(result.unreadable)
            return
        summary.planned = sum(1 for change in result.plan.changes if change.action.writes)
        for change in result.plan.changes:
            if not change.action.writes:
                log.info("%s: %s: %s", change.ref, change.action.value, safe(change.reason or ""))
        if result.report is not None:
            summary.history_run = result.run_id
            summary.applied = result.report.count(ChangeStatus.APPLIED)
            summary.failed = result.report.count(ChangeStatus.FAILED) + result.report.count(ChangeStatus.STALE)
        summary.ok = summary.failed == 0
