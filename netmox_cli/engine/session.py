"""Taking snapshots of every selected connection, concurrently, and turning them into one plan.

A connection that fails (unreachable host, wrong token …) is reported on its own; the others still
plan. The failing connection appears in ``Plan.connections`` with its ``error`` set.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from netmox_cli import __version__
from netmox_cli.config.schema import NetmoxConfig, PolicyConfig
from netmox_cli.errors import ConfigError, NetmoxError
from netmox_cli.model.plan import ConnectionInfo, Plan
from netmox_cli.model.state import ClusterState, Side
from netmox_cli.planner import build_plan, plan_connection
from netmox_cli.providers.base import Progress, Provider
from netmox_cli.providers.factory import build_provider


@dataclass
class ConnectionSnapshot:
    """Both sides of one connection at one moment, or the error that prevented reading them."""

    name: str
    info: ConnectionInfo
    netbox: ClusterState | None = None
    proxmox: ClusterState | None = None
    error: NetmoxError | None = None

    def state(self, side: Side) -> ClusterState:
        state = self.netbox if side is Side.NETBOX else self.proxmox
        if state is None:
            raise RuntimeError(f"connection {self.name} has no {side.value} snapshot")
        return state


@dataclass
class Providers:
    """The two open providers of one connection."""

    netbox: Provider
    proxmox: Provider
    extra: dict[str, object] = field(default_factory=dict)

    def of(self, side: Side) -> Provider:
        return self.netbox if side is Side.NETBOX else self.proxmox


def select_connections(config: NetmoxConfig, names: list[str] | None) -> list[str]:
    """The connections to work on: the named ones (each must exist), else all, in config order."""
    if not names:
        return list(config.connections)
    unknown = [name for name in names if name not in config.connections]
    if unknown:
        known = ", ".join(config.connections) or "none"
        raise ConfigError(f"unknown connection {unknown[0]!r}", f"the config defines: {known}")
    return list(dict.fromkeys(names))


@contextmanager
def open_providers(config: NetmoxConfig, names: list[str]) -> Iterator[dict[str, Providers]]:
    """Build both providers of every named connection and close them all afterwards."""
    opened: dict[str, Providers] = {}
    try:
        for name in names:
            connection = config.connections[name]
            opened[name] = Providers(
                netbox=build_provider(name, connection, Side.NETBOX),
                proxmox=build_provider(name, connection, Side.PROXMOX),
            )
        yield opened
    finally:
        for providers in opened.values():
            providers.netbox.close()
            providers.proxmox.close()


def connection_info(config: NetmoxConfig, name: str, providers: Providers | None) -> ConnectionInfo:
    connection = config.connections[name]
    return ConnectionInfo(
        name=name,
        cluster=connection.cluster,
        netbox=providers.netbox.location if providers else connection.netbox.type,
        proxmox=providers.proxmox.location if providers else connection.proxmox.type,
    )


def _snapshot_one(
    name: str, providers: Providers, info: ConnectionInfo, progress: Progress | None
) -> ConnectionSnapshot:
    snapshot = ConnectionSnapshot(name=name, info=info)
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"snapshot-{name}") as pool:
            netbox = pool.submit(providers.netbox.snapshot, progress)
            proxmox = pool.submit(providers.proxmox.snapshot, progress)
            snapshot.netbox = netbox.result()
            snapshot.proxmox = proxmox.result()
    except NetmoxError as error:
        snapshot.error = error
        snapshot.info = info.model_copy(update={"error": f"{name}: {error.one_line()}"})
    return snapshot


def take_snapshots(
    config: NetmoxConfig,
    providers: dict[str, Providers],
    progress: Progress | None = None,
) -> list[ConnectionSnapshot]:
    """Snapshot every connection in ``providers`` (both sides of all of them at once), in config order."""
    names = list(providers)
    if not names:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(names)), thread_name_prefix="connection") as pool:
        futures = [
            pool.submit(_snapshot_one, name, providers[name], connection_info(config, name, providers[name]), progress)
            for name in names
        ]
        return [future.result() for future in futures]


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
    from netmox_cli.engine.executor import build_request
    from netmox_cli.model.plan import Action
    from netmox_cli.providers.base import ApplyContext, WriteRequest

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
