"""One watch run: lock the connection, read (scoped or whole), plan under the configured policy, apply the
plan's writes with the same executor and safety rules as ``netmox apply``, and record it in the history
with origin ``watch``, the NetBox request id(s) and user(s) that caused it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from netmox_cli import environment
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import ApplyReport, ChangeOutcome, ChangeStatus, Executor
from netmox_cli.engine.lock import connection_locks
from netmox_cli.engine.planning import make_plan
from netmox_cli.engine.session import ConnectionSnapshot, Providers, open_providers
from netmox_cli.errors import NetmoxError
from netmox_cli.history import HistoryRecorder, HistoryStore, RunStart
from netmox_cli.model.plan import Change, Plan
from netmox_cli.model.scope import Scope
from netmox_cli.providers.base import ApplyContext
from netmox_cli.render.apply_view import outcome_line
from netmox_cli.render.json_view import plan_digest
from netmox_cli.render.safe import safe
from netmox_cli.watch.events import Origin
from netmox_cli.watch.scoped import plan_scope
from netmox_cli.watch.status import RunSummary

log = logging.getLogger("netmox_cli.watch")
ORIGIN = "watch"


@dataclass
class Job:
    """What to plan on one connection: a scope, or (``scope`` None) the whole cluster."""

    connection: str
    scope: Scope | None
    origins: list[Origin] = field(default_factory=list)

    def describe(self) -> str:
        if self.scope is None:
            return f"{self.connection}: reconcile"
        what = [f"VMID {v}" for v in sorted(self.scope.vmids)] + [f"node {n}" for n in sorted(self.scope.nodes)]
        return f"{self.connection}: {', '.join(what)}"


def command_line(job: Job) -> str:
    """The history's ``command`` of a watch run: what caused it (NetBox requests and users)."""
    if job.scope is None:
        return f"netmox watch: periodic reconcile of {job.connection}"
    requests = sorted({o.request_id for o in job.origins if o.request_id})
    users = sorted({o.user for o in job.origins if o.user})
    parts = [f"netmox watch: {job.describe()}", f"{len(job.origins)} NetBox event(s)"]
    if users:
        parts.append(f"by {', '.join(users)}")
    if requests:
        parts.append(f"request {', '.join(requests)}")
    return "; ".join(parts)


class LogListener:
    """The executor's progress as log lines (watch has no terminal to draw on)."""

    def before(self, change: Change) -> None:
        log.debug("applying %s", change.id)

    def after(self, outcome: ChangeOutcome) -> None:
        level = logging.INFO if outcome.status is ChangeStatus.APPLIED else logging.WARNING
        log.log(level, "%s", outcome_line(outcome).plain)


def apply_plan(
    plan: Plan,
    snapshots: list[ConnectionSnapshot],
    providers: dict[str, Providers],
    policy: PolicyConfig,
    store: HistoryStore,
    command: str,
) -> tuple[ApplyReport, int]:
    """The apply path watch shares with ``netmox apply`` (executor, history run); swapped for the engine's
    operation when that lands. Returns the report and the history run id."""
    user = environment.os_user()
    run_id = store.start_run(
        RunStart(
            user=user,
            host=environment.host_name(),
            origin=ORIGIN,
            command=command,
            prefer=plan.policy.prefer.value if plan.policy.prefer else None,
            policy=plan.policy.model_dump(mode="json"),
            plan_digest=plan_digest(plan),
        )
    )
    outcome = "failed"
    try:
        context = ApplyContext(
            run_id=run_id, user=user, allow_stop=policy.allow_stop, shutdown_timeout=policy.shutdown_timeout
        )
        executor = Executor(
            providers, {s.name: s for s in snapshots}, context, HistoryRecorder(store, run_id), LogListener()
        )
        report = executor.run(plan)
        if report.ok:
            outcome = "succeeded"
        return report, run_id
    finally:
        store.finish_run(run_id, outcome)


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
            kind="reconcile" if job.scope is None else "scoped",
            started=started,
            seconds=0.0,
            ok=False,
            objects=[] if job.scope is None else job.describe().split(": ", 1)[1].split(", "),
        )
        try:
            self._run(job, summary)
        except NetmoxError as error:
            summary.error = error.one_line()
        summary.seconds = round(time.time() - started, 3)
        return summary

    def _run(self, job: Job, summary: RunSummary) -> None:
        name = job.connection
        with (
            HistoryStore(self.history) as store,
            connection_locks(self.lock_dir, [name], self.lock_timeout),
            open_providers(self.config, [name]) as providers,
        ):
            if job.scope is None:
                plan, snapshots = make_plan(self.config, providers, self.policy, orphans=store)
                summary.full_read = True
            else:
                scoped = plan_scope(self.config, name, providers[name], job.scope, self.policy, store)
                plan, snapshots = scoped.plan, scoped.snapshots
                summary.full_read = scoped.full_read is not None
                if scoped.full_read:
                    log.info("%s: planned from a full read: %s", job.describe(), safe(scoped.full_read))
            failed = next((s for s in snapshots if s.error is not None), None)
            if failed is not None:
                summary.error = failed.info.error
                return
            summary.planned = sum(1 for change in plan.changes if change.action.writes)
            for change in plan.changes:
                if not change.action.writes:
                    log.info("%s: %s: %s", change.ref, change.action.value, safe(change.reason or ""))
            if summary.planned:
                report, summary.history_run = apply_plan(
                    plan, snapshots, providers, self.policy, store, command_line(job)
                )
                summary.applied = report.count(ChangeStatus.APPLIED)
                summary.failed = report.count(ChangeStatus.FAILED) + report.count(ChangeStatus.STALE)
            summary.ok = summary.failed == 0
