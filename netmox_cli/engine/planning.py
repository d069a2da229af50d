"""From snapshots to a plan: the pure planner, then the providers' preflight checks.

Apart from ``session`` (reading) and ``executor`` (writing) because it uses both: the preflight builds
the same write requests the executor will send, so providers judge exactly what apply would do.
"""

from __future__ import annotations

from netmox_cli import __version__
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import build_request
from netmox_cli.engine.session import ConnectionSnapshot, Providers, take_snapshots
from netmox_cli.model.plan import Action, Plan
from netmox_cli.model.state import Side
from netmox_cli.planner import build_plan, plan_connection
from netmox_cli.providers.base import ApplyContext, Progress, WriteRequest


def plan_snapshots(snapshots: list[ConnectionSnapshot], policy: PolicyConfig) -> Plan:
    """The pure part: snapshots and policy in, plan out."""
    connection_plans = [
        plan_connection(snapshot.name, snapshot.state(Side.NETBOX), snapshot.state(Side.PROXMOX), policy)
        for snapshot in snapshots
        if snapshot.error is None
    ]
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
) -> tuple[Plan, list[ConnectionSnapshot]]:
    """Snapshot, plan and preflight every connection in ``providers``."""
    snapshots = take_snapshots(config, providers, progress)
    plan = plan_snapshots(snapshots, policy)
    return preflight(plan, providers, snapshots, policy), snapshots
