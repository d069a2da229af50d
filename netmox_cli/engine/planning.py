"""From snapshots to a plan: the pure planner, then the providers' preflight checks.

Apart from ``session`` (reading) and ``executor`` (writing) because it uses both: the preflight builds
the same write requests the executor will send, so providers judge exactly what apply would do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from netmox_cli import __version__
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import build_request
from netmox_cli.engine.session import ConnectionSnapshot, Providers, take_snapshots
from netmox_cli.model.plan import Action, Plan
from netmox_cli.model.state import Side
from netmox_cli.planner import build_plan, plan_connection
from netmox_cli.planner.guards import one_sided
from netmox_cli.providers.base import ApplyContext, Progress, WriteRequest


class OrphanLedger(Protocol):
    """Where netmox remembers when it first saw each object on one side only (the history database)."""

    def observe_orphans(
        self, connection: str, keys: set[tuple[str, str, str]], now: datetime
    ) -> dict[tuple[str, str, str], datetime]: ...


def plan_snapshots(
    snapshots: list[ConnectionSnapshot],
    policy: PolicyConfig,
    *,
    orphans: OrphanLedger | None = None,
    now: datetime | None = None,
) -> Plan:
    """Snapshots and policy in, plan out. With ``policy.delete_after`` set, the orphan sightings are
    updated in ``orphans`` and young orphans are held back."""
    now = now or datetime.now(UTC)
    connection_plans = []
    for snapshot in snapshots:
        if snapshot.error is not None:
            continue
        netbox, proxmox = snapshot.state(Side.NETBOX), snapshot.state(Side.PROXMOX)
        first_seen = None
        if policy.delete_after > 0 and orphans is not None:
            first_seen = orphans.observe_orphans(snapshot.name, one_sided(netbox, proxmox), now)
        connection_plans.append(plan_connection(snapshot.name, netbox, proxmox, policy, first_seen=first_seen, now=now))
    return build_plan(connection_plans, [snapshot.info for snapshot in snapshots], policy, __version__)


def preflight(
    plan: Plan, providers: dict[str, Providers], snapshots: list[ConnectionSnapshot], policy: PolicyConfig
) -> Plan:
    """Ask each target provider about the plan's writes; each problem it finds becomes a conflict.

    This is how "site 'lab' does not exist" or "no LXC template configured" shows in the plan instead
    of failing half-way through an apply.
    """
    by_name = {snapshot.name: snapshot for snapshot in snapshots}
    context = ApplyContext(allow_stop=policy.allow_stop, shutdown_timeout=policy.shutdown_timeout)
    pending: dict[tuple[str, Side], list[WriteRequest]] = {}
    for change in plan.changes:
        if change.action.writes and change.target is not None and change.connection in providers:
            request = build_request(change, by_name[change.connection], context)
            pending.setdefault((change.connection, change.target), []).append(request)
    problems: dict[str, str] = {}
    for (name, side), requests in pending.items():
        problems.update(providers[name].of(side).preflight(requests))
    if not problems:
        return plan
    changes = [
        change.model_copy(update={"action": Action.CONFLICT, "reason": problems[change.id]})
        if change.id in problems
        else change
        for change in plan.changes
    ]
    return plan.model_copy(update={"changes": changes}).summarize()


def make_plan(
    config: NetmoxConfig,
    providers: dict[str, Providers],
    policy: PolicyConfig,
    progress: Progress | None = None,
    *,
    orphans: OrphanLedger | None = None,
    now: datetime | None = None,
) -> tuple[Plan, list[ConnectionSnapshot]]:
    """Snapshot, plan and preflight every connection in ``providers``."""
    snapshots = take_snapshots(config, providers, progress)
    plan = plan_snapshots(snapshots, policy, orphans=orphans, now=now)
    return preflight(plan, providers, snapshots, policy), snapshots
