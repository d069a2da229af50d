"""From snapshots to a plan: the pure planner, then the providers' preflight checks.

Apart from ``session`` (reading) and ``executor`` (writing) because it uses both: the preflight builds
the same write requests the executor will send, so providers judge exactly what apply would do.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Protocol

from netmox_cli import __version__
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.engine.executor import build_request
from netmox_cli.engine.session import ConnectionSnapshot, Providers, take_snapshots
from netmox_cli.model.plan import Action, Plan
from netmox_cli.model.state import ObjectKind, Side
from netmox_cli.planner import ConnectionPlan, build_plan, find_object, plan_connection
from netmox_cli.planner.guards import one_sided
from netmox_cli.providers.base import ApplyContext, Progress, WriteRequest


class OrphanLedger(Protocol):
    """Where netmox remembers when it first saw each object on one side only (the history database)."""

    def observe_orphans(
        self,
        connection: str,
        keys: set[tuple[str, str, str]],
        now: datetime,
        within: set[tuple[str, str]] | None = None,
    ) -> dict[tuple[str, str, str], datetime]: ...


ObjectRef = tuple[str, ObjectKind, str]
"""One object of one connection: ``(connection, kind, key)``; key is a node name or a VMID."""


class Scope:
    """The objects a scoped run plans (``netmox watch``): all others are left out of its plan.

    A guest is matched by connection and VMID whatever its kind (a webhook knows the VMID, not whether
    Proxmox VE holds a VM or a container); a node by connection and name.
    """

    def __init__(self, refs: Collection[ObjectRef]) -> None:
        self.refs = {(c, kind is ObjectKind.NODE, key) for c, kind, key in refs}
        self.connections = sorted({c for c, _, _ in refs})

    def __contains__(self, ref: ObjectRef) -> bool:
        connection, kind, key = ref
        return (connection, kind is ObjectKind.NODE, key) in self.refs

    def within(self, connection: str) -> set[tuple[str, str]]:
        """The ``(kind, key)`` pairs of ``connection`` this scope covers, as the orphan ledger keys them."""
        guest_kinds = [kind.value for kind in ObjectKind if kind is not ObjectKind.NODE]
        pairs: set[tuple[str, str]] = set()
        for c, is_node, key in self.refs:
            if c == connection:
                pairs |= {(ObjectKind.NODE.value, key)} if is_node else {(kind, key) for kind in guest_kinds}
        return pairs

    def narrow(self, snapshot: ConnectionSnapshot, plan: ConnectionPlan) -> ConnectionPlan:
        """``plan`` with only this scope's changes; in sync: the scope's objects either side has, unchanged."""
        changes = [c for c in plan.changes if c.object_key in self]
        changed = {(c, kind is ObjectKind.NODE, key) for c, kind, key in (ch.object_key for ch in changes)}
        in_sync = 0
        for connection, is_node, key in self.refs - changed:
            if connection != snapshot.name:
                continue
            kind = ObjectKind.NODE if is_node else ObjectKind.QEMU
            if any(find_object(snapshot.state(side), kind, key) is not None for side in Side):
                in_sync += 1
        return ConnectionPlan(changes, in_sync)


def plan_snapshots(
    snapshots: list[ConnectionSnapshot],
    policy: PolicyConfig,
    *,
    orphans: OrphanLedger | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> Plan:
    """Snapshots and policy in, plan out. With ``policy.delete_after`` set, the orphan sightings are
    updated in ``orphans`` and young orphans are held back. With ``scope``, only its objects are planned
    (from full or scoped snapshots) and only their sightings are updated."""
    now = now or datetime.now(UTC)
    connection_plans = []
    for snapshot in snapshots:
        if snapshot.error is not None:
            continue
        netbox, proxmox = snapshot.state(Side.NETBOX), snapshot.state(Side.PROXMOX)
        first_seen = None
        if policy.delete_after > 0 and orphans is not None:
            sightings = one_sided(netbox, proxmox)
            if scope is None:
                first_seen = orphans.observe_orphans(snapshot.name, sightings, now)
            else:
                within = scope.within(snapshot.name)
                mine = {k for k in sightings if k[:2] in within}
                first_seen = orphans.observe_orphans(snapshot.name, mine, now, within=within)
        planned = plan_connection(snapshot.name, netbox, proxmox, policy, first_seen=first_seen, now=now)
        connection_plans.append(planned if scope is None else scope.narrow(snapshot, planned))
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
